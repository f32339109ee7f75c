"""`make demo`: the whole pipeline on the project's own example catalog, command by command.

Each step is the real `chromatic` command a user would type; the script echoes it, runs it
in-process and stops at the first failure.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SYNTH_SECONDS = 45  # the demo catalog's songs are cut here (24 songs, as 16 of ~67 s were)


def step(argv: list[str], allow: tuple[int, ...] = (0,)) -> None:
    from chromatic.cli import main

    print(f"\n$ chromatic {shlex.join(argv)}", flush=True)
    t = time.perf_counter()
    rc = main(argv)
    print(f"  ({time.perf_counter() - t:.1f} s)", flush=True)
    if rc not in allow:
        sys.exit(f"demo: step failed with exit code {rc}")


def rank_rate(model: Path, data: Path, run: Path) -> None:
    """How often the scorer ranks a segment of the target color above a segment of another
    color, on the validation songs the model never saw (0.5 = chance)."""
    import json

    from chromatic.model.rank_eval import rank_rate_on_segments

    val = json.loads((run / "split.json").read_text())["val_songs"]
    r = rank_rate_on_segments(model, data, songs=val)
    print(
        f"\nscorer ranking on {r['rows']} validation segments ({len(val)} unseen songs): target color above "
        f"another in {r['mean']:.1%} of pairs (chance 50%)"
    )
    print("  " + ", ".join(f"{c} {v:.0%}" for c, v in r["per_color"].items()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="demo", help="output folder (default: demo/)")
    ap.add_argument("--epochs", type=int, default=15, help="training epochs (default: 15)")
    ap.add_argument(
        "--catalog",
        default=str(REPO / "examples" / "catalog"),
        help="the catalog of manifests to synthesize (default: examples/catalog; "
        "scripts/demo_catalog.py writes one whose parts the composer wrote)",
    )
    args = ap.parse_args()
    out = Path(args.out)
    examples = Path(args.catalog)
    catalog = out / "catalog"
    data = out / "data"
    t0 = time.perf_counter()
    step(["catalog", "validate", str(examples), "--no-media"])
    # three songs a color, each trimmed: two train a color (one each side of the selection
    # split, so calibration has a fold) in the audio time two full songs a color used to take
    synth = ["catalog", "synth", str(examples), "--out", str(catalog)]
    step([*synth, "--max-seconds", str(SYNTH_SECONDS)])
    step(["catalog", "validate", str(catalog)])
    step(["catalog", "build", str(catalog), "--data", str(data), "--strict"])
    step(["segments", "build", str(catalog), "--data", str(data)])
    step(["verify", "--data", str(data)])
    step(["dataset", "export", "--data", str(data), "--out", str(out / "dataset")])
    step(["embed", "--data", str(data)])
    run = out / "run"
    step(["train", "--data", str(data), "--out", str(run), "--epochs", str(args.epochs)])
    model = out / "model"
    step(["export", str(run), "--out", str(model)])
    rank_rate(model, data, run)
    proposal = REPO / "examples" / "proposals" / "song_proposal_green_cooling_tower_choir_v1.yml"
    song = out / "song"
    step(
        [
            "compose",
            str(proposal),
            "--out",
            str(song),
            "--auto",
            "--model",
            str(model),
            "--seed",
            "0",
            "--force",
        ]
    )
    print(f"\ndemo finished in {time.perf_counter() - t0:.0f} s:")
    print(f"  synthesized catalog (MIDI, stems, main mixes): {catalog}/")
    print(f"  tracks, segments, media, embeddings:           {data}/")
    print(f"  coverage chart:                                {data / 'verify' / 'coverage.png'}")
    print(f"  publishable dataset (4 configs + card):        {out / 'dataset'}/")
    print(f"  trained model, metrics, curves, confusion:     {run}/")
    print(f"  exported scorer model:                         {model}/model.onnx + model.json")
    print(
        f"  composed song (plan, loops, summary):          {song}/  ({song / 'compose_summary.md'})"
    )
    print(
        f"  arrangement and its audio preview:             {song / 'arrangement.mid'}, {song / 'arrangement.wav'}"
    )
    print(f"  arrangement picture:                           {song / 'arrangement.png'}")


if __name__ == "__main__":
    main()
