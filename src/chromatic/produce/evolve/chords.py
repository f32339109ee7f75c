"""Chord operators: a chord loop bred the way a musician reworks one.

A chord candidate's genome is a tuple of ``Slot``: where a chord starts (ticks), how many bars
it lasts, the chord (``harmony.vocab.ChordSpec``: numeral, quality, function, kind) and its
four-voice voicing. Every operator but the voicing moves changes chords or durations, and the
whole loop is then re-voiced for voice leading (``harmony.voicing``) from the parent's first
top voice, so the child is a playable loop, never two halves that jump at the seam.

- ``substitute``: one chord becomes another of the same function (tonic, predominant,
  dominant) from the key's table, diatonic or modal (IV for ii, vi for I, iii for I ...); an
  extended chord keeps its kind of extension (a seventh stays a seventh);
- ``reharmonise``: a borrowed chord of the same function replaces a diatonic one, or the chord
  before a target becomes the target's secondary dominant (V7/vi before vi). The two are drawn
  in proportion to the style's ``borrowed`` and ``secondary`` rates (a rate of 0: never), and a
  loop holds at most ``max(1, ceil(2 x rate x chords))`` chords of each kind;
- ``rotate``: the loop starts on another chord (each chord keeps its duration);
- ``rhythm``: the harmonic rhythm changes: a bar (or a half bar where the meter halves) moves
  from one chord to its neighbour, the loop's length kept;
- ``revoice``: the whole loop re-voiced toward another top-voice target;
- ``invert``: one chord's upper voices take their next inversion (lowest up an octave or
  highest down), inside the register;
- ``extend``: one chord gains or loses its extension (seventh, sus, add9 at the style's rates),
  never one that adds a tone outside the key (``in_key``);
- ``double_time`` / ``half_time`` (``evolve.reach``'s kind of move: one descriptor far in one
  step): the loop's chords twice over, each half as long / the chords of its first half, each
  held twice as long; the loop's length kept.

Crossover (``cross``) cuts two loops at a chord change both share, phrase boundaries first,
and joins the first's head to the second's tail. Niches: chromaticism (the share of borrowed,
secondary and modal chords, half the loop = full) x harmonic rhythm (chords per bar on a log
scale: one per 4 bars .. two per bar).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from chromatic.music.meter import ticks
from chromatic.produce.chords.colour import extend
from chromatic.produce.chords.theory import theory_scores
from chromatic.produce.chords.vocab import ChordSpec
from chromatic.produce.chords.voicing import MAX_SPAN, TOP_TARGETS, UPPER_RANGE, voice_progression
from chromatic.produce.evolve.breeder import Breeder, lineage_details
from chromatic.produce.phases.parts import PartCandidate

MAX_CHORDS = 8
GROUP = "chords"  # the one pool a chord candidate belongs to (no sections yet)


class Slot(NamedTuple):
    start: int  # ticks from the loop's start (``note_distance`` reads [0] and [2])
    bars: Fraction
    chord: ChordSpec
    voicing: tuple[int, int, int, int]  # bass, upper low..high


@dataclass(frozen=True)
class ChordContext:
    """What the chord operators need: the key's table, the key, the meter, the style's colour
    rates and extension rates, the style's own moves (for the theory's style part)."""

    model: object  # harmony.progression.TransitionModel
    key: object  # music.key.Key
    meter: object  # music.meter.Meter
    borrowed: float
    secondary: float
    sevenths: float
    sus: float
    add9: float
    moves: frozenset
    label: str = GROUP

    @property
    def bar_ticks(self) -> int:
        return ticks(self.meter.bar)


def slots(chords, voicing, bars, meter) -> tuple[Slot, ...]:
    """A genome from a candidate's chords, [n, 4] voicing and per-chord bars."""
    out, t = [], 0
    for c, row, b in zip(chords, np.asarray(voicing).tolist(), bars, strict=True):
        out.append(Slot(t, Fraction(b), c, tuple(int(p) for p in row)))
        t += ticks(Fraction(b) * meter.bar)
    return tuple(out)


