"""The meter features reach the network: a tiny model trained on duple vs triple tunes that
differ in nothing else (same pitches, same note values, no time-signature event) tells
held-out tunes apart, and stops telling them apart when the meter features are blanked."""

from __future__ import annotations

import dataclasses

import numpy as np
from symusic import Note, Score, Tempo, Track

from chromatic.model.data import Split
from chromatic.model.eval_stats import color_match
from chromatic.model.fusion import FusionConfig
from chromatic.model.midi_data import ABSENT_DIM, midi_dataset
from chromatic.model.train import fit, predict
from chromatic.music.meter_features import METER_FEATURE_NAMES
from chromatic.music.pianoroll import DEFAULT_CONFIG
from chromatic.music.symbolic import FEATURE_NAMES
from chromatic.scoring.sanity import auc

# bar rhythms in beats (first note the longest: the downbeat's accent); same note values
DUPLE = [(2, 1, 1), (1, 1, 1, 1), (2, 2), (1.5, 0.5, 1, 1)]
TRIPLE = [(2, 1), (1, 1, 1), (1.5, 0.5, 1), (3,)]


def tune(beats: int, seed: int, bars: int = 16, tpq: int = 96) -> Score:
    rng = np.random.default_rng(seed)
    s = Score(tpq)
    s.tempos.append(Tempo(0, float(rng.uniform(90, 140))))
    tr = Track(program=0)
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    t = 0.0
    for _ in range(bars):
        for d in (DUPLE if beats == 4 else TRIPLE)[rng.integers(4)]:
            p = scale[rng.integers(len(scale))]
            tr.notes.append(Note(round(t * tpq), round(d * tpq), p, int(rng.integers(60, 100))))
            t += d
    s.tracks.append(tr)
    return s


def test_a_tiny_model_hears_duple_from_triple_through_the_meter_features():
    n = 20  # tunes per meter
    scores = [tune(4, k) for k in range(n)] + [tune(3, 100 + k) for k in range(n)]
    colors = ["Red"] * n + ["Blue"] * n
    songs = [f"t{k}" for k in range(2 * n)]
    roll = dataclasses.replace(DEFAULT_CONFIG, steps=32)
    ds = midi_dataset(scores, colors, songs, config=roll)
    held = np.r_[np.arange(0, 6), np.arange(n, n + 6)]  # 6 tunes of each meter held out
    train = np.setdiff1d(np.arange(2 * n), held)
    split = Split(train, held, "song", [songs[i] for i in train], [songs[i] for i in held], [])
    cfg = FusionConfig(
        text_dim=ABSENT_DIM, audio_dim=ABSENT_DIM, roll_steps=32, cnn_channels=(4,), midi_dim=16,
        proj_dim=8, hidden_dims=(8,), feature_hidden=16, batch_size=8, augment_semitones=0,
        use_roll=False,
        seed=0,
    )  # fmt: skip
    model, *_ = fit(ds, split, cfg, run_dir=None, progress=False, fixed_epochs=25)
    y = np.array(colors)[held] == "Red"

    def separation() -> float:
        pred, _, _ = predict(model, ds, held, "cpu")
        score = color_match(pred, "Red") - color_match(pred, "Blue")
        return auc(score[y], score[~y])

    assert separation() >= 0.9
    meter = [FEATURE_NAMES.index(name) for name in METER_FEATURE_NAMES]
    ds.features[:, meter] = ds.features[train][:, meter].mean(axis=0)  # blank the meter
    assert separation() <= 0.75
