"""The chromatic match of many predictions at once (numpy), the scorer's hot path.

Same definitions as ``chromatic.taxonomy.chromatic_match`` (which scores one prediction in
plain Python): ``"js"`` = mean over axes of 1 - Jensen-Shannon distance (base 2) to the
target, defined for every color; ``"dot"`` = the mean dot product, constant for a uniform
target (kept to compare).

**Relative match** (``relative_match``): the match to a color in standard deviations above
that color's mean match over the model's own held-out catalog segments (every color's), measured
by ``chromatic export`` (``sanity.match_baseline``, stored in the model's metadata). The raw
match cannot be compared across colors: a flat target is near any hedged prediction, so on the
demo model's held-out segments the mean match to Black is 0.764 and to Indigo 0.728 against
0.50-0.64 for the six one-mode colors, and a song the model is unsure of is "Black" whatever
it is. Against its baseline, a color wins a song only by matching it better than the model
matches that color on real songs in general. For one color the transform is affine (a pool's
ranking, and compose's pool-standardised term, are the same for either match).
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


def relative_match(raw: np.ndarray, color, baseline: dict | None) -> np.ndarray | None:
    """(raw - mean) / sd of the color's held-out match (``baseline``: {color: [mean, sd]} from
    the model's metadata); None when the model carries no baseline for that color."""
    if not baseline:
        return None
    got = baseline.get(parse_color(color).name)
    if not got or not got[1] > 0:
        return None
    return (np.asarray(raw, np.float64) - float(got[0])) / float(got[1])


def relative_table(pred: np.ndarray, scorer) -> np.ndarray | None:
    """[N, k] relative match of predictions to each of the scorer's k trained colors (in
    ``scorer.colors`` order); None when the model's baseline lacks any of them."""
    every = [
        relative_match(match_scores(pred, c, scorer.match_method), c, scorer.baseline)
        for c in scorer.colors
    ]
    if not every or any(r is None for r in every):
        return None
    return np.stack(every, axis=1)


def relative_ranks(match: np.ndarray, color, scorer, table: np.ndarray | None):
    """(relative match [N], the target's rank [N] among the scorer's trained colors by relative
    match, 1 the best) of predictions whose raw ``match`` to ``color`` is computed (before any
    confidence weighting); ``table`` is ``relative_table`` of the same predictions. None for
    what the model's baseline cannot give."""
    rel = relative_match(match, color, scorer.baseline)
    if rel is None or table is None or parse_color(color).name not in scorer.colors:
        return rel, None
    return rel, 1 + (table > rel[:, None]).sum(axis=1)


def confidence_of(fused: np.ndarray, top: np.ndarray, midi: np.ndarray, scorer) -> np.ndarray:
    """Each row's confidence from the head that judged it (NaN where that head has none): MIDI
    rows, the Platt-scaled logit of the MIDI head's top color probability; other rows, the
    fused confidence head when it was calibrated."""
    conf = np.where(scorer.confidence_weighted, fused.astype(np.float64), np.nan)
    if scorer.midi_platt is not None:
        a, b = scorer.midi_platt
        t = np.clip(top, 1e-6, 1 - 1e-6)
        conf = np.where(midi, 1 / (1 + np.exp(-(a * np.log(t / (1 - t)) + b))), conf)
    else:
        conf = np.where(midi, np.nan, conf)
    return conf
