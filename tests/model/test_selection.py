"""The epoch is chosen only on validation rows of colors the fit trained on."""

from __future__ import annotations

import dataclasses

import numpy as np

from chromatic.model.data import Split
from chromatic.model.fusion import FusionConfig
from chromatic.model.midi_data import ABSENT_DIM, midi_dataset
from chromatic.model.selection import seen_colors
from chromatic.model.train import fit
from chromatic.music.pianoroll import DEFAULT_CONFIG
from tests.model.test_meter_reaches_network import tune


def test_validation_songs_of_unseen_colors_choose_no_epoch():
    """Two songs per color, one on each side: the validation side's Blue song is of a color the
    fit never saw, so its accuracy is the same noise at every epoch. It must not stop the run
    early (patience 1) nor pick the epoch: every epoch runs and the last is kept."""
    scores = [tune(4, 0), tune(4, 1), tune(3, 2), tune(3, 3)]
    colors, songs = ["Red", "Red", "Blue", "Green"], ["a", "b", "c", "d"]
    ds = midi_dataset(scores, colors, songs, config=dataclasses.replace(DEFAULT_CONFIG, steps=32))
    split = Split(np.array([0, 2]), np.array([1, 3]), "song", ["a", "c"], ["b", "d"], [])
    assert seen_colors(ds, split).tolist() == [True, False]
    unseen = Split(np.array([0, 1]), np.array([2, 3]), "song", ["a", "b"], ["c", "d"], [])
    assert not seen_colors(ds, unseen).any()
    cfg = FusionConfig(
        text_dim=ABSENT_DIM, audio_dim=ABSENT_DIM, roll_steps=32, use_roll=False, midi_dim=8,
        proj_dim=8, hidden_dims=(8,), feature_hidden=8, batch_size=2, epochs=5, patience=1,
    )  # fmt: skip
    _, history, best, _ = fit(ds, unseen, cfg, run_dir=None, progress=False)
    assert len(history) == 5 and best == 5
