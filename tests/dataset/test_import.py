"""`chromatic dataset import` on a fixture written in the published v0.2.0 layout."""

from __future__ import annotations

import json
import os

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from chromatic.cli import app
from chromatic.dataset.published import import_published
from chromatic.errors import ChromaticError, DatasetError
from chromatic.segments.build import SEGMENTS_FILE, read_media
from chromatic.segments.schema import SEGMENT_SCHEMA
from chromatic.segments.slicing import decode_flac
from tests.dataset import published_fixture as fx


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    src = fx.write_published(root / "hub")
    data = root / "data"
    res = import_published(src, data, progress=False)
    return src, data, res


def test_import_writes_the_tables_segments_build_writes(imported):
    _src, data, res = imported
    t = pq.read_table(data / SEGMENTS_FILE)
    assert t.schema.remove_metadata() == SEGMENT_SCHEMA
    rows = t.to_pylist()
    expected = sorted(r["segment_id"] for r in fx.full_rows())
    assert [r["segment_id"] for r in rows] == expected and res.rows == 24 and res.songs == 4
    by = {r["segment_id"]: r for r in rows}
    r = by["02_01_seg_0001_track_02"]
    assert (r["song_id"], r["track_id"], r["segment_index"], r["color"]) == ("02_01", 2, 0, "Red")
    assert r["lyric_text"] == "the line we cross" and r["has_lyric"]
    assert r["key"] == "C major" and r["time_signature"] == "4/4" and r["bpm"] == 120.0
    assert r["temporal_mode"] == "Past" and r["spatial_mode"] == "Thing"
    assert r["concept"] == "the concept of 02_01, a red song"
    assert r["audio_file"] == "02_01_02.wav" and r["midi_source"] == "02_01_bass.mid"
    assert r["has_audio"] and r["has_midi"] and r["content_type"] == "audio+midi"
    assert r["midi_notes"] == 4 and r["midi_qpm"] == pytest.approx(120.0)
    assert r["audio_sample_rate"] == fx.SR and r["audio_seconds"] == pytest.approx(1.0)
    green = by["05_01_seg_0003_track_01"]
    assert green["color"] == "Green" and not green["has_lyric"] and not green["has_midi"]
    # published has_audio true with a null waveform: no audio here
    assert not by[fx.NULL_WAVE]["has_audio"] and by[fx.NULL_WAVE]["content_type"] == ""
    assert res.with_audio == 23 and res.with_midi == 12
    assert res.coverage["Red"] == {"segments": 12, "audio": 100.0, "midi": 50.0, "text": 66.7}
    assert res.coverage["Green"]["text"] == 0.0
    report = json.loads((data / "import_report.json").read_text())
    assert report["rows"] == 24 and report["problems"][0]["segment_id"] == fx.NULL_WAVE
    assert (data / "published" / "base_manifest.parquet").is_file()
    assert not [p for p in data.iterdir() if p.name.startswith(".import-")]


def test_media_round_trips(imported):
    _src, data, _res = imported
    media = read_media(data, "02_02")
    assert len(media) == 6
    m = media["02_02_seg_0002_track_01"]
    samples, sr = decode_flac(m["audio_flac"])
    assert sr == fx.SR
    np.testing.assert_allclose(samples, fx.waveform("02_02", 1, 1), atol=1 / 32768 + 1e-6)
    assert media["02_02_seg_0002_track_02"]["midi"] == fx.midi_bytes(41)
    assert m["midi"] is None


def test_flat_layout_gives_the_same_tables(imported, tmp_path):
    _src, data, _res = imported
    flat = fx.write_published(tmp_path / "flat", hub=False)
    res = import_published(flat, tmp_path / "data", progress=False)
    assert res.rows == 24
    a = pq.read_table(data / SEGMENTS_FILE).replace_schema_metadata(None)
    b = pq.read_table(tmp_path / "data" / SEGMENTS_FILE).replace_schema_metadata(None)
    assert a.equals(b)
    for song in fx.SONGS:
        assert read_media(data, song) == read_media(tmp_path / "data", song)


