"""Distributed data-parallel training under ``torchrun`` (DDP: gloo on CPUs, NCCL on GPUs).

    torchrun --nproc-per-node 2 -m chromatic train --data DATA --out RUN
    torchrun --nproc-per-node 4 -m chromatic train --data DATA --out RUN --device cuda
    torchrun --nproc-per-node 2 -m chromatic evaluate RUN --data DATA

Every rank loads the same data and makes the same song-grouped splits (they are deterministic
in the seed), starts from the same weights and draws the same permutation and augmentation, so
every decision (early stopping, the chosen epoch, calibration) is taken identically everywhere
without messages; only the training step is divided. Each global batch of ``batch_size`` rows is
built whole on every rank (the random draws stay in step) and each rank runs forward and
backward on its contiguous share; DDP averages the gradients, so a step is the step on the
whole batch (BatchNorm statistics come from each rank's share, as usual under DDP). After
every epoch the BatchNorm buffers are broadcast from rank 0 and the weights are checked equal
on every rank, so evaluation sees one model. Rank 0 writes the run folder and the tracking;
the other ranks write into a temporary folder that is removed. ``--resume`` is refused under
torchrun (the other ranks have no checkpoint).

``train.py`` calls four hooks (``wrap``, ``step_rows``, ``shard``, ``end_epoch``); with one
process they are identities and training is exactly what it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist

from chromatic.errors import ChromaticError


def world_size() -> int:
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def rank() -> int:
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def threads() -> int:
    """CPU threads for this process: the cores shared among the ranks on this machine."""
    local = int(os.environ.get("LOCAL_WORLD_SIZE", "1")) if world_size() > 1 else 1
    return max(1, (os.cpu_count() or 1) // local)


def wrap(model: torch.nn.Module) -> torch.nn.Module:
    """The module to train through: DDP around ``model`` when distributed, else ``model``."""
    if world_size() == 1:
        return model
    from torch.nn.parallel import DistributedDataParallel

    dev = next(model.parameters()).device
    return DistributedDataParallel(
        model,
        device_ids=[dev.index] if dev.type == "cuda" else None,
        find_unused_parameters=True,  # a batch without MIDI leaves the MIDI branch unused
    )


def step_rows() -> int:
    """Fewest rows a global batch needs: two per rank (BatchNorm needs two rows)."""
    return 2 * world_size()


def _cut(x, n: int, r: int):
    if isinstance(x, torch.Tensor) and x.dim() > 0:
        return torch.tensor_split(x, n)[r]
    if isinstance(x, dict):
        return {k: _cut(v, n, r) for k, v in x.items()}
    return x


def shard(inputs: dict, targets):
    """This rank's contiguous share of a global batch's inputs and targets."""
    n = world_size()
    if n == 1:
        return inputs, targets
    r = rank()
    return _cut(inputs, n, r), _cut(targets, n, r)


def end_epoch(model: torch.nn.Module) -> None:
    """Broadcast rank 0's buffers (BatchNorm running statistics) and check every rank holds
    the same weights (the gradients were averaged): evaluation then sees one model."""
    if world_size() == 1:
        return
    for b in model.buffers():
        dist.broadcast(b.data, 0)
    with torch.no_grad():
        flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
        ref = flat.clone()
        dist.broadcast(ref, 0)
        diff = (flat - ref).abs().max().reshape(1)
        dist.all_reduce(diff, op=dist.ReduceOp.MAX)
    if float(diff) > 1e-5:
        raise ChromaticError(f"DDP ranks diverged (max weight difference {float(diff):.3g})")


@dataclass
class Launch:
    run_dir: Path  # where this rank writes (rank 0: the real run folder)
    tracking_uri: str | None
    main: bool  # rank 0: prints and writes
    world_size: int
    backend: str | None


@contextmanager
def launched(run_dir: Path, tracking_uri: str | None, device: str) -> Iterator[Launch]:
    """Join the process group ``torchrun`` describes (WORLD_SIZE, RANK, MASTER_ADDR...);
    without it, one process and nothing changes."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        yield Launch(run_dir, tracking_uri, True, 1, None)
        return
    backend = "nccl" if device == "cuda" else "gloo"
    if device == "cuda":
        if not torch.cuda.is_available():
            raise ChromaticError("--device cuda: no CUDA device is available here")
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend)
    try:
        torch.set_num_threads(threads())
        if rank() == 0:
            yield Launch(run_dir, tracking_uri, True, world_size(), backend)
        else:
            with tempfile.TemporaryDirectory(prefix=f"chromatic-rank{rank()}-") as tmp:
                uri = f"sqlite:///{Path(tmp) / 'mlflow.db'}"
                yield Launch(Path(tmp) / "run", uri, False, world_size(), backend)
        dist.barrier()
    finally:
        dist.destroy_process_group()
