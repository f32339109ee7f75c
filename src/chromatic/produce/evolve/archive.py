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
    floor: float,
) -> list:
    """The first ``picks`` keys spread out on the phase's two descriptors: the best first, then
    each time the candidate farthest from the picks so far in total (the sum of its distances
    to them, which is what the shortlist's mean pairwise distance adds up; a new niche before
    a niche already shown; ties to the fitter), among the candidates at least as fit as
    ``floor`` (the engine: the worst candidate generate-and-rank would show); when none is
    left above it, the best of the rest. Then the rest by fitness. The shortlist shows ideas
    far apart on the axes a producer hears (density, register, syncopation, motion,
    chromaticism), each at least as good as what ranking would show, the best first."""
    left = sorted(keys, key=lambda k: (-fitness[k], k))
    if not left:
        return []
    chosen = [left.pop(0)]
    niches = {niche_of(chosen[0])}
    points = [point_of(chosen[0])]
    while left and len(chosen) < picks:
        good = [k for k in left if fitness[k] >= floor]
        if not good:
            pick = left[0]
        else:

            def score(k):
                p = point_of(k)
                far = sum(math.hypot(p[0] - q[0], p[1] - q[1]) for q in points)
                return (niche_of(k) not in niches, round(far, 9), fitness[k])

            pick = max(good, key=score)  # max keeps the first (fitter) of equal scores
        chosen.append(pick)
        left.remove(pick)
        niches.add(niche_of(pick))
        points.append(point_of(pick))
    return chosen + left


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
