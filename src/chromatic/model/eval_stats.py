"""Statistics of an evaluation: intervals over songs, baselines, calibration, ranking AUC, and
the axes the taxonomy makes identical.

Why over songs: rows of one song share a concept, a key and a sound, so they are not
independent; a bootstrap that resamples rows would give intervals far too narrow. Every
interval here resamples whole songs (seeded, so a report is reproducible).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import roc_auc_score

from chromatic.model.metrics import axis_correct, true_labels
from chromatic.taxonomy import ALBUM_COLORS, AXES, COLORS, MODES, PROB_FLOOR

BOOTSTRAP = 1000
CONFIDENCE = 0.95


def correct_matrix(pred: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """[N, 3] booleans: each row's axis prediction judged by ``metrics.axis_correct``."""
    labels = [true_labels(c) for c in colors]
    return np.array(
        [
            [axis_correct(a, labels[i][k], pred[i, k]) for k, a in enumerate(AXES)]
            for i in range(len(colors))
        ],
        dtype=bool,
    ).reshape(len(colors), len(AXES))


def song_bootstrap(
    stat: Callable[[np.ndarray], float],
    songs: np.ndarray,
    *,
    seed: int = 0,
    n: int = BOOTSTRAP,
) -> tuple[float, float, float]:
    """(point, low, high): ``stat`` of the row indices, and its percentile interval over
    song resamples. ``stat`` takes row indices (repeats allowed) and may return nan when a
    resample cannot be scored (e.g. one class only); those resamples are skipped."""
    uniq, inv = np.unique(songs, return_inverse=True)
    rows_of = [np.flatnonzero(inv == k) for k in range(len(uniq))]
    point = float(stat(np.arange(len(songs))))
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(n):
        pick = rng.integers(0, len(uniq), len(uniq))
        v = stat(np.concatenate([rows_of[k] for k in pick]))
        if np.isfinite(v):
            vals.append(v)
    if not vals:
        return point, float("nan"), float("nan")
    alpha = (1 - CONFIDENCE) / 2
    lo, hi = np.quantile(vals, [alpha, 1 - alpha])
    return point, float(lo), float(hi)


def accuracy_interval(correct: np.ndarray, songs: np.ndarray, seed: int = 0) -> dict:
    """Accuracy of a 0/1 vector with its 95 % interval over songs."""
    c = correct.astype(float)
    point, lo, hi = song_bootstrap(lambda idx: float(c[idx].mean()), songs, seed=seed)
    return {
        "value": point,
        "low": lo,
        "high": hi,
        "rows": len(c),
        "songs": len(set(songs)),
    }


# --- baselines -------------------------------------------------------------------------------


def constant_prediction(n: int) -> np.ndarray:
    """The uncommitted constant: uniform on every axis (it predicts "none" everywhere)."""
    return np.full((n, len(AXES), 3), 1 / 3, dtype=np.float32)


def majority_prediction(
    train_colors: np.ndarray, targets_of: dict[str, np.ndarray], n: int
) -> np.ndarray:
    """Per axis, commit to the label most frequent among the training rows (ties: first in
    sorted order, so it is deterministic). Learned from training rows only."""
    out = np.zeros((n, len(AXES), 3), dtype=np.float32)
    labels = np.array([true_labels(c) for c in train_colors])
    for k in range(len(AXES)):
        vals, counts = np.unique(labels[:, k], return_counts=True)
        best = vals[int(np.argmax(counts))]
        donor = next(c for c in train_colors if true_labels(c)[k] == best)
        out[:, k] = targets_of[donor][k]
    return out


# --- calibration -----------------------------------------------------------------------------


def ece(prob: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |accuracy - mean probability| per equal-width bin, weighted
    by the bin's share of rows."""
    if len(prob) == 0:
        return float("nan")
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            total += m.mean() * abs(correct[m].mean() - prob[m].mean())
    return float(total)


def calibration(pred: np.ndarray, conf: np.ndarray, colors: np.ndarray) -> dict:
    """ECE of each axis's top probability (rows whose label holds a mode: is the arg-max one of
    them?) and of the confidence head (against all three axes correct)."""
    out = {}
    labels = [true_labels(c) for c in colors]
    for k, a in enumerate(AXES):
        rows = [i for i in range(len(colors)) if labels[i][k] != "none"]
        if not rows:
            continue
        top = pred[rows, k].max(axis=1)
        hit = np.array(
            [MODES[a][int(np.argmax(pred[i, k]))] in labels[i][k].split("+") for i in rows]
        )
        out[f"{a}_top_probability"] = ece(top, hit.astype(float))
    allc = correct_matrix(pred, colors).all(axis=1).astype(float)
    out["confidence"] = ece(conf.astype(float), allc)
    out["mean_confidence"] = float(conf.mean()) if len(conf) else float("nan")
    return out


# --- ranking ---------------------------------------------------------------------------------


def color_match(pred: np.ndarray, color: str) -> np.ndarray:
    """How well each prediction matches a color: minus KL(target || prediction) summed over
    axes (taxonomy.predict_color's rule), so it is defined for uniform targets too."""
    c = next(x for x in COLORS if x.name == color)
    t = np.array([c.target(a) for a in AXES], dtype=np.float64)
    logp = np.log(np.clip(pred.astype(np.float64), PROB_FLOOR, None))
    return -((t * (np.log(t) - logp)).sum(axis=(1, 2)))


def target_vs_other_auc(
    pred: np.ndarray, colors: np.ndarray, idx: np.ndarray | None = None
) -> float:
    """Macro AUC over album colors T: rows of color T against rows of other colors, ranked by
    their match to T. This is the scorer's job in composition: with the target fixed, music of
    that color must rank above music of another. nan when no color has both classes."""
    idx = np.arange(len(colors)) if idx is None else idx
    p, c = pred[idx], colors[idx]
    aucs = []
    for col in ALBUM_COLORS:
        y = c == col.name
        if y.any() and (~y).any():
            aucs.append(roc_auc_score(y, color_match(p, col.name)))
    return float(np.mean(aucs)) if aucs else float("nan")


def auc_interval(pred: np.ndarray, colors: np.ndarray, songs: np.ndarray, seed: int = 0) -> dict:
    point, lo, hi = song_bootstrap(
        lambda idx: target_vs_other_auc(pred, colors, idx), songs, seed=seed
    )
    return {
        "value": point,
        "low": lo,
        "high": hi,
        "rows": len(colors),
        "songs": len(set(songs)),
    }


# --- identical axes --------------------------------------------------------------------------


def axis_groups() -> list[tuple[str, ...]]:
    """Axes whose labels are one function of each other over every color of the taxonomy
    (a 1-1 map), grouped: such axes carry one piece of information and are reported once."""
    labels = {a: [("+".join(c.modes(a)) or "none") for c in COLORS] for a in AXES}
    groups: list[list[str]] = []
    for a in AXES:
        for g in groups:
            pairs = set(zip(labels[g[0]], labels[a], strict=True))
            if len(pairs) == len({x for x, _ in pairs}) == len({y for _, y in pairs}):
                g.append(a)
                break
        else:
            groups.append([a])
    return [tuple(g) for g in groups]


def axis_mapping(first: str, other: str) -> dict[str, str]:
    """The label map between two identical axes, for the report ("past -> thing")."""
    return {
        ("+".join(c.modes(first)) or "none"): ("+".join(c.modes(other)) or "none") for c in COLORS
    }
