"""Tempo-map-aware MIDI and piano rolls, on files written by a second library (mido)."""

from __future__ import annotations

import io

import mido
import numpy as np
import pytest
from symusic import Note, Tempo

from chromatic.errors import MidiError
from chromatic.music.midi import (
    TempoMap,
    add_track,
    load_score,
    new_score,
    score_bytes,
    time_signature_at,
)
from chromatic.music.pianoroll import (
    SECONDS_CONFIG,
    PianoRollConfig,
    piano_roll,
    piano_roll_pretty_midi,
)


def type1_with_tempo_track(tpq: int = 480) -> bytes:
    """A type-1 file whose tempo changes (120 -> 60 bpm at beat 4) live only in track 0."""
    mid = mido.MidiFile(type=1, ticks_per_beat=tpq)
    conductor = mido.MidiTrack()
    conductor.append(mido.MetaMessage("set_tempo", tempo=500000, time=0))
    conductor.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    conductor.append(mido.MetaMessage("set_tempo", tempo=1000000, time=4 * tpq))
    mid.tracks.append(conductor)
    notes = mido.MidiTrack()
    # beat 0 (0 s) and beat 6 (2 s at 120 + 2 beats at 60 = 4 s)
    notes.append(mido.Message("note_on", note=60, velocity=127, time=0))
    notes.append(mido.Message("note_off", note=60, velocity=0, time=tpq))
    notes.append(mido.Message("note_on", note=67, velocity=64, time=5 * tpq))
    notes.append(mido.Message("note_off", note=67, velocity=0, time=tpq))
    mid.tracks.append(notes)
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


def test_type1_tempo_track_applies_to_other_tracks():
    data = type1_with_tempo_track()
    score = load_score(data)
    tm = TempoMap.of(score)
    assert tm.qpm_at(0.5) == pytest.approx(120)
    assert tm.qpm_at(2.5) == pytest.approx(60)
    assert tm.tick_to_seconds(6 * 480) == pytest.approx(4.0)
    assert tm.seconds_to_tick(4.0) == pytest.approx(6 * 480)
    roll = piano_roll(data, config=SECONDS_CONFIG)
    on67 = np.nonzero(roll[67])[0]
    assert on67[0] == 40 and on67[-1] == 49  # 4.0-5.0 s: one beat at 60 bpm
    assert roll[67, 40] == pytest.approx(64 / 127)
    assert list(np.nonzero(roll[60])[0]) == [0, 1, 2, 3, 4]  # 0-0.5 s at 120 bpm
    # the reference implementation (pretty_midi) agrees exactly
    np.testing.assert_array_equal(roll, piano_roll_pretty_midi(data))


def test_roll_shape_window_and_offset():
    s = new_score(120, "4/4", "A minor")
    tr = add_track(s, "keys")
    tr.notes.append(Note(time=0, duration=480 * 60, pitch=40, velocity=127))  # 30 s long
    roll = piano_roll(score_bytes(s), config=SECONDS_CONFIG)
    assert roll.shape == (128, 256) and roll.dtype == np.float32
    assert roll[40].min() == pytest.approx(1.0)  # clipped to the 25.6 s window
    shifted = piano_roll(s, start=29.0, config=SECONDS_CONFIG)
    assert list(np.nonzero(shifted[40])[0]) == list(range(10))
    small = piano_roll(s, config=PianoRollConfig(steps=16, step_seconds=0.5))
    assert small.shape == (128, 16)


def test_overlapping_notes_keep_the_louder():
    s = new_score(120)
    tr = add_track(s, "a")
    tr.notes.append(Note(time=0, duration=960, pitch=50, velocity=40))
    tr.notes.append(Note(time=240, duration=240, pitch=50, velocity=100))
    roll = piano_roll(s, config=SECONDS_CONFIG)
    assert roll[50, 0] == pytest.approx(40 / 127)
    assert roll[50, 3] == pytest.approx(100 / 127)


def test_tempo_changes_written_and_read_back():
    s = new_score(100, "7/8", "F# minor")
    s.tempos.append(Tempo(time=960, qpm=150.0))
    s.time_signatures.append(type(s.time_signatures[0])(time=960, numerator=4, denominator=4))
    back = load_score(score_bytes(s))
    assert [round(t.qpm) for t in back.tempos] == [100, 150]
    assert str(time_signature_at(back, 0)) == "7/8"
    assert str(time_signature_at(back, 1000)) == "4/4"
    assert back.key_signatures[0].key == 3 and back.key_signatures[0].tonality == 1


@pytest.mark.parametrize(
    "bad",
    [b"", b"RIFF....", b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x10\x00\x00\x90"],
)
def test_corrupt_midi_is_a_midi_error(bad):
    with pytest.raises(MidiError):
        load_score(bad, name="broken.mid")


def test_missing_file(tmp_path):
    with pytest.raises(MidiError, match="not found"):
        load_score(tmp_path / "nope.mid")
