"""The nested evaluation protocol on a tiny synthetic Dataset, with the real fusion model."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.model.eval_report import markdown, plot
from chromatic.model.eval_stats import accuracy_interval, axis_groups, target_vs_other_auc
from chromatic.model.evaluate import ABLATIONS, mask_modalities, nested_cv, song_folds, summarize
from chromatic.model.train import fit, predict
from tests.model.test_model import cfg, tiny_dataset


@pytest.mark.parametrize("seed", range(4))
def test_folds_hold_each_song_out_once(seed):
    rng = np.random.default_rng(seed)
    songs = np.array(
        [f"{c}_{rng.integers(0, 5)}" for c in rng.choice(["Red", "Blue", "Green"], 200)]
    )
    colors = np.array([s.split("_")[0] for s in songs])
    folds = song_folds(songs, colors, 4, seed)
    held = [s for f in folds for s in f.val_songs]
    assert sorted(held) == sorted(set(songs.tolist()))  # every song held out exactly once
    for f in folds:
        assert not set(songs[f.train]) & set(songs[f.val])
        assert len(f.train) + len(f.val) == len(songs)


def test_taxonomy_makes_temporal_and_spatial_one_axis():
    assert axis_groups() == [("temporal", "spatial"), ("ontological",)]


def test_masking_removes_the_modality():
    ds = tiny_dataset()
    none = mask_modalities(ds, ABLATIONS["no input"])
    assert none.concept_mask.sum() == 0 and none.audio_mask.sum() == 0
    assert (none.roll_index == -1).all() and none.midi_mask.sum() == 0
    text = mask_modalities(ds, ABLATIONS["text only"])
    assert text.concept_mask.sum() == ds.concept_mask.sum() and text.midi_mask.sum() == 0


@pytest.fixture(scope="module")
def nested():
    ds = tiny_dataset(n_songs_per_color=3, rows_per_song=5)
    seen: list[tuple[set, set]] = []

    def recording_fit(d, split, c, **kw):
        seen.append((set(d.songs[split.train].tolist()), set(d.songs[split.val].tolist())))
        return fit(d, split, c, **kw)

    res = nested_cv(
        ds, cfg(epochs=6, patience=6, lr=5e-3), folds=3, inner=2, seed=0, fit_fn=recording_fit
    )
    return ds, res, seen


def test_the_reported_fold_is_never_used_for_selection(nested):
    ds, res, seen = nested
    assert len(seen) == 3 * (2 + 1)  # folds x (inner fits + the refit on the fold's training songs)
    per_fold = 3
    for f, fold in enumerate(res.folds):
        test = set(fold["test_songs"])
        assert test and set(ds.songs[res.fold_of == f].tolist()) == test
        for train_songs, val_songs in seen[f * per_fold : (f + 1) * per_fold]:
            assert not test & (train_songs | val_songs)  # no fit, no early stopping saw them
        for d in res.decisions:
            if d["outer"] == f:
                assert not test & set(d["songs"])
    assert (res.fold_of >= 0).all()
    refits = [d for d in res.decisions if d["stage"].startswith("refit")]
    assert len(refits) == 3 and all(d["epochs"] >= 1 for d in refits)
    assert "MIDI head" in res.predictions  # the scorer's own output is reported
    cals = [d for d in res.decisions if d["stage"] == "calibrate the refit"]
    assert len(cals) == 3  # calibrated on the fold's training songs, out of fold
    for d, fold in zip(cals, res.folds, strict=True):
        assert d["calibrated"] and set(d["songs"]) == set(fold["train_songs"])
        assert d["rows"] == int((res.fold_of != fold["fold"]).sum())


def test_no_input_is_one_prediction_per_fold(nested):
    ds, res, _ = nested
    for f in range(len(res.folds)):
        p = res.predictions["no input"][res.fold_of == f]
        assert np.allclose(p, p[0], atol=1e-5)  # nothing to tell rows apart
    # text carries the color in this dataset: masking it away must cost accuracy
    s = summarize(ds, res)
    text = s["accuracy"]["text only"]["ontological"]["value"]
    assert text > s["accuracy"]["no input"]["ontological"]["value"]


def test_intervals_contain_the_point_estimate(nested, tmp_path):
    ds, res, _ = nested
    s = summarize(ds, res, seed=3)
    for row in s["accuracy"].values():
        for x in row.values():
            assert x["low"] - 1e-12 <= x["value"] <= x["high"] + 1e-12
    assert set(s["accuracy"]["all inputs"]) == {"temporal", "ontological", "all axes"}
    auc = s["midi_only_auc"]
    assert auc["low"] <= auc["value"] <= auc["high"]
    md = markdown(s, "tiny")
    assert "spatial* is not reported" in md and "constant (uniform)" in md
    plot(s, tmp_path / "e.png")
    assert (tmp_path / "e.png").read_bytes()[:4] == b"\x89PNG"


def test_interval_over_songs_is_wider_than_over_rows():
    rng = np.random.default_rng(0)
    songs = np.repeat([f"s{i}" for i in range(10)], 20)
    correct = np.repeat(rng.random(10) < 0.5, 20)  # songs are all-right or all-wrong
    by_song = accuracy_interval(correct, songs)
    by_row = accuracy_interval(correct, np.arange(200).astype(str))
    assert by_song["high"] - by_song["low"] > 2 * (by_row["high"] - by_row["low"])


def test_auc_ranks_the_target_color_first():
    from chromatic.model.data import target_array

    colors = np.array(["Red", "Green", "Violet", "Red", "Green", "Violet"])
    exact = np.stack([target_array(c) for c in colors])
    assert target_vs_other_auc(exact, colors) == pytest.approx(1.0)
    flipped = exact[[1, 2, 0, 4, 5, 3]]
    assert target_vs_other_auc(flipped, colors) < 0.5


def test_predict_api_is_what_the_protocol_uses():
    ds = tiny_dataset()
    split = song_folds(ds.songs, ds.colors, 2, 0)[0]
    model, _, _, _ = fit(ds, split, cfg(epochs=1), run_dir=None, progress=False)
    pred, conf, _ = predict(model, ds, split.val, "cpu")
    assert pred.shape == (len(split.val), 3, 3) and conf.shape == (len(split.val),)


def test_cli_evaluates_a_run_folder(exported, tmp_path):
    from chromatic.cli import main

    run, _model, data = exported
    out = tmp_path / "eval"
    rc = main(
        [
            "evaluate",
            str(run),
            "--data",
            str(data),
            "--folds",
            "2",
            "--inner",
            "2",
            "--epochs",
            "1",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    md = (out / "evaluation.md").read_text()
    assert "majority (train folds)" in md and "MIDI only" in md
    assert (out / "evaluation.png").read_bytes()[:4] == b"\x89PNG"
    import json

    report = json.loads((out / "evaluation.json").read_text())
    for f in report["folds"]:  # the reported songs took part in no decision of their fold
        seen = {s for d in report["decisions"] if d["outer"] == f["fold"] for s in d["songs"]}
        assert not seen & set(f["test_songs"])


def test_cli_refuses_a_folder_without_config(tmp_path, embedded_data):
    from chromatic.cli import main

    assert main(["evaluate", str(tmp_path), "--data", str(embedded_data)]) == 1


def test_midi_only_dataset_from_a_real_chorale():
    from music21 import corpus, midi
    from symusic import Score

    from chromatic.model.midi_data import midi_dataset

    s = corpus.parse("bach/bwv269")
    score = Score.from_midi(midi.translate.streamToMidiFile(s).writestr())
    ds = midi_dataset([score, score], ["Red", "Red"], ["a", "a"], offsets=[0.0, 10.0])
    assert ds.midi_mask.tolist() == [1.0, 1.0] and ds.concept_mask.sum() == ds.audio_mask.sum() == 0
    assert ds.rolls[0].any() and not np.array_equal(ds.rolls[0], ds.rolls[1])  # two windows
    assert ds.subset(np.array([1])).rolls.shape[0] == 1


def test_midi_only_rows_are_what_the_scorer_hears():
    """A MIDI-only row carries the roll *and* the symbolic features of its cut, the same
    values the scorer computes for that MIDI (a row without features left the MIDI expert
    the roll alone: 65.7 % on chorales where the features give 91 %)."""
    from types import SimpleNamespace

    from music21 import corpus, midi
    from symusic import Score

    from chromatic.model.midi_data import midi_dataset
    from chromatic.music.pianoroll import DEFAULT_CONFIG
    from chromatic.scoring.batch import midi_batch
    from chromatic.segments.slicing import slice_midi

    s = corpus.parse("bach/bwv269")
    score = Score.from_midi(midi.translate.streamToMidiFile(s).writestr())
    ds = midi_dataset([score, score], ["Red", "Red"], ["a", "a"], offsets=[0.0, 8.0], window=8.0)
    cuts = [slice_midi(score, 0.0, 8.0), slice_midi(score, 8.0, 16.0)]
    rolls, feats = midi_batch(SimpleNamespace(roll_config=DEFAULT_CONFIG), cuts)
    assert np.abs(ds.features).sum(1).min() > 0
    np.testing.assert_allclose(ds.features, feats, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ds.rolls, np.rint(rolls * 127).astype(np.uint8))


def test_refit_epoch_is_the_peak_of_the_mean_inner_curve():
    """Two folds that learn (best at epochs 8 and 10) and one that never started (its best,
    epoch 2, at the baseline, stopped early): the median of per-fold maxima would re-train
    for 8 epochs only by luck of the count; the mean curve peaks where learning peaks."""
    from chromatic.model.evaluate import mean_curve_epoch

    def hist(scores):
        return [
            {"epoch": k + 1, "val_loss": 1.0, "val_mean_mode_accuracy": v}
            for k, v in enumerate(scores)
        ]

    learns = hist([0.5, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.93, 0.94])
    later = hist([0.5, 0.5, 0.55, 0.6, 0.7, 0.8, 0.85, 0.9, 0.92, 0.96])
    stuck = hist([0.5, 0.52, 0.5, 0.5, 0.5])
    assert mean_curve_epoch([learns, later, stuck], [8, 10, 2]) == 10
    assert mean_curve_epoch([stuck], [2]) == 2
    assert mean_curve_epoch([[], []], [3, 5]) == 4  # no validation recorded: the median