def _laid(ctx: ChordContext, chords, bars, voicing) -> tuple[Slot, ...]:
    return slots(chords, voicing, bars, ctx.meter)


def revoiced(ctx: ChordContext, chords, bars, top: int) -> tuple[Slot, ...]:
    """The loop voiced afresh (voice leading from the first chord, whose top aims at ``top``)."""
    voicing = voice_progression([c.pcs(ctx.key) for c in chords], top)
    return _laid(ctx, chords, bars, voicing)


def _parts(g):
    return [s.chord for s in g], [s.bars for s in g], g[0].voicing[3]


def _same_base(c: ChordSpec, new: ChordSpec, ctx: ChordContext) -> ChordSpec:
    """``new`` with ``c``'s kind of extension, where its quality allows one (a seventh stays
    a seventh, a sus a sus)."""
    if not c.base:
        return new
    q = c.quality
    if q in ("sus2", "sus4"):
        return replace(new, quality=q, base=new.quality) if new.quality in ("maj", "min") else new
    if q in ("add9", "madd9"):
        return extend(new, 0.5, 0.0, 0.0, 1.0)
    return extend(new, 0.0, 1.0, 0.0, 0.0)


def _neighbours_ok(numerals: list[str], at: int, numeral: str) -> bool:
    n = len(numerals)
    return n < 2 or (numerals[at - 1] != numeral and numerals[(at + 1) % n] != numeral)


def substitute(g, ctx: ChordContext, rng):
    chords, bars, top = _parts(g)
    numerals = [c.numeral for c in chords]
    spots = list(range(len(chords)))
    rng.shuffle(spots)
    for at in spots:
        c = chords[at]
        alike = [
            x
            for x in ctx.model.chords
            if x.function == c.function
            and x.kind in ("diatonic", "modal")
            and x.numeral != c.numeral
            and _neighbours_ok(numerals, at, x.numeral)
        ]
        if alike:
            new = _same_base(c, alike[int(rng.integers(len(alike)))], ctx)
            return revoiced(ctx, [*chords[:at], new, *chords[at + 1 :]], bars, top)
    return None


def colour_cap(rate: float, n: int) -> int:
    """The most chords of one colour kind a loop of ``n`` may hold at the style's ``rate``."""
    return max(1, math.ceil(2 * rate * n)) if rate > 0 else 0


def reharmonise(g, ctx: ChordContext, rng):
    chords, bars, top = _parts(g)
    rates = {"borrowed": ctx.borrowed, "secondary": ctx.secondary}
    total = sum(rates.values())
    if total <= 0:
        return None
    kind = "borrowed" if rng.random() < ctx.borrowed / total else "secondary"
    if sum(c.kind == kind for c in chords) >= colour_cap(rates[kind], len(chords)):
        return None
    numerals = [c.numeral for c in chords]
    n = len(chords)
    order = list(range(n))
    rng.shuffle(order)
    for at in order:
        if kind == "borrowed":
            if chords[at].kind != "diatonic":
                continue
            options = [
                x
                for x in ctx.model.chords
                if x.kind == "borrowed"
                and x.function == chords[at].function
                and _neighbours_ok(numerals, at, x.numeral)
            ]
        else:
            target = chords[(at + 1) % n]
            if n < 2 or target.kind == "secondary":
                continue
            options = [
                x
                for x in ctx.model.chords
                if x.kind == "secondary"
                and x.numeral.split("/")[1] == target.numeral
                and _neighbours_ok(numerals, at, x.numeral)
            ]
        if options:
            new = options[int(rng.integers(len(options)))]
            return revoiced(ctx, [*chords[:at], new, *chords[at + 1 :]], bars, top)
    return None


def rotate(g, ctx: ChordContext, rng):
    if len(g) < 2:
        return None
    chords, bars, top = _parts(g)
    r = 1 + int(rng.integers(len(g) - 1))
    return revoiced(ctx, chords[r:] + chords[:r], bars[r:] + bars[:r], top)


