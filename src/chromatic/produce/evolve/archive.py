"""The quality-diversity archive (MAP-Elites) and the shortlist's diversity measures.

A section's candidates are placed on a grid over two musical descriptors of the phase (each in
[0, 1], ``BINS`` bins a side: drums density x syncopation, bass density x register, melody
register x motion); each cell keeps the best candidate that ever landed in it. The shortlist is
then the best of distinct cells, not five neighbours of one idea.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from itertools import combinations

import numpy as np

BINS = 5


def cell(descriptor: tuple[float, float], bins: int = BINS) -> tuple[int, int]:
    """The grid cell of a descriptor pair (values clipped to [0, 1])."""
    return tuple(min(bins - 1, max(0, int(v * bins))) for v in descriptor)  # type: ignore[return-value]


def niche_name(c: tuple[int, int]) -> str:
    return f"{c[0]}-{c[1]}"


class Archive:
    """Cell -> (fitness, candidate key) of the best seen; ties keep the earlier (lower key)."""

    def __init__(self, bins: int = BINS) -> None:
        self.bins = bins
        self.elites: dict[tuple[int, int], tuple[float, object]] = {}

    def add(self, key, fitness: float, descriptor: tuple[float, float]) -> bool:
        c = cell(descriptor, self.bins)
        best = self.elites.get(c)
        if best is None or fitness > best[0]:
            self.elites[c] = (fitness, key)
            return True
        return False

    def keys(self) -> list:
        """The elites' keys, best first."""
        return [k for _, k in sorted(self.elites.values(), key=lambda fk: (-fk[0], fk[1]))]

    def __len__(self) -> int:
        return len(self.elites)


def spread_order(
    keys: Sequence,
    fitness: dict,
    niche_of: Callable,
    point_of: Callable,
    picks: int,
    floor: float | Callable,
) -> list:
    """The first ``picks`` keys spread out on the phase's two descriptors: the best first, then
    each time the candidate farthest from the picks so far in total (the sum of its distances
    to them, which is what the shortlist's mean pairwise distance adds up; a new niche before
    a niche already shown; ties to the fitter), among the candidates at least as fit as
    ``floor`` (the engine: the worst candidate generate-and-rank would show); when none is
    left above it, the best of the rest. Then the rest by fitness. The shortlist shows ideas
    far apart on the axes a producer hears (density, register, syncopation, motion,
    chromaticism), each at least as good as what ranking would show, the best first.
    ``floor`` is one number or a key's own (``niche_floors``)."""
    left = sorted(keys, key=lambda k: (-fitness[k], k))
    if not left:
        return []
    at_least = floor if callable(floor) else lambda _k: floor
    niche = {k: niche_of(k) for k in left}
    point = {k: point_of(k) for k in left}
    eligible = {k for k in left if fitness[k] >= at_least(k)}
    far = dict.fromkeys(left, 0.0)  # each key's distances to the picks so far, summed in order
    chosen = [left.pop(0)]
    niches = {niche[chosen[0]]}
    while left and len(chosen) < picks:
        q = point[chosen[-1]]
        for k in left:
            p = point[k]
            far[k] += math.hypot(p[0] - q[0], p[1] - q[1])
        good = [k for k in left if k in eligible]
        if not good:
            pick = left[0]
        else:

            def score(k):
                return (niche[k] not in niches, round(far[k], 9), fitness[k])

            pick = max(good, key=score)  # max keeps the first (fitter) of equal scores
        chosen.append(pick)
        left.remove(pick)
        niches.add(niche[pick])
    return chosen + left


def niche_floors(
    keys: Sequence, fitness: dict, point_of: Callable, floor: float, span: float
) -> dict:
    """Each candidate's quality floor, relative to its niche: ``floor`` (the worst candidate
    ranking shows) lowered by what the candidate's niche costs, the fitness a plane fitted to
    every scored candidate over the two descriptors expects at the best candidate's point
    minus what it expects at this one (sparse drums in a chorus lose energy fit whatever
    their quality; a line a tenth from the lead loses range), never raised and never lowered
    by more than ``span`` (ranking's own distance from its best to its worst shown). A
    candidate far from the best idea must be as good as ranking's worst after its niche's
    systematic cost; a candidate near it, as good as ranking's worst itself."""
    keys = list(keys)
    if len(keys) < 4:
        return dict.fromkeys(keys, floor)
    pts = np.array([point_of(k) for k in keys], dtype=float)
    fit = np.array([fitness[k] for k in keys], dtype=float)
    design = np.c_[np.ones(len(keys)), pts]
    coef = np.linalg.lstsq(design, fit, rcond=None)[0]
    expect = design @ coef
    best = int(np.argmax(fit))  # the first of equal bests, in key order (deterministic)
    cost = np.clip(expect[best] - expect, 0.0, max(0.0, span))
    return {k: float(floor - c) for k, c in zip(keys, cost, strict=True)}


def spread(points: Sequence[tuple[float, float]]) -> float:
    """The descriptor spread of a shortlist: the mean pairwise Euclidean distance of its
    candidates on the phase's two descriptors (``docs/evolve.md``: why this and not note
    distance)."""
    return mean_pairwise(list(points), lambda a, b: math.hypot(a[0] - b[0], a[1] - b[1]))


def note_distance(a: Iterable[tuple], b: Iterable[tuple]) -> float:
    """Jaccard distance between two parts' (onset, pitch) sets: 0 for the same notes, 1 for
    no note in common."""
    sa = {(n[0], n[2]) for n in a}
    sb = {(n[0], n[2]) for n in b}
    union = sa | sb
    return 1.0 - len(sa & sb) / len(union) if union else 0.0


def mean_pairwise(items: Sequence, distance: Callable[[object, object], float]) -> float:
    """The mean distance over every pair of kept candidates (0 for fewer than two)."""
    pairs = list(combinations(items, 2))
    return sum(distance(x, y) for x, y in pairs) / len(pairs) if pairs else 0.0
