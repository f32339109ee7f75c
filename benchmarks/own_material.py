"""The artist's own material (issue #35): a given progression, an imported part, a region.

    .venv/bin/python benchmarks/own_material.py [--seed 1] [-n 50] [--out DIR] [--numerals]

For each example proposal, composes the song twice with ``compose --auto --no-render``: as it
is (today) and with the artist's progressions for verse and chorus in the proposal
(``progressions:``). Printed per song:

- ``given``: the share of the given chords that the approved loops name as written (text
  events at each change, in order and at the given bar positions), and the share of the verse
  and chorus passes of ``arrangement.mid`` whose chord names are the given ones;
- ``bass``: bass notes on strong beats on the chord's bass note (a slash chord's bass), in the
  given sections, beside the same figure on the generated song;
- ``ct-str``: melody strong-beat chord tones (``measures.chord_tone_share``) of both songs;
- ``import``: Bach's soprano of BWV 66.6 imported as the verse melody of the generated song
  (transposed into its key's tonic), the plan rewritten and the song assembled quantized: the
  share of the imported notes that sound unchanged in every verse pass;
- ``region``: the verse melody's bars 2-3 regenerated (``-n`` candidates): the share of
  candidates whose every note starting outside the bars is the approved loop's (onset, pitch,
  velocity, and length, except a note held into the region, cut at its start), and the leaps at
  the joins beside the largest leap of the approved melody.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from chromatic.cli import main as cli  # noqa: E402
from chromatic.errors import ProduceError  # noqa: E402
from chromatic.measure.arrangement import piece_from_production  # noqa: E402
from chromatic.measure.musicality import chord_tone_share  # noqa: E402
from chromatic.music import daw  # noqa: E402
from chromatic.music.meter import meter_of, strong_ticks  # noqa: E402
from chromatic.music.midi import load_score  # noqa: E402
from chromatic.produce.chords.given import parse_progression  # noqa: E402
from chromatic.produce.sections import load_song  # noqa: E402
from chromatic.yamlio import dump_yaml, load_plain  # noqa: E402

GIVEN = {
    "green": {"verse": "Am7 | Fmaj7 | C/E | G", "chorus": "F G | Am Am/G | F G | Esus4 E"},
    "indigo": {"verse": "i VI III VII", "chorus": "C#m - B | A | E/G# | G#7"},
}

#: ``--numerals``: Roman numerals with figured-bass inversions, secondary and borrowed chords.
NUMERALS = {
    "green": {"verse": "i | iv6 | V65 | i", "chorus": "VI III | iv6 V | VI V7/V | V7"},
    "indigo": {"verse": "i | VII6 | VI | V43", "chorus": "i64 | iv65 | bII6 - V | i"},
}


def run(*args: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli(list(args))
    if code:
        raise SystemExit(f"chromatic {' '.join(args)} failed:\n{out.getvalue()[-2000:]}")


def compose(src: Path, out: Path, seed: int, n: int) -> Path:
    run(
        "compose",
        str(src),
        "--out",
        str(out),
        "--seed",
        str(seed),
        "-n",
        str(n),
        "--auto",
        "--no-render",
    )
    return out


def markers(path: Path) -> list[tuple[int, str]]:
    t, out = 0, []
    for m in daw.read_midi(path).tracks[0]:
        t += m.time
        if m.type == "marker":
            out.append((t, m.text.split()[0]))
    return out


def given_figures(folder: Path, given: dict[str, str]) -> tuple[float, float]:
    from chromatic.produce.folder import ProductionFolder

    proposal = ProductionFolder(folder).proposal()
    meter = meter_of(proposal.time_signature)
    bar = round(1920 * meter.bar / 4)
    ok = total = 0
    for section, text in given.items():
        prog = parse_progression(text, proposal.key, meter, section)
        want, t = [], 0.0
        for c, b in zip(prog.chords, prog.bars, strict=True):
            want.append((round(t), c.text))
            t += float(b) * bar
        got = daw.chord_texts(folder / "chords" / "approved" / f"{section}.mid")
        total += len(want)
        ok += sum(w in got for w in want)
    arr = folder / "arrangement.mid"
    names = daw.chord_texts(arr)
    marks = markers(arr)
    passes = hits = 0
    for i, (start, name) in enumerate(marks):
        if name not in given:
            continue
        end = marks[i + 1][0] if i + 1 < len(marks) else 10**12
        sounded = [s for t, s in names if start <= t < end]
        prog = parse_progression(given[name], proposal.key, meter, name)
        passes += 1
        loop = [c.text for c in prog.chords]
        hits += sounded[: len(loop)] == loop
    return ok / total, hits / passes if passes else float("nan")


def bass_on_bass(folder: Path, sections: set[str] | None) -> float:
    from chromatic.produce.folder import ProductionFolder

    song = load_song(ProductionFolder(folder), "benchmark")
    on = total = 0
    for s in song.sections:
        if sections is not None and s.label not in sections:
            continue
        path = folder / "bass" / "approved" / f"{s.label}.mid"
        if not path.is_file():
            continue
        strong = set(strong_ticks(s.meter, s.bars))
        for t in load_score(path).tracks:
            for n in t.notes:
                if n.time in strong:
                    total += 1
                    on += n.pitch % 12 == s.chord_at(n.time).root
    return on / total if total else float("nan")


def import_figure(folder: Path, work: Path) -> float:
    from music21 import corpus

    from chromatic.produce.folder import ProductionFolder
    from chromatic.produce.imported import import_part

    dst = work / "imported"
    shutil.copytree(folder, dst)
    midi = work / "bwv66.6.mid"
    corpus.parse("bach/bwv66.6").write("midi", fp=str(midi))
    tonic = ProductionFolder(dst).proposal().key.pc
    shift = (tonic - 6) % 12  # F# minor -> the song's tonic, the nearer way
    shift = shift - 12 if shift > 6 else shift
    import_part(dst, "melody", "verse", midi, track="Soprano", transpose=shift)
    (dst / "production_plan.yml").unlink()
    run("plan", str(dst))
    run("assemble", str(dst), "--quantized")
    loop = load_score(dst / "melody" / "approved" / "verse.mid")
    played = [(n.time, n.duration, n.pitch) for t in loop.tracks for n in t.notes]
    arr = dst / "arrangement.mid"
    roles = daw.part_roles(arr)
    sounding = {
        (n.time, n.duration, n.pitch)
        for t in load_score(arr).tracks
        if roles.get(t.name) == "melody"
        for n in t.notes
    }
    starts = [t for t, name in markers(arr) if name == "verse"]
    kept = sum((a + s, d, p) in sounding for s in starts for a, d, p in played)
    return kept / (len(played) * len(starts))


def region_figures(folder: Path, work: Path, n: int) -> dict:
    from chromatic.produce.review import read_review

    dst = work / "region"
    shutil.copytree(folder, dst)
    run("produce", "melody", str(dst), "--section", "verse", "--bars", "2-3", "-n", str(n))
    base = load_score(dst / "melody" / "approved" / "verse.mid")
    bar = base.tpq * 4 * base.time_signatures[0].numerator // base.time_signatures[0].denominator
    start, end = bar, 3 * bar

    def outside(score):  # a note held into the region keeps all but its length (cut there)
        return [
            (
                x.time,
                min(x.end, start) - x.time if x.time < start else x.duration,
                x.pitch,
                x.velocity,
            )
            for t in score.tracks
            for x in t.notes
            if x.time < start or x.time >= end
        ]

    def leaps(score):
        ps = [x.pitch for t in score.tracks for x in sorted(t.notes, key=lambda x: x.time)]
        return max((abs(a - b) for a, b in itertools.pairwise(ps)), default=0)

    cands = [
        c for c in read_review(dst / "melody" / "review.yml").candidates if "region" in c.details
    ]
    same = [outside(load_score(dst / "melody" / c.midi_file)) == outside(base) for c in cands]
    joins = [c.details["region"]["joins"]["join"] for c in cands]
    return {
        "candidates": len(cands),
        "outside_identical": sum(same) / len(same) if same else float("nan"),
        "join_mean": sum(joins) / len(joins) if joins else float("nan"),
        "largest_leap": max(
            (leaps(load_score(dst / "melody" / c.midi_file)) for c in cands), default=0
        ),
        "base_largest_leap": leaps(base),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--numerals", action="store_true", help="given as numerals with inversions")
    args = ap.parse_args()
    if args.numerals:
        GIVEN.update(NUMERALS)
    work = args.out or Path(tempfile.mkdtemp(prefix="own-material-"))
    work.mkdir(parents=True, exist_ok=True)
    for src in sorted((REPO / "examples" / "proposals").glob("*.yml")):
        name = next(k for k in GIVEN if k in src.name)
        data = load_plain(src)
        data["progressions"] = GIVEN[name]
        given_src = work / f"{name}_given.yml"
        given_src.write_text(dump_yaml(data), encoding="utf-8")
        today = compose(src, work / name / "today", args.seed, args.n)
        given = compose(given_src, work / name / "given", args.seed, args.n)
        chords_ok, passes_ok = given_figures(given, GIVEN[name])
        ct_today = chord_tone_share(piece_from_production(today))
        ct_given = chord_tone_share(piece_from_production(given))
        print(
            f"{name}: given chords in the approved loops {chords_ok:.0%}, in the arrangement's passes {passes_ok:.0%}"
        )
        print(
            f"  bass on the chord's bass note on strong beats: given sections {bass_on_bass(given, set(GIVEN[name])):.2f}"
            f" (whole given song {bass_on_bass(given, None):.2f}; generated song today {bass_on_bass(today, None):.2f})"
        )
        print(f"  melody strong-beat chord tones: given {ct_given:.2f}, today {ct_today:.2f}")
        try:
            kept = f"{import_figure(today, work / name):.1%}"
        except ProduceError as e:  # the chorale is in 4/4: a song in another meter refuses it
            kept = f"refused ({e})"
        print(f"  imported Bach soprano (verse melody) unchanged in every verse pass: {kept}")
        r = region_figures(today, work / name, args.n)
        print(
            f"  region bars 2-3 of the verse melody: {r['candidates']} candidates, notes outside identical "
            f"{r['outside_identical']:.0%}, mean join {r['join_mean']:.2f}, largest leap {r['largest_leap']} "
            f"(approved melody {r['base_largest_leap']})"
        )


if __name__ == "__main__":
    main()
