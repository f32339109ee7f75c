"""Ticks, grids and strong beats for the part phases, on top of ``patterns.Meter``.

Every part is written at 480 ticks per quarter (the chord phase's resolution), so a 7/8 bar is
1680 ticks, its eighths 240 and its sixteenths 120: every grid used here divides it exactly.

Strong beats are where a bass must play the root and a melody must sit on a chord tone. They
are the onsets of the meter's beat groups, thinned for simple meters so that only the beats a
player leans on count: 4/4 -> 1 and 3, 3/4 -> 1, 5/4 -> 1 and 4 (3+2), 6/8 -> 1 and 4,
7/8 (3+2+2) -> 1, 4 and 6.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from chromatic.music.midi import DEFAULT_TPQ
from chromatic.produce.rhythm.patterns import Meter

TPQ = DEFAULT_TPQ


def ticks(q: Fraction | int) -> int:
    """Quarter notes -> ticks (exact for every grid the phases use)."""
    return int(Fraction(q) * TPQ)


@lru_cache(maxsize=64)
def bar_ticks(meter: Meter) -> int:
    return ticks(meter.bar)


def _pulse_groups(n: int) -> tuple[int, ...]:
    """How a player groups n equal beats: 2 -> (2), 3 -> (3), 4 -> (2, 2), 5 -> (3, 2),
    6 -> (3, 3), 7 -> (3, 2, 2), otherwise twos with a three first when odd."""
    if n <= 3:
        return (n,)
    if n == 6:
        return (3, 3)
    twos = [2] * (n // 2)
    if n % 2:
        twos[0] = 3
    return tuple(twos)


@lru_cache(maxsize=64)
def strong_onsets(meter: Meter) -> tuple[Fraction, ...]:
    """Onsets (quarters from the bar start) of the strong beats of one bar."""
    if set(meter.groups) == {1}:  # simple meter: every unit is a beat; group the beats
        out, t = [], Fraction(0)
        for g in _pulse_groups(meter.numerator):
            out.append(t)
            t += g * meter.unit
        return tuple(out)
    return meter.onsets


@lru_cache(maxsize=64)
def strong_ticks(meter: Meter, bars: int) -> tuple[int, ...]:
    """Tick of every strong beat over ``bars`` bars."""
    bar = bar_ticks(meter)
    one = [ticks(o) for o in strong_onsets(meter)]
    return tuple(b * bar + t for b in range(bars) for t in one)


def grid(meter: Meter, step: Fraction) -> tuple[Fraction, ...]:
    """Onsets of one bar on a grid of ``step`` quarters (the last cell may be shorter)."""
    out, t = [], Fraction(0)
    while t < meter.bar:
        out.append(t)
        t += step
    return tuple(out)


def fine_step(meter: Meter) -> Fraction:
    """The finest grid the drum templates use: sixteenths, or the unit when it is finer."""
    return min(meter.unit, Fraction(1, 4))
