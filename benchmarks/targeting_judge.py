"""The targeting benchmark's judges (issue #31): who tells the Red- from the Blue-targeted songs
apart, and how far each can be trusted.

- ``in-catalog``: the judge the benchmark has always printed: a logistic regression on the
  rotated pitch-class profile and the 12-lag onset autocorrelation, trained on the *same* works
  the fitness model was trained on. It is not independent of the model: both fit the same
  sample, and what they share need not be mode. On the Essen catalog its rhythm half carries no
  mode out of sample (onset features alone, cross-validated on the catalog: AUC 0.50; trained
  on the catalog and tested on 301 other tunes a mode: 0.48), yet that half gives the gated
  model's songs all of their 0.810 (2026-12-07, judge7: docs/targeting.md).
- ``held-out``: a pitch-class judge (the rotated profile only) trained on Essen tunes the model
  never saw (``held_out_tunes``: the tunes after the catalog's in the same seeded order). Its
  own ceiling is printed beside it: its cross-validated AUC on those tunes.
- ``key profile``: the song's duration-weighted pitch-class histogram correlated with the 24
  Aarden-Essen key profiles (the weights music21's key analysis uses): how far its best major
  key beats its best minor key. Continuous, untrained, pitch only.
- ``music21``: music21's key analysis (P(major) = 1 when it names a major key); the catalogs'
  labels are this analysis of each work, so it needs no training at all.
"""

from __future__ import annotations

import numpy as np

RED, BLUE = "Red", "Blue"
HELD = 300  # held-out tunes a mode for the held-out judge


def held_out_tunes(skip: int, n: int = HELD) -> list[tuple[str, object, str]]:
    """``n`` Essen tunes a mode after the first ``skip`` of each (``essen_tunes``' seeded order,
    the order every catalog takes its Essen tunes in): none is in a catalog of ``skip`` a color."""
    from essen_corpus import essen_tunes

    works = essen_tunes(skip + n, "mode")
    return [t for mode in ("major", "minor") for t in [w for w in works if w[2] == mode][skip:]]


def pitch_features(score) -> np.ndarray:
    from chromatic.measure.reference_features import notes_of, rotated_pc_histogram

    return rotated_pc_histogram(notes_of(score))


#: Aarden-Essen key profiles (music21.analysis.discrete.AardenEssen), tonic first.
AARDEN_MAJOR = (17.77, 0.15, 14.93, 0.16, 19.8, 11.36, 0.29, 22.06, 0.15, 8.15, 0.23, 4.95)
AARDEN_MINOR = (18.26, 0.74, 14.05, 16.86, 0.7, 14.44, 0.7, 18.62, 4.57, 1.93, 7.38, 1.76)


def key_margin(score) -> float:
    """The best major key's correlation minus the best minor key's, over the 12 tonics, of the
    duration-weighted pitch-class histogram with the Aarden-Essen profiles (> 0: major)."""
    from chromatic.measure.reference_features import notes_of

    notes = notes_of(score)
    h = np.zeros(12)
    np.add.at(h, notes[:, 2].astype(int) % 12, np.maximum(notes[:, 1] - notes[:, 0], 1e-3))
    if not h.any():
        return 0.0

    def best(profile) -> float:
        return max(float(np.corrcoef(h, np.roll(profile, t))[0, 1]) for t in range(12))

    return best(np.array(AARDEN_MAJOR)) - best(np.array(AARDEN_MINOR))


def fit_pitch_judge(works) -> tuple[object, float]:
    """The held-out judge and its own 5-fold cross-validated AUC on ``works``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    x = np.array([pitch_features(s) for _, s, _ in works])
    y = np.array([lab == "major" for _, _, lab in works])
    lr = LogisticRegression(C=1.0, max_iter=5000)
    cv = float(cross_val_score(lr, x, y, cv=5, scoring="roc_auc").mean())
    return lr.fit(x, y), cv


def proposal_intervals(keys, target, p_lr, by, draws: int = 2000) -> dict:
    """95 % intervals of the AUC and the paired share over proposals: the proposals are
    resampled with replacement (each with all its seeds and both targets), 2,000 draws."""
    from sklearn.metrics import roc_auc_score

    props = sorted({k[0] for k in keys})
    rows = {q: [i for i, k in enumerate(keys) if k[0] == q] for q in props}
    rng = np.random.default_rng(0)
    aucs, pairs = [], []
    for _ in range(draws):
        pick = rng.choice(props, len(props))
        idx = [i for q in pick for i in rows[q]]
        t = target[idx]
        if t.any() and not t.all():
            aucs.append(roc_auc_score(t, p_lr[idx]))
        d = [by[(*keys[i][:-1], RED)] - by[(*keys[i][:-1], BLUE)] for i in idx if target[i]]
        pairs.append(np.mean([(x > 0) + 0.5 * (x == 0) for x in d]))
    return {
        "lr_ci": tuple(np.percentile(aucs, [2.5, 97.5])) if aucs else (np.nan, np.nan),
        "paired_ci": tuple(np.percentile(pairs, [2.5, 97.5])),
    }


def verdict(keys: list, p: np.ndarray) -> dict:
    """One judge's figures on the songs ``keys`` (proposal, seed, target) given its P(major)
    ``p``: AUC for "targeted Red", the paired share (the Red twin the more major, ties half)
    and both intervals over proposals."""
    from sklearn.metrics import roc_auc_score

    target = np.array([k[-1] == RED for k in keys])
    by = dict(zip(keys, p, strict=True))
    twins = [by[(*k[:-1], RED)] - by[(*k[:-1], BLUE)] for k in keys if k[-1] == RED]
    both = target.any() and not target.all()
    return {
        "auc": roc_auc_score(target, p) if both else float("nan"),
        "paired": float(np.mean([(d > 0) + 0.5 * (d == 0) for d in twins])) if twins else 0.5,
        **proposal_intervals(keys, target, np.asarray(p, dtype=float), by),
    }


def line(name: str, r: dict) -> str:
    lo, hi = r["lr_ci"]
    plo, phi = r["paired_ci"]
    return (
        f"{name:34} AUC {r['auc']:.3f} [{lo:.3f}, {hi:.3f}]   Red twin more major "
        f"{r['paired']:.0%} [{plo:.0%}, {phi:.0%}]"
    )
