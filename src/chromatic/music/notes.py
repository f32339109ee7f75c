"""The one note record the composer and the catalog synth pass around before MIDI is written.

A ``Note`` is (start, duration, pitch, velocity) in ticks at ``music.meter.TPQ``. It is a
``NamedTuple`` on purpose: the phases sort notes, compare them and unpack them as
``for t, d, p, v in notes``, and a tuple keeps all of that (and the order ``sorted`` gives)
exactly as it was with bare 4-tuples; the shape now has a name and one definition.
symusic's own ``Note`` is only built at the edge, by ``to_symusic`` (``music.midi.append_notes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from symusic import Note as SymNote


class Note(NamedTuple):
    start: int  # ticks from the start of the part
    duration: int  # ticks
    pitch: int  # MIDI key (a GM percussion key on a drum track)
    velocity: int  # 1-127

    @property
    def end(self) -> int:
        """The tick where the note stops sounding (exclusive)."""
        return self.start + self.duration

    def sounds_at(self, tick: int) -> bool:
        return self.start <= tick < self.end

    def shifted(self, delta: int) -> Note:
        """The same note ``delta`` ticks later (earlier when negative)."""
        return self._replace(start=self.start + delta)

    def to_symusic(self) -> SymNote:
        """The tick-based symusic note ``music.midi`` writes (plain ints: numpy scalars in, too)."""
        return SymNote(
            time=int(self.start),
            duration=int(self.duration),
            pitch=int(self.pitch),
            velocity=int(self.velocity),
        )

    @classmethod
    def from_symusic(cls, note: SymNote) -> Note:
        """A note read from a tick-based Score, in that score's own resolution."""
        return cls(int(note.time), int(note.duration), int(note.pitch), int(note.velocity))


def sounding_each(notes: Sequence[Note], ticks: Sequence[int]) -> list[Note | None]:
    """For each tick, the first of ``notes`` (in their order) sounding there, or None in a
    rest: one pass when the notes are in onset order and the ticks ascend (a note that has
    ended before one tick sounds at no later one), else one lookup per tick."""
    if any(a.start > b.start for a, b in pairwise(notes)) or any(a > b for a, b in pairwise(ticks)):
        return [next((n for n in notes if n.start <= t < n.end), None) for t in ticks]
    out: list[Note | None] = []
    p, count = 0, len(notes)
    for t in ticks:
        while p < count and notes[p].end <= t:
            p += 1
        out.append(notes[p] if p < count and notes[p].start <= t else None)
    return out
