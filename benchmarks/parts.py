"""Part-phase benchmark: drum, bass and melody candidates generated and scored per second, and
the wall time of ``produce drums``, ``bass`` and ``melody`` on one real proposal after its
chords are approved (measured in this one run, in-process).

    .venv/bin/python benchmarks/parts.py [PROPOSAL_YML] [-n 40] [--top 5]

Throughput counts every option of every section (the phases' option spaces are finite; the
throughput pass asks for all of them): "theory" is generation + theory scoring (what a run
without a model does for every candidate); "+ MIDI" adds rendering each one to the bytes a model
would score. The pipeline figure is the three phases with ``-n``/``--top`` per section, files
and review.yml included, with a human's approval and ``promote`` between phases (not timed).
The original system took 0.66-0.73 s of pipeline time for chords (200) + plan + drums + bass +
melody of one song.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = (
    REPO.parent
    / "shared"
    / "real"
    / "chain_artifacts"
    / "136919aa-c350-41aa-af7b-0ab538ae2cff"
    / "yml"
    / "song_proposal_Black (0x231f20)_digital_flesh_yearning_v2.yml"
)
SECTIONS = ("intro", "verse", "chorus", "verse 2", "bridge", "outro")
ALL = 10_000  # more than any section's option space: every option


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def approve(folder, phase: str, labels: dict[int, str] | None = None) -> None:
    """What the human does between phases: approve one candidate per section, then promote."""
    from chromatic.produce.promote import promote
    from chromatic.yamlio import round_trip as _yaml

    path = folder.review_path(phase)
    y = _yaml()
    doc = y.load(path.read_text())
    seen = set()
    for i, c in enumerate(doc["candidates"]):
        if labels is not None:
            if i in labels:
                c["label"], c["status"] = labels[i], "approved"
        elif c["details"]["section"] not in seen:
            seen.add(c["details"]["section"])
            c["status"] = "approved"
    with open(path, "w") as f:
        y.dump(doc, f)
    promote(folder.root, phase)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("proposal", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("-n", type=int, default=40, help="candidates per section in the pipeline run")
    ap.add_argument("--top", type=int, default=5, help="kept per section in the pipeline run")
    args = ap.parse_args()

    from chromatic.produce.folder import init_production
    from chromatic.produce.melody.lyrics import lyrics_for
    from chromatic.produce.melody.singers import choose_singer, registry
    from chromatic.produce.phases.bass import PROGRAMS, generate_bass, run_bass, section_kicks
    from chromatic.produce.phases.chords import run_chords
    from chromatic.produce.phases.drums import TRACK, generate_drums, run_drums
    from chromatic.produce.phases.melody import melody_candidate, melody_options, run_melody
    from chromatic.produce.phases.parts import TrackSpec, render_part
    from chromatic.produce.sections import approved_files, load_song
    from chromatic.produce.style.genres import family_fit

    with tempfile.TemporaryDirectory() as tmp:
        folder, _ = init_production(args.proposal, tmp)
        run_chords(folder, n=200, top=10, seed=0)
        approve(folder, "chords", dict(enumerate(SECTIONS)))
        song = load_song(folder, "benchmark")
        p = song.proposal
        print(
            f"proposal: {p.title!r} ({p.key}, {p.bpm:g} bpm, {p.time_signature}); "
            f"{len(song.sections)} sections, {sum(s.bars for s in song.sections)} bars"
        )

        # --- pipeline: the three phases as a user runs them ---------------------------------
        timings = {}
        for phase, run in (("drums", run_drums), ("bass", run_bass), ("melody", run_melody)):
            t = time.perf_counter()
            run(folder, n=args.n, top=args.top, seed=0)
            timings[phase] = time.perf_counter() - t
            approve(folder, phase)

        # --- throughput ----------------------------------------------------------------------
        fit = family_fit(p.genres)
        drums = approved_files(folder, "drums")
        kicks = {
            s.label: section_kicks(
                s, folder.loop_song(drums[s.label]) if s.label in drums else None
            )
            for s in song.sections
        }
        singer, _ = choose_singer(registry(), None, p.singer)
        lyrics = lyrics_for(folder, song.sections, p.lyrics)
        bass_track = TrackSpec("bass", PROGRAMS.get(fit.main, 33))
        mel_track = TrackSpec("melody", 53)

        def gen_drums():
            return [c for s in song.sections for c in generate_drums(s, fit, ALL, 0)]

        def gen_bass():
            return [
                c for s in song.sections for c in generate_bass(song, s, kicks[s.label], ALL, 0)
            ]

        def gen_melody():
            out = []
            for s in song.sections:
                opts = melody_options(lyrics.get(s.label))
                out += [
                    melody_candidate(song, s, i, o, singer, lyrics.get(s.label), [])
                    for i, o in enumerate(opts)
                ]
            return out

        sections = {s.label: s for s in song.sections}
        print(f"throughput (every option of every section, best of 3; {sys.platform}):")
        for phase, gen, track in (
            ("drums", gen_drums, TRACK),
            ("bass", gen_bass, bass_track),
            ("melody", gen_melody, mel_track),
        ):
            t_gen, cands = best_of(gen, 3)
            t_mid, _ = best_of(
                lambda cs=cands, tr=track: [
                    render_part(song, sections[c.section], tr, c.notes) for c in cs
                ],
                3,
            )
            n = len(cands)
            print(
                f"  {phase:<7} {n:5d} candidates: theory {n / t_gen:9.0f}/s   theory + MIDI {n / (t_gen + t_mid):9.0f}/s"
            )

        print(
            f"pipeline, -n {args.n} --top {args.top} per section (in-process, files + review.yml):"
        )
        for phase, t in timings.items():
            print(f"  produce {phase:<7} {t * 1000:8.1f} ms")
        print(f"  drums + bass + melody {sum(timings.values()) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
