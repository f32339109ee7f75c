"""The seam between production and the chromatic fitness model.

Production only needs ``score_batch``: MIDI bytes in, per-axis distributions, confidence and
match out. ``load_scorer`` imports ``chromatic.scoring`` lazily, so production works (theory
only, with a visible warning) where no model or no onnxruntime is installed, and says clearly
why when a model was asked for and cannot be used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from chromatic.errors import ChromaticError, ProduceError
from chromatic.taxonomy import AXES, chromatic_match

NO_MODEL_WARNING = "no model given: composite = theory score only (chromatic match not scored)"


class Scorer(Protocol):
    def score_batch(self, candidates: list[dict], *, color: str, concept: str) -> list[dict]: ...


@dataclass(frozen=True)
class Weights:
    """Composite = theory * w_theory + chromatic match * w_chromatic (normalized by their sum)."""

    theory: float = 0.3
    chromatic: float = 0.7

    def __post_init__(self) -> None:
        if self.theory < 0 or self.chromatic < 0 or self.theory + self.chromatic <= 0:
            raise ProduceError(
                f"scoring weights must be non-negative with a positive sum, got {self}"
            )

    def to_dict(self) -> dict[str, float]:
        return {"theory": float(self.theory), "chromatic": float(self.chromatic)}


THEORY_ONLY = Weights(theory=1.0, chromatic=0.0)


@dataclass(frozen=True)
class ChromaticResult:
    temporal: tuple[float, float, float]
    spatial: tuple[float, float, float]
    ontological: tuple[float, float, float]
    confidence: float
    match: float
    match_method: str = "js"

    @classmethod
    def from_scorer(cls, row: Mapping, color: str) -> ChromaticResult:
        """Read one ``score_batch`` row; ``match`` is recomputed from the taxonomy if absent."""
        try:
            axes = {a: tuple(float(x) for x in row[a]) for a in AXES}
            confidence = float(row["confidence"])
        except (KeyError, TypeError, ValueError) as e:
            raise ProduceError(
                f"scorer returned an unexpected row for {row.get('id')!r}: {e}"
            ) from None
        match = row.get("match")
        method = str(row.get("match_method") or "js")
        if match is None:
            match = chromatic_match(axes, color, confidence, method=method)
        return cls(
            axes["temporal"], axes["spatial"], axes["ontological"], confidence, float(match), method
        )  # type: ignore[arg-type]

    def to_dict(self, digits: int = 4) -> dict:
        r = lambda x: round(float(x), digits)  # noqa: E731
        return {
            "temporal": [r(x) for x in self.temporal],
            "spatial": [r(x) for x in self.spatial],
            "ontological": [r(x) for x in self.ontological],
            "confidence": r(self.confidence),
            "match": r(self.match),
            "match_method": self.match_method,
        }


def composite(theory: float, chromatic: float | None, weights: Weights = Weights()) -> float:
    """The ranking score: theory alone without a chromatic match, else the weighted mean."""
    if chromatic is None:
        return float(theory)
    return (weights.theory * theory + weights.chromatic * chromatic) / (
        weights.theory + weights.chromatic
    )


def load_scorer(path: str | os.PathLike) -> Scorer:
    """``chromatic.scoring.ChromaticScorer.load(path)``, or a ProduceError saying why not."""
    try:
        from chromatic.scoring import ChromaticScorer  # type: ignore[attr-defined]
    except ImportError as e:
        raise ProduceError(
            f"the chromatic scorer is not available ({e}); run without --model for theory-only scores"
        ) from None
    try:  # MODEL, MODEL.onnx: the scorer resolves both and names what is missing
        return ChromaticScorer.load(path)
    except ChromaticError:
        raise
    except Exception as e:
        raise ProduceError(f"cannot load the model: {e}", path=path) from None


def gate(scorer: Scorer, *, trust_model: bool = False) -> tuple[Scorer | None, str | None]:
    """A model that failed its sanity gates (recorded by ``chromatic export``: MIDI-only AUC,
    ranking stability, real vs random) is not used unless the user insists: (None, the one
    line that says so) -> theory only. (scorer, None) when it passed or was not checked."""
    gates = getattr(scorer, "gates", None) or {}
    if gates.get("passed") is not False:
        return scorer, None
    why = "; ".join(gates.get("failed") or []) or "failed its sanity gates"
    if trust_model:
        return scorer, f"model failed its sanity gates ({why}); used anyway (--trust-model)"
    return None, (
        f"model failed its sanity gates ({why}): composite = theory score only; "
        "pass --trust-model to use it anyway"
    )


def score_midi(
    scorer: Scorer, items: Sequence[tuple[str, bytes]], *, color: str, concept: str
) -> dict[str, ChromaticResult]:
    """Score MIDI bytes by id in one batch; every id must come back."""
    rows = scorer.score_batch(
        [{"id": i, "midi": b} for i, b in items], color=color, concept=concept
    )
    out = {str(r.get("id")): ChromaticResult.from_scorer(r, color) for r in rows}
    missing = [i for i, _ in items if i not in out]
    if missing:
        raise ProduceError(
            f"scorer returned no score for {len(missing)} candidate(s), e.g. {missing[0]}"
        )
    return out
