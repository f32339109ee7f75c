"""A short training check on a GPU, when one is present (docs/gpu-runbook.md).

    .venv/bin/python scripts/gpu_check.py [--data DATA] [--epochs 4] [--ddp]
    .venv/bin/python scripts/gpu_check.py --device cpu     # the same check on the CPU

Without CUDA it says so and exits 0 (nothing to check). With it: trains the fusion model on
DATA (default: four example songs synthesized, segmented and embedded into a temporary
folder, about a minute on a CPU) for a few epochs on the GPU and on the CPU, and prints the
device, each run's wall time, the GPU's peak memory and both runs' validation accuracy (they
should agree within a few rows: the same protocol, other kernels). ``--ddp`` also runs
``torchrun --nproc-per-node N -m chromatic train --device cuda`` with one process per GPU (NCCL)
and checks the run says so. Exit 1 when a run fails or a figure is not finite.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SONGS = ["02_90", "02_91", "05_90", "05_91"]  # two Red, two Green: a song-grouped split exists


def small_data(root: Path) -> Path:
    from chromatic.catalog.tracks import build_tracks
    from chromatic.embed.run import embed_segments
    from chromatic.segments.build import build_segments
    from chromatic.synth.catalog import synth_catalog

    catalog, data = root / "catalog", root / "data"
    synth_catalog(
        REPO / "examples" / "catalog", catalog, songs=SONGS, max_seconds=12, progress=False
    )
    build_tracks(catalog, data)
    build_segments(catalog, data, progress=False)
    embed_segments(data, progress=False)
    return data


def train_once(data: Path, run: Path, device: str, epochs: int) -> dict:
    import torch

    from chromatic.model.fusion import FusionConfig
    from chromatic.model.train import train_fusion

    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    t = time.perf_counter()
    cfg = FusionConfig(epochs=epochs, val_fraction=0.5, seed=0)
    res = train_fusion(data, run, config=cfg, device=device, row_level=False, progress=False)
    out = {
        "device": device,
        "seconds": round(time.perf_counter() - t, 2),
        "mean_mode_accuracy": res.metrics["validation"]["mean_mode_accuracy"],
        "val_loss": res.metrics["validation"]["loss"],
        "val_rows": res.metrics["rows"]["val"],
    }
    if device == "cuda":
        out["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return out


def ddp_once(data: Path, run: Path, gpus: int, epochs: int) -> dict:
    cmd = [
        *(sys.executable, "-m", "torch.distributed.run", "--standalone"),
        *("--nproc-per-node", str(gpus), "-m", "chromatic", "train"),
        *("--data", str(data), "--out", str(run), "--device", "cuda"),
        *("--epochs", str(epochs), "--no-row-split"),
    ]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"gpu_check: torchrun failed:\n{p.stderr[-3000:]}")
    info = json.loads((run / "distributed.json").read_text())
    m = json.loads((run / "metrics.json").read_text())
    return {
        **info,
        "seconds": round(time.perf_counter() - t, 2),
        "mean_mode_accuracy": m["validation"]["mean_mode_accuracy"],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, help="a DATA folder with embeddings (default: synthesized)"
    )
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    ap.add_argument("--ddp", action="store_true", help="also torchrun one process per GPU (NCCL)")
    args = ap.parse_args()
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("gpu_check: no CUDA device here: skipped (nothing to check)")
        return 0
    report: dict = {"torch": torch.__version__}
    if args.device == "cuda":
        props = torch.cuda.get_device_properties(0)
        report["gpu"] = {
            "name": props.name,
            "count": torch.cuda.device_count(),
            "memory_gb": round(props.total_memory / 2**30, 1),
        }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        data = args.data or small_data(root)
        report["data_seconds"] = round(time.perf_counter() - t, 1)
        runs = [train_once(data, root / f"run-{args.device}", args.device, args.epochs)]
        if args.device == "cuda":
            runs.append(train_once(data, root / "run-cpu", "cpu", args.epochs))
        report["runs"] = runs
        if args.ddp and args.device == "cuda":
            report["ddp"] = ddp_once(data, root / "run-ddp", torch.cuda.device_count(), args.epochs)
    print(json.dumps(report, indent=2))
    figures = [r["mean_mode_accuracy"] for r in runs] + [r["val_loss"] for r in runs]
    if not all(math.isfinite(x) for x in figures):
        print("gpu_check: a figure is not finite", file=sys.stderr)
        return 1
    if "ddp" in report and report["ddp"].get("backend") != "nccl":
        print("gpu_check: the torchrun run did not use NCCL", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
