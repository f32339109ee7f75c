"""Progressions drawn from the function-transition table (a first-order Markov chain).

A progression is a loop (the chord phase delivers loops), so its last chord is drawn with the
way back to the first in mind: weight(x) = p(x | previous) * p(first | x). All randomness comes
from a uniform matrix drawn once from the caller's seeded generator, so the same seed gives
the same progressions whatever else is asked of the generator afterwards.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from chromatic.produce.harmony.vocab import START, VOCAB, WEIGHTS, ChordSpec

LENGTHS = (4, 8)
P_LENGTH_4 = 0.6
#: Probability used for a transition the table does not allow, when *scoring* a progression.
FLOOR = 1e-3
#: Uniform columns one progression consumes: length, 8 chords.
DRAWS = 1 + max(LENGTHS)


@dataclass(frozen=True)
class TransitionModel:
    """Normalized start and transition probabilities over one family's vocabulary."""

    family: str
    chords: tuple[ChordSpec, ...]
    start: np.ndarray  # [n]
    matrix: np.ndarray  # [n, n], rows sum to 1

    @property
    def numerals(self) -> tuple[str, ...]:
        return tuple(c.numeral for c in self.chords)

    def index(self, numeral: str) -> int:
        return self.numerals.index(numeral)

    def log_ratio(self, path: tuple[int, ...]) -> float:
        """Mean over the start and every transition of the loop (last -> first) of
        log(p / max p of that row): 0 when every step is the most likely one."""
        terms = [math.log(max(self.start[path[0]], FLOOR) / self.start.max())]
        for a, b in zip(path, path[1:] + path[:1], strict=True):
            row = self.matrix[a]
            terms.append(math.log(max(row[b], FLOOR) / row.max()))
        return sum(terms) / len(terms)


@lru_cache(maxsize=4)
def transition_model(family: str) -> TransitionModel:
    chords = VOCAB[family]
    names = [c.numeral for c in chords]
    n = len(chords)
    start = np.array([START[family].get(x, 0.0) for x in names], dtype=np.float64)
    matrix = np.zeros((n, n))
    for a, row in WEIGHTS[family].items():
        for b, w in row.items():
            matrix[names.index(a), names.index(b)] = w
    if (matrix.sum(axis=1) == 0).any() or np.diag(matrix).any():  # pragma: no cover - table check
        raise AssertionError(f"{family} table: every chord needs exits and no self-transitions")
    return TransitionModel(
        family, chords, start / start.sum(), matrix / matrix.sum(axis=1, keepdims=True)
    )


def _cumulative(weights: np.ndarray) -> list[float]:
    c = np.cumsum(weights)
    return (c / c[-1]).tolist()


class _Sampler:
    """Cumulative rows for bisect: a few microseconds per draw in plain Python."""

    def __init__(self, model: TransitionModel):
        self.model = model
        self.start = _cumulative(model.start)
        self.rows = [_cumulative(r) for r in model.matrix]
        self._closing: dict[tuple[int, int], list[float] | None] = {}

    def closing(self, prev: int, first: int) -> list[float]:
        key = (prev, first)
        if key not in self._closing:
            w = self.model.matrix[prev] * self.model.matrix[:, first]
            self._closing[key] = _cumulative(w) if w.sum() > 0 else None
        return self._closing[key] or self.rows[prev]

    @staticmethod
    def draw(cum: list[float], u: float) -> int:
        return min(bisect.bisect_right(cum, u), len(cum) - 1)


def sample_progressions(model: TransitionModel, uniforms: np.ndarray) -> list[tuple[int, ...]]:
    """One progression (chord indices) per row of ``uniforms`` ([n, DRAWS] in [0, 1))."""
    sampler = _Sampler(model)
    out = []
    for u in uniforms.tolist():
        length = LENGTHS[0] if u[0] < P_LENGTH_4 else LENGTHS[1]
        path = [sampler.draw(sampler.start, u[1])]
        for i in range(2, length):
            path.append(sampler.draw(sampler.rows[path[-1]], u[i]))
        path.append(sampler.draw(sampler.closing(path[-1], path[0]), u[length]))
        out.append(tuple(path))
    return out
