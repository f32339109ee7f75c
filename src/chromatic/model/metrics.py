"""Metrics of per-axis predictions against the canonical targets.

Mode accuracy on an axis, per the color's own modes:

- one mode (Red's "past"): correct when the arg-max is that mode;
- two modes (Indigo's "known + forgotten"): correct when the arg-max is one of them;
- no mode (Black, White, Indigo's temporal/spatial): correct when the prediction does not
  commit, i.e. its largest probability is below ``NONE_MAX``.

"Album" accuracy is all three axes correct; color accuracy is the most likely album color
(smallest summed KL divergence, taxonomy.predict_color's rule) being the true one. Black and
White share targets; only album colors are candidates, so Black is never confused with White.
"""

from __future__ import annotations

import numpy as np

from chromatic.taxonomy import ALBUM_COLORS, AXES, MODES, PROB_FLOOR, parse_color

NONE_MAX = 0.5


def true_labels(color: str) -> list[str]:
    c = parse_color(color)
    return ["+".join(c.modes(a)) or "none" for a in AXES]


def predicted_label(axis: str, p: np.ndarray) -> str:
    return "none" if float(p.max()) < NONE_MAX else MODES[axis][int(np.argmax(p))]


def axis_correct(axis: str, label: str, p: np.ndarray) -> bool:
    if label == "none":
        return float(p.max()) < NONE_MAX
    return MODES[axis][int(np.argmax(p))] in label.split("+")


def predict_album_colors(pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised color prediction for pred [N, 3, 3]: (names [N], probability [N])."""
    targets = np.array(
        [[c.target(a) for a in AXES] for c in ALBUM_COLORS], dtype=np.float64
    )  # [C,3,3]
    logp = np.log(np.clip(pred.astype(np.float64), PROB_FLOOR, None))  # [N,3,3]
    ent = (targets * np.log(targets)).sum(axis=(1, 2))  # [C]
    cross = np.einsum("cam,nam->nc", targets, logp)  # [N,C]
    kl = ent[None, :] - cross
    w = np.exp(-(kl - kl.min(axis=1, keepdims=True)))
    prob = w / w.sum(axis=1, keepdims=True)
    best = prob.argmax(axis=1)
    names = np.array([c.name for c in ALBUM_COLORS])
    return names[best], prob[np.arange(len(best)), best]


def evaluate(pred: np.ndarray, colors: np.ndarray) -> dict:
    """All accuracies for predictions [N, 3, 3] against true color names [N]."""
    n = len(colors)
    if n == 0:
        return {"n": 0}
    labels = [true_labels(c) for c in colors]
    correct = np.array(
        [[axis_correct(a, labels[i][k], pred[i, k]) for k, a in enumerate(AXES)] for i in range(n)]
    )
    pred_colors, _ = predict_album_colors(pred)
    out = {"n": int(n)}
    for k, a in enumerate(AXES):
        out[f"{a}_accuracy"] = float(correct[:, k].mean())
    out["mean_mode_accuracy"] = float(correct.mean())
    out["album_accuracy"] = float(correct.all(axis=1).mean())
    out["color_accuracy"] = float((pred_colors == colors).mean())
    return out


def confusion(pred: np.ndarray, colors: np.ndarray) -> dict[str, dict]:
    """Per-axis confusion (true label x predicted label) and the color confusion."""
    from sklearn.metrics import confusion_matrix

    out = {}
    for k, a in enumerate(AXES):
        rows = sorted({true_labels(c)[k] for c in colors} | set(MODES[a]) | {"none"}, key=_order(a))
        cols = [*MODES[a], "none"]
        labels = list(dict.fromkeys([*rows, *cols]))
        yt = [true_labels(c)[k] for c in colors]
        yp = [predicted_label(a, p) for p in pred[:, k]]
        m = (
            confusion_matrix(yt, yp, labels=labels)
            if len(yt)
            else np.zeros((len(labels),) * 2, int)
        )
        m = m[[labels.index(r) for r in rows]][:, [labels.index(c) for c in cols]]
        out[a] = {"rows": rows, "cols": cols, "matrix": m.astype(int).tolist()}
    names = [c.name for c in ALBUM_COLORS]
    pc, _ = predict_album_colors(pred)
    keep = np.isin(colors, names)
    m = (
        confusion_matrix(colors[keep], pc[keep], labels=names)
        if keep.any()
        else np.zeros((len(names), len(names)), int)
    )
    out["color"] = {"rows": names, "cols": names, "matrix": m.astype(int).tolist()}
    return out


def _order(axis: str):
    modes = MODES[axis]

    def key(label: str):
        first = label.split("+")[0]
        return (modes.index(first) if first in modes else len(modes), label)

    return key


def f1_per_class(y_true: np.ndarray, y_pred: np.ndarray, names: list[str]) -> dict[str, dict]:
    """Per-class precision/recall/F1 for multi-label 0/1 arrays [N, C] (or class ids [N])."""
    from sklearn.metrics import precision_recall_fscore_support

    if y_true.ndim == 1:
        k = len(names)
        y_true = np.eye(k, dtype=int)[y_true]
        y_pred = np.eye(k, dtype=int)[y_pred]
    prec, rec, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(range(len(names))), average=None, zero_division=0
    )
    return {
        name: {
            "precision": float(prec[j]),
            "recall": float(rec[j]),
            "f1": float(f1[j]),
            "support": int(support[j]),
        }
        for j, name in enumerate(names)
    }


def majority_baseline(ds, split) -> dict:
    """Predict, for every validation row, the targets of the most frequent training color."""
    colors, counts = np.unique(ds.colors[split.train], return_counts=True)
    majority = colors[int(np.argmax(counts))]
    pred = np.repeat(
        ds.targets[split.train][ds.colors[split.train] == majority][:1], len(split.val), axis=0
    )
    return {"color": str(majority), **evaluate(pred, ds.colors[split.val])}
