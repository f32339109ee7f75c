"""Mix benchmark: composes the example proposals with stems and measures what a listener hears.

    PYTHONPATH=src .venv/bin/python benchmarks/mix.py [--n 8] [--before /path/to/old/src]

Per song: integrated loudness (pyloudnorm's BS.1770 meter), true peak (4x oversampled),
channels, the melody stem's loudness minus the chord stem's, the share of melody notes under
the chord part's top note, onsets off the sixteenth grid, distinct velocities per pitched part,
and compose + render time. ``--before SRC`` composes the same songs with another checkout's
``src`` (e.g. main before this work, which writes no stems: the stem figure is then absent).
Everything is measured in this run (no stored baselines).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PROPOSALS = sorted((ROOT / "examples" / "proposals").glob("*.yml"))


def compose(src: Path, proposal: Path, out: Path, n: int, stems: bool) -> float:
    env = dict(os.environ, PYTHONPATH=str(src), HF_HUB_OFFLINE="1")
    args = [sys.executable, "-c", "from chromatic.cli import run; run()", "compose"]
    args += [str(proposal), "--out", str(out), "--auto", "-n", str(n), "--beam", "1", "--force"]
    if stems:
        args.append("--stems")
    t = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def lufs(path: Path) -> tuple[float, float, int]:
    import pyloudnorm
    import soundfile as sf
    import soxr

    data, rate = sf.read(path, always_2d=True)
    loud = float(pyloudnorm.Meter(rate).integrated_loudness(data))
    up = soxr.resample(data, rate, rate * 4)
    peak = 20 * np.log10(max(float(np.abs(up).max()), float(np.abs(data).max()), 1e-9))
    return loud, peak, int(data.shape[1])


def midi_figures(path: Path) -> dict:
    from symusic import Score

    from chromatic.music.daw import part_roles

    score = Score(str(path))
    roles = part_roles(path)  # tracks are named by instrument; the phase is their part text

    def role(t) -> str:
        return roles.get(t.name) or t.name

    step = score.tpq // 4
    onsets = [n.time for t in score.tracks for n in t.notes]
    off = sum(1 for o in onsets if o % step) / max(1, len(onsets))
    vels = {
        role(t): len({n.velocity for n in t.notes})
        for t in score.tracks
        if len(t.notes) and not t.is_drum
    }
    chords = [n for t in score.tracks if role(t).startswith("chords") for n in t.notes]
    melody = [n for t in score.tracks if role(t).startswith("melody") for n in t.notes]
    below = total = 0
    for m in melody:
        top = [c.pitch for c in chords if c.time <= m.time < c.time + c.duration]
        if top:
            total += 1
            below += m.pitch < max(top)
    return {
        "off_grid": off,
        "velocities": vels,
        "melody_under_chords": below / max(1, total),
    }


def measure(folder: Path) -> dict:
    out = midi_figures(folder / "arrangement.mid")
    out["lufs"], out["true_peak"], out["channels"] = lufs(folder / "arrangement.wav")
    stems = folder / "stems"
    if (stems / "melody.wav").is_file() and (stems / "chords.wav").is_file():
        out["melody_minus_chords"] = lufs(stems / "melody.wav")[0] - lufs(stems / "chords.wav")[0]
    return out


def report(label: str, r: dict) -> None:
    vel = ", ".join(f"{k} {v}" for k, v in r["velocities"].items())
    stem = r.get("melody_minus_chords")
    stem_text = f"{stem:+.1f} LU" if stem is not None else "n/a (no stems)"
    print(
        f"  {label:<7} {r['lufs']:6.1f} LUFS  true peak {r['true_peak']:5.1f} dBTP  "
        f"{r['channels']} ch  melody-chords {stem_text}  "
        f"melody under chord top {100 * r['melody_under_chords']:.0f} %  "
        f"off grid {100 * r['off_grid']:.0f} %  velocities [{vel}]  {r['seconds']:.1f} s"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--before", type=Path, help="another checkout's src/ to compare with")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for p in PROPOSALS:
            print(p.stem)
            runs = [("before", args.before, False)] if args.before else []
            runs.append(("after", ROOT / "src", True))
            for label, src, stems in runs:
                out = Path(tmp) / f"{p.stem}-{label}"
                seconds = compose(src, p, out, args.n, stems)
                r = measure(out)
                r["seconds"] = seconds
                report(label, r)


if __name__ == "__main__":
    main()
