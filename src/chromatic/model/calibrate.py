"""Calibration of the fusion model on a held-out fold: temperature scaling of every mode head
and a Platt scaling of the confidence, plus the expected calibration error (ECE).

Why: a model trained to fit a few dozen songs is over-confident (an uncalibrated model of this
kind was measured at a mean confidence of 0.91 where its own target averaged 0.60, ECE 0.31). A single temperature per
axis, fitted by minimising the cross-entropy against the soft targets on rows the model never
trained on, fixes the scale of the distributions without changing their arg-max; the Platt
scaling maps the confidence head to the observed rate of "all three axes correct". Both are
buffers of the model, so the exported ONNX applies them itself.

Temperatures are fitted on the rows whose color commits that axis: a color with a uniform
target on an axis (Black, White, Indigo on time and space) is matched best by a uniform
prediction whatever the model heard, so those rows pulled every temperature to the grid's cap
(20) on the demo and flattened every prediction to 1/3. A temperature still at the cap means
the held-out predictions on that axis are no better than uniform, and is reported as such.

The scorer ranks MIDI candidates by the MIDI-only head, so their confidence comes from that
head too: a Platt scaling of the logit of the MIDI head's top color probability against "the
MIDI head's color is right" on the held-out rows (``midi_confidence_platt``, applied by the
scorer), with the held-out AUROC of that confidence for right vs wrong predictions.
"""

from __future__ import annotations

import numpy as np
import torch

from chromatic.model.eval_stats import ece
from chromatic.model.metrics import axis_correct, true_labels
from chromatic.scoring.match import color_probabilities
from chromatic.taxonomy import AXES, COLORS

TEMPERATURES = np.exp(np.linspace(np.log(0.05), np.log(20.0), 161))
MIN_ROWS = 8  # fewer held-out rows than this: left uncalibrated (and said so)


def _ce(logits: np.ndarray, target: np.ndarray, t: float) -> float:
    z = logits / t
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-(target * logp).sum(axis=1).mean())


def fit_temperature(logits: np.ndarray, target: np.ndarray) -> float:
    """The temperature (grid over 0.05..20) minimising the cross-entropy to soft targets."""
    losses = [_ce(logits, target, t) for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(losses))])


def fit_platt(logit: np.ndarray, y: np.ndarray, iters: int = 200) -> tuple[float, float] | None:
    """Logistic regression of y on the confidence logit (Newton steps); None when y is constant."""
    if y.min() == y.max():
        return None
    x = np.stack([logit, np.ones_like(logit)], axis=1)

    def nll(w: np.ndarray) -> float:
        z = x @ w
        return float(np.sum(np.logaddexp(0, z) - y * z) + 5e-4 * w @ w)

    w = np.zeros(2)  # Newton from zero, halving a step that does not lower the loss
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        g = x.T @ (p - y) + 1e-3 * w
        h = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(2)
        step = np.linalg.solve(h, g)
        t, here = 1.0, nll(w)
        while t > 1e-4 and nll(w - t * step) > here:
            t /= 2
        w = w - t * step
        if np.abs(t * step).max() < 1e-8:
            break
    return float(w[0]), float(w[1])


def mode_ece(pred: np.ndarray, colors: np.ndarray) -> float:
    """ECE of the top probability on axes where the color names one mode or more (an
    uncommitted axis has no top mode to be right about), pooled over axes."""
    probs, hits = [], []
    for i, c in enumerate(colors):
        for k, (a, label) in enumerate(zip(AXES, true_labels(str(c)), strict=True)):
            if label == "none":
                continue
            probs.append(float(pred[i, k].max()))
            hits.append(axis_correct(a, label, pred[i, k]))
    return ece(np.array(probs), np.array(hits, dtype=float))


def album_correct(pred: np.ndarray, colors: np.ndarray) -> np.ndarray:
    return np.array(
        [
            all(
                axis_correct(a, lab, pred[i, k])
                for k, (a, lab) in enumerate(zip(AXES, true_labels(str(c)), strict=True))
            )
            for i, c in enumerate(colors)
        ],
        dtype=float,
    )


