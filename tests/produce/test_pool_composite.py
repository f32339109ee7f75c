"""The composite over a pool: the chromatic term relative to its pool, the weight a model earns."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.produce.phases.composite import (
    ChromaticResult,
    Weights,
    applied_weights,
    chromatic_scores,
    pool_composite,
    pool_terms,
    reliability,
)
from chromatic.scoring.sanity import spearman


class _Model:
    def __init__(self, gates=None, lo=None):
        self.gates = gates or {"passed": True, "failed": []}
        self.meta = {"sanity": {"midi_auc_interval": [lo, 0.99]} if lo is not None else {}}


def test_a_narrow_match_gets_theorys_spread():
    rng = np.random.default_rng(0)
    theory = rng.uniform(0.3, 0.9, 200)
    match = 0.5 + rng.normal(0, 0.003, 200)  # the demo model's spread: a few thousandths
    term = pool_terms(match, theory)
    assert term.std() == pytest.approx(theory.std(), rel=0.05)
    assert spearman(term, match) == pytest.approx(1.0)
    pool = pool_composite(dict(enumerate(theory)), dict(enumerate(match)), Weights(0.3, 0.7))
    comp = np.array([pool[i].composite for i in range(200)])
    # 70 % of the spread: the ranking follows the match far more than theory
    assert spearman(comp, match) > 0.85 and spearman(comp, theory) < 0.6
    # the raw-match composite (the old one) is theory's ranking
    old = 0.3 * theory + 0.7 * match
    assert spearman(old, theory) > 0.95


def test_the_term_is_relative_to_each_section():
    theory = {("a", 0): 0.5, ("a", 1): 0.5, ("b", 0): 0.5, ("b", 1): 0.5}
    match = {("a", 0): 0.90, ("a", 1): 0.91, ("b", 0): 0.10, ("b", 1): 0.11}
    pool = pool_composite(theory, match, Weights(0.3, 0.7), group=lambda k: k[0])
    # each section's better candidate gets the same term, however far apart the sections are
    assert pool[("a", 1)].term == pytest.approx(pool[("b", 1)].term)
    assert pool[("a", 1)].composite > pool[("a", 0)].composite
    flat = pool_composite(theory, match, Weights(0.3, 0.7))
    assert flat[("b", 1)].composite < flat[("a", 0)].composite


def test_without_a_match_the_composite_is_theory():
    pool = pool_composite({0: 0.4, 1: 0.8}, None, Weights(1.0, 0.0))
    assert [pool[0].composite, pool[1].composite] == [0.4, 0.8]
    assert pool[0].term is None


def test_reliability_scales_the_weight():
    assert reliability(_Model(lo=0.75))[0] == 1.0
    assert reliability(_Model(lo=0.625))[0] == pytest.approx(0.5)
    assert reliability(_Model(lo=0.45))[0] == 0.0
    r, why = reliability(_Model())
    assert r == 1.0 and "not measured" in why
    failed = _Model(gates={"passed": False, "failed": ["real-vs-random AUC 0.40"]}, lo=0.9)
    applied, line = applied_weights(failed, Weights(0.3, 0.7))
    assert applied.chromatic == 0 and "real-vs-random AUC 0.40" in line and "theory only" in line
    applied, line = applied_weights(_Model(lo=0.625), Weights(0.3, 0.7))
    assert applied.chromatic == pytest.approx(0.35) and "reliability 0.50" in line
    assert applied_weights(None, Weights(0.3, 0.7)) == (Weights(1.0, 0.0), None)
    # all weight on a model that earns none: theory still ranks
    assert applied_weights(failed, Weights(0.0, 1.0))[0] == Weights(1.0, 0.0)


def test_review_rows_show_match_term_and_weight():
    res = ChromaticResult((0.2, 0.3, 0.5), (0.3, 0.3, 0.4), (0.1, 0.2, 0.7), 0.6, 0.812)
    pool = pool_composite({0: 0.5, 1: 0.7}, {0: 0.812, 1: 0.8}, Weights(0.3, 0.7))
    row = chromatic_scores(res, pool[0], Weights(0.3, 0.7))
    assert row["match"] == 0.812 and row["weight"] == 0.7 and row["term"] == pool[0].term
    assert chromatic_scores(None, pool[0], Weights(0.3, 0.7)) is None


def test_review_rows_carry_the_relative_match_the_scorer_gave():
    row = {"temporal": [0.2, 0.3, 0.5], "spatial": [0.3, 0.3, 0.4], "ontological": [0.1, 0.2, 0.7]}
    row |= {"confidence": None, "match": 0.8123456, "match_relative": -1.234567}
    pool = pool_composite({0: 0.5, 1: 0.7}, {0: 0.812, 1: 0.8}, Weights(0.3, 0.7))
    out = chromatic_scores(ChromaticResult.from_scorer(row, "Red"), pool[0], Weights(0.3, 0.7))
    assert (out["match"], out["match_relative"]) == (0.8123, -1.2346)
    # a model without a baseline: the key is there, empty
    row["match_relative"] = None
    out = chromatic_scores(ChromaticResult.from_scorer(row, "Red"), pool[0], Weights(0.3, 0.7))
    assert out["match_relative"] is None and out["match"] == 0.8123