def rhythm(g, ctx: ChordContext, rng):
    """A unit of duration moves between two neighbouring chords (the loop's length kept)."""
    if len(g) < 2:
        return None
    chords, bars, _ = _parts(g)
    unit = Fraction(1, 2) if ctx.meter.half_bar else Fraction(1)
    moves = [
        (i, j)
        for i in range(len(g) - 1)
        for j in (i, i + 1)
        if bars[j] - unit >= unit  # the giver keeps at least a unit
        and bars[i + (j == i)] + unit <= 4  # the taker lasts at most four bars
    ]
    if not moves:
        return None
    i, giver = moves[int(rng.integers(len(moves)))]
    taker = i + 1 if giver == i else i
    bars = list(bars)
    bars[giver] -= unit
    bars[taker] += unit
    return _laid(ctx, chords, bars, [s.voicing for s in g])


def double_time(g, ctx: ChordContext, rng):
    """The loop played twice as fast, twice over (each chord half as long): evolve.reach."""
    chords, bars, top = _parts(g)
    unit = Fraction(1, 2) if ctx.meter.half_bar else Fraction(1)
    if 2 * len(g) > MAX_CHORDS or any(b / 2 < unit for b in bars):
        return None
    return revoiced(ctx, chords * 2, [b / 2 for b in bars] * 2, top)


def half_time(g, ctx: ChordContext, rng):
    """The chords of the loop's first half, each held twice as long (at most four bars)."""
    chords, bars, top = _parts(g)
    total, t, n = sum(bars), Fraction(0), 0
    while n < len(bars) and t < total / 2:
        t, n = t + bars[n], n + 1
    if t != total / 2 or n < 1 or any(2 * b > 4 for b in bars[:n]):
        return None
    return revoiced(ctx, chords[:n], [2 * b for b in bars[:n]], top)


def revoice(g, ctx: ChordContext, rng):
    chords, bars, top = _parts(g)
    options = [t for t in TOP_TARGETS if abs(t - top) >= 2]
    return revoiced(ctx, chords, bars, int(options[int(rng.integers(len(options)))]))


def invert(g, ctx: ChordContext, rng):
    at = int(rng.integers(len(g)))
    bass, *upper = g[at].voicing
    up = rng.random() < 0.5
    new = sorted([*upper[1:], upper[0] + 12] if up else [upper[-1] - 12, *upper[:-1]])
    lo, hi = UPPER_RANGE
    if new[0] < lo or new[-1] > hi or new[-1] - new[0] > MAX_SPAN or len(set(new)) < 3:
        return None
    out = list(g)
    out[at] = g[at]._replace(voicing=(bass, *new))
    return tuple(out)


def extend_op(g, ctx: ChordContext, rng):
    chords, bars, top = _parts(g)
    at = int(rng.integers(len(chords)))
    c = chords[at]
    if c.base:  # an extension dropped
        new = replace(c, quality=c.base, base="")
    else:
        rates = ctx.sevenths + ctx.sus + ctx.add9
        if rates <= 0:
            return None
        new = extend(c, float(rng.random()) * rates, ctx.sevenths, ctx.sus, ctx.add9)
        if new == c or not in_key(new, c, ctx.key):
            return None
    return revoiced(ctx, [*chords[:at], new, *chords[at + 1 :]], bars, top)


def in_key(new: ChordSpec, old: ChordSpec, key) -> bool:
    """Whether an extension adds no tone outside the key to the chord (a sus4 on IV, an add9
    on iii bring the key's flat seventh and sharp fourth): a loop's chromatic colour comes from
    its borrowed and secondary chords, which ``reharmonise`` caps at the style's rates."""
    return set(new.pcs(key)) <= set(key.scale_pcs()) | set(old.pcs(key))


