"""``chromatic dataset export``: every config loads with ``datasets`` with the right rows, the
card describes what is there, and ``--push`` without a network fails at once, in one line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from chromatic.cli import main
from chromatic.dataset.export import CONFIGS, export_dataset
from chromatic.errors import DatasetError
from chromatic.taxonomy import ALBUM_COLORS
from tests.dataset.segdata import built_data, copy_data


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return built_data(tmp_path_factory)


@pytest.fixture(scope="module")
def exported(data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "dataset"
    assert main(["dataset", "export", "--data", str(data), "--out", str(out)]) == 0
    return out


def _segments(data: Path) -> list[dict]:
    return pq.read_table(data / "segments.parquet").to_pylist()


def _load(folder: Path, cache: Path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    return datasets.load_dataset(
        "parquet", data_dir=str(folder), split="train", cache_dir=str(cache)
    )


def test_every_config_loads_with_the_right_rows(data, exported, tmp_path, monkeypatch):
    segments = _segments(data)
    audio_per_color = Counter(r["color"] for r in segments if r["has_audio"])
    expected = {
        "base_manifest": pq.read_metadata(data / "tracks.parquet").num_rows,
        "training_segments": len(segments),
        "training_full": len(segments),
        "preview": sum(min(20, n) for n in audio_per_color.values()),
    }
    for config in CONFIGS:
        ds = _load(exported / config, tmp_path / "cache", monkeypatch)
        assert ds.num_rows == expected[config], config
    assert "audio_flac" in ds.column_names and "midi" in ds.column_names
    assert "media_file" not in ds.column_names  # points into DATA, which the dataset lacks


def test_training_full_carries_each_rows_media(data, exported):
    from chromatic.segments.build import read_media

    full = pq.read_table(exported / "training_full").to_pylist()
    media = {}
    for song in {r["song_id"] for r in full}:
        media.update(read_media(data, song))
    assert len(full) == len(media)
    for r in full:
        m = media[r["segment_id"]]
        assert (r["audio_flac"], r["midi"]) == (m["audio_flac"], m["midi"])
        assert (r["audio_flac"] is not None) == r["has_audio"] and (r["midi"] is not None) == r[
            "has_midi"
        ]


def test_preview_has_at_most_n_audio_segments_per_color(data, tmp_path):
    out = tmp_path / "ds"
    result = export_dataset(data, out, preview_per_color=3)
    rows = pq.read_table(out / "preview").to_pylist()
    assert all(r["has_audio"] and r["audio_flac"] for r in rows)
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
        assert c["data_files"] == [{"split": "train", "path": f"{c['config_name']}/*.parquet"}]
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
    assert 'load_dataset("parquet", data_dir=' in text


def test_media_configs_shard_and_still_load(data, tmp_path, monkeypatch):
    out = tmp_path / "ds"
    export_dataset(data, out, shard_bytes=1)  # one song per shard
    files = sorted(p.name for p in (out / "training_full").iterdir())
    assert files == [f"train-{i:05d}-of-00003.parquet" for i in range(3)]
    assert _load(out / "training_full", tmp_path / "cache", monkeypatch).num_rows == len(
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
    assert pq.read_metadata(next((out / "preview").glob("*.parquet"))).num_rows == 6
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
