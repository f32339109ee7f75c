"""With a model, the chord pool also holds walks of the ``widened`` table (the parallel mode's
chords ten times as likely: issue #31): loops that differ in brightness for the fitness to
choose among, in the planned key; without a model nothing changes."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.produce.chords.progression import BASE_BORROWED, NEUTRAL, transition_model, widened
from chromatic.produce.chords.vocab import VOCAB
from chromatic.produce.phases.chords import generate
from chromatic.proposals.reader import proposal_from_mapping
from tests.produce.test_chords import _Recorder


def _proposal(key: str):
    return proposal_from_mapping(
        {"title": "T", "bpm": 100, "key": key, "tempo": "4/4", "rainbow_color": "G"}
    )


def _share(cands, names) -> float:
    return float(np.mean([ch.numeral in names for c in cands for ch in c.chords]))


@pytest.mark.parametrize(
    ("key", "parallel"),
    [("A minor", {"IV", "V"}), ("C major", {"iv", "bIII", "bVI", "bVII"})],
)
def test_widened_walks_are_added_after_the_same_first_n(key, parallel):
    p = _proposal(key)
    base = generate(p, 80, 3)
    both = generate(p, 80, 3, wide=80)
    first = [c for c in both if c.index < 80]
    assert [(c.index, c.path, c.chords) for c in first] == [
        (c.index, c.path, c.chords) for c in base
    ]
    extra = [c for c in both if c.index >= 80]
    assert extra
    # the parallel mode's chords: far more of them in the widened walks
    assert _share(extra, parallel) > 1.5 * _share(base, parallel)
    # the key stays: every chord is one of the key's own table (its tonic unchanged)
    names = {s.numeral for s in VOCAB["minor" if "minor" in key else "major"]}
    assert {ch.numeral for c in extra for ch in c.chords} <= names


def test_the_widened_table_weights_the_parallel_modes_chords_up():
    wide = widened(NEUTRAL)
    assert wide.borrowed == pytest.approx(BASE_BORROWED * 10)
    base, up = transition_model("minor", NEUTRAL), transition_model("minor", wide)
    assert base.numerals == up.numerals  # the same chords: path indices mean the same
    iv = base.index("IV")
    into = base.matrix[:, iv] > 0
    assert (up.matrix[into, iv] > base.matrix[into, iv]).all()


def test_only_a_scoring_model_widens_the_pool(tmp_path):
    from chromatic.produce.folder import init_production
    from chromatic.produce.phases.chords import run_chords
    from chromatic.produce.phases.composite import Weights
    from tests.produce.conftest import MINOR_7_8

    runs = {}
    for name, scorer, w in (
        ("none", None, 0.7),
        ("model", _Recorder(), 0.7),
        ("w0", _Recorder(), 0.0),
    ):
        folder, _ = init_production(MINOR_7_8, tmp_path / name)
        runs[name] = run_chords(
            folder, n=12, top=4, seed=5, scorer=scorer, model="m", weights=Weights(0.3, w)
        )
    assert runs["none"].distinct == runs["w0"].distinct <= 12
    assert runs["model"].distinct > 12  # n / 2 widened walks on top