def cross(a, b, ctx: ChordContext, rng) -> tuple[tuple, str] | None:
    """``a``'s chords before a chord change both loops share, ``b``'s from it (phrase
    boundaries first: every 4 bars, else 2, else any shared change)."""
    shared = sorted({s.start for s in a[1:]} & {s.start for s in b[1:]})
    if not shared:
        return None
    bar = ctx.bar_ticks
    for every in (4, 2, 1, 0):
        cuts = [t for t in shared if every == 0 or t % (every * bar) == 0]
        if cuts:
            break
    cut = cuts[int(rng.integers(len(cuts)))]
    head = [s for s in a if s.start < cut]
    tail = [s for s in b if s.start >= cut]
    if len(head) + len(tail) > MAX_CHORDS:
        return None
    chords = [s.chord for s in head + tail]
    bars = [s.bars for s in head + tail]
    where = f"bar{cut // bar + 1}" if cut % bar == 0 else f"t{cut}"
    return revoiced(ctx, chords, bars, a[0].voicing[3]), f"crossover@{where}"


OPERATORS = (
    ("substitute", substitute),
    ("reharmonise", reharmonise),
    ("rotate", rotate),
    ("rhythm", rhythm),
    ("revoice", revoice),
    ("invert", invert),
    ("extend", extend_op),
    ("double_time", double_time),
    ("half_time", half_time),
)


def colour_share(g) -> float:
    return sum(s.chord.kind != "diatonic" for s in g) / len(g)


def colour_time(g) -> float:
    """The share of the loop's bars under a colour chord (borrowed, secondary, modal)."""
    return float(sum(s.bars for s in g if s.chord.kind != "diatonic") / sum(s.bars for s in g))


def colour_limit(ctx: ChordContext) -> float:
    """The most of its time a bred loop may spend on colour chords, unless its parent already
    did: twice the style's colour rates (``reharmonise``'s cap, over the whole loop). Without
    it a crossover and a ``half_time`` make [I, II] of a lydian loop, half its time off the
    key (wave s12: one song's in-key share 0.89 against ranking's 0.97)."""
    return 2 * (ctx.borrowed + ctx.secondary)


def changes_per_bar(g) -> float:
    return len(g) / float(sum(s.bars for s in g))


def descriptor(_section, g) -> tuple[float, float]:
    x = min(1.0, colour_share(g) / 0.5)
    y = (math.log2(changes_per_bar(g)) + 2.0) / 3.0  # 1/4 -> 0, 1 -> 2/3, 2 -> 1
    return x, min(1.0, max(0.0, y))


def path_of(ctx: ChordContext, g) -> tuple[int, ...]:
    return tuple(ctx.model.index(s.chord.numeral) for s in g)


def theory_of(ctx: ChordContext, g) -> dict[str, float]:
    voicing = np.array([s.voicing for s in g], dtype=np.int64)
    scores = theory_scores(ctx.model, path_of(ctx, g), voicing, ctx.moves, ctx.key)
    return scores.to_dict()


def held(g) -> tuple[Slot, ...]:
    """The same chord twice in a row (a crossover's seam, a substitution) is one chord held:
    the slots merge, the first one's voicing kept."""
    out: list[Slot] = []
    for s in g:
        if out and out[-1].chord == s.chord:
            out[-1] = out[-1]._replace(bars=out[-1].bars + s.bars)
        else:
            out.append(s)
    return tuple(out)


def chord_breeder(ctx: ChordContext) -> Breeder:
    def child(_section, g, parent: PartCandidate, index: int, lineage: dict):
        g = held(g)
        if not g or len(g) > MAX_CHORDS:
            return None
        if colour_time(g) > max(colour_time(parent.notes), colour_limit(ctx)) + 1e-9:
            return None  # more of the loop off the key than its parent and the style's cap
        details = lineage_details(parent.details, lineage)
        return PartCandidate(ctx.label, index, theory_of(ctx, g), details, g)

    ops = tuple((name, _bound(op, ctx)) for name, op in OPERATORS)
    return Breeder(
        ops,
        child,
        descriptor,
        kind="",  # the chord phase ranks by composite alone (no kinds to spread over)
        cross=lambda a, b, _section, rng: cross(a, b, ctx, rng),
        keeps_notes=False,  # held chords merged
    )


def _bound(op, ctx):
    return lambda g, _section, rng: op(g, ctx, rng)
