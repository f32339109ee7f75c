"""A reference track as style (issue #35): how far the generated parts' style figures are from
the reference's, composing without and with ``--reference``.

    .venv/bin/python benchmarks/reference.py [--seed 1] [-n 20] [--beam 2] [--out DIR]
        [--reference bach/bwv66.6 ...]

For each example proposal and each reference (Bach chorales from music21's corpus, written to
MIDI: soprano = melody, bass = bass, alto and tenor = chords), composes the song with
``compose --auto --no-render`` twice, without and with ``--reference``, and measures the
figures of ``produce.reference.figures`` (density, register, velocity level and spread, timing,
syncopation, chord rhythm, program) on the approved loops of each role the reference has (the
mean over sections; the program most sections use). Printed: the distance to the reference
(``figures.distance``, 0 = the same figures) without and with, their ratio (the goal: at most
0.5), and each role's figures beside the reference's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from chromatic.cli import main as cli  # noqa: E402
from chromatic.produce.reference.figures import distance, figures_of  # noqa: E402

ROLES = ("chords", "bass", "melody")


def run(*args: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli(list(args))
    if code:
        raise SystemExit(f"chromatic {' '.join(args)} failed:\n{out.getvalue()[-2000:]}")


def loop_figures(folder: Path, roles) -> dict[str, dict]:
    """Each role's figures over its approved loops: the mean per figure, the commonest program."""
    out = {}
    for role in roles:
        per = [
            figures_of(p, only=role)[role]
            for p in sorted((folder / role / "approved").glob("*.mid"))
        ]
        if not per:
            continue
        keys = [k for k in per[0] if k != "program"]
        out[role] = {k: sum(f[k] for f in per) / len(per) for k in keys}
        if "program" in per[0]:
            out[role]["program"] = Counter(f["program"] for f in per).most_common(1)[0][0]
    return out


def show(figs: dict) -> str:
    return ", ".join(
        f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in figs.items()
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--beam", type=int, default=2)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--reference", nargs="*", default=["bach/bwv66.6", "bach/bwv40.8"])
    args = ap.parse_args()
    from music21 import corpus

    work = args.out or Path(tempfile.mkdtemp(prefix="reference-"))
    work.mkdir(parents=True, exist_ok=True)
    ratios = []
    for name in args.reference:
        midi = work / (name.replace("/", "_") + ".mid")
        corpus.parse(name).write("midi", fp=str(midi))
        ref = figures_of(midi)
        for src in sorted((REPO / "examples" / "proposals").glob("*.yml")):
            song = src.stem.split("_")[2]
            common = ["--seed", str(args.seed), "-n", str(args.n), "--beam", str(args.beam)]
            plain, biased = work / f"{song}_plain", work / f"{song}_{midi.stem}"
            if not (plain / "arrangement.mid").is_file():
                run("compose", str(src), "--out", str(plain), "--auto", "--no-render", *common)
            run(
                "compose",
                str(src),
                "--out",
                str(biased),
                "--auto",
                "--no-render",
                "--force",
                "--reference",
                str(midi),
                *common,
            )
            roles = [r for r in ROLES if r in ref]
            before, after = loop_figures(plain, roles), loop_figures(biased, roles)
            d0, d1 = distance(ref, before), distance(ref, after)
            ratios.append(d1 / d0)
            print(f"{song} x {name}: distance {d0:.3f} without, {d1:.3f} with (x{d1 / d0:.2f})")
            for role in roles:
                print(f"  {role:<7} reference {show(ref[role])}")
                print(f"  {'':<7} without   {show(before.get(role, {}))}")
                print(f"  {'':<7} with      {show(after.get(role, {}))}")
    print(
        f"ratio with/without: mean {sum(ratios) / len(ratios):.2f}, worst {max(ratios):.2f} (goal <= 0.50)"
    )


if __name__ == "__main__":
    main()
