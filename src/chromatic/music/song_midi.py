"""The one MIDI boundary of a ``Song``: ``read_midi`` where a file enters, ``write_midi`` where
it leaves (with the DAW finishing pass of ``music.daw`` inside: instrument names, ``part:``
roles, channels, a conductor track of song-wide events, section markers, chord names as text
events, lyrics on the sung track), ``to_score`` for what reads a symusic Score in memory (the
scorer's rolls and features: no bytes written or parsed) and ``to_music21`` for notation.

symusic reads and writes the notes, tempo map, meters, keys, markers, lyrics and controllers;
mido reads the two things symusic does not keep (a track's ``part:`` text and the chord text
events), from the same bytes.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import replace

from symusic import ControlChange, KeySignature, Score, Tempo, TextMeta
from symusic import Note as SymNote
from symusic import TimeSignature as SymTimeSignature
from symusic import Track as SymTrack

from chromatic.music import daw
from chromatic.music.meter import TPQ
from chromatic.music.midi import load_score
from chromatic.music.notes import Note
from chromatic.music.song import (
    ChordSymbol,
    Control,
    KeyChange,
    Lyric,
    MeterChange,
    SectionSpan,
    Song,
    TempoChange,
    Track,
)


# --- Song -> symusic -----------------------------------------------------------------------------
def to_score(song: Song) -> Score:
    """The song as a tick-based symusic Score (notes, tempo map, meters, keys, section markers,
    lyrics, controllers; not the chord text or roles, which only the DAW pass writes). A title
    becomes a note-less first track named by it, where symusic writes the song-wide events."""
    score = Score(TPQ)
    for t in song.tempos:
        score.tempos.append(Tempo(time=int(t.tick), qpm=float(t.qpm)))
    for m in song.meters:
        score.time_signatures.append(
            SymTimeSignature(time=int(m.tick), numerator=m.numerator, denominator=m.denominator)
        )
    for k in song.keys:
        score.key_signatures.append(
            KeySignature(time=int(k.tick), key=int(k.sharps), tonality=1 if k.minor else 0)
        )
    for s in song.sections:
        score.markers.append(TextMeta(time=int(s.start), text=s.label))
    if song.title:  # a note-less first track: the file's conductor track carries the title
        score.tracks.append(SymTrack(name=song.title))
    for tr in song.tracks:
        st = SymTrack(name=tr.name, program=int(tr.program), is_drum=bool(tr.is_drum))
        st.notes.extend(
            [
                SymNote(time=int(n[0]), duration=int(n[1]), pitch=int(n[2]), velocity=int(n[3]))
                for n in tr.notes
            ]
        )
        for ly in tr.lyrics:
            st.lyrics.append(TextMeta(time=int(ly.tick), text=ly.text))
        for c in tr.controls:
            st.controls.append(ControlChange(time=int(c.tick), number=c.number, value=c.value))
        score.tracks.append(st)
    return score


def from_score(
    score: Score,
    *,
    roles: Sequence[str] | None = None,
    chords: Sequence[tuple[int, str]] = (),
    end: int | None = None,
    title: str = "",
) -> Song:
    """A Song of a symusic Score (rescaled to ``TPQ`` when the score has another resolution).
    ``roles``: one per track (default: each track's name); ``chords``: (tick, symbol) changes,
    each span closed at the next change or at the song's end; sections close likewise."""
    scale = TPQ / score.tpq if score.tpq != TPQ else 1

    def tk(t) -> int:
        return int(t) if scale == 1 else round(int(t) * scale)

    tracks = []
    for i, st in enumerate(score.tracks):
        notes = tuple(
            Note(tk(n.time), tk(n.time + n.duration) - tk(n.time), int(n.pitch), int(n.velocity))
            for n in st.notes
        )
        tracks.append(
            Track(
                name=str(st.name),
                program=int(st.program),
                is_drum=bool(st.is_drum),
                role=roles[i] if roles is not None else str(st.name),
                notes=notes,
                lyrics=tuple(Lyric(tk(e.time), str(e.text)) for e in st.lyrics),
                controls=tuple(
                    Control(tk(c.time), int(c.number), int(c.value)) for c in st.controls
                ),
            )
        )
    last = max((t.end for t in tracks), default=0)
    stop = end if end is not None else last
    marks = sorted((tk(m.time), str(m.text)) for m in score.markers)
    changes = sorted((tk(t), str(s)) for t, s in chords)
    return Song(
        tracks=tuple(tracks),
        tempos=tuple(TempoChange(tk(t.time), float(t.qpm)) for t in score.tempos),
        meters=tuple(
            MeterChange(tk(m.time), int(m.numerator), int(m.denominator))
            for m in score.time_signatures
        ),
        keys=tuple(
            KeyChange(tk(k.time), int(k.key), bool(k.tonality)) for k in score.key_signatures
        ),
        chords=tuple(
            ChordSymbol(t, _next(changes, i, stop), s) for i, (t, s) in enumerate(changes)
        ),
        sections=tuple(SectionSpan(t, _next(marks, i, stop), s) for i, (t, s) in enumerate(marks)),
        end=end,
        title=title,
    )


def _next(events: list[tuple[int, str]], i: int, stop: int) -> int:
    return events[i + 1][0] if i + 1 < len(events) else max(stop, events[i][0])


# --- the file boundary ---------------------------------------------------------------------------
def read_midi(source: str | os.PathLike | bytes) -> Song:
    """A Standard MIDI File (a path or its bytes) as a Song: every track, its ``part:`` role
    (default: its name), the chord text events as chord spans, markers as sections, and the
    file's end of track as the song's end. Bad input raises ``MidiError`` naming the file."""
    from chromatic.fileio import read_regular
    from chromatic.music.midi import MAX_MIDI_BYTES

    data = source if isinstance(source, bytes | bytearray) else None
    if data is None:
        from pathlib import Path

        from chromatic.errors import MidiError

        try:
            data = read_regular(Path(source), MAX_MIDI_BYTES, MidiError)
        except FileNotFoundError:
            raise MidiError("file not found", path=source) from None
    data = bytes(data)
    name = None if isinstance(source, bytes | bytearray) else str(source)
    score = load_score(data, name=name)
    mf = daw.read_midi(data)
    scale = TPQ / mf.ticks_per_beat
    roles = _roles(mf, score)
    chords = [(t, s) for t, s in daw.chord_texts(data)]
    length = max((sum(m.time for m in t) for t in mf.tracks), default=0)
    title = next((t.name for t in mf.tracks if t.name and not _has_notes(t)), "")
    song = from_score(
        score,
        roles=roles,
        chords=[(round(t * scale), s) for t, s in chords],
        end=round(length * scale),
        title=title,
    )
    return _file_lyrics(song, mf, scale)


def _file_lyrics(song: Song, mf, scale: float) -> Song:
    """Each note track's lyrics as the file holds them, track by track: symusic reads lyric
    events into tracks of their own and ``load_score`` rejoins them by track name, which two
    tracks of one name (a sung lead and its doubling) would mix up."""
    files = [t for t in mf.tracks if _has_notes(t)]
    mine = [i for i, t in enumerate(song.tracks) if t.notes]
    if len(files) != len(mine):
        return song
    tracks = list(song.tracks)
    for i, ft in zip(mine, files, strict=True):
        now, lyrics = 0, []
        for m in ft:
            now += m.time
            if m.type == "lyrics":
                lyrics.append(Lyric(round(now * scale), m.text))
        tracks[i] = replace(tracks[i], lyrics=tuple(sorted(lyrics, key=lambda x: x.tick)))
    return replace(song, tracks=tuple(tracks))


def _has_notes(track) -> bool:
    return any(m.type == "note_on" for m in track)


def _roles(mf, score: Score) -> list[str]:
    """Each symusic track's role: its mido track's ``part:`` text (matched by name, in order)."""
    found: dict[str, list[str]] = {}
    for track in mf.tracks:
        role = next(
            (
                m.text[len(daw.PART_PREFIX) :]
                for m in track
                if m.type == "text" and m.text.startswith(daw.PART_PREFIX)
            ),
            None,
        )
        found.setdefault(track.name, []).append(role or track.name)
    out = []
    for st in score.tracks:
        queue = found.get(str(st.name))
        out.append(queue.pop(0) if queue else str(st.name))
    return out


def daw_parts(song: Song) -> list[daw.Part]:
    """The DAW pass's view of the song's note tracks (file order): name, role, channel."""
    notes = song.note_tracks()
    channels = daw.channels_for([(t.role, t.is_drum) for t in notes])
    return [daw.Part(t.name, t.role, ch) for t, ch in zip(notes, channels, strict=True)]


def write_midi(song: Song) -> bytes:
    """The song's Standard MIDI File as a DAW opens it (``music.daw.finish``): every track ends
    at ``song.end`` (a note past it cut there), chord spans written as text at their starts."""
    from chromatic.music.midi import score_bytes

    return daw.finish(
        score_bytes(to_score(song)),
        daw_parts(song),
        end_tick=song.end,
        chords=[(c.start, c.symbol) for c in song.chords],
    )


# --- what the scorer and notation read ------------------------------------------------------------
def features(song: Song, *, include_drums: bool = True):
    """The scorer's symbolic feature vector of the song, from memory (``music.symbolic``)."""
    from chromatic.music.symbolic import midi_features

    return midi_features(to_score(song), include_drums=include_drums)


def to_music21(song: Song):
    """The song as a music21 Score (parts named by track, lyrics on their notes), through the
    project's one MIDI writer: music21 reads the finished file as any notation program would."""
    import music21

    return music21.converter.parse(io.BytesIO(write_midi(song)).getvalue(), format="midi")


def part(role: str, notes, *, program: int = 0, is_drum: bool = False, lyrics=()) -> Track:
    """A phase's part as a track a DAW names by its instrument ("Drums" for the kit)."""
    from chromatic.music.gm import instrument_name

    return Track(
        name=instrument_name(program, is_drum),
        program=int(program),
        is_drum=bool(is_drum),
        role=role,
        notes=tuple(notes),
        lyrics=tuple(
            ly if isinstance(ly, Lyric) else Lyric(int(ly[0]), str(ly[1])) for ly in lyrics
        ),
    )


def write_loop(track: Track, bpm, time_signature, key=None, bars=None, chords=()) -> bytes:
    """One section's part as its loop file (``music.song.loop``, then ``write_midi``)."""
    from chromatic.music.song import loop

    song = loop(track, bpm=bpm, time_signature=time_signature, key=key, bars=bars, chords=chords)
    return write_midi(song)


def heard_score(song: Song) -> Score:
    """What a model hears of the song's file, built in memory: its notes as ``write_midi``
    delivers them (a note starting at or after ``end`` dropped, one running past it cut
    there), without lyrics, names or channels, which no model reads."""
    end = song.end_tick
    tracks = tuple(
        replace(
            t,
            lyrics=(),
            notes=tuple(
                n._replace(duration=min(n.duration, end - n.start))
                for n in t.notes
                if n.start < end
            ),
        )
        for t in song.tracks
    )
    return to_score(replace(song, tracks=tracks, chords=()))
