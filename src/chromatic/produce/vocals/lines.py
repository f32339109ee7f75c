"""Backing lines against an approved lead: a third or sixth beside a sung lead (same rhythm,
same syllables), and a counter-melody under a wordless one.

Both are a shortest path (Viterbi) over the pitches the second singer can sing: every note's
candidates lie inside the singer's range by construction, so the range goal holds whatever the
lead does. A parallel line keeps the lead's rhythm and takes only thirds and sixths (simple or
compound) against it, so it can never move in parallel fifths or octaves with it; the costs
prefer the option's interval, scale tones, chord tones on strong beats and small moves. A
counter-melody moves on its own slower grid (half bars, bars or chord changes) over chord tones,
prefers contrary motion to the lead, and forbids parallel perfect intervals outright.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from chromatic.music.notes import Note

THIRDS, SIXTHS = (3, 4), (8, 9)
HARMONIC = (*THIRDS, *SIXTHS)  # interval classes a parallel line may take against the lead
FORBIDDEN = 1e6
BACKING_SOFTER = 14
BREATH = 20  # ticks of silence before a counter-melody's next note  # velocity below the lead: a backing voice sits under it


@dataclass(frozen=True)
class ParallelOption:
    """A line beside the lead: ``interval`` "third" or "sixth", ``side`` "above" or "below",
    ``policy`` "diatonic" (scale tones first) or "chordal" (chord tones on every strong beat)."""

    interval: str
    side: str
    policy: str

    @property
    def kind(self) -> str:
        return f"{self.interval}_{self.side}"


@dataclass(frozen=True)
class CounterOption:
    """A counter-melody: ``rhythm`` "half" (two notes a bar), "bar" or "chord" (each change);
    ``register`` "low" or "high" in the singer's range."""

    rhythm: str
    register: str

    @property
    def kind(self) -> str:
        return f"counter_{self.rhythm}"


PARALLEL_OPTIONS = tuple(
    ParallelOption(i, s, p)
    for i in ("third", "sixth")
    for s in ("above", "below")
    for p in ("diatonic", "chordal")
)
COUNTER_OPTIONS = tuple(
    CounterOption(r, g) for r in ("half", "bar", "chord") for g in ("low", "high")
)


def _move_cost(d: int) -> float:
    return 0.0 if d <= 2 else 0.4 if d <= 4 else 1.2 if d <= 7 else 3.0 + (d - 7) * 0.3


def _viterbi(node: list[np.ndarray], edge: Callable[[int, int, int], float], cands) -> list[int]:
    """The cheapest path: ``node[i][k]`` the cost of candidate ``k`` at step ``i``,
    ``edge(i, j, k)`` of moving from candidate ``j`` at ``i - 1`` to ``k`` at ``i``."""
    cost = node[0].copy()
    back: list[np.ndarray] = []
    for i in range(1, len(node)):
        trans = np.array(
            [[edge(i, j, k) for k in range(len(cands[i]))] for j in range(len(cands[i - 1]))]
        )
        total = cost[:, None] + trans
        back.append(total.argmin(axis=0))
        cost = total.min(axis=0) + node[i]
    path = [int(cost.argmin())]
    for b in reversed(back):
        path.append(int(b[path[-1]]))
    path.reverse()
    return [cands[i][k] for i, k in enumerate(path)]


def parallel_candidates(lead: int, low: int, high: int, side: str) -> list[tuple[int, float]]:
    """(pitch, extra cost) a parallel line may sing against ``lead``: thirds and sixths on the
    option's side, else on the other side (cost 4). Never empty: any eight semitones of range
    hold a third or sixth of any pitch class."""
    sign = 1 if side == "above" else -1
    own = [(p, 0.0) for p in range(low, high + 1) if (p - lead) * sign > 0]
    own = [(p, c) for p, c in own if abs(p - lead) % 12 in HARMONIC]
    if own:
        return own
    return [(p, 4.0) for p in range(low, high + 1) if (p - lead) % 12 in HARMONIC and p != lead]


