"""Two-voice measures for a backing line against its lead: what the harmony phase scores and
the harmony benchmark prints.

Both voices are monophonic note lists (``music.notes.Note``, ticks). The pairs compared are the
two voices sounding together at every onset of either voice, so a counter-melody moving while
the lead holds is judged too.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from chromatic.music.notes import Note, sounding_each

PERFECT = (0, 7)  # unison/octave and fifth, as interval classes
CONSONANT = (0, 3, 4, 7, 8, 9)  # interval classes consonant against the lead


def sounding(notes: Sequence[Note], tick: int) -> Note | None:
    """The note of a monophonic voice sounding at ``tick``, or None in a rest."""
    return next((n for n in notes if n.sounds_at(tick)), None)


def _sweep(notes: Sequence[Note], ticks: list[int]) -> list[Note | None]:
    """``sounding(notes, t)`` for each of ``ticks`` (``music.notes.sounding_each``)."""
    return sounding_each(notes, ticks)


def vertical_pairs(lead: Sequence[Note], other: Sequence[Note]) -> list[tuple[int, int, int]]:
    """(tick, lead pitch, other pitch) at every onset of either voice where both sound."""
    onsets = sorted({n.start for n in lead} | {n.start for n in other})
    pairs = zip(onsets, _sweep(lead, onsets), _sweep(other, onsets), strict=True)
    return [(t, a.pitch, b.pitch) for t, a, b in pairs if a is not None and b is not None]


def parallel_perfects(lead: Sequence[Note], other: Sequence[Note], pairs=None) -> int:
    """Consecutive perfect fifths or octaves (unisons, compound intervals included): two
    successive vertical pairs with the same perfect interval class where both voices move in
    the same direction. ``pairs``: ``vertical_pairs(lead, other)`` when already computed."""
    count = 0
    for (_, a1, b1), (_, a2, b2) in pairwise(pairs or vertical_pairs(lead, other)):
        i1, i2 = (b1 - a1) % 12, (b2 - a2) % 12
        moved = a1 != a2 and b1 != b2 and (a2 - a1) * (b2 - b1) > 0
        if moved and i1 == i2 and i1 in PERFECT:
            count += 1
    return count


def transitions(lead: Sequence[Note], other: Sequence[Note]) -> int:
    """How many successive vertical pairs there are (the denominator of the parallels share)."""
    return max(len(vertical_pairs(lead, other)) - 1, 0)


def in_range(notes: Sequence[Note], low: int, high: int) -> float:
    """Share of notes inside [low, high] (1.0 for no notes: nothing is outside)."""
    return float(np.mean([low <= n.pitch <= high for n in notes])) if notes else 1.0


def _move_score(d: int) -> float:
    return 1.0 if d <= 2 else 0.85 if d <= 4 else 0.65 if d <= 7 else max(0.0, 1.0 - d / 14)


def voice_leading(notes: Sequence[Note]) -> float:
    """Mean comfort of the line's own moves: steps and repeats 1, thirds 0.85, up to a fifth
    0.65, wider less (a backing singer follows, they do not leap)."""
    moves = [abs(b.pitch - a.pitch) for a, b in pairwise(notes)]
    return float(np.mean([_move_score(d) for d in moves])) if moves else 1.0


def strong_consonance(
    lead: Sequence[Note], other: Sequence[Note], strong: Sequence[int], tones_at
) -> float:
    """Half the share of strong beats where the two voices sound a consonance, half the share
    where the backing note is a tone of the chord (``tones_at(tick)``); 1.0 with no strong beat
    where both sound."""
    cons, tones = [], []
    strong = list(strong)
    for t, a, b in zip(
        strong, sounding_each(lead, strong), sounding_each(other, strong), strict=True
    ):
        if a is None or b is None:
            continue
        cons.append((b.pitch - a.pitch) % 12 in CONSONANT)
        tones.append(b.pitch % 12 in tones_at(t))
    if not cons:
        return 1.0
    return 0.5 * float(np.mean(cons)) + 0.5 * float(np.mean(tones))
