"""embed and train end to end on a small synthesized DATA folder."""

from __future__ import annotations

import json
import shutil
import sqlite3

import numpy as np
import pyarrow.parquet as pq
import pytest

from chromatic.embed.run import EMBEDDINGS_FILE, embed_segments
from chromatic.model.text_tasks import has_rebracketing_markers, rebracketing_types, train_text_task
from chromatic.model.train import train_fusion


def test_embeddings_flags_and_cache(embedded_data, tmp_path):
    t = pq.read_table(embedded_data / EMBEDDINGS_FILE).to_pylist()
    seg = pq.read_table(embedded_data / "segments.parquet").to_pylist()
    assert [r["segment_id"] for r in t] == [r["segment_id"] for r in seg]
    for e, s in zip(t, seg, strict=True):
        assert e["has_lyric_emb"] == (s["has_lyric"] and bool(s["lyric_text"]))
        assert (e["lyric_emb"] is None) == (not e["has_lyric_emb"])  # instrumental: null, not zeros
        assert e["instrumental"] == (not s["has_lyric"])
        assert e["has_audio_emb"] == s["has_audio"]
        assert len(e["concept_emb"]) == 384
    assert any(r["instrumental"] for r in t) and any(not r["instrumental"] for r in t)
    # a rerun encodes nothing: everything comes from the content-hash cache
    d = shutil.copytree(embedded_data, tmp_path / "d")
    res = embed_segments(d, progress=False)
    assert res.encoded == {"text": 0, "audio": 0}


def test_interrupted_embedding_resumes(embedded_data, tmp_path):
    d = shutil.copytree(embedded_data, tmp_path / "d")
    shutil.rmtree(d / "embeddings")
    (d / EMBEDDINGS_FILE).unlink()

    class Killed(Exception):
        pass

    def die(kind, done):
        if kind == "audio" and done >= 4:
            raise Killed

    with pytest.raises(Killed):
        embed_segments(d, batch_size=4, progress=False, on_batch=die)
    res = embed_segments(d, batch_size=4, progress=False)
    assert res.encoded["text"] == 0 and 0 < res.encoded["audio"] < res.rows  # only what was missing
    a = pq.read_table(d / EMBEDDINGS_FILE).to_pylist()
    b = pq.read_table(embedded_data / EMBEDDINGS_FILE).to_pylist()
    for x, y in zip(a, b, strict=True):
        for k in ("concept_emb", "lyric_emb", "audio_emb"):
            if x[k] is None:
                assert y[k] is None
            else:
                np.testing.assert_allclose(x[k], y[k], atol=1e-5)


@pytest.mark.slow
def test_train_fusion_smoke(embedded_data, tmp_path):
    from chromatic.model.fusion import FusionConfig

    run = tmp_path / "run"
    cfg = FusionConfig(
        epochs=2, cnn_channels=(4, 8), midi_dim=16, proj_dim=32, hidden_dims=(32,), val_fraction=0.5
    )
    res = train_fusion(embedded_data, run, config=cfg, progress=False)
    m = json.loads((run / "metrics.json").read_text())
    assert m["split"].startswith("song-grouped")
    split = json.loads((run / "split.json").read_text())
    assert not set(split["train_songs"]) & set(split["val_songs"])
    assert set(split["val_songs"]) and len(split["val_songs"]) == 2  # one Red, one Green
    # the epoch and the calibration are chosen inside the training songs only
    assert split["selection_val_songs"]
    assert set(split["selection_val_songs"]) <= set(split["train_songs"])
    assert not set(split["selection_val_songs"]) & set(split["val_songs"])
    assert m["selection"]["val_songs"] == split["selection_val_songs"]
    assert m["epochs_run"] == m["best_epoch"] == res.best_epoch  # re-trained that many epochs
    assert "validation_calibration" in m and "confidence" in m["validation_calibration"]
    for k in ("temporal_accuracy", "album_accuracy", "color_accuracy"):
        assert 0.0 <= m["validation"][k] <= 1.0
        assert k in m["baseline_majority_color"]
    assert m["row_level_split_for_comparison_only"]["songs_in_both"] > 0
    for png in ("curves.png", "confusion.png"):
        assert (run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (run / "model.pt").is_file() and (run / "checkpoint.pt").is_file()
    cfg_saved = json.loads((run / "config.json").read_text())
    assert cfg_saved["text_dim"] == 384 and cfg_saved["audio_dim"] == 100  # from the encoders
    con = sqlite3.connect(embedded_data / "mlflow.db")
    assert con.execute("select count(*) from runs").fetchone()[0] >= 1
    assert res.best_epoch >= 1


def test_rebracketing_lexicon():
    assert has_rebracketing_markers("It is not a house but a memory of one")
    assert has_rebracketing_markers("the radio turns into a lighthouse")
    assert not has_rebracketing_markers("a song about the sea")
    assert rebracketing_types("not a street but the memory of a street I remember") == [
        "spatial",
        "memory",
    ]
    assert rebracketing_types("a street I remember") == []


@pytest.mark.parametrize("task", ["rebracketing", "rebracketing-type", "modes"])
def test_text_tasks_report_per_class_f1(embedded_data, tmp_path, task):
    m = train_text_task(embedded_data, tmp_path / task, task=task, epochs=3)
    assert m["split"] == "song-grouped"
    f1 = m["f1"] if task != "modes" else m["f1_temporal"]
    assert all(0.0 <= v["f1"] <= 1.0 for v in f1.values())
    assert (tmp_path / task / "f1.png").is_file() and (tmp_path / task / "metrics.json").is_file()
