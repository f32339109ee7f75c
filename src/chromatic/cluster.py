"""Ray for the data passes: ``segments build --ray`` (one Ray task per song) and ``embed --ray``
(actors holding the encoders, ``embed.pool``, one batch of segments per call).

``--ray`` alone starts a local cluster on 127.0.0.1 for the run (and stops it after);
``--ray ADDRESS`` (``HOST:PORT`` of a head node, or ``auto``) joins a running cluster and leaves
it running. A driver already connected (a test's cluster, a notebook) is reused as it is.

The tasks run the same functions the local path runs (``segments.song.build_song``, the
encoders' ``encode``) on the same inputs, and the driver writes every file the local path writes
in the same order, so the tables are the same. Workers read and write the DATA and catalog
paths the driver names: on a cluster of several machines, those must be on a shared file system
at the same path, and ``chromatic`` installed (the same version) on every node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from chromatic.errors import ChromaticError

LOCAL = "local"


class ClusterError(ChromaticError):
    """Ray is not installed, or the cluster cannot be reached."""


def _ray():
    try:
        import ray
    except ImportError as e:  # pragma: no cover - ray is in the dist extra
        raise ClusterError(
            "--ray needs Ray: pip install 'chromatic[dist]' (or 'ray>=2.9')", field="--ray"
        ) from e
    return ray


@contextmanager
def ray_session(address: str | None = LOCAL, *, num_cpus: int | None = None) -> Iterator[Any]:
    """Connect to Ray for the ``with`` block: reuse a connected driver, join ``address``, or
    start a local cluster on 127.0.0.1 (``address`` None or "local"), stopped afterwards."""
    ray = _ray()
    if ray.is_initialized():
        yield ray
        return
    common = {"include_dashboard": False, "log_to_driver": False}
    try:
        if address in (None, "", LOCAL):
            # workers of a local cluster inherit this environment (PYTHONPATH included)
            ray.init(address="local", num_cpus=num_cpus, _node_ip_address="127.0.0.1", **common)
        else:
            ray.init(address=address, **common)
    except Exception as e:
        raise ClusterError(
            f"cannot start or join a Ray cluster at {address or 'a local cluster'}: "
            f"{type(e).__name__}: {e}",
            field="--ray",
        ) from e
    try:
        yield ray
    finally:
        ray.shutdown()


def cluster_workers(ray, resource: str = "CPU") -> int:
    return int(ray.cluster_resources().get(resource, 0))


def task_error(ray, e: BaseException) -> BaseException:
    """The exception a task raised (Ray wraps it; ChromaticError keeps its one-line message)."""
    if isinstance(e, ray.exceptions.RayTaskError) and e.cause is not None:
        return e.cause
    return e


def run_tasks(
    ray,
    fn: Callable,
    jobs: Iterable[tuple[str, tuple]],
    *,
    on_done: Callable[[str, Any, BaseException | None], None],
    max_in_flight: int | None = None,
    num_cpus: float = 1,
) -> None:
    """Run ``fn(*args)`` as one Ray task per job, at most ``max_in_flight`` at once (default:
    twice the cluster's CPUs), calling ``on_done(key, result, error)`` as each finishes."""
    remote = ray.remote(num_cpus=num_cpus, max_retries=0)(fn)
    limit = max_in_flight or max(2, 2 * cluster_workers(ray))
    pending: dict[Any, str] = {}
    jobs = iter(jobs)

    def fill() -> None:
        while len(pending) < limit:
            try:
                key, args = next(jobs)
            except StopIteration:
                return
            pending[remote.remote(*args)] = key

    fill()
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        for ref in done:
            key = pending.pop(ref)
            try:
                result, error = ray.get(ref), None
            except Exception as e:
                result, error = None, task_error(ray, e)
            on_done(key, result, error)
        fill()


def thread_counts() -> dict:
    """This process's thread pools (BLAS, OpenMP, torch): a Ray worker gets one thread per
    CPU it asked for, and numpy's BLAS sums in another order with another thread count (the
    MIR features differ in the last bit), so the actors take the driver's counts."""
    from threadpoolctl import threadpool_info

    out: dict = {}
    for info in threadpool_info():
        api = info["user_api"]
        out[api] = max(out.get(api, 0), int(info["num_threads"]))
    try:
        import torch

        out["torch"] = torch.get_num_threads()
    except ImportError:  # pragma: no cover
        pass
    return out


def set_threads(counts: dict) -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits={k: v for k, v in counts.items() if k != "torch"})
    if "torch" in counts:
        import torch

        torch.set_num_threads(counts["torch"])
