"""Chord-phase benchmark: candidates generated and theory-scored per second, and the wall time
of ``produce chords -n 200 --top 10`` on one real proposal (in-process and as a whole process).

    .venv/bin/python benchmarks/chords.py [PROPOSAL_YML] [-n 2000]

Prints figures measured in this one run (no stored baselines). The original system took
0.66-0.73 s of pipeline time (2.7 s with imports) for chords (200 generated, 10 kept) + plan +
drums + bass + melody of one song.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import best_of

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("proposal", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("-n", type=int, default=2000, help="candidates per throughput measurement")
    args = ap.parse_args()

    import numpy as np

    from chromatic.music.meter import meter_of
    from chromatic.produce.chords.progression import DRAWS, sample_progressions, transition_model
    from chromatic.produce.chords.theory import theory_scores
    from chromatic.produce.chords.vocab import family
    from chromatic.produce.chords.voicing import voice_progression
    from chromatic.produce.folder import init_production
    from chromatic.produce.phases.chords import generate, render_chords, run_chords
    from chromatic.produce.style import style_for
    from chromatic.proposals.reader import load_proposal

    proposal = load_proposal(args.proposal)
    key, n = proposal.key, args.n
    model = transition_model(family(key))
    meter = meter_of(proposal.time_signature)
    print(f"proposal: {proposal.title!r} ({key}, {proposal.bpm:g} bpm, {proposal.time_signature})")

    u = np.random.default_rng(0).random((n, DRAWS))
    t_gen = best_of(lambda: sample_progressions(model, u), 3)
    paths = sample_progressions(model, u)
    voiced = [(p, voice_progression([model.chords[i].pcs(key) for i in p])) for p in paths]
    t_voice = best_of(
        lambda: [voice_progression([model.chords[i].pcs(key) for i in p]) for p in paths], 3
    )
    t_score = best_of(lambda: [theory_scores(model, p, v) for p, v in voiced], 3)
    style = style_for(proposal)
    program = style.program("chords")

    def full():
        cands = generate(proposal, n, 0, style)
        return [render_chords(c, proposal, meter, program) for c in cands]

    t_full = best_of(full, 2)
    distinct = len(generate(proposal, n, 0, style))
    print(f"throughput over {n} candidates ({distinct} distinct progressions):")
    print(f"  generation (Markov draws)        {n / t_gen:10.0f} candidates/s")
    print(f"  voicing                          {n / t_voice:10.0f} candidates/s")
    print(f"  theory scoring (5 parts)         {n / t_score:10.0f} candidates/s")
    print(
        f"  generation+voicing+scoring+MIDI  {distinct / t_full:10.0f} candidates/s (distinct, rendered to bytes)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        folder, _ = init_production(args.proposal, tmp)
        t_run = best_of(lambda: run_chords(folder, n=200, top=10, seed=0), 3)
        print(
            f"produce chords -n 200 --top 10 (in-process, files + review.yml): {t_run * 1000:7.1f} ms"
        )
        cmd = [
            sys.executable,
            "-m",
            "chromatic",
            "produce",
            "chords",
            str(folder.root),
            "-n",
            "200",
            "--top",
            "10",
        ]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        print(
            f"produce chords -n 200 --top 10 (whole process, with imports): {(time.perf_counter() - t) * 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()
