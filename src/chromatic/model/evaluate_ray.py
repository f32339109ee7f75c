"""``evaluate --ray [ADDRESS]``: the nested protocol's outer folds as Ray tasks.

Each outer fold (its inner fits, the selection, the refit, the calibration and the predictions
on its test songs) is one task running ``evaluate.outer_fold``, the function the local loop
runs, on the same dataset (put in the object store once), the same splits and the same seeds
(every fit seeds itself from the config). The task takes the driver's thread counts (BLAS and
torch: a sum over another number of threads rounds differently), so its numbers are the local
run's. The driver collects the folds as they finish and merges them in fold order, so the
result, the decisions' order included, is the local run's. ``--ray`` alone starts a local
cluster on 127.0.0.1 for the run; ``--ray HOST:PORT`` (or ``auto``) joins a running one, whose
nodes need ``chromatic`` (the same version) installed; the data travels with the tasks.
"""

from __future__ import annotations

from chromatic.cluster import ray_session, run_tasks, set_threads, thread_counts
from chromatic.errors import ChromaticError


def _fold_task(fold_fn, ds, cfg, f: int, osplit, n_outer: int, kw: dict, threads: dict) -> dict:
    set_threads(threads)
    return fold_fn(ds, cfg, f, osplit, n_outer, **kw)


def folds_on_ray(
    address: str, fold_fn, ds, cfg, outer: list, kw: dict, *, progress: bool = False
) -> list[dict]:
    """Every outer fold's result (``fold_fn``: ``evaluate.outer_fold``), as Ray tasks on the
    cluster at ``address`` ("local": a local one), in fold order; a failed fold is the
    run's one-line error."""
    from rich.progress import Progress

    threads = thread_counts()
    outs: dict[int, dict] = {}
    errors: dict[int, BaseException] = {}
    with ray_session(address) as ray, Progress(disable=not progress) as bar:
        cpus = int(ray.cluster_resources().get("CPU", 0))
        task = bar.add_task(f"nested CV: {len(outer)} folds on Ray ({cpus} CPUs)", total=len(outer))
        data = ray.put(ds)

        def done(key: str, result, error) -> None:
            f = int(key)
            if error is not None:
                errors[f] = error
            else:
                outs[f] = result
            finished = len(outs) + len(errors)
            bar.update(
                task,
                advance=1,
                description=f"nested CV on Ray: fold {f + 1} done ({finished}/{len(outer)})",
            )

        jobs = (
            (str(f), (fold_fn, data, cfg, f, osplit, len(outer), kw, threads))
            for f, osplit in enumerate(outer)
        )
        run_tasks(ray, _fold_task, jobs, on_done=done, max_in_flight=max(1, cpus))
    if errors:
        f, e = min(errors.items())
        if isinstance(e, ChromaticError):
            raise e
        raise ChromaticError(f"outer fold {f + 1} failed on Ray: {type(e).__name__}: {e}")
    return [outs[f] for f in sorted(outs)]
