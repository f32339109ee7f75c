"""A candidate's composite (theory, chromatic match, taste) and the seam between production and
the chromatic fitness model.

Production only needs ``score_batch``: candidates in (each a ``music.song.Song``, or MIDI
bytes), per-axis distributions, confidence and match out. ``load_scorer`` imports
``chromatic.scoring`` lazily, so production works (theory only, with a visible warning) where no
model or no onnxruntime is installed, and says clearly why when a model was asked for and
cannot be used.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

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
    confidence: float | None
    match: float
    match_method: str = "js"
    match_relative: float | None = None  # sd above the color's held-out mean (model baseline)

    @classmethod
    def from_scorer(cls, row: Mapping, color: str) -> ChromaticResult:
        """Read one ``score_batch`` row; ``match`` is recomputed from the taxonomy if absent."""
        try:
            axes = {a: tuple(float(x) for x in row[a]) for a in AXES}
            raw = row["confidence"]  # None: the model has no calibrated confidence
            confidence = None if raw is None else float(raw)
        except (KeyError, TypeError, ValueError) as e:
            raise ProduceError(
                f"scorer returned an unexpected row for {row.get('id')!r}: {e}"
            ) from None
        match = row.get("match")
        method = str(row.get("match_method") or "js")
        if match is None:
            match = chromatic_match(axes, color, confidence, method=method)
        rel = row.get("match_relative")
        return cls(
            axes["temporal"],  # type: ignore[arg-type]
            axes["spatial"],  # type: ignore[arg-type]
            axes["ontological"],  # type: ignore[arg-type]
            confidence,
            float(match),
            method,
            None if rel is None else float(rel),
        )

    def to_dict(self, digits: int = 4) -> dict:
        r = lambda x: round(float(x), digits)  # noqa: E731
        return {
            "temporal": [r(x) for x in self.temporal],
            "spatial": [r(x) for x in self.spatial],
            "ontological": [r(x) for x in self.ontological],
            "confidence": None if self.confidence is None else r(self.confidence),
            "match": r(self.match),
            "match_relative": None if self.match_relative is None else r(self.match_relative),
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
        parts.append(f"{weights.chromatic:g} chromatic term ({POOL_TRANSFORM})")
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
        with contextlib.suppress(AttributeError):  # reliability() reads it
            scorer.trusted = True  # type: ignore[attr-defined]
        return scorer, f"model failed its sanity gates ({why}); used anyway (--trust-model)"
    return None, (
        f"model failed its sanity gates ({why}): composite = theory score only; "
        "pass --trust-model to use it anyway"
    )


def score_midi(
    scorer: Scorer, items: Sequence[tuple[str, object]], *, color: str, concept: str
) -> dict[str, ChromaticResult]:
    """Score candidates by id in one batch (each a ``music.song.Song`` the scorer reads in
    memory, or MIDI bytes); every id must come back."""
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


# --- the composite over a pool -------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)

#: How the raw chromatic match becomes the composite's chromatic term (review.yml says so).
POOL_TRANSFORM = (
    "match standardised within the pool (section), then put on theory's scale there: "
    "term = mean(theory) + std(theory) x z(match), z clipped to +-3"
)
#: Theory's spread below this counts as no spread: the term then uses this scale.
MIN_SCALE = 0.05
#: The MIDI-only AUC interval's lower end at which a model earns its full chromatic weight.
FULL_RELIABILITY_AUC = 0.75


@dataclass(frozen=True)
class PoolScore:
    composite: float
    term: float | None  # the pool-relative chromatic term (None without a model)


def pool_terms(values: Sequence[float], reference: Sequence[float]) -> np.ndarray:
    """``values`` standardised within their pool and put on the scale of ``reference`` (the
    theory scores of the same candidates): a term whose spread equals theory's spread, so a
    weight of 0.7 against 0.3 gives the chromatic signal 70 % of the ranking's spread however
    narrow the raw matches are. A constant pool gives every candidate theory's mean."""
    v = np.asarray(values, np.float64)
    ref = np.asarray(reference, np.float64)
    if not len(v):
        return v
    sd = v.std()
    z = np.clip((v - v.mean()) / sd, -3.0, 3.0) if sd > 1e-12 else np.zeros_like(v)
    return ref.mean() + max(float(ref.std()), MIN_SCALE) * z


def anchored_term(value: float, pool: Sequence[float], reference: Sequence[float]) -> float:
    """``pool_terms`` of one value with the statistics of a fixed pool (breeding: the section's
    generated candidates), so values scored in later batches share one scale."""
    return anchor(pool, reference)(value)


