"""Four-voice voicings (bass + three upper voices) chosen for smooth voice leading.

The bass plays the root in a low register; the three upper voices sit in a piano/pad register
and carry the chord's other tones (a triad's three tones; a seventh chord's 3rd and 7th plus
its root or 5th). Each chord takes, among all its voicings in range, the one closest to the
previous chord (total semitones moved), with penalties for parallel fifths/octaves between the
outer voices, leaps in the top voice (which the ear hears as a melody) and drifting to the
edges of the register. The choice is a vectorized argmin over a cached voicing table; ties go
to the first voicing in a fixed enumeration order, so it is deterministic.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

BASS_RANGE = (36, 55)  # C2..G3
BASS_FIRST = (40, 51)  # the first bass note: E2..Eb3, exactly one octave
UPPER_RANGE = (55, 79)  # G3..G5
MAX_SPAN = 16  # semitones between the lowest and highest upper voice
CENTER_TOP = 72
TOP_TARGETS = (67, 69, 71, 72, 74, 76)  # where a progression's top voice may start

PARALLEL_PENALTY = 6.0
LEAP_PENALTY = 3.0  # per top-voice leap over a fifth
DRIFT_WEIGHT = 0.15


@lru_cache(maxsize=512)
def upper_voicings(pcs: tuple[int, ...]) -> np.ndarray:
    """All [k, 3] ascending upper voicings of a chord (pitch classes, root first)."""
    if len(pcs) == 3:
        sets = [pcs]
    else:  # seventh chord: keep 3rd and 7th, add the root or the 5th
        root, third, fifth, seventh = pcs[:4]
        sets = [(third, seventh, root), (third, seventh, fifth)]
    lo, hi = UPPER_RANGE
    rows = set()
    for chosen in sets:
        options = [[p for p in range(lo, hi + 1) if p % 12 == pc] for pc in chosen]
        for combo in itertools.product(*options):
            v = tuple(sorted(combo))
            if len(set(v)) == 3 and v[2] - v[0] <= MAX_SPAN:
                rows.add(v)
    return np.array(sorted(rows), dtype=np.int64)


def _bass(root_pc: int, prev: int | None) -> int:
    if prev is None:
        lo, hi = BASS_FIRST
        return next(p for p in range(lo, hi + 1) if p % 12 == root_pc)
    options = [p for p in range(BASS_RANGE[0], BASS_RANGE[1] + 1) if p % 12 == root_pc]
    return min(options, key=lambda p: (abs(p - prev), p))


def voice_progression(chords: list[tuple[int, ...]], top_target: int = CENTER_TOP) -> np.ndarray:
    """[n, 4] MIDI pitches (bass, upper low..high) for chords given as pitch-class tuples."""
    out = np.zeros((len(chords), 4), dtype=np.int64)
    prev_upper = None
    prev_bass = None
    for i, pcs in enumerate(chords):
        bass = _bass(pcs[0], prev_bass)
        table = upper_voicings(pcs)
        top = table[:, 2]
        if prev_upper is None:
            cost = np.abs(top - top_target) + 0.3 * (table[:, 2] - table[:, 0])
        else:
            cost = np.abs(table - prev_upper).sum(axis=1).astype(np.float64)
            prev_top = prev_upper[2]
            leap = np.abs(top - prev_top)
            cost += LEAP_PENALTY * (leap > 7)
            cost += DRIFT_WEIGHT * np.abs(top - CENTER_TOP)
            if bass != prev_bass:
                before = (prev_top - prev_bass) % 12
                after = (top - bass) % 12
                same_dir = np.sign(top - prev_top) == np.sign(bass - prev_bass)
                parallel = (before in (0, 7)) & (after == before) & same_dir & (top != prev_top)
                cost += PARALLEL_PENALTY * parallel
        j = int(np.argmin(cost))
        prev_upper = table[j]
        prev_bass = bass
        out[i, 0] = bass
        out[i, 1:] = prev_upper
    return out
