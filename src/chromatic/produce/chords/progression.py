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

from chromatic.produce.chords.vocab import (
    MODAL_BOOST,
    MODAL_CHORDS,
    MODAL_INTO,
    MODAL_ROWS,
    MODE_FAMILY,
    START,
    VOCAB,
    WEIGHTS,
    ChordSpec,
)

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
        log(p / max p of that row): 0 when every step is the most likely one. A chord repeated
        (a style's progression may hold one) is no step and counts nothing."""
        terms = [math.log(max(self.start[path[0]], FLOOR) / self.start.max())]
        for a, b in zip(path, path[1:] + path[:1], strict=True):
            if a == b:  # a held chord (a style's progression may repeat one): no step taken
                continue
            row = self.matrix[a]
            terms.append(math.log(max(row[b], FLOOR) / row.max()))
        return sum(terms) / len(terms)


#: The colour-chord shares the transition table is calibrated for: a style's ``borrowed`` and
#: ``secondary`` rates scale those chords' weights by rate / base (0 removes them).
BASE_BORROWED, BASE_SECONDARY = 0.1, 0.05


@dataclass(frozen=True)
class Colour:
    """How a style colours the table: the borrowed and secondary rates and a church mode
    (None: the table as written)."""

    borrowed: float = BASE_BORROWED
    secondary: float = BASE_SECONDARY
    mode: str | None = None

    def scale(self, chord: ChordSpec, family: str) -> float:
        """The factor on every way into ``chord`` (the minor key's V, the harmonic-minor
        dominant, is common practice rather than colour: never scaled)."""
        if chord.kind == "borrowed" and not (family == "minor" and chord.numeral == "V"):
            return self.borrowed / BASE_BORROWED
        if chord.kind == "secondary":
            return self.secondary / BASE_SECONDARY
        return MODAL_BOOST.get(self.mode or "", {}).get(chord.numeral, 1.0)


NEUTRAL = Colour()


def _tables(family: str, colour: Colour):
    """The vocabulary, start weights and transition rows with the mode's chords added."""
    chords = list(VOCAB[family])
    rows = {a: dict(r) for a, r in WEIGHTS[family].items()}
    mode = colour.mode if MODE_FAMILY.get(colour.mode or "") == family else None
    if mode:
        chords.extend(MODAL_CHORDS[mode])
        rows.update({a: dict(r) for a, r in MODAL_ROWS[mode].items()})
        for target, into in MODAL_INTO[mode].items():
            for a, w in into.items():
                rows[a][target] = w
    return tuple(chords), rows


@lru_cache(maxsize=64)
def transition_model(family: str, colour: Colour = NEUTRAL) -> TransitionModel:
    chords, rows = _tables(family, colour)
    names = [c.numeral for c in chords]
    n = len(chords)
    factor = np.array([colour.scale(c, family) for c in chords])
    start = np.array([START[family].get(x, 0.0) for x in names], dtype=np.float64) * factor
    matrix = np.zeros((n, n))
    for a, row in rows.items():
        for b, w in row.items():
            matrix[names.index(a), names.index(b)] = w
    matrix *= factor[None, :]
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
