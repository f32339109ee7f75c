"""The fusion model: absent modalities, overfitting a tiny batch, honest splits, resume."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chromatic.model.data import Dataset, row_split, song_split, target_array
from chromatic.model.fusion import AXES, FusionConfig, FusionModel, fusion_loss
from chromatic.model.metrics import evaluate
from chromatic.model.train import fit, predict
from chromatic.music.pianoroll import PianoRollConfig

SMALL = dict(
    text_dim=16, audio_dim=8, cnn_channels=(4, 8), midi_dim=8, proj_dim=16, hidden_dims=(32,)
)


def tiny_dataset(
    n_songs_per_color=2, rows_per_song=6, colors=("Red", "Green", "Violet", "Indigo"), seed=0
) -> Dataset:
    """Rows whose text embeddings carry their color (plus noise), with random rolls."""
    rng = np.random.default_rng(seed)
    roll_cfg = PianoRollConfig(steps=32)
    protos = {c: rng.normal(0, 1, 16).astype(np.float32) for c in colors}
    songs, cols = [], []
    for c in colors:
        for s in range(n_songs_per_color):
            songs += [f"{c}_{s}"] * rows_per_song
            cols += [c] * rows_per_song
    n = len(songs)
    concept = np.stack([protos[c] + rng.normal(0, 0.1, 16) for c in cols]).astype(np.float32)
    has_midi = rng.random(n) < 0.5
    rolls = (rng.random((int(has_midi.sum()), 128, 32)) < 0.02).astype(np.uint8) * 100
    roll_index = np.full(n, -1)
    roll_index[has_midi] = np.arange(int(has_midi.sum()))
    return Dataset(
        ids=np.array([f"r{i}" for i in range(n)]),
        songs=np.array(songs),
        colors=np.array(cols),
        targets=np.stack([target_array(c) for c in cols]),
        audio=rng.normal(0, 1, (n, 8)).astype(np.float32),
        audio_mask=(rng.random(n) < 0.7).astype(np.float32),
        concept=concept,
        concept_mask=np.ones(n, np.float32),
        lyric=np.zeros((n, 16), np.float32),
        lyric_mask=np.zeros(n, np.float32),
        roll_index=roll_index,
        rolls=rolls,
        texts=[""] * n,
        concept_texts=[""] * n,
        lyric_texts=[""] * n,
        encoders={},
        data_hash="tiny",
        roll_config=roll_cfg,
    )


def cfg(**kw) -> FusionConfig:
    return FusionConfig(**{**SMALL, "roll_steps": 32, **kw})


def test_absent_modalities_give_valid_distributions():
    model = FusionModel(cfg()).eval()
    b = 5
    inputs = dict(
        audio=torch.randn(b, 8),
        roll=torch.rand(b, 128, 32),
        concept=torch.randn(b, 16),
        lyric=torch.randn(b, 16),
    )
    masks = {
        "audio_mask": torch.ones(b),
        "midi_mask": torch.ones(b),
        "concept_mask": torch.ones(b),
        "lyric_mask": torch.ones(b),
    }
    full = model(**inputs, **masks)
    for absent in masks:
        out = model(**inputs, **{**masks, absent: torch.zeros(b)})
        for a in AXES:
            assert torch.isfinite(out[a]).all()
            torch.testing.assert_close(out[a].sum(-1), torch.ones(b))
        assert ((out["confidence"] >= 0) & (out["confidence"] <= 1)).all()
        # the null embedding replaces the input: the input's values no longer matter
        key = absent.removesuffix("_mask")
        key = "roll" if key == "midi" else key
        garbage = model(
            **{**inputs, key: inputs[key] * 100 + 7}, **{**masks, absent: torch.zeros(b)}
        )
        torch.testing.assert_close(garbage["temporal"], out["temporal"])
        assert not torch.allclose(out["temporal"], full["temporal"])
    nothing = model(**inputs, **{k: torch.zeros(b) for k in masks})
    assert all(torch.isfinite(nothing[a]).all() for a in AXES)


def test_tiny_model_overfits_a_tiny_batch():
    ds = tiny_dataset(n_songs_per_color=1, rows_per_song=4)
    idx = np.arange(len(ds))
    c = cfg(modality_dropout=0.0, dropout=0.0, lr=1e-2, epochs=60, patience=100, batch_size=16)
    from chromatic.model.data import Split

    split = Split(idx, idx, "song", [], [], [])
    model, history, _, _ = fit(ds, split, c, run_dir=None, progress=False)
    assert history[-1]["train_loss"] < history[0]["train_loss"] * 0.5
    pred, _, _ = predict(model, ds, idx, "cpu")
    m = evaluate(pred, ds.colors)
    assert m["mean_mode_accuracy"] == 1.0 and m["color_accuracy"] == 1.0


def test_loss_is_zero_at_the_targets():
    t = {a: torch.from_numpy(target_array("Indigo")[k : k + 1]) for k, a in enumerate(AXES)}
    out = {**t, "confidence": torch.tensor([1.0])}
    loss, _parts = fusion_loss(out, t, 0.5)
    assert float(loss) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_no_song_in_both_splits(seed):
    rng = np.random.default_rng(seed)
    songs = np.array(
        [f"{c}_{rng.integers(0, 6)}" for c in rng.choice(["Red", "Blue", "Green"], 300)]
    )
    colors = np.array([s.split("_")[0] for s in songs])
    sp = song_split(songs, colors, 0.25, seed)
    assert not set(songs[sp.train]) & set(songs[sp.val])
    assert len(sp.train) + len(sp.val) == len(songs)
    for c in set(colors):  # every color with two or more songs is validated
        if len(set(songs[colors == c])) >= 2:
            assert c in set(colors[sp.val]) and c in set(colors[sp.train])
    rs = row_split(len(songs), 0.25, seed, songs)
    assert set(songs[rs.train]) & set(songs[rs.val])  # the old split mixes songs: why it inflated


def test_resume_continues_the_curve(tmp_path):
    ds = tiny_dataset()
    split = song_split(ds.songs, ds.colors, 0.5, 0)
    whole_cfg = cfg(epochs=6, patience=100)
    _, whole, _, _ = fit(ds, split, whole_cfg, run_dir=tmp_path / "a", progress=False)
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir(exist_ok=True)
    _, first, _, _ = fit(
        ds, split, cfg(epochs=3, patience=100), run_dir=tmp_path / "b", progress=False
    )
    _, resumed, _, start = fit(
        ds, split, cfg(epochs=6, patience=100), run_dir=tmp_path / "b", resume=True, progress=False
    )
    assert start == 3 and [h["epoch"] for h in resumed] == [1, 2, 3, 4, 5, 6]
    assert resumed[:3] == first
    for a, b in zip(resumed, whole, strict=True):  # the same curve as an uninterrupted run
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-5)
        assert a["val_loss"] == pytest.approx(b["val_loss"], rel=1e-5)


def test_training_shows_one_bar_per_stage_with_the_reported_figures(capsys):
    ds = tiny_dataset()
    split = song_split(ds.songs, ds.colors, 0.5, 0)
    fit(ds, split, cfg(epochs=3, patience=100), run_dir=None, stage="1/2 choosing the epoch")
    fit(ds, split, cfg(epochs=3), run_dir=None, fixed_epochs=2, stage="2/2 re-training")
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    assert len(lines) == 2, lines  # one finished bar per stage, nothing in between
    assert lines[0].startswith("1/2 choosing the epoch: val color ") and "3/3 epochs" in lines[0]
    assert "mean mode" in lines[0] and "ETA" in lines[0]
    assert lines[1].startswith("2/2 re-training: train loss ") and "2/2 epochs" in lines[1]
