"""Hostile and broken manifests (issue 19): paths that leave the song folder, bounded reads,
absurd values, markup in text, folders without manifests, all-failing builds, stale LRC."""

from __future__ import annotations

import shutil
import time

import pyarrow.parquet as pq
import pytest

from chromatic.catalog.manifest import load_manifest
from chromatic.catalog.tracks import build_tracks, require_fresh, tracks_staleness
from chromatic.catalog.validate import validate_catalog
from chromatic.cli import main
from chromatic.errors import CatalogError, LrcError, ManifestError

SONG = "01_90"


@pytest.fixture
def cat(tmp_path, example_catalog):
    root = tmp_path / "catalog"
    for song in ("01_90", "02_90", "03_90"):
        shutil.copytree(example_catalog / song, root / song)
    return root


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _errors(report, song=SONG):
    return [p for p in report.errors if p.song == song]


MEDIA_EDITS = [
    (
        "main_audio_file: 01_90_main.wav",
        "main_audio_file: ../02_90/02_90_main.wav",
        "main_audio_file",
    ),
    ("main_audio_file: 01_90_main.wav", "main_audio_file: /tmp/x_main.wav", "main_audio_file"),
    (
        "audio_file: 01_90_02_vocal.wav",
        "audio_file: ../../precious.wav",
        "audio_tracks[0].audio_file",
    ),
    ("midi_file: 01_90_synth_bass.mid", "midi_file: /etc/passwd", "audio_tracks[1].midi_file"),
    (
        "midi_group_file: 01_90_drums.mid",
        "midi_group_file: ../01_90_drums.mid",
        "audio_tracks[4].midi_group_file",
    ),
    ("lrc_file: 01_90.lrc", "lrc_file: ../02_90/02_90.lrc", "lrc_file"),
]


@pytest.mark.parametrize(
    "old, new, field", MEDIA_EDITS, ids=[f"{e[2]}-{i}" for i, e in enumerate(MEDIA_EDITS)]
)
def test_media_path_outside_song_folder_is_a_validation_error(cat, old, new, field):
    path = cat / SONG / f"{SONG}.yml"
    _edit(path, old, new)
    report = validate_catalog(cat)
    errs = _errors(report)
    assert any(p.field == field and p.path == str(path) for p in errs), errs
    assert SONG not in {s.song for s in report.songs if s.loaded}
    with pytest.raises(ManifestError) as exc:
        load_manifest(path)
    assert exc.value.field == field


def test_lrc_file_of_another_song_is_refused_not_used(cat):
    path = cat / SONG / f"{SONG}.yml"
    _edit(path, "lrc_file: 01_90.lrc", "lrc_file: ../02_90/02_90.lrc")
    report = validate_catalog(cat)
    song = next(s for s in report.songs if s.song == SONG)
    assert song.lrc is None and song.loaded is None
    assert any(p.field == "lrc_file" for p in song.problems)


def test_non_strict_build_where_every_manifest_fails_keeps_previous_tracks(cat, tmp_path):
    data = tmp_path / "data"
    build_tracks(cat, data, check_media=False)
    before = (data / "tracks.parquet").read_bytes()
    for song in ("01_90", "02_90", "03_90"):
        _edit(cat / song / f"{song}.yml", "bpm:", "bpm: fast\nold_bpm:")
    with pytest.raises(CatalogError, match="no song could be built"):
        build_tracks(cat, data, check_media=False)
    assert (data / "tracks.parquet").read_bytes() == before
    assert main(["catalog", "build", str(cat), "--out", str(data), "--no-media"]) == 1
    assert (data / "tracks.parquet").read_bytes() == before


def test_alias_bomb_in_unused_key_is_refused_quickly(cat):
    path = cat / SONG / f"{SONG}.yml"
    bomb = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        bomb.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    path.write_text(path.read_text() + "unused:\n" + "\n".join("  " + b for b in bomb) + "\n")
    t0 = time.monotonic()
    report = validate_catalog(cat, check_media=False)
    assert time.monotonic() - t0 < 10
    assert any("alias" in p.message for p in _errors(report))
    assert {s.song for s in report.songs if s.loaded} == {"02_90", "03_90"}


BAD_VALUES = [
    ("bpm: 112", "bpm: true", "bpm"),
    ("bpm: 112", "bpm: '1e3'", "bpm"),
    ("bpm: 112", "bpm: 0.001", "bpm"),
    ("bpm: 112", "bpm: 1000", "bpm"),
    ("tempo: 4/4", "tempo: [1, 2]", "tempo"),
    ("release_date: '2017-10-31'", "release_date: sometime in autumn", "release_date"),
    ("release_date: '2017-10-31'", "release_date: '2019-13-45'", "release_date"),
    ("  - id: 1\n", "  - id: -1\n", "audio_tracks[0].id"),
    ("  - id: 1\n", "  - id: 1099511627776\n", "audio_tracks[0].id"),
    ("album_sequence: 90", "album_sequence: 1099511627776", "album_sequence"),
    ("album_sequence: 90", "album_sequence: true", "album_sequence"),
]


@pytest.mark.parametrize(
    "old, new, field",
    BAD_VALUES,
    ids=[f"{e[2]}={e[1].split(':', 1)[1].strip()}" for e in BAD_VALUES],
)
def test_absurd_or_silently_wrong_value_is_an_error_naming_file_and_field(cat, old, new, field):
    path = cat / SONG / f"{SONG}.yml"
    _edit(path, old, new)
    errs = _errors(validate_catalog(cat, check_media=False))
    assert any(p.field == field and p.path == str(path) for p in errs), errs
    assert all("\n" not in p.message for p in errs)
    with pytest.raises(ManifestError):
        load_manifest(path)


