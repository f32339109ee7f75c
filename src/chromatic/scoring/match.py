"""The chromatic match of many predictions at once (numpy), the scorer's hot path.

Same definitions as ``chromatic.taxonomy.chromatic_match`` (which scores one prediction in
plain Python): ``"js"`` = mean over axes of 1 - Jensen-Shannon distance (base 2) to the
target, defined for every color; ``"dot"`` = the mean dot product, constant for a uniform
target (kept to compare).
"""

from __future__ import annotations

import numpy as np

from chromatic.taxonomy import AXES, COLORS, DEFAULT_MATCH, MATCH_METHODS, PROB_FLOOR, parse_color


def _xlog2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log2(np.where(a > 0, a, 1.0) / b), 0.0)


def js_distance(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen-Shannon distance (base 2) over the last axis; broadcasts."""
    m = (p + q) / 2
    d = 0.5 * _xlog2(p, m).sum(-1) + 0.5 * _xlog2(q, m).sum(-1)
    return np.sqrt(np.clip(d, 0.0, None))


def match_scores(pred: np.ndarray, color, method: str = DEFAULT_MATCH) -> np.ndarray:
    """Match [N] of predictions [N, 3 axes, 3 modes] (rows need not be normalised) to a color."""
    if method not in MATCH_METHODS:
        raise ValueError(f"match method {method!r}: expected one of {', '.join(MATCH_METHODS)}")
    p = np.asarray(pred, dtype=np.float64)
    p = p / p.sum(axis=2, keepdims=True)
    t = np.array([parse_color(color).target(a) for a in AXES], dtype=np.float64)[None]
    if method == "dot":
        return (p * t).sum(axis=2).mean(axis=1)
    return (1.0 - js_distance(p, t)).mean(axis=1)


_TARGETS = np.array([[c.target(a) for a in AXES] for c in COLORS])  # [C, 3, 3]


def color_probabilities(pred: np.ndarray, colors: list[int] | None = None) -> np.ndarray:
    """[N, C] probability of each color (softmax of minus KL(target || prediction) summed over
    the axes, as ``taxonomy.predict_color``); ``colors``: indices into ``COLORS`` to choose
    among (a model trained on k colors predicts among those k), all of them by default."""
    t = _TARGETS if colors is None else _TARGETS[colors]
    p = np.clip(np.asarray(pred, np.float64), PROB_FLOOR, None)
    kl = (t * np.log(t)).sum(axis=(1, 2))[None] - np.einsum("cam,nam->nc", t, np.log(p))
    w = np.exp(-(kl - kl.min(axis=1, keepdims=True)))
    return w / w.sum(axis=1, keepdims=True)
