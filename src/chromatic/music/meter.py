"""Meters, one home: the project's tick resolution, how a time signature is felt (its beat
groups), and the grids and strong beats the parts are written on.

``TimeSignature`` (``music.key``) is the notation; a ``Meter`` is how players count it. All
times are exact ``Fraction`` quarter notes, so an odd meter (7/8 = 3.5 quarters, 18/32) never
accumulates rounding; ticks are computed once, with ``ticks``.

Every part is written at ``TPQ`` = 480 ticks per quarter, so a 7/8 bar is 1680 ticks, its
eighths 240 and its sixteenths 120: every grid used here divides it exactly.

Meters group their beats (in denominator units) the way players count them: simple x/4 meters
count every beat; compound meters (6/8, 9/8, 12/8) count dotted groups of three; other x/8
meters count twos with one three first (5/8 = 3+2, 7/8 = 3+2+2). A chord may last half a bar
only where the bar splits into two equal halves of whole groups (2/4, 4/4, 6/8, 12/8).

Strong beats are where a bass must play the root and a melody must sit on a chord tone. They
are the onsets of the meter's beat groups, thinned for simple meters so that only the beats a
player leans on count: 4/4 -> 1 and 3, 3/4 -> 1, 5/4 -> 1 and 4 (3+2), 6/8 -> 1 and 4,
7/8 (3+2+2) -> 1, 4 and 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from chromatic.music.key import TimeSignature

#: Ticks per quarter note of every MIDI file the project writes (the one definition).
TPQ = 480


def ticks(q: Fraction | int) -> int:
    """Quarter notes -> ticks (exact for every grid the phases use), truncated toward zero
    as ``int(Fraction(q) * TPQ)``, without building the product (the generators call it for
    every note)."""
    if type(q) is int:
        return q * TPQ
    f = q if type(q) is Fraction else Fraction(q)
    n = f.numerator * TPQ
    return n // f.denominator if n >= 0 else -(-n // f.denominator)


@dataclass(frozen=True)
class Meter:
    numerator: int
    denominator: int
    groups: tuple[int, ...]  # beat groups in denominator units, summing to the numerator

    @property
    def unit(self) -> Fraction:
        """One denominator unit in quarter notes."""
        return Fraction(4, self.denominator)

    @property
    def bar(self) -> Fraction:
        return self.numerator * self.unit

    @property
    def onsets(self) -> tuple[Fraction, ...]:
        out, t = [], Fraction(0)
        for g in self.groups:
            out.append(t)
            t += g * self.unit
        return tuple(out)

    @property
    def half_bar(self) -> bool:
        n = len(self.groups)
        return n % 2 == 0 and sum(self.groups[: n // 2]) == sum(self.groups[n // 2 :])

    @property
    def step(self) -> Fraction:
        """The subdivision a strum or hi-hat runs on: eighths, or the unit when finer."""
        return min(self.unit, Fraction(1, 2))

    @property
    def time_signature(self) -> TimeSignature:
        return TimeSignature(self.numerator, self.denominator)

    @property
    def compound(self) -> bool:
        return self.time_signature.is_compound

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


def meter_of(ts: TimeSignature | str) -> Meter:
    ts = TimeSignature.parse(ts)
    n, d = ts.numerator, ts.denominator
    if d <= 4 or n <= 3:
        groups = (1,) * n
    elif ts.is_compound:
        groups = (3,) * (n // 3)
    else:
        twos = [2] * (n // 2)
        if n % 2:
            twos[0] = 3
        groups = tuple(twos)
    return Meter(n, d, groups)


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
