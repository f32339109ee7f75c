"""Broken media is reported per track, never dropped silently or stored as it is (issue 19)."""

from __future__ import annotations

import shutil
import struct

import numpy as np
import pyarrow.parquet as pq
import pytest
import soundfile as sf

from chromatic.catalog.tracks import build_tracks
from chromatic.errors import MidiError
from chromatic.music.midi import load_score
from chromatic.segments.build import SEGMENTS_FILE, build_segments
from chromatic.synth.catalog import synth_catalog

SONG, TRACK, WAV, MID = "01_90", 2, "01_90_03_synth_bass.wav", "01_90_synth_bass.mid"


def _mthd(tpq: int, ntracks: int = 1) -> bytes:
    return b"MThd" + struct.pack(">IHHH", 6, 0, ntracks, tpq)


def _mtrk(events: bytes) -> bytes:
    return b"MTrk" + struct.pack(">I", len(events)) + events


NOTE = b"\x00\x90\x3c\x40\x60\x80\x3c\x40"
END = b"\x00\xff\x2f\x00"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory, example_catalog):
    out = tmp_path_factory.mktemp("seg_media_cat")
    res = synth_catalog(
        example_catalog, out, songs=[SONG], max_seconds=8, workers=1, progress=False
    )
    assert not res.failed, res.failed
    return out


def _run(synthesized, tmp_path, change):
    cat, data = tmp_path / "cat", tmp_path / "data"
    shutil.copytree(synthesized, cat)
    change(cat / SONG)
    build_tracks(cat, data)
    res = build_segments(cat, data, workers=1, progress=False)
    rows = pq.read_table(data / SEGMENTS_FILE).to_pylist()
    return res, [r for r in rows if r["track_id"] == TRACK]


def _wav(samples, sr=22050, subtype="FLOAT"):
    def change(song_dir):
        sf.write(song_dir / WAV, np.asarray(samples, dtype=np.float32), sr, subtype=subtype)

    return change


N = 22050 * 8
WAVS = {
    "nan": _wav(np.where(np.arange(N) == 500, np.nan, 0.1 * np.sin(np.arange(N) / 10))),
    "inf": _wav(np.where(np.arange(N) == 500, np.inf, 0.1 * np.sin(np.arange(N) / 10))),
    "peak_50": _wav(50 * np.sin(np.arange(N) / 10)),
    "1_hz": _wav(np.full(8, 0.2), sr=1),
    "zero_frames": _wav(np.zeros(0)),
}
WORDS = {
    "nan": "NaN",
    "inf": "infinite",
    "peak_50": "peak at 50",
    "1_hz": "1 Hz",
    "zero_frames": "no audio frames",
}


@pytest.mark.parametrize("case", list(WAVS))
def test_broken_wav_is_reported_per_track_and_its_midi_kept(synthesized, tmp_path, case):
    res, rows = _run(synthesized, tmp_path, WAVS[case])
    mine = [p for p in res.problems if p["file"] == WAV]
    assert mine and mine[0]["track_id"] == TRACK and WORDS[case] in mine[0]["message"], res.problems
    assert rows and all(r["has_midi"] and not r["has_audio"] for r in rows)
    assert all(r["audio_rms_dbfs"] is None for r in rows)


MIDIS = {
    "tempo_0": (_mthd(96) + _mtrk(b"\x00\xff\x51\x03\x00\x00\x00" + NOTE + END), "positive tempo"),
    "tpq_0": (_mthd(0) + _mtrk(NOTE + END), "ticks per quarter"),
    "header_only": (_mthd(96, 0), "header only"),
}


@pytest.mark.parametrize("case", list(MIDIS))
def test_broken_midi_is_blamed_on_the_midi_and_the_audio_kept(synthesized, tmp_path, case):
    raw, words = MIDIS[case]
    res, rows = _run(synthesized, tmp_path, lambda d: (d / MID).write_bytes(raw))
    mine = [p for p in res.problems if p["file"] == MID]
    assert mine and words in mine[0]["message"], res.problems
    assert not [p for p in res.problems if p["file"] == WAV]
    assert rows and all(r["has_audio"] and not r["has_midi"] for r in rows)


def test_tempo_0_and_tpq_0_midi_are_refused_at_load():
    with pytest.raises(MidiError, match="positive tempo"):
        load_score(MIDIS["tempo_0"][0])
    with pytest.raises(MidiError, match="ticks per quarter"):
        load_score(MIDIS["tpq_0"][0])


def _vlq(n: int) -> bytes:
    out = [n & 0x7F]
    while n := n >> 7:
        out.append(0x80 | (n & 0x7F))
    return bytes(reversed(out))


@pytest.mark.parametrize(
    "events, words",
    [
        # nine deltas of 2**28 - 1 ticks: past 2**31, where a 32-bit reader wraps to negative
        ((_vlq(2**28 - 1) + b"\x90\x3c\x40\x60\x80\x3c\x40") * 9, "adding up past 2\\*\\*31 ticks"),
        # one quarter a tick, a note 100,000 quarters in: every reader sized by the length
        (_vlq(100_000) + b"\x90\x3c\x40\x01\x80\x3c\x40", "got a note ending at quarter 100001"),
    ],
)
def test_a_midi_running_for_days_is_refused_at_load(events, words):
    with pytest.raises(MidiError, match=f"expected notes within 65536 quarter notes.*{words}"):
        load_score(_mthd(1 if b"\x01\x80" in events else 480) + _mtrk(events + END))
    load_score(_mthd(480) + _mtrk(_vlq(60_000 * 480) + NOTE[1:] + END))  # 60,000 quarters: read
