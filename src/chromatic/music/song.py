"""A song in memory: the one type a song's parts travel in between reading and writing MIDI.

Modelled on what note-seq's ``NoteSequence`` and MusPy's ``Music`` share (tracks with a program
and a drum flag; notes; tempo, meter and key changes as timed events; text annotations such as
chord symbols and sections), with this project's choices:

- **One resolution: integer ticks at ``music.meter.TPQ`` (480 per quarter).** Every generator
  already writes ``Note`` in these ticks and every file leaves as ticks, so nothing converts on
  the way in or out; integers compare exactly (a variant equal to another *is* equal, which a
  search's de-duplication needs) and never drift, where seconds (note-seq) move under a tempo
  change and beat fractions cost a ``Fraction`` per note. A quarter is ``tick / TPQ``; a second
  needs the tempo map (``Song.seconds``). A file of another resolution is rescaled once, at
  ``music.song_midi.read_midi``.
- **Immutable, cheap to vary.** Every part is a frozen dataclass of tuples: a variant made with
  ``with_track`` or ``replace`` shares every unchanged track (and its notes) with the song it
  came from, so a search holds thousands of variants at the cost of the parts that differ.
  ``note_array`` gives the numpy view a scorer wants, built once per track.
- **A track knows its role** (``chords``, ``bass``, ``melody``, ``drums``...): the phase that
  made it, which MIDI keeps as a ``part: <role>`` text event (``music.daw``). Its ``name`` is the
  name a DAW shows. Lyrics are timed syllables on the track that sings them; controller events
  (volume, pan, expression) stay with their track.
- **Song-wide annotations as spans**: chord symbols and sections have a start and an end tick
  (a MIDI file only marks where each starts; the reader closes each span at the next one).

Validation happens where a song enters (``read_midi``), not on every variant a search builds.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from chromatic.music.meter import TPQ
from chromatic.music.notes import Note

__all__ = [
    "TPQ",
    "ChordSymbol",
    "Control",
    "KeyChange",
    "Lyric",
    "MeterChange",
    "Note",
    "SectionSpan",
    "Song",
    "TempoChange",
    "Track",
]


@dataclass(frozen=True, slots=True)
class TempoChange:
    tick: int
    qpm: float  # quarter notes per minute


@dataclass(frozen=True, slots=True)
class MeterChange:
    tick: int
    numerator: int
    denominator: int

    @property
    def bar_ticks(self) -> int:
        return round(TPQ * 4 * self.numerator / self.denominator)


@dataclass(frozen=True, slots=True)
class KeyChange:
    """A key signature as MIDI writes it: sharps (>0) or flats (<0), and the mode's flag."""

    tick: int
    sharps: int
    minor: bool


@dataclass(frozen=True, slots=True)
class Lyric:
    tick: int
    text: str  # one syllable ("lad-"), or ``music.midi.MELISMA`` for a held vowel


@dataclass(frozen=True, slots=True)
class Control:
    tick: int
    number: int  # MIDI controller number
    value: int


@dataclass(frozen=True, slots=True)
class ChordSymbol:
    start: int
    end: int
    symbol: str  # "Am7", "F/C"


@dataclass(frozen=True, slots=True)
class SectionSpan:
    start: int
    end: int
    label: str  # "verse", "Chorus 2"


@dataclass(frozen=True)
class Track:
    """One part: a DAW track's name, its GM program, the drum flag, the role it plays."""

    name: str
    program: int = 0
    is_drum: bool = False
    role: str = ""
    notes: tuple[Note, ...] = ()
    lyrics: tuple[Lyric, ...] = ()
    controls: tuple[Control, ...] = ()

    @cached_property
    def note_array(self) -> np.ndarray:
        """The notes as an int64 array [N, 4]: start, duration, pitch, velocity (built once)."""
        if not self.notes:
            return np.zeros((0, 4), np.int64)
        flat = itertools.chain.from_iterable(self.notes)  # 3x faster than np.asarray of tuples
        return np.fromiter(flat, dtype=np.int64, count=4 * len(self.notes)).reshape(-1, 4)

    @property
    def end(self) -> int:
        """The tick after the last note ends (0 without notes)."""
        return max((n.start + n.duration for n in self.notes), default=0)

    def with_notes(self, notes) -> Track:
        return replace(self, notes=tuple(notes))


