"""`segments build` on hostile inputs (issue 19): refused options, all-failing runs, stale temp
files, LRC errors, reads outside the song folder, LRC edited after the tracks build."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from chromatic.catalog.tracks import build_tracks
from chromatic.cli import main
from chromatic.errors import CatalogError
from chromatic.segments.build import (
    MEDIA_DIR,
    PARTS_DIR,
    SEGMENTS_FILE,
    SegmentSettings,
    build_segments,
)
from chromatic.synth.catalog import synth_catalog

SONGS = ["01_90", "02_90"]


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory, example_catalog):
    out = tmp_path_factory.mktemp("seg_hostile_cat")
    res = synth_catalog(
        example_catalog, out, songs=SONGS, max_seconds=16, workers=1, progress=False
    )
    assert not res.failed, res.failed
    return out


@pytest.fixture
def built(synthesized, tmp_path):
    cat, data = tmp_path / "cat", tmp_path / "data"
    shutil.copytree(synthesized, cat)
    build_tracks(cat, data)
    build_segments(cat, data, workers=1, progress=False)
    return cat, data


@pytest.mark.parametrize(
    "args",
    [
        ["--max-seconds", "2", "--overlap", "2"],
        ["--max-seconds", "2", "--overlap", "5"],
        ["--snap", "-3"],
        ["--overlap", "-1"],
        ["--max-seconds", "0"],
    ],
)
def test_bad_segment_options_are_refused_at_the_option(built, args, capsys):
    cat, data = built
    before = (data / SEGMENTS_FILE).read_bytes()
    rc = main(["segments", "build", str(cat), "--data", str(data), "--workers", "1", *args])
    assert rc != 0
    assert (data / SEGMENTS_FILE).read_bytes() == before
    assert "Traceback" not in capsys.readouterr().err


def test_overlap_not_below_max_seconds_is_refused_in_settings():
    with pytest.raises(CatalogError, match="--overlap"):
        SegmentSettings(max_seconds=2, overlap_seconds=2)
    with pytest.raises(CatalogError, match="--snap"):
        SegmentSettings(snap_seconds=-3)


def test_run_where_every_song_fails_does_not_rewrite_segments(built):
    cat, data = built
    before = (data / SEGMENTS_FILE).read_bytes()
    parts = data / PARTS_DIR
    shutil.rmtree(parts)
    parts.write_bytes(b"not a folder")  # every song fails to write its part
    with pytest.raises(CatalogError, match="every song failed"):
        build_segments(
            cat,
            data,
            settings=SegmentSettings(max_seconds=3, overlap_seconds=1),
            workers=1,
            progress=False,
        )
    assert (data / SEGMENTS_FILE).read_bytes() == before
    meta = pq.read_schema(data / SEGMENTS_FILE).metadata[b"chromatic.segments"]
    assert b'"max_seconds": 30' in meta


def test_temp_files_of_a_killed_run_are_cleaned_on_the_next(built):
    cat, data = built
    stale = [
        data / MEDIA_DIR / ".01_90.parquet.k9x.tmp",
        data / PARTS_DIR / ".02_90.parquet.zz.tmp",
        data / ".segments.parquet.q1.tmp",
    ]
    for p in stale:
        p.write_bytes(b"half a file" * 1000)
    build_segments(cat, data, workers=1, progress=False)
    assert not [p for p in stale if p.exists()]


def test_lrc_flagged_as_error_by_validate_is_not_segmented_silently(synthesized, tmp_path):
    cat, data = tmp_path / "cat", tmp_path / "data"
    shutil.copytree(synthesized, cat)
    lrc = cat / "01_90" / "01_90.lrc"
    lines = lrc.read_text().splitlines()
    stamps = [i for i, ln in enumerate(lines) if ln.startswith("[00:1") or ln.startswith("[00:0")]
    assert len(stamps) >= 2
    lines[stamps[1]] = "[00:05.000]"  # before the previous line's time: decreasing timestamps
    lrc.write_text("\n".join(lines) + "\n")
    build_tracks(cat, data)
    res = build_segments(cat, data, workers=1, progress=False)
    assert "01_90" in res.failed and "01_90.lrc" in res.failed["01_90"]
    assert main(["segments", "build", str(cat), "--data", str(data), "--workers", "1"]) == 1


def test_audio_of_another_song_is_never_read(synthesized, tmp_path):
    cat, data = tmp_path / "cat", tmp_path / "data"
    shutil.copytree(synthesized, cat)
    m = cat / "01_90" / "01_90.yml"
    m.write_text(
        m.read_text().replace(
            "audio_file: 01_90_02_vocal.wav", "audio_file: ../02_90/02_90_main.wav", 1
        )
    )
    res = build_tracks(cat, data)
    assert "01_90" in res.skipped
    build_segments(cat, data, workers=1, progress=False)
    rows = pq.read_table(data / SEGMENTS_FILE).to_pylist()
    assert rows and {r["song_id"] for r in rows} == {"02_90"}


def test_lrc_edited_after_tracks_build_is_refused_by_segments(built):
    cat, data = built
    lrc = cat / "01_90" / "01_90.lrc"
    lrc.write_text(lrc.read_text().replace("Every cord", "Every wire"))
    with pytest.raises(CatalogError, match=r"stale.*01_90\.lrc"):
        build_segments(cat, data, workers=1, progress=False)


def test_media_edited_after_tracks_build_is_refused_by_segments(built):
    cat, data = built
    wav = cat / "02_90" / "02_90_main.wav"
    raw = bytearray(wav.read_bytes())
    raw[-2:] = b"\x01\x02"  # same size, same name: only the content changed
    wav.write_bytes(bytes(raw))
    with pytest.raises(CatalogError, match=r"stale.*02_90_main\.wav"):
        build_segments(cat, data, workers=1, progress=False)


def test_verify_and_embed_refuse_segments_stale_against_the_tracks_table(built):
    from chromatic.dataset.verify import read_segments
    from chromatic.embed.run import embed_segments
    from chromatic.errors import DatasetError

    cat, data = built
    read_segments(data)  # fresh: fine
    lrc = cat / "01_90" / "01_90.lrc"
    lrc.write_text(lrc.read_text().replace("Every cord", "Every wire"))
    build_tracks(cat, data)  # the table moves on; segments.parquet does not
    with pytest.raises(DatasetError, match="stale"):
        read_segments(data)
    with pytest.raises(CatalogError, match="stale"):
        embed_segments(data, progress=False)
    assert main(["verify", "--data", str(data)]) == 1
