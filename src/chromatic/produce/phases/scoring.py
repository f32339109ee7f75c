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
    """Composite = the weighted mean of the terms a run has: theory always, the chromatic match
    with a model, the taste score with a taste model (``--taste``)."""

    theory: float = 0.3
    chromatic: float = 0.7
    taste: float = 0.0

    def __post_init__(self) -> None:
        if (
            min(self.theory, self.chromatic, self.taste) < 0
            or self.theory + self.chromatic + self.taste <= 0
        ):
            raise ProduceError(
                f"scoring weights must be non-negative with a positive sum, got {self}"
            )

    def to_dict(self) -> dict[str, float]:
        out = {"theory": float(self.theory), "chromatic": float(self.chromatic)}
        if self.taste:
            out["taste"] = float(self.taste)
        return out

    def with_taste(self, taste: float) -> Weights:
        return Weights(self.theory, self.chromatic, taste)


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


def composite(
    theory: float,
    chromatic: float | None,
    weights: Weights = Weights(),
    taste: float | None = None,
) -> float:
    """The ranking score: the weighted mean of theory and whichever of the chromatic match and
    the taste score this run has (theory alone without either)."""
    terms = [(weights.theory, theory)]
    if chromatic is not None:
        terms.append((weights.chromatic, chromatic))
    if taste is not None:
        terms.append((weights.taste, taste))
    total = sum(w for w, _ in terms)
    if total <= 0:
        return float(theory)
    return sum(w * v for w, v in terms) / total


def composite_text(weights: Weights, chromatic: bool, taste: bool = False) -> str:
    """How review.yml describes the composite of a run."""
    parts = [f"{weights.theory:g} theory"] if chromatic or taste else []
    if chromatic:
        parts.append(f"{weights.chromatic:g} chromatic match")
    if taste:
        parts.append(f"{weights.taste:g} taste")
    return " + ".join(parts) if parts else "theory only"


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