@dataclass(frozen=True)
class Song:
    """A whole song (or a loop of one section) at ``TPQ`` ticks per quarter. ``end``: the tick
    where it ends (a bar line; None: where its last note ends)."""

    tracks: tuple[Track, ...] = ()
    tempos: tuple[TempoChange, ...] = (TempoChange(0, 120.0),)
    meters: tuple[MeterChange, ...] = (MeterChange(0, 4, 4),)
    keys: tuple[KeyChange, ...] = ()
    chords: tuple[ChordSymbol, ...] = ()
    sections: tuple[SectionSpan, ...] = ()
    end: int | None = None
    title: str = ""

    # --- queries -------------------------------------------------------------------------
    @property
    def tpq(self) -> int:
        return TPQ

    @property
    def end_tick(self) -> int:
        """``end`` when set, else where the last note ends."""
        if self.end is not None:
            return self.end
        return max((t.end for t in self.tracks), default=0)

    def bar_ticks(self, tick: int = 0) -> int:
        """Ticks per bar of the meter at ``tick``."""
        return self.meter_at(tick).bar_ticks

    def meter_at(self, tick: int) -> MeterChange:
        current = self.meters[0] if self.meters else MeterChange(0, 4, 4)
        for m in self.meters:
            if m.tick > tick:
                break
            current = m
        return current

    def track(self, role: str) -> Track | None:
        """The first track playing ``role``."""
        return next((t for t in self.tracks if t.role == role), None)

    def note_tracks(self) -> tuple[Track, ...]:
        return tuple(t for t in self.tracks if t.notes)

    def chord_at(self, tick: int) -> ChordSymbol | None:
        starts = [c.start for c in self.chords]
        i = bisect.bisect_right(starts, tick) - 1
        if i >= 0 and self.chords[i].start <= tick < self.chords[i].end:
            return self.chords[i]
        return None

    def seconds(self, tick: float) -> float:
        """Seconds from the start at ``tick``, through the tempo map."""
        tempos = sorted(self.tempos, key=lambda t: t.tick) or [TempoChange(0, 120.0)]
        if tempos[0].tick > 0:
            tempos = [TempoChange(0, 120.0), *tempos]
        out, prev = 0.0, tempos[0]
        for t in tempos[1:]:
            if t.tick >= tick:
                break
            out += (t.tick - prev.tick) / TPQ * 60.0 / prev.qpm
            prev = t
        return out + (tick - prev.tick) / TPQ * 60.0 / prev.qpm

    # --- variants ------------------------------------------------------------------------
    def with_track(self, track: Track, *, index: int | None = None) -> Song:
        """A copy with ``track`` replacing the track at ``index`` (default: the first of the
        same role), or added at the end when none plays that role. Other tracks are shared."""
        tracks = list(self.tracks)
        if index is None:
            index = next((i for i, t in enumerate(tracks) if t.role == track.role), None)
        if index is None:
            tracks.append(track)
        else:
            tracks[index] = track
        return replace(self, tracks=tuple(tracks))

    def without(self, role: str) -> Song:
        return replace(self, tracks=tuple(t for t in self.tracks if t.role != role))

    def with_chords(self, chords) -> Song:
        return replace(self, chords=tuple(chords))


def spans(changes, stop: int, make) -> tuple:
    """Spans of (tick, value) changes (sorted), each closed at the next change or at ``stop``."""
    changes = sorted(changes, key=lambda c: c[0])
    return tuple(
        make(t, changes[i + 1][0] if i + 1 < len(changes) else max(stop, t), v)
        for i, (t, v) in enumerate(changes)
    )


def loop(
    track: Track,
    *,
    bpm: float,
    time_signature,
    key=None,
    bars: float | None = None,
    chords=(),
) -> Song:
    """One section's part as a Song: one track on one tempo, meter and key, ``bars`` long
    (None: its notes rounded up to whole bars), ``chords`` as (tick, symbol) changes."""
    from chromatic.music.key import Key, TimeSignature

    ts = TimeSignature.parse(time_signature)
    meter = MeterChange(0, ts.numerator, ts.denominator)
    if bars is None or bars <= 0:
        bars = max(1, -(-track.end // meter.bar_ticks))
    end = round(bars * meter.bar_ticks)
    k = Key.parse(key) if key is not None else None
    return Song(
        tracks=(track,),
        tempos=(TempoChange(0, float(bpm)),),
        meters=(meter,),
        keys=(KeyChange(0, k.sharps, k.is_minor),) if k is not None else (),
        chords=spans(chords, end, ChordSymbol),
        end=end,
    )
