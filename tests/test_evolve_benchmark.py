"""benchmarks/evolve.py's probe stands where ``Evolve`` would in a part phase: the phase asks it
for the fitness scorer before breeding (``phases.parts.run_part_phase``), and it answers with
the scorer ``--evolve`` breeds on, so the benchmark measures what breeding runs."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import evolve as bench
from chromatic.produce.evolve import Evolve


def test_the_probe_answers_the_fitness_a_part_phase_asks_for():
    probe = bench.Probe(280, [])
    assert probe.fitness(None) is None
    plain = type("Plain", (), {})()  # not a ChromaticScorer: used as it is, as Evolve does
    assert probe.fitness(plain) is plain is Evolve().fitness(plain)
    for name in ("fitness", "breed", "chords"):  # what the phases call on PhaseOptions.evolve
        assert callable(getattr(probe, name)), name