def anchor(pool: Sequence[float], reference: Sequence[float]) -> Callable[[float], float]:
    """``anchored_term`` of the pool, its statistics computed once (breeding asks it of every
    child): value -> term, the same numbers."""
    v, ref = np.asarray(pool, np.float64), np.asarray(reference, np.float64)
    if not len(ref):
        return lambda value: value
    sd = v.std() if len(v) else 0.0
    mean = v.mean() if sd > 1e-12 else 0.0
    centre, scale = ref.mean(), max(float(ref.std()), MIN_SCALE)

    def term(value: float) -> float:
        z = float(np.clip((value - mean) / sd, -3.0, 3.0)) if sd > 1e-12 else 0.0
        return float(centre + scale * z)

    return term


def pool_composite(
    theory: Mapping[K, float],
    match: Mapping[K, float] | None,
    weights: Weights = Weights(),
    taste: Mapping[K, float] | None = None,
    group: Callable[[K], Hashable] | None = None,
) -> dict[K, PoolScore]:
    """The composite of every candidate of a pool (the one function phases and search call).

    The chromatic term is relative to the pool it ranks (``POOL_TRANSFORM``; per ``group``,
    e.g. a section, when given); theory and taste enter as they are. ``weights`` are the
    applied ones (``applied_weights``: the chromatic weight already scaled by the model's
    reliability). Keys missing from ``match`` or ``taste`` have no such term."""
    groups: dict[Hashable, list[K]] = {}
    for k in theory:
        groups.setdefault(group(k) if group else None, []).append(k)
    terms: dict[K, float] = {}
    if match:
        for keys in groups.values():
            have = [k for k in keys if k in match]
            t = pool_terms([match[k] for k in have], [theory[k] for k in have])
            terms.update(zip(have, (float(x) for x in t), strict=True))
    out: dict[K, PoolScore] = {}
    for k, th in theory.items():
        term = terms.get(k)
        liked = taste.get(k) if taste else None
        out[k] = PoolScore(round(composite(th, term, weights, liked), 4), term)
    return out


def reliability(scorer: Scorer) -> tuple[float, str]:
    """How much of its chromatic weight a model earns, from its export checks: 0 when it failed
    its gates, else the MIDI-only AUC interval's lower end mapped linearly from 0.5 (0) to
    ``FULL_RELIABILITY_AUC`` (1); 1 when it was not measured or the user trusts the model."""
    gates = getattr(scorer, "gates", None) or {}
    if getattr(scorer, "trusted", False):
        return 1.0, "trusted (--trust-model)"
    if gates.get("passed") is False:
        why = "; ".join(gates.get("failed") or []) or "failed its sanity gates"
        return 0.0, f"failed its gates ({why})"
    sanity = (getattr(scorer, "meta", None) or {}).get("sanity") or {}
    lo = (sanity.get("midi_auc_interval") or [None])[0]
    if lo is None:
        return 1.0, "reliability not measured (no MIDI-only AUC interval)"
    r = float(np.clip((float(lo) - 0.5) / (FULL_RELIABILITY_AUC - 0.5), 0.0, 1.0))
    return r, f"MIDI-only AUC interval from {float(lo):.2f}"


def applied_weights(scorer: Scorer | None, weights: Weights) -> tuple[Weights, str | None]:
    """The weights a phase ranks with and the one line that says how the chromatic weight was
    set (None without a model: the phase says ``NO_MODEL_WARNING``)."""
    if scorer is None:
        return THEORY_ONLY.with_taste(weights.taste), None
    r, why = reliability(scorer)
    chroma = round(weights.chromatic * r, 4)
    theory = weights.theory if weights.theory + chroma + weights.taste > 0 else 1.0
    applied = Weights(theory, chroma, weights.taste)
    if r <= 0:
        line = f"model {why}: chromatic weight 0, composite = theory only (match shown, not used)"
    else:
        line = (
            f"chromatic weight {weights.chromatic:g} x reliability {r:.2f} = "
            f"{applied.chromatic:g} ({why})"
        )
    return applied, line


def weight_facts(weights: Weights, applied: Weights, line: str | None) -> dict:
    """review.yml's account of the chromatic weight."""
    return {
        "chromatic_weight": {
            "requested": float(weights.chromatic),
            "applied": float(applied.chromatic),
            "why": line,
        },
        "chromatic_term": POOL_TRANSFORM,
    }


def chromatic_scores(result: ChromaticResult | None, pooled: PoolScore, applied: Weights):
    """A candidate's ``scores.chromatic`` in review.yml: the model's output, raw match and
    relative match (sd above the color's held-out mean; None when the model has no baseline),
    the pool-relative term the composite used and the weight it had (None without a model)."""
    if result is None:
        return None
    out = result.to_dict()
    out["term"] = round(pooled.term, 4) if pooled.term is not None else None
    out["weight"] = float(applied.chromatic)
    return out
