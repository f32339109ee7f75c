"""``evaluate --ray``: wall time of the nested protocol's outer folds run locally (one after
the other) and as Ray tasks on a local cluster, on a synthetic dataset with the real fusion
model; and whether the numbers are the same.

    .venv/bin/python benchmarks/evaluate_ray.py [--cpus 2] [--folds 4] [--inner 2] [--epochs 6]
        [--songs 4] [--rows 20]

Prints the local wall time, Ray's (the cluster's start apart and included), and the largest
difference between the two runs' predictions (0 = the same numbers).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from tests.model.test_model import cfg, tiny_dataset  # noqa: E402

from chromatic.model.evaluate import nested_cv  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--inner", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--songs", type=int, default=4, help="songs per color (4 colors)")
    ap.add_argument("--rows", type=int, default=20, help="rows per song")
    args = ap.parse_args()
    import ray

    ds = tiny_dataset(n_songs_per_color=args.songs, rows_per_song=args.rows)
    c = cfg(epochs=args.epochs, patience=args.epochs, lr=5e-3)
    kw = {"folds": args.folds, "inner": args.inner, "seed": 0}
    t0 = time.perf_counter()
    local = nested_cv(ds, c, **kw)
    t_local = time.perf_counter() - t0
    t0 = time.perf_counter()
    ray.init(
        address="local",
        num_cpus=args.cpus,
        _node_ip_address="127.0.0.1",
        include_dashboard=False,
        log_to_driver=False,
    )
    t_start = time.perf_counter() - t0
    t0 = time.perf_counter()
    on_ray = nested_cv(ds, c, **kw, ray="local")
    t_ray = time.perf_counter() - t0
    ray.shutdown()
    diff = max(
        float(np.abs(local.predictions[a] - on_ray.predictions[a]).max()) for a in local.predictions
    )
    fits = args.folds * (args.inner + 1)
    print(
        f"{len(ds)} rows, {len(set(ds.songs.tolist()))} songs, {args.folds} outer folds x ({args.inner} inner + refit) = {fits} fits of {args.epochs} epochs"
    )
    print(f"local (one process, folds in turn): {t_local:.1f} s")
    print(
        f"Ray ({args.cpus} CPUs, folds as tasks): {t_ray:.1f} s (+ {t_start:.1f} s cluster start = {t_ray + t_start:.1f} s)"
    )
    print(f"largest prediction difference local vs Ray: {diff:.3g}")


if __name__ == "__main__":
    main()
