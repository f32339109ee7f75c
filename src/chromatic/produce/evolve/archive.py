"""The quality-diversity archive (MAP-Elites) and the shortlist's diversity measures.

A section's candidates are placed on a grid over two musical descriptors of the phase (each in
[0, 1], ``BINS`` bins a side: drums density x syncopation, bass density x register, melody
register x motion); each cell keeps the best candidate that ever landed in it. The shortlist is
then the best of distinct cells, not five neighbours of one idea.
"""

from __future__ import annotations

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


def diverse_order(
    keys: Sequence,
    fitness: dict,
    niche_of: Callable,
    kind_of: Callable,
    notes_of: Callable,
    picks: int,
    apart: float = 0.5,
) -> list:
    """The first ``picks`` keys chosen greedily, best first, each from the highest tier that
    has one: a new niche, a new kind (template, style, contour) and at least ``apart`` from
    every pick so far (Jaccard distance of notes); a new niche and ``apart``; a new niche; any.
    Then the rest by fitness. The shortlist shows different ideas, each its niche's best."""
    left = sorted(keys, key=lambda k: (-fitness[k], k))
    chosen: list = []
    niches: set = set()
    kinds: set = set()
    while left and len(chosen) < picks:

        def far(k) -> bool:
            return all(note_distance(notes_of(k), notes_of(c)) >= apart for c in chosen)

        tiers = (
            lambda k: niche_of(k) not in niches and kind_of(k) not in kinds and far(k),
            lambda k: niche_of(k) not in niches and far(k),
            lambda k: niche_of(k) not in niches,
            lambda k: True,
        )
        pick = next(k for tier in tiers for k in left if tier(k))
        chosen.append(pick)
        left.remove(pick)
        niches.add(niche_of(pick))
        kinds.add(kind_of(pick))
    return chosen + left


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
