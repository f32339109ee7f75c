"""Operators every phase shares: crossover at phrase boundaries and bar moves.

A part is a tuple of ``music.notes.Note`` over a section's bars (ticks at ``TPQ``). Crossover
cuts both parents at one bar line, preferring phrase boundaries (every second bar, every
fourth where the section is long), and joins the first parent's head to the second's tail: the
child keeps the bar grid, so a groove or a line is never cut mid-beat. A one-bar section is cut
at its half bar (or its last beat group) instead.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from chromatic.music.meter import strong_onsets, ticks
from chromatic.music.notes import Note


def phrase_cuts(section) -> list[int]:
    """Ticks where a crossover may cut: phrase boundaries first (bars divisible by 4, else 2,
    else every bar line), inside one bar its strong beats."""
    bar = section.bar_ticks
    if section.bars <= 1:
        return [ticks(o) for o in strong_onsets(section.meter)[1:]] or [bar // 2]
    for every in (4, 2, 1):
        cuts = [b * bar for b in range(every, section.bars, every)]
        if cuts:
            return cuts
    return [bar]


def join(head: tuple[Note, ...], tail: tuple[Note, ...], cut: int) -> tuple[Note, ...]:
    """``head`` before ``cut`` (notes running over it shortened to end there) and ``tail``
    from ``cut`` on."""
    first = [
        n if n.start + n.duration <= cut else n._replace(duration=cut - n.start)
        for n in head
        if n.start < cut
    ]
    return tuple(sorted(first + [n for n in tail if n.start >= cut]))


def crossover(a: tuple[Note, ...], b: tuple[Note, ...], section, rng) -> tuple[tuple, str]:
    """One-point crossover at a phrase boundary: ``a``'s head, ``b``'s tail."""
    cuts = phrase_cuts(section)
    cut = cuts[int(rng.integers(len(cuts)))]
    where = f"bar{cut // section.bar_ticks + 1}" if cut % section.bar_ticks == 0 else f"t{cut}"
    return join(a, b, cut), f"crossover@{where}"


def bar_of(notes: tuple[Note, ...], bar: int, length: int) -> list[Note]:
    """The notes starting in bar ``bar`` (0-based), with onsets relative to its downbeat."""
    lo = bar * length
    return [n._replace(start=n.start - lo) for n in notes if lo <= n.start < lo + length]


def with_bar(notes: tuple[Note, ...], bar: int, length: int, content: list[Note]) -> tuple:
    """``notes`` with bar ``bar`` replaced by ``content`` (relative onsets), cut to the bar."""
    lo = bar * length
    rest = [n for n in notes if not lo <= n.start < lo + length]
    new = [
        n._replace(start=n.start + lo, duration=min(n.duration, length - n.start)) for n in content
    ]
    return tuple(sorted(rest + new))


def bar_swap(notes: tuple[Note, ...], section, rng, keep_last: bool = True) -> tuple | None:
    """Exchange two bars' content (the last bar, a fill or a cadence, stays where it is when
    ``keep_last``). None where there are not two bars to exchange."""
    bars = section.bars - (1 if keep_last else 0)
    if bars < 2:
        return None
    i, j = (int(x) for x in rng.choice(bars, size=2, replace=False))
    length = section.bar_ticks
    a, b = bar_of(notes, i, length), bar_of(notes, j, length)
    if a == b:
        return None
    return with_bar(with_bar(notes, i, length, b), j, length, a)


@lru_cache(maxsize=64)
def group_bounds(meter) -> tuple[tuple[int, int], ...]:
    """(start, end) ticks of each beat group of one bar (``Meter.groups``): hits move inside
    their group, so a 7/8's 2+2+3 or a 6/8's 3+3 feel survives a shift (once per meter)."""
    out, t = [], Fraction(0)
    for g in meter.groups:
        end = t + g * meter.unit
        out.append((ticks(t), ticks(end)))
        t = end
    return tuple(out)
