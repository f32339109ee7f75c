"""MIDI and audio slices: each old-pipeline defect gets its own test."""

from __future__ import annotations

import io

import mido
import numpy as np
import pytest
import soundfile as sf
from symusic import KeySignature, Note, Tempo, TimeSignature

from chromatic.music.midi import TempoMap, add_track, load_score, new_score, score_bytes
from chromatic.music.pianoroll import note_arrays
from chromatic.segments.slicing import read_audio_slice, slice_midi


def tempo_change_score():
    """120 bpm for 8 beats (4 s), then 60 bpm; 4/4 then 7/8 at 4 s; A minor then C major."""
    s = new_score(120, "4/4", "A minor")
    s.tempos.append(Tempo(time=8 * 480, qpm=60.0))
    s.time_signatures.append(TimeSignature(time=8 * 480, numerator=7, denominator=8))
    s.key_signatures.append(KeySignature(time=8 * 480, key=0, tonality=0))
    tr = add_track(s, "keys", program=4)
    tr.notes.append(
        Note(time=2 * 480, duration=12 * 480, pitch=60, velocity=90)
    )  # 1 s .. 4 s + 8 beats@60 = 12 s
    tr.notes.append(Note(time=10 * 480, duration=480, pitch=64, velocity=100))  # 6 s .. 7 s
    return s


def test_slice_after_a_tempo_change_plays_at_the_source_tempo():
    src = tempo_change_score()
    piece = load_score(score_bytes(slice_midi(src, 5.0, 10.0)))
    tm_src, tm = TempoMap.of(src), TempoMap.of(piece)
    assert tm.qpm_at(0.0) == pytest.approx(tm_src.qpm_at(5.0)) == pytest.approx(60.0)
    n = note_arrays(piece)
    e64 = n["pitch"] == 64
    assert n["start"][e64][0] == pytest.approx(1.0)  # 6 s in the source, 1 s into the slice
    assert n["end"][e64][0] == pytest.approx(2.0)


def test_note_held_across_window_start_sounds_from_first_tick():
    piece = slice_midi(tempo_change_score(), 5.0, 10.0)
    held = [nt for nt in piece.tracks[0].notes if nt.pitch == 60]
    assert len(held) == 1 and held[0].time == 0
    # clipped at the window end too: 5 s of 60 bpm = 5 beats
    assert held[0].duration == 5 * 480


def test_meter_and_key_in_force_at_window_start():
    piece = slice_midi(tempo_change_score(), 5.0, 10.0)
    assert (piece.time_signatures[0].numerator, piece.time_signatures[0].denominator) == (7, 8)
    assert piece.time_signatures[0].time == 0
    assert (piece.key_signatures[0].key, piece.key_signatures[0].tonality) == (0, 0)
    early = slice_midi(tempo_change_score(), 0.5, 3.0)
    assert early.time_signatures[0].numerator == 4 and early.key_signatures[0].tonality == 1
    assert early.tempos[0].qpm == pytest.approx(120)


def test_changes_inside_the_window_are_kept():
    piece = slice_midi(tempo_change_score(), 3.0, 6.0)
    assert [round(t.qpm) for t in piece.tempos] == [120, 60]
    assert TempoMap.of(piece).tick_to_seconds(piece.tempos[1].time) == pytest.approx(1.0)


def test_type1_tempo_track_applies_to_slices():
    mid = mido.MidiFile(type=1, ticks_per_beat=96)
    conductor = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=1_000_000, time=0)])  # 60 bpm
    notes = mido.MidiTrack(
        [
            mido.Message("note_on", note=70, velocity=80, time=3 * 96),  # beat 3 = 3 s at 60 bpm
            mido.Message("note_off", note=70, velocity=0, time=96),
        ]
    )
    mid.tracks += [conductor, notes]
    buf = io.BytesIO()
    mid.save(file=buf)
    piece = slice_midi(load_score(buf.getvalue()), 2.0, 5.0)
    n = note_arrays(piece)
    assert n["start"][0] == pytest.approx(1.0) and n["end"][0] == pytest.approx(2.0)
    assert piece.tempos[0].qpm == pytest.approx(60)


def test_notes_outside_are_dropped_and_empty_tracks_removed():
    s = tempo_change_score()
    other = add_track(s, "late")
    other.notes.append(Note(time=100 * 480, duration=480, pitch=50, velocity=50))
    piece = slice_midi(s, 5.0, 10.0)
    assert [t.name for t in piece.tracks] == ["keys"]


def test_audio_range_read(tmp_path):
    sr = 8000
    t = np.arange(sr * 10) / sr
    stereo = (
        np.stack([np.sin(2 * np.pi * 220 * t), np.zeros_like(t)], axis=1).astype(np.float32) * 0.5
    )
    stereo[: sr * 2] = 0.0  # first two seconds silent
    sf.write(tmp_path / "x.wav", stereo, sr)
    with sf.SoundFile(tmp_path / "x.wav") as f:
        quiet = read_audio_slice(f, 0.0, 1.5)
        loud = read_audio_slice(f, 4.0, 6.5)
        tail = read_audio_slice(f, 9.0, 12.0)
    assert quiet.silent and len(quiet.samples) == 12000
    assert not loud.silent and loud.seconds == pytest.approx(2.5)
    assert loud.rms_dbfs == pytest.approx(
        20 * np.log10(0.25 / np.sqrt(2)), abs=0.1
    )  # mono mix halves
    assert tail.seconds == pytest.approx(1.0)  # clipped to the file
    back, rate = sf.read(io.BytesIO(loud.flac_bytes()))
    assert rate == sr and np.allclose(back, loud.samples, atol=1e-4)
