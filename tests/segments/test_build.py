"""`segments build` end to end on synthesized real songs: ids, media, resume, bad media."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from chromatic.catalog.tracks import build_tracks
from chromatic.errors import CatalogError
from chromatic.music.midi import load_score
from chromatic.segments.build import PARTS_DIR, SEGMENTS_FILE, build_segments, read_media
from chromatic.segments.slicing import decode_flac


@pytest.fixture(scope="module")
def built(synth_real, tmp_path_factory):
    data = tmp_path_factory.mktemp("seg_data")
    build_tracks(synth_real, data)
    res = build_segments(synth_real, data, workers=1, progress=False)
    return synth_real, data, res


def test_rows_ids_and_media(built):
    _catalog, data, res = built
    assert not res.failed and not res.problems
    rows = pq.read_table(data / SEGMENTS_FILE).to_pylist()
    assert rows and len(rows) == res.rows
    ids = [r["segment_id"] for r in rows]
    assert len(set(ids)) == len(ids)
    import re

    for r in rows:
        assert re.fullmatch(r"\d\d_\d\d_seg_\d{4}_track_\d\d", r["segment_id"])
        assert (
            r["segment_id"]
            == f"{r['song_id']}_seg_{r['segment_index']:04d}_track_{r['track_id']:02d}"
        )
        assert r["has_audio"] or r["has_midi"]
        assert r["duration_seconds"] <= 30.0 + 1e-6
        assert r["content_type"] in ("audio", "midi", "audio+midi")
    media = read_media(data, "01_01")
    r = next(r for r in rows if r["song_id"] == "01_01" and r["has_audio"])
    samples, sr = decode_flac(media[r["segment_id"]]["audio_flac"])
    assert sr == 22050 and abs(len(samples) / sr - r["duration_seconds"]) < 0.01
    # midi_group_file honoured: 01_01's drum mics all slice the shared drum MIDI
    drum_rows = [
        r for r in rows if r["song_id"] == "01_01" and r["midi_source"] == "01_01_drums.mid"
    ]
    assert {r["track_id"] for r in drum_rows} >= {15, 16, 22}
    piece = load_score(media[drum_rows[0]["segment_id"]]["midi"])
    assert all(t.is_drum for t in piece.tracks)


def test_silent_track_segments_are_dropped(built):
    _catalog, data, res = built
    rows = pq.read_table(data / SEGMENTS_FILE).to_pylist()
    # 01_01's lead vocal is silent before its first line at 15 s (the synth was cut at 12 s)
    assert not [r for r in rows if r["song_id"] == "01_01" and r["track_id"] == 1]
    assert res.dropped_silent > 0


def test_stale_tracks_table_is_refused(built, tmp_path):
    catalog, _data, _ = built
    cat = tmp_path / "cat"
    shutil.copytree(catalog, cat)
    d = tmp_path / "d"
    build_tracks(cat, d)
    m = cat / "05_03" / "05_03.yml"
    m.write_text(m.read_text().replace("bpm: 120", "bpm: 121"))
    with pytest.raises(CatalogError, match=r"stale.*05_03"):
        build_segments(cat, d, workers=1, progress=False)


def test_interrupted_run_resumes_to_identical_output(built, tmp_path):
    catalog, clean, _ = built
    d = tmp_path / "d"
    build_tracks(catalog, d)
    shutil.copy(clean / "tracks.parquet", d / "tracks.parquet")  # the same table as the clean run
    # a run that got through one song, then died mid-write (a stray temp file left behind)
    build_segments(catalog, d, songs=["01_01"], workers=1, progress=False)
    (d / "media" / ".05_03.parquet.abc.tmp").write_bytes(b"half a file")
    res = build_segments(catalog, d, workers=1, progress=False)
    assert res.resumed == ["01_01"] and res.built == ["05_03", "08_01"]
    assert (d / SEGMENTS_FILE).read_bytes() == (clean / SEGMENTS_FILE).read_bytes()
    for song in ("01_01", "05_03", "08_01"):
        assert (d / "media" / f"{song}.parquet").read_bytes() == (
            clean / "media" / f"{song}.parquet"
        ).read_bytes()


@pytest.mark.slow
def test_killed_process_then_rerun(built, tmp_path):
    catalog, clean, _ = built
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy(clean / "tracks.parquet", d / "tracks.parquet")
    cmd = [
        sys.executable,
        "-m",
        "chromatic",
        "segments",
        "build",
        str(catalog),
        "--data",
        str(d),
        "--workers",
        "1",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if (d / PARTS_DIR).is_dir() and any((d / PARTS_DIR).glob("*.parquet")):
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait()
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    assert (d / SEGMENTS_FILE).read_bytes() == (clean / SEGMENTS_FILE).read_bytes()


def test_corrupt_wav_and_truncated_midi_are_reported(built, tmp_path):
    catalog, clean, _ = built
    cat = tmp_path / "cat"
    shutil.copytree(catalog, cat)
    (cat / "01_01" / "01_01_08.wav").write_bytes(
        b"RIFF\x00\x00\x00\x00WAVEjunk"
    )  # synth bass audio
    midi = cat / "01_01" / "01_01_organ.mid"
    midi.write_bytes(midi.read_bytes()[:40])  # truncated
    d = tmp_path / "d"
    build_tracks(cat, d)
    res = build_segments(cat, d, workers=1, progress=False)
    files = {p["file"] for p in res.problems}
    assert {"01_01_08.wav", "01_01_organ.mid"} <= files
    rows = pq.read_table(d / SEGMENTS_FILE).to_pylist()
    assert {r["song_id"] for r in rows} == {"01_01", "05_03", "08_01"}
    bass = [r for r in rows if r["song_id"] == "01_01" and r["track_id"] == 6]
    assert bass and all(not r["has_audio"] and r["has_midi"] for r in bass)  # MIDI still used
    organ = [r for r in rows if r["song_id"] == "01_01" and r["track_id"] == 7]
    assert organ and all(r["has_audio"] and not r["has_midi"] for r in organ)
    clean_rows = pq.read_table(clean / SEGMENTS_FILE).to_pylist()
    assert [r for r in rows if r["song_id"] == "05_03"] == [
        r for r in clean_rows if r["song_id"] == "05_03"
    ]


def test_parallel_equals_serial(built, tmp_path):
    catalog, clean, _ = built
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy(clean / "tracks.parquet", d / "tracks.parquet")
    build_segments(catalog, d, workers=2, progress=False)
    assert (d / SEGMENTS_FILE).read_bytes() == (clean / SEGMENTS_FILE).read_bytes()
