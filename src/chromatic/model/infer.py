"""Running the fusion model over dataset rows: batches (with training augmentation), every
output at once, feature standardisation and calibration on a held-out fold.

Kept apart from ``train`` so evaluation code can predict without the training loop.
"""

from __future__ import annotations

import numpy as np
import torch

from chromatic.model.augment import augment_midi
from chromatic.model.calibrate import calibrate
from chromatic.model.data import Dataset
from chromatic.model.fusion import AXES, FusionConfig, FusionModel, fusion_loss


def batch_tensors(
    ds: Dataset,
    idx: np.ndarray,
    device: str,
    *,
    rng: np.random.Generator | None = None,
    cfg: FusionConfig | None = None,
) -> tuple[dict, dict]:
    """Model inputs and targets of rows ``idx``; with ``rng`` and ``cfg`` the MIDI inputs are
    augmented (transposition, tempo on the seconds grid) as in training."""

    def t(x):
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).to(device)

    rolls, feats = ds.roll_batch(idx), ds.features[idx]
    if rng is not None and cfg is not None:
        rolls, feats = augment_midi(
            rolls,
            feats,
            rng,
            semitones=cfg.augment_semitones,
            tempo=cfg.augment_tempo,
            grid=cfg.roll_grid,
        )
    inputs = {
        "audio": t(ds.audio[idx]),
        "audio_mask": t(ds.audio_mask[idx]),
        "roll": t(rolls),
        "midi_mask": t(ds.midi_mask[idx]),
        "concept": t(ds.concept[idx]),
        "concept_mask": t(ds.concept_mask[idx]),
        "lyric": t(ds.lyric[idx]),
        "lyric_mask": t(ds.lyric_mask[idx]),
        "midi_features": t(feats),
    }
    targets = {a: t(ds.targets[idx, k]) for k, a in enumerate(AXES)}
    return inputs, targets


@torch.no_grad()
def predict_outputs(
    model: FusionModel, ds: Dataset, idx: np.ndarray, device: str, batch_size: int = 64
) -> dict[str, np.ndarray]:
    """Every output over ``idx``: ``pred`` [N,3,3] (fused), ``midi_pred`` [N,3,3] (MIDI
    alone), ``confidence`` [N], ``confidence_logit``, ``logits_<axis>``, ``midi_logits_<axis>``
    and ``loss`` (the mean loss, a 0-d array)."""
    model.eval()
    keys = [f"logits_{a}" for a in AXES] + [f"midi_logits_{a}" for a in AXES]
    acc: dict[str, list] = {
        k: [] for k in ("pred", "midi_pred", "confidence", "confidence_logit", *keys)
    }
    losses = []
    for s in range(0, len(idx), batch_size):
        b = idx[s : s + batch_size]
        inputs, targets = batch_tensors(ds, b, device)
        out = model(**inputs)
        loss, _ = fusion_loss(out, targets, model.cfg.confidence_weight)
        losses.append(float(loss) * len(b))
        acc["pred"].append(torch.stack([out[a] for a in AXES], dim=1).cpu().numpy())
        acc["midi_pred"].append(torch.stack([out[f"midi_{a}"] for a in AXES], dim=1).cpu().numpy())
        for k in ("confidence", "confidence_logit", *keys):
            acc[k].append(out[k].cpu().numpy())
    if not losses:
        res = {k: np.zeros((0, 3)) for k in keys}
        return res | {
            "pred": np.zeros((0, 3, 3), np.float32),
            "midi_pred": np.zeros((0, 3, 3), np.float32),
            "confidence": np.zeros(0, np.float32),
            "confidence_logit": np.zeros(0, np.float32),
            "loss": np.array(float("nan")),
        }
    res = {k: np.concatenate(v) for k, v in acc.items()}
    res["loss"] = np.array(sum(losses) / len(idx))
    return res


def predict(
    model: FusionModel, ds: Dataset, idx: np.ndarray, device: str, batch_size: int = 64
) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-axis distributions [N,3,3], confidence [N] and mean loss over ``idx``."""
    o = predict_outputs(model, ds, idx, device, batch_size)
    return o["pred"], o["confidence"], float(o["loss"])


def set_feature_stats(model: FusionModel, ds: Dataset, idx: np.ndarray) -> None:
    """Standardise the symbolic features with the training rows' statistics (model buffers)."""
    rows = idx[ds.midi_mask[idx] > 0]
    if len(rows) < 2:
        return
    f = ds.features[rows].astype(np.float64)
    std = f.std(axis=0)
    model.midi.feat_mean.copy_(torch.from_numpy(f.mean(axis=0)).float())
    model.midi.feat_std.copy_(torch.from_numpy(np.where(std < 1e-4, 1.0, std)).float())


def fit_calibration(
    model: FusionModel, ds: Dataset, idx: np.ndarray, device: str, train: np.ndarray | None = None
) -> dict:
    """Temperatures and confidence scaling fitted on held-out rows ``idx`` (see calibrate).

    With ``train`` (the rows the model was fitted on), held-out rows of a color the model never
    trained on are left out: it cannot be right about them, so they made every held-out row
    wrong on the demo (16 songs, 2 per color: a selection song's color often had no training
    song), which drove the temperatures to their cap and left the confidence uncalibrated."""
    dropped = 0
    if train is not None:
        seen = np.isin(ds.colors[idx], np.unique(ds.colors[train]))
        dropped, idx = int((~seen).sum()), idx[seen]
    info = calibrate(model, raw_outputs(model, ds, idx, device), ds.targets[idx], ds.colors[idx])
    if dropped:
        info["rows_of_untrained_colors_left_out"] = dropped
    return info


def raw_outputs(model: FusionModel, ds: Dataset, idx: np.ndarray, device: str) -> dict:
    """Logits per axis (fused and MIDI-only) and the confidence logit on ``idx``, with the
    model's calibration reset to identity (what ``calibrate`` fits on)."""
    for name in ("temperature", "midi_temperature"):
        getattr(model, name).fill_(1.0)
    model.confidence_scale.copy_(torch.tensor([1.0, 0.0]))
    o = predict_outputs(model, ds, idx, device)
    raw = {a: o[f"logits_{a}"] for a in AXES} | {f"midi_{a}": o[f"midi_logits_{a}"] for a in AXES}
    raw["confidence_logit"] = o["confidence_logit"]
    return raw
