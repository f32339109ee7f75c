"""The demo catalog (examples/catalog, what `make demo` trains on) gives the model more than
one training song a color: with the training run's own splits, every color has a validation
song, and inside the training songs one on each side of the selection split, so the epoch is
chosen and calibration fitted on rows of every color (with two songs a color the selection
side's colors had no training song and calibration had no rows)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from chromatic.catalog.manifest import find_manifests, load_manifest
from chromatic.model.data import inner_split, song_split
from chromatic.model.fusion import FusionConfig
from chromatic.taxonomy import parse_color
from tests.conftest import EXAMPLES


def test_every_color_trains_and_selects_on_songs_of_its_own():
    paths = find_manifests(EXAMPLES / "catalog")
    ms = [load_manifest(p).manifest for p in paths]
    assert min(Counter(parse_color(m.rainbow_color).name for m in ms).values()) >= 3
    rows = 12  # segment rows a song (the demo's: 40-70 a song)
    songs = np.repeat([m.manifest_id for m in ms], rows)
    colors = np.repeat([parse_color(m.rainbow_color).name for m in ms], rows)
    cfg = FusionConfig(text_dim=1, audio_dim=1)
    split = song_split(songs, colors, cfg.val_fraction, cfg.seed)
    select = inner_split(songs, colors, split.train, cfg.val_fraction, cfg.seed + 1)
    every = set(colors.tolist())
    assert {c for s, c in zip(songs, colors, strict=True) if s in split.val_songs} == every
    for side in (select.train_songs, select.val_songs):
        assert {c for s, c in zip(songs, colors, strict=True) if s in side} == every
