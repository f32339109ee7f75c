"""Fills: the last bar of a section's loop leads into the next section.

Which fills a section is offered depends on where it goes (its ``next`` section's energy):

- up (verse -> chorus): ``build`` (a snare run growing from ghost to accent) or ``toms``;
- down (chorus -> bridge): ``drop`` (the groove stops, one open hat breathes) or ``toms``;
- level: ``toms``; the last section: ``stop`` (one final hit with a crash on the last downbeat);
- always ``none``: the loop as is.

A fill replaces the groove in the fill region: the last two beats of a simple meter of four
or more beats, the last beat of 2/4 and 3/4, the last beat group of compound and irregular
meters (the final "2" of 7/8's 3+2+2).
"""

from __future__ import annotations

from fractions import Fraction

from chromatic.music.gm import ACCENT, GHOST, NORMAL
from chromatic.music.meter import Meter, fine_step
from chromatic.produce.sections import ENERGIES

FILLS = ("none", "build", "toms", "drop", "stop")
_TOMS = (
    "high_tom",
    "high_tom",
    "mid_tom",
    "mid_tom",
    "low_tom",
    "low_tom",
    "floor_tom",
    "floor_tom",
)


def fill_options(energy: str, next_energy: str | None) -> tuple[str, ...]:
    if next_energy is None:
        return ("none", "stop")
    up = ENERGIES.index(next_energy) - ENERGIES.index(energy)
    if up > 0:
        return ("none", "build", "toms")
    if up < 0:
        return ("none", "drop", "toms")
    return ("none", "toms")


def fill_start(meter: Meter) -> Fraction:
    """Onset (quarters from the bar start) where the fill region begins."""
    if set(meter.groups) == {1}:
        return meter.bar - meter.unit * (2 if meter.numerator >= 4 else 1)
    return meter.bar - meter.groups[-1] * meter.unit


def apply_fill(
    hits: list[tuple[Fraction, str, int]], meter: Meter, fill: str
) -> list[tuple[Fraction, str, int]]:
    """One bar's (onset, voice, velocity) hits with ``fill`` in its fill region."""
    if fill == "none":
        return hits
    if fill == "stop":
        return [h for h in hits if h[0] == 0 and h[1] != "crash"] + [(Fraction(0), "crash", ACCENT)]
    start = fill_start(meter)
    kept = [h for h in hits if h[0] < start]
    fine = fine_step(meter)
    cells = []
    t = start
    while t < meter.bar:
        cells.append(t)
        t += fine
    if fill == "drop":
        return [*kept, (start, "open", NORMAL)]
    kick = [(start, "kick", NORMAL)]
    if fill == "build":
        n = len(cells)
        roll = [
            (c, "snare", GHOST + (ACCENT - GHOST) * i // max(n - 1, 1)) for i, c in enumerate(cells)
        ]
        return sorted([*kept, *kick, *roll])
    # toms: eighths (or the fine grid when the region is short) from high to floor tom
    step = fine if len(cells) < 4 else fine * 2
    beats = [c for c in cells if (c - start) % step == 0]
    toms = [
        (c, _TOMS[min(i * len(_TOMS) // len(beats), len(_TOMS) - 1)], ACCENT if i == 0 else NORMAL)
        for i, c in enumerate(beats)
    ]
    return sorted([*kept, *kick, *toms])
