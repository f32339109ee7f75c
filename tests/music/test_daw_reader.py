"""``music.daw.read_midi`` reads the plain files this project writes with its own reader: the
same messages mido builds (type, fields, their order), and mido itself for anything else."""

from __future__ import annotations

import io

import mido

from chromatic.music import daw
from chromatic.music.notes import Note
from chromatic.music.song import loop
from chromatic.music.song_midi import part, write_midi


def _messages(mf: mido.MidiFile) -> list:
    return [
        (mf.type, mf.ticks_per_beat),
        *[[(type(m).__name__, list(vars(m).items())) for m in t] for t in mf.tracks],
    ]


def _mido(data: bytes) -> mido.MidiFile:
    return mido.MidiFile(file=io.BytesIO(data))


def _written() -> list[bytes]:
    """Loops as the phases write them: a sung line, a kit, chords with their names."""
    notes = [Note(i * 240, 200, 55 + (i * 5) % 17, 60 + i % 40) for i in range(24)]
    sung = part("melody", notes, program=53, lyrics=[(0, "la"), (240, "lu"), (480, "-")])
    kit = part("drums", [Note(i * 120, 60, 36 + i % 6, 100) for i in range(32)], is_drum=True)
    chords = part("chords", [Note(0, 960, p, 70) for p in (48, 55, 64)], program=4)
    return [
        write_midi(loop(sung, bpm=97.0, time_signature="7/8", key="F# minor", bars=3)),
        write_midi(loop(kit, bpm=140.0, time_signature="4/4", bars=2)),
        write_midi(
            loop(chords, bpm=61.5, time_signature="3/4", key="C", chords=[(0, "C"), (480, "C/E")])
        ),
    ]


def test_the_project_reader_builds_what_mido_builds():
    files = _written()
    files.append(daw.finish_loop(files[0], "melody", bars=4))
    for data in files:
        mine = daw._read_plain(data)
        assert mine is not None
        assert _messages(mine) == _messages(_mido(data))
        assert sum(len(t) for t in mine.tracks) > 8
        assert daw.finish_loop(data, "melody") == daw.finish_loop(_mido(data), "melody")


def test_anything_else_is_read_by_mido():
    track = mido.MidiTrack(
        [
            mido.Message("note_on", note=60, velocity=90, time=0),
            mido.Message("pitchwheel", pitch=-300, time=10),
            mido.Message("sysex", data=[1, 2, 3], time=5),
            mido.Message("note_off", note=60, velocity=0, time=100),
        ]
    )
    out = mido.MidiFile(ticks_per_beat=480)
    out.tracks.append(track)
    buf = io.BytesIO()
    out.save(file=buf)
    data = buf.getvalue()
    assert daw._read_plain(data) is None  # a pitch wheel, a sysex: mido reads them
    assert _messages(daw.read_midi(data)) == _messages(_mido(data))
    assert daw._read_plain(data[:30]) is None  # cut short
    assert daw._read_plain(b"RIFF" + data[4:]) is None


def test_the_project_writer_saves_what_mido_saves():
    sysex = mido.MidiTrack(
        [
            mido.MetaMessage("track_name", name="Lead", time=0),
            mido.Message("note_on", note=60, velocity=90, channel=2, time=0),
            mido.Message("note_on", note=64, velocity=90, channel=2, time=0),  # running status
            mido.Message("pitchwheel", pitch=-300, channel=2, time=10),
            mido.Message("note_off", note=60, velocity=0, channel=2, time=5),
            mido.Message("sysex", data=[1, 2, 3], time=5),
            mido.Message("control_change", control=7, value=100, channel=2, time=0),
            mido.MetaMessage("lyrics", text="la", time=130),
            mido.Message("note_off", note=64, velocity=0, channel=2, time=0),
            mido.MetaMessage("end_of_track", time=0),
        ]
    )
    odd = mido.MidiFile(ticks_per_beat=480)
    odd.tracks.append(sysex)
    for mf in [odd, *(daw.read_midi(data) for data in _written())]:
        buf = io.BytesIO()
        mf.save(file=buf)
        assert daw._saved(mf) == buf.getvalue()
