"""The steering reading of the demo 8 x 8 (benchmarks/targeting_demo.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from targeting_demo import print_steering

COLORS = ["Black", "Red", "Orange", "Yellow"]


def test_the_steering_reading_removes_what_every_song_shares(capsys):
    rng = np.random.default_rng(0)
    style = rng.normal(0, 0.3, (4, 4))  # what each color's style makes of the proposal
    offset = np.array([2.0, 0.0, -1.0, 0.5])  # how the model hears composed music: a column bias
    control = style + offset
    moved = control + 0.2 * np.eye(4)  # targeting c moved each song toward c only
    # the plain table's diagonal loses to the biased column in most rows...
    assert sum(int(np.argmax(moved[i]) == i) for i in range(4)) < 3
    # ...the paired one finds every move
    wins = print_steering(COLORS, {"match_relative": moved}, {"match_relative": control})
    assert wins == 4
    out = capsys.readouterr().out
    assert "relative match (sd)" in out and "in 4 of 4 rows" in out
    # a move toward another color is a miss in its row; raw units without a baseline
    wrong = control + 0.2 * np.roll(np.eye(4), 1, axis=1)
    none = {"match": wrong, "match_relative": None}
    assert print_steering(COLORS, none, {"match": control, "match_relative": None}) == 0
    assert "raw match" in capsys.readouterr().out
