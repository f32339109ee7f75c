"""The chromatic match: defined for every color, equal to scipy's Jensen-Shannon distance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from chromatic.scoring.match import match_scores
from chromatic.taxonomy import AXES, COLORS, chromatic_match, parse_color


def predictions(n: int = 40, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(3) * 0.7, size=(n, 3))
    p[0] = 1 / 3  # one fully uncommitted prediction
    return p


@pytest.mark.parametrize("color", ["White", "Black"])
def test_uniform_targets_order_predictions_and_reward_uncommitted(color):
    p = predictions()
    js = match_scores(p, color)
    assert np.ptp(js) > 0.2  # different predictions, different matches
    assert js.argmax() == 0 and js[0] == pytest.approx(1.0)  # uncommitted is best
    dot = match_scores(p, color, "dot")
    np.testing.assert_allclose(dot, 1 / 3)  # the old formula: constant, cannot steer


def test_js_match_equals_scipy_and_taxonomy():
    p = predictions(12, seed=1)
    for c in COLORS:
        t = [parse_color(c).target(a) for a in AXES]
        ref = np.array(
            [np.mean([1 - jensenshannon(row[k], t[k], base=2) for k in range(3)]) for row in p]
        )
        np.testing.assert_allclose(match_scores(p, c.name), ref, atol=1e-9)
        one = chromatic_match(dict(zip(AXES, p[3], strict=True)), c)
        assert one == pytest.approx(ref[3], abs=1e-9)
        dot = chromatic_match(dict(zip(AXES, p[3], strict=True)), c, method="dot")
        assert dot == pytest.approx(match_scores(p, c.name, "dot")[3], abs=1e-9)


def test_the_target_itself_matches_perfectly():
    for c in COLORS:
        t = np.array([[parse_color(c).target(a) for a in AXES]])
        assert match_scores(t, c.name)[0] == pytest.approx(1.0)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="match method 'cosine'"):
        match_scores(predictions(2), "Red", "cosine")


def test_a_model_reading_other_midi_features_is_refused(tmp_path):
    """A model exported before the meter features (symbolic-2, 86 wide) says to retrain."""
    from chromatic.scoring.meta import ScorerError, check_meta
    from chromatic.taxonomy import TAXONOMY_VERSION

    meta = {"taxonomy_version": TAXONOMY_VERSION, "midi_features": {"version": "symbolic-2"}}
    with pytest.raises(ScorerError, match="retrain"):
        check_meta(meta, tmp_path / "model.json")


def test_relative_match_is_affine_per_color_so_compose_ranks_the_same():
    """The relative match puts each color on its held-out baseline: it can reorder colors for
    one song (the flat targets lose their head start) but never candidates for one color, so
    compose's pool-standardised composite is the same with either."""
    from chromatic.produce.phases.composite import pool_composite
    from chromatic.scoring.match import relative_match

    p = predictions()
    base = {"Black": [0.76, 0.11], "Red": [0.64, 0.16]}
    # a prediction leaning Red (past, thing, known at 0.55 each): raw, the flat Black target
    # is nearer; against each color's baseline, it is far more Red than a typical song
    lean = np.array([[[0.55, 0.225, 0.225], [0.55, 0.225, 0.225], [0.225, 0.225, 0.55]]])
    raw = {c: match_scores(lean, c)[0] for c in base}
    rel = {c: relative_match(match_scores(lean, c), c, base)[0] for c in base}
    assert raw["Black"] > raw["Red"] and rel["Red"] > rel["Black"]
    m = match_scores(p, "Red")
    r = relative_match(m, "Red", base)
    assert np.argsort(m).tolist() == np.argsort(r).tolist()
    theory = {k: 0.5 + 0.01 * (k % 7) for k in range(len(p))}
    a = pool_composite(theory, dict(enumerate(m)))
    b = pool_composite(theory, dict(enumerate(r)))
    assert [a[k].composite for k in theory] == [b[k].composite for k in theory]
    assert relative_match(m, "Blue", base) is None and relative_match(m, "Red", None) is None
