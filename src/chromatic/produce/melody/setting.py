"""Setting words to rhythm: where each syllable of a line starts and how long it lasts.

Why a search and not a template: a line sings well when its stressed syllables land on strong
beats and its light ones between them, with the line's last syllable held and a breath before
the next line. Those are costs, and the best placement of a line's syllables on the beat grid
is a shortest path (dynamic programming over (syllable, grid position)):

- metric level of a grid position: the bar's downbeat 4, the meter's strong beats 3 (4/4: 1 and
  3), its other beats 2, the half-beats 1, anything finer 0;
- a stressed syllable costs little on a high level and much off the beat; a light syllable of
  a longer word costs much on a beat (so "lad-DER" never happens), a light one-syllable word
  a little;
- the gap between two syllables costs by its length in grid units (one or two units are
  speech-like; longer gaps are held notes), weighted by the option's ``pace``;
- the last syllable starts on a beat and is held at least two units (phrase-final long) and at
  most a bar; what the line leaves of its span after that is a rest: the breath, or with room
  to spare an instrumental answer.

The grid unit is tempo-aware (``unit_ticks``): an eighth between 60 and 170 bpm, a sixteenth
below, a quarter above; a line with more syllables than its span has units is set on the next
finer grid, and cut (with a warning) only when even that does not hold it.

Melisma: where a line has fewer syllables than its span invites (less than one syllable per
``MELISMA_ROOM`` units), its longest held syllables are sung over two notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from chromatic.music.meter import Meter, bar_ticks, strong_onsets, ticks

STRESSED = {4: 0.0, 3: 0.15, 2: 0.5, 1: 2.2, 0: 3.2}
SECONDARY = {4: 0.3, 3: 0.3, 2: 0.3, 1: 0.9, 0: 1.6}
LIGHT_IN_WORD = {4: 3.0, 3: 2.2, 2: 1.4, 1: 0.0, 0: 0.3}
LIGHT_WORD = {4: 1.2, 3: 0.7, 2: 0.45, 1: 0.0, 0: 0.3}
MELISMA_ROOM = 3.0  # units of span per syllable above which long syllables become melismas
MAX_DELAY_BARS = 1  # a line may start up to a bar into its span (an answer before it)
MOTIF_BONUS = 0.9


@dataclass(frozen=True)
class Pace:
    """How an option spaces its syllables: the cost of a gap of 1, 2, 3, 4 units (and beyond)."""

    name: str
    gaps: tuple[float, float, float, float]
    beyond: float
    late_start: float  # cost per unit of starting after the span's first downbeat


PACES = (
    Pace("flowing", (0.0, 0.25, 0.9, 1.3), 0.6, 0.35),
    Pace("spacious", (0.35, 0.0, 0.45, 0.9), 0.5, 0.25),
    Pace("lilting", (0.1, 0.15, 0.2, 1.2), 0.5, 0.15),
)


@dataclass(frozen=True)
class SungNote:
    """One note of a set line: ticks, the syllable it sings (index in the line) and whether it
    continues the syllable of the note before (a melisma)."""

    start: int
    end: int
    syllable: int
    melisma: bool = False


def unit_ticks(meter: Meter, bpm: float) -> int:
    """The grid a syllable sits on at this tempo (see the module docstring)."""
    eighth = ticks(Fraction(1, 2))
    if bpm < 60:
        return eighth // 2
    if bpm > 170 and not meter.compound:
        return eighth * 2
    return eighth


def levels(meter: Meter, unit: int) -> dict[int, int]:
    """Metric level of every ``unit`` position of one bar (ticks from the bar start)."""
    bar = bar_ticks(meter)
    strong = {ticks(o) for o in strong_onsets(meter)}
    if set(meter.groups) == {1}:
        beats = {ticks(i * meter.unit) for i in range(meter.numerator)}
    else:
        beats = {ticks(o) for o in meter.onsets}
    halves = {b + ticks(meter.unit) // 2 for b in beats} | {
        ticks(i * meter.unit) for i in range(meter.numerator)
    }
    out = {}
    for t in range(0, bar, unit):
        out[t] = 4 if t == 0 else 3 if t in strong else 2 if t in beats else 1 if t in halves else 0
    return out


def syllable_cost(stress: int, in_word: bool, level: int) -> float:
    if stress == 2:
        return STRESSED[level]
    if stress == 1:
        return SECONDARY[level]
    return (LIGHT_IN_WORD if in_word else LIGHT_WORD)[level]


def _gap_cost(pace: Pace, units: int) -> float:
    if units <= 4:
        return pace.gaps[units - 1]
    return pace.gaps[3] + pace.beyond * (units - 4)


def place_line(
    stress: list[tuple[int, bool]],
    span: tuple[int, int],
    meter: Meter,
    unit: int,
    pace: Pace,
    motif: frozenset[int] = frozenset(),
) -> list[tuple[int, int]]:
    """(start, end) per syllable of one line inside ``span``; ``stress`` is (stress, in a
    multi-syllable word) per syllable. ``motif``: onsets (ticks from the span start) of the
    line this one echoes (the first line of its parity); a syllable there costs
    ``MOTIF_BONUS`` less, so lines echo the motif's rhythm where their words allow (a tune
    repeats its rhythms; speech does not).
    The caller makes sure the syllables fit the grid."""
    s, e = span
    bar = bar_ticks(meter)
    lv = levels(meter, unit)
    usable = e - unit if e - s > 2 * unit else e
    grid = list(range(s, usable, unit))
    k, m = len(stress), len(grid)
    if not k:
        return []
    hold_min, hold_max = 2 * unit, max(bar, 4 * unit)
    inf = float("inf")
    cost = [[inf] * m for _ in range(k)]
    back = [[-1] * m for _ in range(k)]
    for j in range(m):
        delay = (grid[j] - s) / unit
        if grid[j] - s > MAX_DELAY_BARS * bar:
            break
        cost[0][j] = syllable_cost(*stress[0], lv[(grid[j] - s) % bar]) + pace.late_start * delay
        cost[0][j] -= MOTIF_BONUS * (grid[j] - s in motif)
    for i in range(1, k):
        for j in range(i, m):
            here = syllable_cost(*stress[i], lv[(grid[j] - s) % bar])
            here -= MOTIF_BONUS * (grid[j] - s in motif)
            best, arg = inf, -1
            for jj in range(i - 1, j):
                c = cost[i - 1][jj]
                if c == inf:
                    continue
                c += _gap_cost(pace, j - jj)
                if c < best:
                    best, arg = c, jj
            if arg >= 0:
                cost[i][j], back[i][j] = best + here, arg
    end_cost = []
    for j in range(m):
        hold = usable - grid[j]
        c = cost[k - 1][j] + 0.8 * syllable_cost(2, False, lv[(grid[j] - s) % bar])
        if hold < hold_min:
            c += 2.5
        elif hold > hold_max:
            c += 0.12 * (hold - hold_max) / unit  # silence after the line: an answer, not free
        end_cost.append(c)
    j = min(range(m), key=lambda jj: (end_cost[jj], jj))
    starts = [0] * k
    for i in range(k - 1, -1, -1):
        starts[i] = grid[j]
        j = back[i][j]
    ends = [*starts[1:], min(usable, starts[-1] + hold_max)]
    ends[-1] = max(ends[-1], min(usable, starts[-1] + unit))
    return list(zip(starts, ends, strict=True))


def grid_fit(k: int, span: tuple[int, int], unit: int, finest: int) -> tuple[int, int]:
    """The grid unit a line of ``k`` syllables is set on inside ``span`` and how many syllables
    it can hold: the tempo's unit, halved while the syllables do not fit (down to ``finest``)."""
    s, e = span
    u = unit
    while True:
        usable = e - u if e - s > 2 * u else e
        room = max((usable - s) // u, 1)
        if k <= room or u // 2 < finest:
            return u, min(k, room)
        u //= 2


def with_melisma(spans: list[tuple[int, int]], unit: int, span_len: int) -> list[SungNote]:
    """The line's notes: one per syllable, and where the line is sparse for its span
    (``MELISMA_ROOM``) its longest syllables (the final one first) sung over two notes."""
    notes = [SungNote(a, b, i) for i, (a, b) in enumerate(spans)]
    if not spans or span_len / unit / len(spans) < MELISMA_ROOM:
        return notes
    want = max(1, round(span_len / unit / MELISMA_ROOM) - len(spans))
    order = sorted(range(len(spans)), key=lambda i: (-(spans[i][1] - spans[i][0]), -i))
    split = {i for i in order[:want] if spans[i][1] - spans[i][0] >= 3 * unit}
    out: list[SungNote] = []
    for n in notes:
        if n.syllable in split:
            length = n.end - n.start
            first = max(unit, (length // 2) // unit * unit)
            out += [SungNote(n.start, n.start + first, n.syllable)]
            out += [SungNote(n.start + first, n.end, n.syllable, True)]
        else:
            out.append(n)
    return out