def parallel_line(
    lead: Sequence[Note],
    opt: ParallelOption,
    low: int,
    high: int,
    scale: Sequence[int],
    tones_at: Callable[[int], Sequence[int]],
    strong: set[int],
) -> tuple[Note, ...]:
    """One backing note per lead note (same start and length) a third or sixth from it."""
    if not lead:
        return ()
    want = THIRDS if opt.interval == "third" else SIXTHS
    weight = 0.8 if opt.policy == "diatonic" else 2.0
    cands, node = [], []
    for n in lead:
        tones = tones_at(n.start)
        options = parallel_candidates(n.pitch, low, high, opt.side)
        costs = []
        for p, extra in options:
            d = abs(p - n.pitch)
            c = extra + (0.0 if d % 12 in want else 1.5) + (d // 12) * 1.0
            if p % 12 not in scale and p % 12 not in tones:
                c += 2.5
            if p % 12 not in tones and (n.start in strong or n.duration >= 480):
                c += weight
            costs.append(c)
        cands.append([p for p, _ in options])
        node.append(np.array(costs))

    def edge(i: int, j: int, k: int) -> float:
        gap = lead[i].start - lead[i - 1].end > 0  # a breath: a new phrase may start anywhere
        move = _move_cost(abs(cands[i][k] - cands[i - 1][j]))
        return move * (0.5 if gap else 1.0)

    pitches = _viterbi(node, edge, cands)
    return tuple(
        Note(n.start, n.duration, p, max(1, n.velocity - BACKING_SOFTER))
        for n, p in zip(lead, pitches, strict=True)
    )


def counter_onsets(
    rhythm: str, total: int, bar: int, chord_starts: Sequence[int], strong: Sequence[int]
) -> list[int]:
    """Where a counter-melody moves: every chord change, plus its grid."""
    grid: set[int] = set(chord_starts)
    if rhythm == "bar":
        grid |= set(range(0, total, bar))
    elif rhythm == "half":
        grid |= set(strong) if len(strong) > 1 else set(range(0, total, bar // 2))
    return sorted(t for t in grid if 0 <= t < total)


def counter_line(
    lead: Sequence[Note],
    opt: CounterOption,
    low: int,
    high: int,
    onsets: Sequence[int],
    total: int,
    tones_at: Callable[[int], Sequence[int]],
    velocity: int = 72,
) -> tuple[Note, ...]:
    """A slower line over chord tones in range: consonant with the lead where it sounds, in
    contrary motion where it can, never in parallel fifths or octaves with it."""
    if not onsets:
        return ()

    def lead_at(t: int) -> int | None:
        n = next((x for x in lead if x.start <= t < x.end), None)
        return None if n is None else n.pitch

    target = low + 4 if opt.register == "low" else high - 4
    cands, node = [], []
    for t in onsets:
        tones = tones_at(t)
        ps = [p for p in range(low, high + 1) if p % 12 in tones] or list(range(low, high + 1))
        a = lead_at(t)
        costs = []
        for p in ps:
            c = 0.06 * abs(p - target)
            if a is not None:
                ic = (p - a) % 12
                c += 3.0 if p == a else 2.0 if ic not in (0, 3, 4, 7, 8, 9) else 0.0
                c += 0.3 if ic in (0, 7) else 0.0
            costs.append(c)
        cands.append(ps)
        node.append(np.array(costs))

    first, last = _lead_in_spans(lead, onsets, total)

    def edge(i: int, j: int, k: int) -> float:
        q, p = cands[i - 1][j], cands[i][k]
        c = _move_cost(abs(p - q))
        before, now = last[i - 1], first[i]
        if before is not None and now is not None and p != q and now != before:
            same = (now - before) * (p - q) > 0
            if same and (q - before) % 12 == (p - now) % 12 and (p - now) % 12 in (0, 7):
                return FORBIDDEN
            c += 0.0 if not same else 0.3
        return c

    pitches = _viterbi(node, edge, cands)
    spans = pairwise([*onsets, total])
    return tuple(
        Note(t, max(1, e - t - BREATH), p, velocity)
        for (t, e), p in zip(spans, pitches, strict=True)
    )


def _lead_in_spans(
    lead: Sequence[Note], onsets: Sequence[int], total: int
) -> tuple[list[int | None], list[int | None]]:
    """Per counter note, the lead pitch at the first and the last moment both voices start
    sounding together inside it (its onset, or a lead onset while it holds): the two vertical
    pairs a move of the counter-melody connects, as ``theory.vertical_pairs`` sees them."""
    first, last = [], []
    for t, e in pairwise([*onsets, total]):
        end = max(t + 1, e - BREATH)
        points = [t, *(n.start for n in lead if t < n.start < end)]
        at = [next((n.pitch for n in lead if n.start <= x < n.end), None) for x in points]
        sounding = [x for x in at if x is not None]
        first.append(sounding[0] if sounding else None)
        last.append(sounding[-1] if sounding else None)
    return first, last
