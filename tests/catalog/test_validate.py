"""Validation on the real catalog, and on copies of real manifests broken on purpose."""

from __future__ import annotations

import json
import shutil

import pytest

from chromatic.catalog.manifest import load_manifest
from chromatic.catalog.validate import validate_catalog
from chromatic.cli import main
from chromatic.errors import ManifestError


def test_real_catalog_loads_whole(real_catalog):
    report = validate_catalog(real_catalog)
    assert len(report.songs) == 84
    assert len(report.loaded) == 84
    assert sum(1 for s in report.songs if s.lrc is not None) == 69
    assert sum(len(m.manifest.audio_tracks) for m in report.loaded) == 1327
    # the one real structural error: 01_07's outro ends at [00:03.086], before it starts
    assert [(p.song, p.field) for p in report.errors] == [("01_07", "structure[6].end_time")]
    # media is not staged in the samples: one warning per song, not an error per file
    assert sum(1 for p in report.warnings if p.field == "(media)") == 84


def test_cli_json_on_real_catalog(real_catalog, capsys):
    rc = main(["catalog", "validate", str(real_catalog), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert (out["manifests"], out["loaded"], out["lrc_files"], out["tracks"]) == (84, 84, 69, 1327)
    assert rc == 1  # the real 01_07 error is reported as an error


@pytest.fixture
def mini_catalog(tmp_path, real_catalog):
    """Three real songs copied, to be broken one way or another."""
    root = tmp_path / "catalog"
    for song in ("02_01", "05_03", "08_01"):
        shutil.copytree(real_catalog / song, root / song)
    return root


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


BREAKAGES = [
    ("bpm: 120", "bpm: fast", "bpm", "valid number"),
    ("key: E minor", "key: H minor", "key", "expected a key"),
    ("tempo: 4/4", "tempo: 4/5", "tempo", "power of two"),
    ("title: Huayrachina", "title: TK", "title", "TK"),
    (
        "start_time: '[00:00.000]'",
        "start_time: '[00:00.000'",
        "structure[0].start_time",
        "expected a timestamp",
    ),
    ("rainbow_color: G", "rainbow_color: Q", "rainbow_color", "unknown color"),
    ("bpm: 120\n", "", "bpm", "required field is missing"),
    ("genres:", "genres: [unclosed", None, "invalid YAML"),
]


@pytest.mark.parametrize(
    "old, new, field, words", BREAKAGES, ids=[b[2] or "yaml" for b in BREAKAGES]
)
def test_broken_field_is_one_clear_line(mini_catalog, capsys, old, new, field, words):
    path = mini_catalog / "05_03" / "05_03.yml"
    _edit(path, old, new)
    report = validate_catalog(mini_catalog)
    errs = [p for p in report.errors if p.song == "05_03"]
    assert errs, "the broken song is reported"
    assert any(words in p.message for p in errs)
    if field:
        assert any(p.field == field for p in errs)
    # the other songs are still checked and loaded
    assert {s.song for s in report.songs if s.loaded} >= {"02_01", "08_01"}
    with pytest.raises(ManifestError) as exc:
        load_manifest(path)
    line = str(exc.value)
    assert "\n" not in line and "05_03.yml" in line and (field is None or field in line)


def test_overlapping_and_unordered_sections(mini_catalog):
    path = mini_catalog / "02_01" / "02_01.yml"
    text = path.read_text()
    import yaml

    data = yaml.safe_load(text)
    s1 = data["structure"][1]
    _edit(path, f"start_time: '{s1['start_time']}'", "start_time: '[00:01.000]'")
    report = validate_catalog(mini_catalog)
    errs = [p for p in report.errors if p.song == "02_01"]
    assert any(p.field == "structure[1].start_time" and "overlap" in p.message for p in errs)


def test_duplicate_track_ids(mini_catalog):
    path = mini_catalog / "08_01" / "08_01.yml"
    _edit(path, "- id: 3\n", "- id: 2\n")
    report = validate_catalog(mini_catalog)
    assert any(p.song == "08_01" and "duplicate track id 2" in p.message for p in report.errors)


def test_missing_referenced_media_is_an_error_once_media_is_staged(mini_catalog):
    song = mini_catalog / "05_03"
    (song / "05_03_main.wav").write_bytes(b"")  # some media present, the rest missing
    report = validate_catalog(mini_catalog)
    missing = [p for p in report.errors if p.song == "05_03"]
    assert any(
        "05_03_02_pad.wav" in p.message and p.field == "audio_tracks[0].audio_file" for p in missing
    )


def test_cli_exit_code_and_report_of_all_songs(mini_catalog, capsys):
    _edit(mini_catalog / "05_03" / "05_03.yml", "genres:", "genres: [unclosed")
    rc = main(["catalog", "validate", str(mini_catalog), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert [s["song"] for s in out["songs"]] == ["02_01", "05_03", "08_01"]
    assert [s["loaded"] for s in out["songs"]] == [True, False, True]
