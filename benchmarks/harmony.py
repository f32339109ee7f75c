"""Harmony benchmark: composes proposals end to end and measures the backing vocals against the
lead, beside two-voice figures of Bach chorales measured in the same run (soprano = lead, alto
= the backing voice).

    .venv/bin/python benchmarks/harmony.py [--threads DIR] [--proposal FILE ...] [--seed 1]
        [-n 50] [--beam 3] [--bach 40] [--out DIR]

Songs: each ``--proposal`` (default: the example with lyrics) and, with ``--threads``, the final
proposal of every thread folder under it (the artist's real threads live in
``../shared/real/chain_artifacts``), composed with ``compose --auto --no-render``. Per song, over
the approved loops (``melody/approved`` = lead, ``harmony/approved`` = backing, per section):
parallel fifths/octaves with the lead, the share of backing notes inside the second singer's
range (review.yml's ``singer``), voice leading, consonance with the lead on its onsets, and, in
``arrangement.mid`` read by music21, the share of backing notes carrying a lyric and the share
of sung-section backing syllables equal to the lead's at the same onset (symusic). Goals
(issue #15): 0 parallels, 100 % in range.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED") or REPO.parent / "shared")
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from chromatic.measure.musicality import percentile  # noqa: E402
from chromatic.music.midi import load_score, read_lyrics  # noqa: E402
from chromatic.music.notes import Note  # noqa: E402
from chromatic.produce.phases.backing import is_sung, read_lead  # noqa: E402
from chromatic.produce.vocals import theory  # noqa: E402
from chromatic.yamlio import load_plain  # noqa: E402
from musicality import compose  # noqa: E402

EXAMPLE = REPO / "examples/proposals/song_proposal_green_cooling_tower_choir_v1.yml"


def consonance(lead, other) -> float:
    pairs = theory.vertical_pairs(lead, other)
    if not pairs:
        return 1.0
    return sum((b - a) % 12 in theory.CONSONANT for _, a, b in pairs) / len(pairs)


def bach_rows(n: int) -> list[dict]:
    """Soprano against alto in ``n`` four-part Bach chorales (quarter = 480 ticks)."""
    from music21 import corpus

    paths = sorted(
        str(x)
        for x in corpus.getComposer("bach")
        if "bwv" in Path(str(x)).name.lower() and str(x).endswith(".mxl")
    )
    rows = []
    for path in paths:
        if len(rows) >= n:
            break
        s = corpus.parse(path)
        if len(s.parts) != 4:
            continue
        voices = []
        for part in s.parts[:2]:
            notes = [
                Note(
                    round(float(x.offset) * 480),
                    max(1, round(float(x.quarterLength) * 480)),
                    x.pitch.midi,
                    80,
                )
                for x in part.flatten().notes
                if hasattr(x, "pitch")
            ]
            voices.append(notes)
        lead, alto = voices
        rows.append(_row(lead, alto, min(n.pitch for n in alto), max(n.pitch for n in alto)))
    return rows


def _row(lead, other, low, high) -> dict:
    pairs = theory.transitions(lead, other)
    return {
        "parallels": theory.parallel_perfects(lead, other),
        "pairs": pairs,
        "in_range": theory.in_range(other, low, high),
        "voice_leading": theory.voice_leading(other),
        "consonance": consonance(lead, other),
    }


def song_row(folder: Path) -> dict:
    singer = load_plain(folder / "harmony/review.yml").get("singer") or {}
    low, high = int(singer["low"]), int(singer["high"])
    total = {"parallels": 0, "pairs": 0, "notes": 0, "inside": 0}
    vl, cons, sections, sung = [], [], 0, 0
    same = equal = 0
    for path in sorted((folder / "harmony/approved").glob("*.mid")):
        lead, words = read_lead(folder / "melody/approved" / path.name)
        line, backing_words = read_lead(path)
        r = _row(lead, line, low, high)
        total["parallels"] += r["parallels"]
        total["pairs"] += r["pairs"]
        total["notes"] += len(line)
        total["inside"] += round(r["in_range"] * len(line))
        vl.append(r["voice_leading"])
        cons.append(r["consonance"])
        sections += 1
        if is_sung(words):
            sung += 1
            for t, x in backing_words.items():
                same += 1
                equal += words.get(t) == x
    with_lyric = _music21_lyrics(folder / "arrangement.mid")
    return {
        "sections": sections,
        "sung": sung,
        **total,
        "in_range": total["inside"] / total["notes"] if total["notes"] else 1.0,
        "voice_leading": sum(vl) / len(vl) if vl else 0.0,
        "consonance": sum(cons) / len(cons) if cons else 0.0,
        "same_syllable": equal / same if same else None,
        "lyric_share": with_lyric,
        "singer": f"{singer.get('name')} {low}-{high} (lead {singer.get('lead')})",
    }


def _music21_lyrics(path: Path) -> float | None:
    """Share of the arrangement's harmony notes with a lyric, as music21 reads the file."""
    from music21 import converter

    from chromatic.music.daw import part_roles

    score = load_score(path)
    roles = part_roles(path)  # tracks are named by instrument; the part is a text event
    name = next((n for n, r in roles.items() if r == "harmony"), None)
    names = [t.name for t in score.tracks]
    if name not in names or not read_lyrics(score.tracks[names.index(name)]):
        return 0.0
    s = converter.parse(str(path))
    for part in s.parts:
        if (part.partName or "") == name:
            notes = list(part.flatten().notes)
            return sum(bool(n.lyric) for n in notes) / len(notes) if notes else None
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads")
    ap.add_argument("--proposal", action="append")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--beam", type=int, default=3)
    ap.add_argument("--bach", type=int, default=40)
    ap.add_argument("--out")
    args = ap.parse_args()
    args.render, args.model = False, None
    srcs = [Path(p) for p in (args.proposal or [EXAMPLE])]
    if args.threads and Path(args.threads).is_dir():
        srcs += sorted(p for p in Path(args.threads).iterdir() if p.is_dir())
    out = Path(args.out or tempfile.mkdtemp(prefix="harmony_bench_"))
    rows = []
    print(f"{'song':34} secs sung  par/pairs  in-range  vl    cons  same-syl  m21-lyric  singer")
    for i, src in enumerate(srcs):
        folder = out / f"{i:02d}_{src.stem[:30]}"
        rc, _secs, log = compose(src, folder, args)
        if rc != 0:
            print(f"{src.stem[:34]:34} compose failed (rc {rc}): {log.strip().splitlines()[-1:]}")
            continue
        r = song_row(folder)
        rows.append(r)
        syl = "-" if r["same_syllable"] is None else f"{r['same_syllable']:.2f}"
        m21 = "-" if r["lyric_share"] is None else f"{r['lyric_share']:.2f}"
        print(
            f"{src.stem[:34]:34} {r['sections']:4} {r['sung']:4}  {r['parallels']:3}/{r['pairs']:<5}"
            f"  {r['in_range']:8.3f}  {r['voice_leading']:.2f}  {r['consonance']:.2f}  {syl:>8}"
            f"  {m21:>9}  {r['singer']}"
        )
    bach = bach_rows(args.bach)
    rate = [b["parallels"] / b["pairs"] for b in bach if b["pairs"]]
    print(f"\nBach soprano/alto, {len(bach)} chorales (5th / 50th / 95th percentile):")
    for key, vals in (
        ("parallels per transition", rate),
        ("voice leading (alto)", [b["voice_leading"] for b in bach]),
        ("consonance with soprano", [b["consonance"] for b in bach]),
    ):
        lo, mid, hi = (percentile(vals, q) for q in (5, 50, 95))
        print(f"  {key:26} {lo:.3f} / {mid:.3f} / {hi:.3f}")
    ok_par = sum(r["parallels"] == 0 for r in rows)
    ok_rng = sum(r["in_range"] == 1.0 for r in rows)
    print(f"\ngoal: no parallel fifths/octaves with the lead: {ok_par}/{len(rows)} songs")
    print(f"goal: 100 % of harmony notes in the second singer's range: {ok_rng}/{len(rows)} songs")
    print(f"(compositions in {out})")


if __name__ == "__main__":
    main()
