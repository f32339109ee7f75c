"""The taste model end to end on real chord candidates and a simulated artist."""

from __future__ import annotations

import shutil
import time

import numpy as np
import onnxruntime as ort
import pytest

from chromatic.errors import ChromaticError
from chromatic.measure import taste_simulation as simulate
from chromatic.produce.review import load_review, save_review
from chromatic.scoring.taste import TasteModel
from chromatic.scoring.taste_features import FEATURE_NAMES, N_FEATURES, features_of_midi
from chromatic.taste.collect import collect, read_table, write_table
from chromatic.taste.train import train_taste

TRAIN, TEST = 10, 4


@pytest.fixture(scope="module")
def songs(tmp_path_factory):
    root = tmp_path_factory.mktemp("taste_songs")
    return root, simulate.make_songs(root, TRAIN + TEST, seed=3, top=12, n=60)


def _decide_all(folders, rule, seed=0):
    rng = np.random.default_rng(seed)
    for f in folders:
        simulate.decide(f.review_path("chords"), rule, 10, rng)


def test_features_are_relative_to_the_tonic(songs):
    _, folders = songs
    path = next(folders[0].candidates_dir("chords").glob("chord_0*[0-9].mid"))
    from chromatic.music.midi import load_score, score_bytes

    score = load_score(path)
    up = score.copy()
    for t in up.tracks:
        if not t.is_drum:
            for n in t.notes:
                n.pitch += 5
    a = features_of_midi(score_bytes(score), "C minor")
    b = features_of_midi(score_bytes(up), "F minor")
    pcs = [
        i
        for i, n in enumerate(FEATURE_NAMES)
        if n.startswith(("pc_rel", "quality", "non_diatonic"))
    ]
    assert a.shape == (N_FEATURES,)
    np.testing.assert_allclose(a[pcs], b[pcs], atol=1e-6)
    assert b[FEATURE_NAMES.index("pitch_mean")] > a[FEATURE_NAMES.index("pitch_mean")]


def test_simulated_artist_is_learned_and_a_coin_is_not(songs, tmp_path):
    root, folders = songs
    _decide_all(folders[:TRAIN], simulate.low_and_borrowed)
    table = write_table(collect([root]).rows, tmp_path / "decisions.parquet")
    report = train_taste(table, tmp_path / "taste")
    m = report.phases["chords"]
    assert m["decisions"] == 100 and m["songs"] == TRAIN
    lo, hi = m["interval_95"]
    assert lo <= m["pairwise_accuracy"] <= hi
    model = TasteModel.load(tmp_path / "taste")
    acc = simulate.held_out_accuracy(
        folders[TRAIN:], simulate.low_and_borrowed, lambda items: model.score("chords", items)
    )
    assert acc >= 0.8, acc

    coin = []
    for seed in (1, 2, 3):
        _decide_all(folders[:TRAIN], None, seed)
        table = write_table(collect([root]).rows, tmp_path / f"coin{seed}.parquet")
        train_taste(table, tmp_path / f"coin{seed}")
        coin_model = TasteModel.load(tmp_path / f"coin{seed}")
        coin.append(
            simulate.held_out_accuracy(
                folders[TRAIN:],
                simulate.low_and_borrowed,
                lambda items, m=coin_model: m.score("chords", items),
            )
        )
    assert 0.3 < float(np.mean(coin)) < 0.7, coin


def test_collect_counts_each_decision_once_with_its_last_verdict(songs, tmp_path):
    root, folders = songs
    _decide_all(folders[:2], simulate.low_and_borrowed)
    first = collect([root])
    own = [r for r in first.rows if r["song_id"] == first.rows[0]["song_id"]]
    assert len(own) == 10 and all(r["status"] in ("approved", "rejected") for r in own)
    assert first.pending > 0  # undecided candidates are left out

    copy_root = tmp_path / "copy"
    shutil.copytree(folders[0].root, copy_root / folders[0].root.name)
    review = load_review(copy_root / folders[0].root.name / "chords" / "review.yml")
    cand = review.doc["candidates"][0]
    flipped = "rejected" if cand["status"] == "approved" else "approved"
    cand["status"] = flipped
    time.sleep(1.1)  # the decision time is the file's mtime, to the second
    save_review(review)
    both = collect([root, copy_root])
    assert both.duplicates >= 10
    assert len(both.rows) == len(first.rows)
    row = next(
        r
        for r in both.rows
        if r["candidate_id"] == cand["id"] and r["song_id"] == own[0]["song_id"]
    )
    assert row["status"] == flipped


def test_one_bad_review_does_not_stop_the_rest(songs, tmp_path):
    _, folders = songs
    _decide_all(folders[:3], simulate.low_and_borrowed)
    bad_root = tmp_path / "bad"
    shutil.copytree(folders[0].root, bad_root / "a")
    shutil.copytree(folders[1].root, bad_root / "b")
    (bad_root / "a" / "chords" / "review.yml").write_text(
        "schema_version: 1\nphase: chords\ncandidates: [1]\n"
    )
    result = collect([bad_root])
    assert len(result.problems) == 1 and "a/chords/review.yml" in result.problems[0]
    assert len(result.rows) == 10


def test_train_refuses_too_few_decisions_saying_how_many(songs, tmp_path):
    root, folders = songs
    _decide_all(folders[:2], simulate.low_and_borrowed)
    rows = collect([root]).rows[:20]
    table = write_table(rows, tmp_path / "few.parquet")
    with pytest.raises(ChromaticError, match=r"chords: 20 decisions .* need at least 30"):
        train_taste(table, tmp_path / "taste")
    assert not (tmp_path / "taste").exists()


def test_exported_graph_is_self_describing(songs, tmp_path):
    root, folders = songs
    _decide_all(folders[:TRAIN], simulate.low_and_borrowed)
    table = write_table(collect([root]).rows, tmp_path / "d.parquet")
    train_taste(table, tmp_path / "taste")
    sess = ort.InferenceSession(
        str(tmp_path / "taste" / "chords.onnx"), providers=["CPUExecutionProvider"]
    )
    meta = sess.get_modelmeta()
    assert meta.producer_name == "chromatic"
    assert meta.custom_metadata_map["phase"] == "chords"
    rows = read_table(table)
    x = np.stack([features_of_midi(r["midi"], r["key"]) for r in rows[:5]])
    out = sess.run(["taste"], {"features": x})[0]
    assert out.shape == (5,) and ((out > 0) & (out < 1)).all()
    assert len(set(np.round(out, 6))) > 1
