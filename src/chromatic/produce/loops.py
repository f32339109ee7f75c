"""An approved loop as the phases read it: a ``music.song.Song`` of what its file holds.

A part phase builds on the loops approved before it (the bass on the drums' kicks, the backing
vocals on the lead's notes and words, every part on the chords' notes, tempo and meter). Where
the song so far is a folder (``produce <phase>``: files are the truth), ``read_loop`` parses a
file once, with ``music.midi.load_score`` as before; where it is a compose branch held in
memory, ``delivered_loop`` gives the same value from the candidate's own Song, without
encoding the loop or parsing it back: what a file ``music.song_midi.write_midi`` wrote of the
Song reads as.

The value is the file as symusic reads it, in ``TPQ`` ticks: its note tracks (notes sorted by
onset, lyrics by tick), the tempo as MIDI stores it (microseconds per quarter, so 93 bpm reads
93.00004), the meters, and ``end``: the tick of the file's last event (symusic's
``Score.end``), which a loop shorter than its section is tiled by. A track's role is its name
(symusic does not read the ``part:`` text that names it; no phase reads it of a loop).
"""

from __future__ import annotations

import os
from dataclasses import replace

from chromatic.music.song import Lyric, Note, Song, TempoChange

#: Microseconds per minute: MIDI stores a tempo as whole microseconds per quarter note.
_US_PER_MINUTE = 60_000_000


def read_loop(source: str | os.PathLike | bytes, *, name: str | None = None) -> Song:
    """The loop file ``source`` (a path or its bytes) as a phase reads it; a file that does not
    parse is a ``MidiError`` naming it (``name`` for bytes)."""
    from chromatic.music.meter import TPQ
    from chromatic.music.midi import load_score
    from chromatic.music.song_midi import from_score

    score = load_score(source, name=name)
    scale = TPQ / score.tpq
    song = from_score(score, end=round(score.end() * scale))
    tracks = tuple(
        replace(t, notes=tuple(sorted(t.notes)), lyrics=_by_tick(t.lyrics)) for t in song.tracks
    )
    return replace(song, tracks=tracks)


def delivered_loop(song: Song) -> Song:
    """What ``read_loop`` gives of ``write_midi(song)``, made from ``song`` itself: a note
    starting at or after its end dropped, one running past it cut there (as the writer does),
    the tempo as the file stores it, note-less tracks left out (the file holds none), each
    track's role its name; plain ints, as a parse gives (a generator's numpy integers would
    compare equal but make every later sum over the notes several times slower)."""
    stop = song.end_tick
    tracks = []
    for t in song.tracks:
        notes = tuple(
            sorted(
                Note(
                    int(n.start),
                    int(min(n.duration, stop - n.start)),
                    int(n.pitch),
                    int(n.velocity),
                )
                for n in t.notes
                if n.start < stop
            )
        )
        if notes:
            lyrics = _by_tick(tuple(Lyric(int(x.tick), str(x.text)) for x in t.lyrics))
            tracks.append(replace(t, role=t.name, notes=notes, lyrics=lyrics))
    last = max(
        [0, *(n.start + n.duration for t in tracks for n in t.notes)]
        + [x.tick for t in tracks for x in (*t.lyrics, *t.controls)]
    )
    tempos = tuple(TempoChange(x.tick, stored_qpm(x.qpm)) for x in song.tempos)
    return replace(song, tracks=tuple(tracks), tempos=tempos, end=last, chords=(), sections=())


def stored_qpm(qpm: float) -> float:
    """The tempo a MIDI file gives back for ``qpm``: whole microseconds per quarter."""
    return _US_PER_MINUTE / round(_US_PER_MINUTE / qpm)


def _by_tick(lyrics: tuple[Lyric, ...]) -> tuple[Lyric, ...]:
    return tuple(sorted(lyrics, key=lambda x: x.tick))
