"""The preference model: approved over rejected, within one song and phase.

A decision says "this one, not those" about candidates shown together, so the model learns
from pairs inside a (song, phase) group — approved a, rejected r — never from absolute labels
across songs (an artist who approves one of ten in a hard song and five of ten in an easy one
is not saying the easy song's rejects are better). It is a Bradley-Terry model: a linear score
s(x) = w · standardise(x) on the taste features, fitted by logistic regression on feature
differences, so P(a over r) = sigmoid(s(a) - s(r)). Linear because a few dozen to a few hundred
decisions is what an artist gives, and a linear score on named features can be read
(``explain_weights``).

Evaluation is song-grouped, as the fitness model's: the outer folds hold out whole songs; the
regularisation strength is chosen on inner folds of the training songs only; the figure is the
pairwise accuracy on the held-out songs' decided pairs, with a bootstrap interval over songs,
beside the composite score the artist saw when deciding (how well the existing ranking already
agreed) and chance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

#: Fewer decisions than this in a phase and ``taste train`` refuses that phase.
MIN_DECISIONS = 30
#: (penalty, C) pairs tried on the inner folds: L1 finds the few features a rule rests on (a
#: taste is usually two or three things), L2 keeps a diffuse one.
GRID = (("l1", 0.05), ("l1", 0.2), ("l1", 1.0), ("l2", 0.01), ("l2", 0.1), ("l2", 1.0))


@dataclass
class Decisions:
    """The decided candidates of one phase: features, verdicts, songs and groups."""

    x: np.ndarray  # [N, F] taste features
    approved: np.ndarray  # [N] bool
    songs: np.ndarray  # [N] song ids
    groups: np.ndarray  # [N] (song, section) group ids: pairs are formed inside a group
    composite: np.ndarray  # [N] the composite shown at decision time (baseline)


@dataclass
class LinearTaste:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    c: float
    penalty: str = "l2"

    def score(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights


@dataclass
class Evaluation:
    pairwise_accuracy: float | None
    interval: tuple[float, float] | None
    baseline_composite: float | None
    chance: float = 0.5
    songs: int = 0
    pairs: int = 0
    per_fold_c: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "pairwise_accuracy": self.pairwise_accuracy,
            "interval_95": list(self.interval) if self.interval else None,
            "baseline_composite_at_decision": self.baseline_composite,
            "chance": self.chance,
            "held_out_songs": self.songs,
            "held_out_pairs": self.pairs,
            "c_chosen_per_outer_fold": self.per_fold_c,
            "protocol": "outer folds hold out whole songs; C chosen on inner song folds of the "
            "training songs; pairs are approved-vs-rejected inside one song and section",
        }


def pairs(d: Decisions, idx: np.ndarray) -> np.ndarray:
    """(winner, loser) row pairs among rows ``idx``: approved vs rejected in one group."""
    by_group: dict[object, list[int]] = defaultdict(list)
    for i in idx:
        by_group[d.groups[i]].append(int(i))
    out = [
        (a, r)
        for rows in by_group.values()
        for a in rows
        if d.approved[a]
        for r in rows
        if not d.approved[r]
    ]
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def fit(d: Decisions, idx: np.ndarray, c: float, penalty: str = "l2") -> LinearTaste | None:
    """The Bradley-Terry weights from the pairs among ``idx`` (None without a pair)."""
    from sklearn.linear_model import LogisticRegression

    p = pairs(d, idx)
    if len(p) == 0:
        return None
    mean = d.x[idx].mean(axis=0)
    scale = d.x[idx].std(axis=0)
    scale = np.where(scale > 1e-6, scale, 1.0)
    z = (d.x - mean) / scale
    diff = z[p[:, 0]] - z[p[:, 1]]
    xs = np.concatenate([diff, -diff])
    ys = np.concatenate([np.ones(len(diff)), np.zeros(len(diff))])
    # liblinear: exact, single-threaded and quick at a few hundred pairs, for both penalties
    lr = LogisticRegression(
        C=c, l1_ratio=1.0 if penalty == "l1" else 0.0, solver="liblinear", fit_intercept=False
    )
    lr.fit(xs, ys)
    return LinearTaste(
        mean.astype(np.float32),
        scale.astype(np.float32),
        lr.coef_[0].astype(np.float32),
        c,
        penalty,
    )


def _accuracy(scores: np.ndarray, p: np.ndarray) -> float:
    s = scores[p[:, 0]] - scores[p[:, 1]]
    return float(((s > 0) + 0.5 * (s == 0)).mean())


def _song_folds(songs: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    from sklearn.model_selection import GroupKFold

    k = min(k, len(np.unique(songs)))
    splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(songs, groups=songs)]


def choose_c(d: Decisions, idx: np.ndarray, seed: int, k: int = 3) -> tuple[str, float]:
    """The (penalty, C) with the best inner-fold pairwise accuracy over songs of ``idx``."""
    if len(np.unique(d.songs[idx])) < 2:
        return ("l2", 1.0)
    best, best_pc = -1.0, ("l2", 1.0)
    folds = _song_folds(d.songs[idx], k, seed)
    for penalty, c in GRID:
        hits, total = 0.0, 0
        for test in folds:
            train = np.setdiff1d(np.arange(len(idx)), test)
            model = fit(d, idx[train], c, penalty)
            p = pairs(d, idx[test])
            if model is None or len(p) == 0:
                continue
            hits += _accuracy(model.score(d.x), p) * len(p)
            total += len(p)
        acc = hits / total if total else -1.0
        if acc > best:
            best, best_pc = acc, (penalty, c)
    return best_pc


def evaluate(d: Decisions, *, folds: int = 5, seed: int = 0, boot: int = 1000) -> Evaluation:
    """Nested song-grouped pairwise accuracy (see the module docstring)."""
    everything = np.arange(len(d.x))
    per_song: dict[object, list[float]] = defaultdict(list)  # song -> [hits, pairs, base hits]
    chosen = []
    if len(np.unique(d.songs)) < 2:
        return Evaluation(None, None, None)
    for test in _song_folds(d.songs, folds, seed):
        train = np.setdiff1d(everything, test)
        penalty, c = choose_c(d, train, seed)
        chosen.append(f"{penalty} C={c:g}")
        model = fit(d, train, c, penalty)
        if model is None:
            continue
        scores = model.score(d.x)
        for song in np.unique(d.songs[test]):
            p = pairs(d, test[d.songs[test] == song])
            if len(p):
                acc = per_song[song]
                acc.extend([0.0] * (3 - len(acc)))
                acc[0] += _accuracy(scores, p) * len(p)
                acc[1] += len(p)
                acc[2] += _accuracy(d.composite, p) * len(p)
    if not per_song:
        return Evaluation(None, None, None, per_fold_c=chosen)
    table = np.array(list(per_song.values()))
    point = float(table[:, 0].sum() / table[:, 1].sum())
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(table), size=(boot, len(table)))
    boots = table[draws, 0].sum(axis=1) / table[draws, 1].sum(axis=1)
    lo, hi = (float(x) for x in np.percentile(boots, [2.5, 97.5]))
    return Evaluation(
        point,
        (lo, hi),
        float(table[:, 2].sum() / table[:, 1].sum()),
        songs=len(table),
        pairs=int(table[:, 1].sum()),
        per_fold_c=chosen,
    )


def explain_weights(
    model: LinearTaste, names: tuple[str, ...], top: int = 6
) -> list[tuple[str, float]]:
    """The features that move the taste score most, signed (per standard deviation)."""
    order = np.argsort(-np.abs(model.weights))[:top]
    return [(names[i], float(model.weights[i])) for i in order]
