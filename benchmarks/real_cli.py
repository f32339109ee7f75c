"""A real-music task through the command line, as a user would run it: Bach chorales from
music21's corpus become a catalog (major -> Red, minor -> Blue; one neutral concept for every
song and no lyrics, so nothing but the music tells the colors apart), then

    chromatic catalog build -> segments build -> embed -> train -> export -> score

and the exported model scores chorales it never saw with MIDI alone (``chromatic score
--json``). Printed: held-out accuracy (predicted Red vs Blue by the better match) with a 95 %
bootstrap interval, the majority baseline, the MIDI-only target-vs-other AUC, the train run's own
test-fold figures, and the time of each step.

    .venv/bin/python benchmarks/real_cli.py [--chorales 60] [--held-out 0.25] [--epochs 12]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import numpy as np

from chromatic.model.eval_stats import accuracy_interval

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fitness_sanity import load_works  # the corpus cache, shared

MAJOR, MINOR = "Red", "Blue"
CONCEPT = "A hymn tune in four voices, sung by a congregation."


def chorale_names(n: int) -> list[str]:
    from music21 import corpus

    return [str(p) for p in corpus.getComposer("bach")][: n * 2]


def write_song(
    folder: Path,
    k: int,
    name: str,
    score,
    mode: str,
    sample_rate: int,
    sections: int | Sequence[float] = 4,
) -> None:
    """One chorale as a song of the catalog: MIDI, rendered audio, a manifest whose structure
    cuts it into ``sections`` equal sections (one segment each), or into sections of the
    given fractions of the song (``(0.5, 0.25, 0.25)``). Songs past the 99th of a color take
    the next prefix (02_99 -> 12_01): a song id holds two digits."""
    import soundfile as sf

    from chromatic.music.render import render_score

    color = MAJOR if mode == "major" else MINOR
    prefix = (2 if color == MAJOR else 6) + 10 * ((k - 1) // 99)
    sid = f"{prefix:02d}_{(k - 1) % 99 + 1:02d}"
    d = folder / sid
    d.mkdir(parents=True)
    score.dump_midi(str(d / f"{sid}.mid"))
    audio = render_score(score, sample_rate=sample_rate)
    sf.write(str(d / f"{sid}_main.wav"), audio, sample_rate)
    secs = len(audio) / sample_rate
    shares = [1 / sections] * sections if isinstance(sections, int) else list(sections)
    cuts = np.cumsum([0.0, *shares]) / sum(shares) * secs

    def ts(t: float) -> str:
        return f"[{int(t // 60):02d}:{t % 60:06.3f}]"

    qpm = score.tempos[0].qpm if len(score.tempos) else 120.0
    manifest = {
        "bpm": round(float(qpm), 1),
        "manifest_id": sid,
        "tempo": "4/4",
        "key": "C major" if mode == "major" else "A minor",
        "rainbow_color": color,
        "title": Path(name).stem,
        "release_date": "1730-01-01",
        "album_sequence": k,
        "main_audio_file": f"{sid}_main.wav",
        "TRT": ts(secs),
        "vocals": False,
        "lyrics": False,
        "structure": [
            {
                "section_name": f"Phrase {i + 1}",
                "start_time": ts(cuts[i]),
                "end_time": ts(cuts[i + 1]),
            }
            for i in range(len(shares))
        ],
        "concept": CONCEPT,
        "audio_tracks": [
            {
                "id": 1,
                "description": "four voices",
                "audio_file": f"{sid}_main.wav",
                "midi_file": f"{sid}.mid",
            }
        ],
    }
    import yaml

    (d / f"{sid}.yml").write_text(yaml.safe_dump(manifest, sort_keys=False))


def cli(argv: list[str], times: dict, quiet: bool = True) -> str:
    from chromatic.cli import main

    t = time.perf_counter()
    buf = StringIO()
    if quiet:
        with redirect_stdout(buf):
            rc = main(argv)
    else:
        rc = main(argv)
    times[argv[0] + (" " + argv[1] if argv[0] in ("catalog", "segments") else "")] = (
        time.perf_counter() - t
    )
    if rc != 0:
        sys.exit(f"chromatic {' '.join(argv)} failed ({rc}):\n{buf.getvalue()[-2000:]}")
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chorales", type=int, default=60)
    ap.add_argument("--held-out", type=float, default=0.25)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sample-rate", type=int, default=16000)
    ap.add_argument("--keep", type=Path, default=None, help="Work in this folder (kept).")
    args = ap.parse_args()

    t0 = time.perf_counter()
    works = load_works(chorale_names(args.chorales), "chorales")
    rng = np.random.default_rng(args.seed)
    major = [w for w in works if w[2] == "major"]
    minor = [w for w in works if w[2] == "minor"]
    half = args.chorales // 2
    works = major[:half] + minor[: args.chorales - min(half, len(major))]
    order = rng.permutation(len(works))
    n_out = max(2, round(args.held_out * len(works)))
    held, train = [works[i] for i in order[:n_out]], [works[i] for i in order[n_out:]]
    print(
        f"{len(works)} chorales ({sum(w[2] == 'major' for w in works)} major), "
        f"{len(train)} in the catalog, {len(held)} held out"
    )
    root = args.keep or Path(tempfile.mkdtemp(prefix="chromatic-real-"))
    root.mkdir(parents=True, exist_ok=True)
    catalog, data = root / "catalog", root / "data"
    times: dict[str, float] = {}
    t = time.perf_counter()
    for k, (name, s, mode) in enumerate(train, start=1):
        write_song(catalog, k, name, s, mode, args.sample_rate)
    times["write catalog (render audio)"] = time.perf_counter() - t
    cli(["catalog", "build", str(catalog), "--data", str(data), "--strict"], times)
    cli(["segments", "build", str(catalog), "--data", str(data)], times)
    cli(["embed", "--data", str(data)], times)
    cli(
        ["train", "--data", str(data), "--out", str(root / "run"), "--epochs", str(args.epochs)],
        times,
    )
    cli(["export", str(root / "run"), "--out", str(root / "model")], times)
    held_dir = root / "held_out"
    held_dir.mkdir(exist_ok=True)
    truth = {}
    for k, (_name, s, mode) in enumerate(held):
        p = held_dir / f"{k:03d}_{mode}.mid"
        s.dump_midi(str(p))
        truth[str(p)] = MAJOR if mode == "major" else MINOR
    files = sorted(truth)
    match = {}
    for color in (MAJOR, MINOR):
        out = cli(
            ["score", *files, "--model", str(root / "model"), "--color", color, "--json"], times
        )
        match[color] = {r["id"]: r["match"] for r in json.loads(out)["results"]}
    y = np.array([truth[f] == MAJOR for f in files])
    pred_major = np.array([match[MAJOR][f] >= match[MINOR][f] for f in files])
    acc = float((pred_major == y).mean())
    ci = accuracy_interval((pred_major == y).astype(float), np.array(files), seed=args.seed)
    lo, hi = ci["low"], ci["high"]
    majority = max(y.mean(), 1 - y.mean())
    from sklearn.metrics import roc_auc_score

    auc = roc_auc_score(y, [match[MAJOR][f] - match[MINOR][f] for f in files])
    metrics = json.loads((root / "run" / "metrics.json").read_text())
    print("\nheld-out chorales, MIDI only, scored by the exported model (chromatic score):")
    print(
        f"  accuracy (Red vs Blue)   {acc:.1%}  95 % bootstrap [{lo:.1%}, {hi:.1%}]  n={len(files)}"
    )
    print(f"  majority baseline        {majority:.1%}")
    print(f"  AUC (match Red - Blue)   {auc:.3f}")
    test = metrics.get("test_midi_only") or metrics.get("validation_midi_only") or {}
    if test:
        print(
            f"  train's own MIDI-only test fold: mean mode accuracy "
            f"{test.get('mean_mode_accuracy', float('nan')):.1%}"
        )
    print("\nstep times:")
    for k, v in times.items():
        print(f"  {k:32s} {v:7.1f} s")
    print(f"total {time.perf_counter() - t0:.0f} s; work folder {root}")


if __name__ == "__main__":
    main()
