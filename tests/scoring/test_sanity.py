"""Sanity figures' building blocks and the production gate, on real MIDI Scores."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.music.midi import load_score
from chromatic.produce.phases.composite import gate
from chromatic.scoring.sanity import (
    auc,
    gate_verdicts,
    random_notes,
    scale_tempo,
    shift_seconds,
    spearman,
    transpose,
)
from tests.scoring.loops import loop


def test_auc_and_spearman_by_hand():
    assert auc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert auc(np.array([1.0]), np.array([1.0])) == 0.5
    assert spearman(np.array([1.0, 2, 3, 4]), np.array([10.0, 20, 30, 40])) == pytest.approx(1.0)
    assert spearman(np.array([1.0, 2, 3, 4]), np.array([4.0, 3, 2, 1])) == pytest.approx(-1.0)


def test_perturbations_of_a_real_score():
    s = load_score(loop([60, 64, 67, 71]))
    qpm = float(s.tempos[0].qpm)
    up = transpose(s, 1)
    assert [n.pitch for n in up.tracks[0].notes] == [n.pitch + 1 for n in s.tracks[0].notes]
    late = shift_seconds(s, 0.3)
    ticks = round(0.3 * qpm / 60 * s.tpq)
    assert late.tracks[0].notes[0].time == s.tracks[0].notes[0].time + ticks
    fast = scale_tempo(s, 1.1)
    assert float(fast.tempos[0].qpm) == pytest.approx(qpm * 1.1, rel=1e-4)
    noise = random_notes(s, np.random.default_rng(0))
    assert noise.note_num() == max(s.note_num(), 4)


def test_gate_verdicts():
    good = {
        "midi_auc_interval": [0.6, 0.8],
        "stability_spearman": {"a": 0.95},
        "real_vs_random_auc": 0.9,
    }
    assert gate_verdicts(good)["passed"] is True
    bad = {**good, "stability_spearman": {"a": 0.4}}
    v = gate_verdicts(bad)
    assert v["passed"] is False and "stability" in v["failed"][0]
    assert gate_verdicts({})["passed"] is None  # nothing measured: not a failure


class _Scorer:
    def __init__(self, gates):
        self.gates = gates


def test_production_gate_says_so_in_one_line():
    failed = _Scorer(
        {"passed": False, "failed": ["ranking stability Spearman 0.40 (needs >= 0.9)"]}
    )
    scorer, note = gate(failed)
    assert scorer is None and "theory score only" in note and "--trust-model" in note
    assert "\n" not in note
    scorer, note = gate(failed, trust_model=True)
    assert scorer is failed and "used anyway" in note
    ok = _Scorer({"passed": True, "failed": []})
    assert gate(ok) == (ok, None)
    assert gate(_Scorer({"passed": None}))[0] is not None  # unchecked: used


def test_real_vs_random_is_measured_within_each_color():
    """A model that always ranks a real segment above its random twin scores 1.0, even when
    one target's matches sit far above another's (a near-uniform Black target matches
    anything well); pooling the colors counts those cross-target pairs against it."""
    from chromatic.scoring.sanity import real_vs_random

    real = np.array([0.99, 0.98, 0.995, 0.61, 0.62, 0.63])
    rand = np.array([0.97, 0.96, 0.975, 0.58, 0.59, 0.60])
    colors = np.array(["Black"] * 3 + ["Blue"] * 3)
    fig = real_vs_random(real, rand, colors)
    assert fig["real_vs_random_by_color"] == {"Black": 1.0, "Blue": 1.0}
    assert fig["real_vs_random_auc"] == 1.0
    # pooled, every real Blue segment loses to every random file scored against Black: 27/36
    assert fig["real_vs_random_auc_pooled"] == pytest.approx(0.75)
    # a model that cannot tell them apart stays at chance either way
    flat = real_vs_random(real, real.copy(), colors)
    assert flat["real_vs_random_auc"] == pytest.approx(0.5)