@pytest.mark.slow
def test_train_consumes_the_import(imported, tmp_path):
    """embed + a two-epoch train on the imported tables, without any catalog or extraction."""
    import shutil

    from chromatic.embed.run import embed_segments
    from chromatic.model.data import load_dataset
    from chromatic.model.fusion import FusionConfig
    from chromatic.model.train import train_fusion

    _src, data, _res = imported
    d = shutil.copytree(data, tmp_path / "d")
    emb = embed_segments(d, progress=False)
    assert emb.rows == 24 and emb.without_audio == 1
    ds = load_dataset(d)
    assert int((ds.roll_index >= 0).sum()) == 12 and ds.rolls.any()
    assert set(ds.colors.tolist()) == {"Red", "Green"}
    cfg = FusionConfig(
        epochs=2, cnn_channels=(4, 8), midi_dim=16, proj_dim=32, hidden_dims=(32,), val_fraction=0.5
    )
    res = train_fusion(d, tmp_path / "run", config=cfg, row_level=False, progress=False)
    split = json.loads((tmp_path / "run" / "split.json").read_text())
    assert len(split["val_songs"]) == 2 and res.metrics["rows"]["val"] == 12


def test_missing_column_is_one_line_and_writes_nothing(tmp_path):
    src = fx.write_published(tmp_path / "hub")
    path = src / "training_full" / "train-00000-of-00001.parquet"
    t = pq.read_table(path)
    pq.write_table(t.drop(["rainbow_color"]), path)
    with pytest.raises(DatasetError) as e:
        import_published(src, tmp_path / "data", progress=False)
    assert "rainbow_color" in str(e.value) and str(path) in str(e.value)
    assert not (tmp_path / "data" / SEGMENTS_FILE).exists()


def test_bad_color_and_existing_segments_refused(tmp_path):
    src = fx.write_published(tmp_path / "hub")
    data = tmp_path / "data"
    import_published(src, data, metadata_only=True, progress=False)
    with pytest.raises(DatasetError, match="--overwrite"):
        import_published(src, data, progress=False)
    rows = pq.read_table(data / SEGMENTS_FILE).to_pylist()
    assert not any(r["has_audio"] or r["has_midi"] for r in rows)  # metadata only
    path = src / "training_full" / "train-00000-of-00001.parquet"
    t = pq.read_table(path).to_pylist()
    t[3]["rainbow_color"] = "Mauve"
    import pyarrow as pa

    pq.write_table(pa.Table.from_pylist(t), path)
    before = (data / SEGMENTS_FILE).read_bytes()
    with pytest.raises(DatasetError, match="rainbow_color"):
        import_published(src, data, overwrite=True, progress=False)
    assert (data / SEGMENTS_FILE).read_bytes() == before  # a failed import changes nothing


def test_symlinked_shard_outside_is_refused(tmp_path):
    src = fx.write_published(tmp_path / "hub")
    outside = tmp_path / "elsewhere.parquet"
    shard = src / "training_full" / "train-00000-of-00001.parquet"
    shard.rename(outside)
    os.symlink(outside, shard)
    with pytest.raises(ChromaticError, match="inside"):
        import_published(src, tmp_path / "data", progress=False)


def test_cli_import_and_offline_hub(tmp_path):
    src = fx.write_published(tmp_path / "hub")
    r = CliRunner().invoke(app, ["dataset", "import", str(src), "--data", str(tmp_path / "d")])
    assert r.exit_code == 0, r.output
    assert "imported 24 segments of 4 songs" in r.output and "Green" in r.output
    r = CliRunner().invoke(
        app,
        [
            "dataset",
            "import",
            "hf://earthlyframes/white-training-data",
            "--data",
            str(tmp_path / "e"),
        ],
    )
    assert isinstance(r.exception, DatasetError) and "HF_HUB_OFFLINE" in str(r.exception)
    assert not (tmp_path / "e" / SEGMENTS_FILE).exists()


def test_import_prints_its_figures_beside_the_cards(tmp_path):
    src = fx.write_published(tmp_path / "hub")
    r = CliRunner().invoke(app, ["dataset", "import", str(src), "--data", str(tmp_path / "d")])
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "differs from the card (v0.2.0): 24 segments (card 11,605)" in out
    assert "audio 95.8 % (card 85.4 %), MIDI 50.0 % (card 44.3 %)" in out
    assert "1,474, 93.7, 48.6, 90.7" in out and "393, 90.1, 69.5, 0.0" in out  # Red, Green


def test_card_comparison_matches_only_the_cards_figures():
    from chromatic.dataset.published_layout import card_comparison

    line = card_comparison(11605, 85.41, 44.34)
    assert line.startswith("matches the card (v0.2.0): 11,605 segments (card 11,605)")
    assert "audio 85.4 % (card 85.4 %), MIDI 44.3 % (card 44.3 %)" in line
    assert card_comparison(11605, 85.4, 44.2).startswith("differs")
    assert card_comparison(11604, 85.4, 44.3).startswith("differs")
    meta = card_comparison(11605, 0.0, 0.0, media=False)
    assert meta.startswith("matches") and "--metadata-only" in meta