def test_documented_bpm_range_accepts_the_catalogs_own_extremes(cat):
    path = cat / SONG / f"{SONG}.yml"
    for bpm in ("16", "222", "10", "400"):
        path.write_text(
            path.read_text().replace(path.read_text().split("\n", 1)[0], f"bpm: {bpm}", 1)
        )
        assert load_manifest(path).manifest.bpm == float(bpm)


def test_duplicate_key_is_an_error(cat):
    path = cat / SONG / f"{SONG}.yml"
    path.write_text(path.read_text() + "bpm: 90\n")
    errs = _errors(validate_catalog(cat, check_media=False))
    assert any("duplicate key 'bpm'" in p.message for p in errs)


def test_unquoted_impossible_release_date_is_one_line_and_rest_is_reported(cat, tmp_path, capsys):
    path = cat / SONG / f"{SONG}.yml"
    _edit(path, "release_date: '2017-10-31'", "release_date: 2019-13-45")
    report = validate_catalog(cat, check_media=False)
    assert _errors(report) and {s.song for s in report.songs if s.loaded} == {"02_90", "03_90"}
    assert main(["catalog", "validate", str(cat), "--no-media"]) == 1
    res = build_tracks(cat, tmp_path / "data", check_media=False)
    assert res.songs == 2 and SONG in res.skipped
    assert "Traceback" not in capsys.readouterr().err


def test_huge_album_sequence_does_not_overflow_build(cat, tmp_path):
    _edit(cat / SONG / f"{SONG}.yml", "album_sequence: 90", "album_sequence: 1099511627776")
    res = build_tracks(cat, tmp_path / "data", check_media=False)
    assert SONG in res.skipped and res.songs == 2


def test_section_name_with_rich_markup_is_printed_verbatim(cat, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    path = cat / SONG / f"{SONG}.yml"
    # a section that ends before it starts, named with markup: its name is in the error
    _edit(
        path,
        "section_name: Outro\n    start_time: '[01:00.000]'",
        "section_name: '[/] [bold'\n    start_time: '[01:08.000]'",
    )
    _edit(path, "end_time: '[01:08.571]'", "end_time: '[01:01.000]'")
    capsys.readouterr()
    assert main(["catalog", "validate", str(cat), "--no-media"]) == 1
    out = capsys.readouterr().out
    assert "section '[/] [bold' ends" in out
    assert main(["catalog", "build", str(cat), "--out", str(tmp_path / "d"), "--no-media"]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_song_folder_without_manifest_is_reported(cat):
    (cat / "04_90").mkdir()
    report = validate_catalog(cat)
    assert any(p.song == "04_90" and p.severity == "error" for p in report.errors)


def test_manifest_that_is_a_folder_is_reported(cat):
    (cat / "04_90" / "04_90.yml").mkdir(parents=True)
    report = validate_catalog(cat)
    assert any(p.song == "04_90" and "folder" in p.message for p in report.errors)


def test_dangling_manifest_symlink_is_reported(cat):
    (cat / "04_90").mkdir()
    (cat / "04_90" / "04_90.yml").symlink_to(cat / "nowhere.yml")
    report = validate_catalog(cat)
    assert any(p.song == "04_90" and "dangling" in p.message for p in report.errors)


def test_lrc_edited_after_build_is_stale(cat, tmp_path):
    data = tmp_path / "data"
    build_tracks(cat, data, check_media=False)
    require_fresh(data / "tracks.parquet", cat)
    lrc = cat / SONG / f"{SONG}.lrc"
    lrc.write_text(lrc.read_text().replace("Every cord", "Every wire"))
    st = tracks_staleness(data / "tracks.parquet", cat)
    assert st.stale and any(SONG in c and "01_90.lrc" in c for c in st.changed)
    with pytest.raises(CatalogError, match=r"01_90\.lrc"):
        require_fresh(data / "tracks.parquet", cat)


def test_song_skipped_at_build_and_fixed_later_is_stale(cat, tmp_path):
    data = tmp_path / "data"
    path = cat / SONG / f"{SONG}.yml"
    good = path.read_text()
    _edit(path, "bpm: 112", "bpm: fast")
    build_tracks(cat, data, check_media=False)
    require_fresh(data / "tracks.parquet", cat)  # still broken: nothing new to build
    path.write_text(good)
    with pytest.raises(CatalogError, match=SONG):
        require_fresh(data / "tracks.parquet", cat)


def test_lrc_of_100k_lines_is_a_clear_error(cat):
    lrc = cat / SONG / f"{SONG}.lrc"
    lrc.write_text(
        "".join(f"[{i // 6000:02d}:{(i % 6000) / 100:05.2f}]la\n" for i in range(100_000))
    )
    report = validate_catalog(cat, check_media=False)
    assert any("at most" in p.message and "lines" in p.message for p in _errors(report))
    from chromatic.catalog.lrc import load_lrc

    with pytest.raises(LrcError):
        load_lrc(lrc)


def test_tracks_meta_records_lrc_fingerprint(cat, tmp_path):
    data = tmp_path / "data"
    build_tracks(cat, data, check_media=False)
    import json

    meta = json.loads(pq.read_schema(data / "tracks.parquet").metadata[b"chromatic.tracks"])
    from chromatic.fileio import sha256_file

    assert meta["inputs"][SONG]["01_90.lrc"] == sha256_file(cat / SONG / "01_90.lrc")
