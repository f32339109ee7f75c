"""The example catalog with its parts written by the composer (``chromatic.synth.composed``).

    .venv/bin/python scripts/demo_catalog.py --out /tmp/composed-catalog [--seed 0] [-n 12]
    .venv/bin/python scripts/demo.py --catalog /tmp/composed-catalog --out /tmp/composed-demo

A copy of ``examples/catalog`` whose 24 songs ``compose --auto`` wrote from their manifests
(each color's songs in one genre family, major and minor mixed as the artist's colors mix
them); ``scripts/demo.py --catalog`` builds the demo model from it. Measured (demo8,
2026-12-07): the model it trains fails its gates (MIDI-only AUC 0.48 [0.43, 0.54]): the
composer's color is in its instruments, not in its notes (docs/targeting.md).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from chromatic.synth.composed import composed_catalog

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="a new folder for the catalog")
    ap.add_argument("--source", type=Path, default=REPO / "examples" / "catalog")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-n", type=int, default=12, help="candidates per phase (default 12)")
    args = ap.parse_args()
    t = time.perf_counter()
    songs = composed_catalog(args.source, args.out, seed=args.seed, n=args.n)
    for song, parts in songs.items():
        print(f"{song}: {', '.join(parts)}")
    print(f"{len(songs)} songs composed into {args.out} ({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
