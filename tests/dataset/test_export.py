"""``chromatic dataset export``: every config loads with ``datasets`` with the right rows, the
card describes what is there, and ``--push`` without a network fails at once, in one line."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from chromatic.cli import main
from chromatic.dataset.export import CONFIGS, export_dataset
from chromatic.errors import DatasetError
from chromatic.taxonomy import ALBUM_COLORS
from tests.dataset.segdata import SPLIT_SONGS, built_data, copy_data


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return built_data(tmp_path_factory, SPLIT_SONGS)


@pytest.fixture(scope="module")
def exported(data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "dataset"
    assert main(["dataset", "export", "--data", str(data), "--out", str(out)]) == 0
    return out


def _segments(data: Path) -> list[dict]:
    return pq.read_table(data / "segments.parquet").to_pylist()


def _load(folder: Path, cache: Path, monkeypatch, config: str | None = None):
    """``load_dataset`` offline: of a config folder (parquet), or of the dataset folder by config
    name (what a Hub user does: the card's ``configs`` say where each split is)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    if config is None:
        return datasets.load_dataset("parquet", data_dir=str(folder), cache_dir=str(cache))
    return datasets.load_dataset(str(folder), config, cache_dir=str(cache))


def _rows(ds) -> int:
    return sum(part.num_rows for part in ds.values())


def test_every_config_loads_with_the_right_rows_and_splits(data, exported, tmp_path, monkeypatch):
    from datasets import Audio

    segments = _segments(data)
    audio_per_color = Counter(r["color"] for r in segments if r["has_audio"])
    expected = {
        "base_manifest": pq.read_metadata(data / "tracks.parquet").num_rows,
        "training_segments": len(segments),
        "training_full": len(segments),
        "preview": sum(min(20, n) for n in audio_per_color.values()),
    }
    split = json.loads((exported / "splits.json").read_text())
    val_songs = set(split["validation_songs"])
    assert val_songs and set(split["train_songs"]) and not val_songs & set(split["train_songs"])
    for config in CONFIGS:
        for ds in (
            _load(exported, tmp_path / "cache", monkeypatch, config),
            _load(exported / config, tmp_path / "cache2", monkeypatch),
        ):
            assert set(ds) == {"train", "validation"}, config
            assert _rows(ds) == expected[config], config
            assert set(ds["validation"]["song_id"]) <= val_songs, config
            assert not set(ds["train"]["song_id"]) & val_songs, config
    full = _load(exported, tmp_path / "cache", monkeypatch, "training_full")
    assert isinstance(full["train"].features["audio"], Audio)
    assert "midi" in full["train"].column_names
    assert (
        "media_file" not in full["train"].column_names
    )  # points into DATA, which the dataset lacks
    assert "audio_flac" not in full["train"].column_names


def test_split_is_the_training_split(data, exported):
    """The same function and defaults as training: the export's validation songs are the ones
    ``chromatic train`` validates on."""
    import numpy as np

    from chromatic.dataset.splits import SEED, VAL_FRACTION
    from chromatic.model.data import song_split

    fusion = pytest.importorskip("chromatic.model.fusion")
    assert (fusion.FusionConfig().val_fraction, fusion.FusionConfig().seed) == (VAL_FRACTION, SEED)
    seg = _segments(data)
    s = song_split(
        np.array([r["song_id"] for r in seg]),
        np.array([r["color"] for r in seg]),
        VAL_FRACTION,
        SEED,
    )
    split = json.loads((exported / "splits.json").read_text())
    assert split["validation_songs"] == s.val_songs and split["train_songs"] == s.train_songs


def test_audio_feature_holds_the_flac_bytes(data, exported, tmp_path, monkeypatch):
    import io

    import soundfile as sf
    from datasets import Audio

    from chromatic.segments.build import read_media

    ds = _load(exported, tmp_path / "cache", monkeypatch, "preview")["train"]
    raw = ds.cast_column("audio", Audio(decode=False))
    row = raw[0]
    m = read_media(data, row["song_id"], [row["segment_id"]])[row["segment_id"]]
    assert row["audio"]["bytes"] == m["audio_flac"]
    assert row["audio"]["path"] == f"{row['segment_id']}.flac"
    samples, sr = sf.read(io.BytesIO(row["audio"]["bytes"]))
    assert sr == row["audio_sample_rate"] and len(samples) > 0


def test_training_full_carries_each_rows_media(data, exported):
    from chromatic.segments.build import read_media

    full = pq.read_table(exported / "training_full").to_pylist()
    media = {}
    for song in {r["song_id"] for r in full}:
        media.update(read_media(data, song))
    assert len(full) == len(media)
    for r in full:
        m = media[r["segment_id"]]
        audio = r["audio"]["bytes"] if r["audio"] else None
        assert (audio, r["midi"]) == (m["audio_flac"], m["midi"])
        assert (r["audio"] is not None) == r["has_audio"] and (r["midi"] is not None) == r[
            "has_midi"
        ]


def test_preview_has_at_most_n_audio_segments_per_color(data, tmp_path):
    out = tmp_path / "ds"
    result = export_dataset(data, out, preview_per_color=3)
    rows = pq.read_table(out / "preview").to_pylist()
    assert all(r["has_audio"] and r["audio"]["bytes"] for r in rows)
    assert Counter(r["color"] for r in rows) == {"Black": 3, "Green": 3, "Indigo": 3}
    assert result.config("preview").rows == 9
    again = export_dataset(data, tmp_path / "ds2", preview_per_color=3)  # deterministic choice
    assert pq.read_table(again.out / "preview")["segment_id"].to_pylist() == [
        r["segment_id"] for r in rows
    ]


def test_card_front_matter_coverage_and_columns(data, exported):
    from chromatic.dataset.card import COLUMN_DOCS

    text = (exported / "README.md").read_text()
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["license"] == "other" and meta["pretty_name"]
    assert [c["config_name"] for c in meta["configs"]] == list(CONFIGS)
    for c in meta["configs"]:
        assert c["data_files"] == [
            {"split": s, "path": f"{c['config_name']}/{s}-*.parquet"}
            for s in ("train", "validation")
        ]
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(exported / "README.md")  # the Hub's own reader of the card
    assert card.data.pretty_name == meta["pretty_name"] and len(card.data.configs) == len(CONFIGS)
    assert "## Splits" in text and "song_split" in text
    for color in ALBUM_COLORS:
        assert f"| {color.name} | {color.mnemonic} |" in text
    black = [r for r in _segments(data) if r["color"] == "Black"]
    audio_pct = 100 * sum(r["has_audio"] for r in black) / len(black)
    assert f"| Black | Z | 1 | {len(black)} | {audio_pct:.1f} |" in text
    assert "05_90 (2)" in text  # short songs named
    for config in CONFIGS:
        for field in pq.read_schema(next((exported / config).glob("*.parquet"))):
            assert COLUMN_DOCS.get(field.name), f"{config}.{field.name} has no description"
            assert f"`{field.name}`" in text
    assert 'load_dataset("OUT", "preview")' in text


def test_media_configs_shard_and_still_load(data, tmp_path, monkeypatch):
    out = tmp_path / "ds"
    export_dataset(data, out, shard_bytes=1)  # one song per shard
    files = sorted(p.name for p in (out / "training_full").iterdir())
    split = json.loads((out / "splits.json").read_text())
    n_tr, n_val = len(split["train_songs"]), len(split["validation_songs"])
    assert n_tr + n_val == len(SPLIT_SONGS) and n_val >= 1
    assert files == sorted(
        [f"train-{i:05d}-of-{n_tr:05d}.parquet" for i in range(n_tr)]
        + [f"validation-{i:05d}-of-{n_val:05d}.parquet" for i in range(n_val)]
    )
    assert _rows(_load(out / "training_full", tmp_path / "cache", monkeypatch)) == len(
        _segments(data)
    )


def test_reexport_replaces_configs_and_keeps_other_files(data, tmp_path):
    out = tmp_path / "ds"
    export_dataset(data, out, preview_per_color=1)
    (out / ".gitattributes").write_text("*.parquet filter=lfs\n")
    (out / "preview" / "stale.parquet").write_bytes(b"old")
    export_dataset(data, out, preview_per_color=2)
    assert (out / ".gitattributes").is_file()
    assert not (out / "preview" / "stale.parquet").exists()
    assert pq.read_table(out / "preview").num_rows == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]  # no staging folder left