@torch.no_grad()
def calibrate(model, raw: dict[str, np.ndarray], targets: np.ndarray, colors: np.ndarray) -> dict:
    """Fit the model's temperatures and confidence scaling on held-out outputs ``raw`` (logits
    per axis, ``midi_<axis>`` logits, ``confidence_logit``, computed with identity
    calibration) and write them into the model's buffers. Returns what was fitted, with the
    held-out ECE before and after (in-fold: another fold must confirm it)."""
    n = len(colors)
    info: dict = {"rows": int(n), "calibrated": False}
    if n < MIN_ROWS:
        info["why_not"] = f"only {n} held-out rows (need {MIN_ROWS})"
        return info
    temps, midi_temps, notes = [], [], []
    for k, a in enumerate(AXES):
        t = targets[:, k]
        rows = t.max(axis=1) - t.min(axis=1) > 1e-6  # the color commits this axis
        if rows.sum() < MIN_ROWS:
            temps.append(1.0)
            midi_temps.append(1.0)
            notes.append(f"{a}: {int(rows.sum())} held-out rows commit this axis; left at 1")
            continue
        temps.append(fit_temperature(raw[a][rows], t[rows]))
        midi_temps.append(fit_temperature(raw[f"midi_{a}"][rows], t[rows]))
        for head, v in (("fused", temps[-1]), ("midi", midi_temps[-1])):
            if v >= TEMPERATURES[-1] - 1e-9:
                notes.append(f"{a} ({head}): no better than uniform on held-out rows (T at cap)")
    model.temperature.copy_(torch.tensor(temps))
    model.midi_temperature.copy_(torch.tensor(midi_temps))

    def soft(z, t):
        z = z / t
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    info.update(midi_confidence(raw, midi_temps, colors, soft))
    if notes:
        info["temperature_notes"] = notes

    before = np.stack([soft(raw[a], 1.0) for a in AXES], axis=1)
    after = np.stack([soft(raw[a], t) for a, t in zip(AXES, temps, strict=True)], axis=1)
    y = album_correct(after, colors)
    platt = fit_platt(raw["confidence_logit"], y)
    info.update(
        temperature=dict(zip(AXES, temps, strict=True)),
        midi_temperature=dict(zip(AXES, midi_temps, strict=True)),
        mode_ece_before=mode_ece(before, colors),
        mode_ece_after=mode_ece(after, colors),
        calibrated=True,
    )
    if platt is None:
        info["confidence_calibrated"] = False
        info["confidence_why_not"] = "held-out rows are all right or all wrong"
        return info
    model.confidence_scale.copy_(torch.tensor(platt))
    conf = 1 / (1 + np.exp(-(platt[0] * raw["confidence_logit"] + platt[1])))
    info.update(
        confidence_calibrated=True,
        confidence_platt=list(platt),
        confidence_ece=ece(conf, y),
        confidence_ece_uncalibrated=ece(1 / (1 + np.exp(-raw["confidence_logit"])), y),
    )
    return info


def trained_colors(colors: np.ndarray) -> list[int]:
    """Indices into ``COLORS`` of the colors present, in table order."""
    present = {str(c) for c in colors}
    return [i for i, c in enumerate(COLORS) if c.name in present]


def midi_confidence(raw: dict, midi_temps: list[float], colors: np.ndarray, soft) -> dict:
    """The MIDI head's confidence: Platt scaling of the logit of its top color probability
    (among the held-out rows' colors) against "that color is right", and its AUROC."""
    from sklearn.metrics import roc_auc_score

    pred = np.stack([soft(raw[f"midi_{a}"], t) for a, t in zip(AXES, midi_temps, strict=True)], 1)
    among = trained_colors(colors)
    prob = color_probabilities(pred, among)
    top = np.clip(prob.max(axis=1), 1e-6, 1 - 1e-6)
    right = (np.array([COLORS[among[j]].name for j in prob.argmax(axis=1)]) == colors).astype(float)
    out: dict = {"confidence_head": "midi", "midi_color_accuracy": float(right.mean())}
    platt = fit_platt(np.log(top / (1 - top)), right)
    if platt is None:
        out["midi_confidence_calibrated"] = False
        out["midi_confidence_why_not"] = (
            f"held-out MIDI predictions are all {'right' if right.min() else 'wrong'}"
        )
        return out
    conf = 1 / (1 + np.exp(-(platt[0] * np.log(top / (1 - top)) + platt[1])))
    out.update(
        midi_confidence_calibrated=True,
        midi_confidence_platt=list(platt),
        midi_confidence_ece=ece(conf, right),
        confidence_auroc=float(roc_auc_score(right, conf)),
        confidence_auroc_note="held-out rows of the fold the calibration was fitted on",
    )
    return out