def test_failed_export_leaves_the_old_one(data, tmp_path):
    out = tmp_path / "ds"
    export_dataset(data, out, preview_per_color=1)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    bad = copy_data(data, tmp_path / "data")
    (bad / "media" / "07_90.parquet").unlink()
    with pytest.raises(DatasetError, match=r"07_90\.parquet"):
        export_dataset(bad, out)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "ds"]


def test_segments_of_another_tracks_table_are_refused(data, tmp_path):
    bad = copy_data(data, tmp_path / "data")
    tracks = pq.read_table(bad / "tracks.parquet")
    pq.write_table(tracks.slice(1), bad / "tracks.parquet")
    with pytest.raises(DatasetError, match=r"another tracks\.parquet"):
        export_dataset(bad, tmp_path / "ds")


def test_push_offline_fails_at_once_in_one_line(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "ds"
    rc = main(
        ["dataset", "export", "--data", str(data), "--out", str(out), "--push", "someone/chromatic"]
    )
    err = capsys.readouterr().err
    assert rc == 1 and err.strip().count("\n") == 0
    assert "cannot push" in err and "HF_HUB_OFFLINE" in err
    assert not out.exists()  # refused before exporting anything


def test_push_to_an_unreachable_hub_fails_at_once(data, tmp_path, capsys, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard port: nothing listens
    for var in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    rc = main(
        [
            "dataset",
            "export",
            "--data",
            str(data),
            "--out",
            str(tmp_path / "ds"),
            "--push",
            "someone/chromatic",
        ]
    )
    err = capsys.readouterr().err
    assert rc == 1 and err.strip().count("\n") == 0 and "unreachable" in err


def test_push_without_a_token_or_with_a_hub_error_is_one_clear_error(tmp_path, monkeypatch):
    import huggingface_hub
    from huggingface_hub import constants

    from chromatic.dataset import hub

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hub, "unreachable", lambda endpoint, timeout=0: None)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    with pytest.raises(DatasetError, match="no Hugging Face token"):
        hub.push_dataset(tmp_path, "someone/chromatic")

    def refuse(*args, **kwargs):
        raise ConnectionError("connection reset by peer\nlong server trace")

    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "hf_test")
    monkeypatch.setattr(huggingface_hub.HfApi, "create_repo", refuse)
    with pytest.raises(DatasetError) as e:
        hub.push_dataset(tmp_path, "someone/chromatic")
    assert (
        str(e.value)
        == "push to someone/chromatic failed: ConnectionError: connection reset by peer"
    )
