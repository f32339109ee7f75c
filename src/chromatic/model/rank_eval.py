"""How well an exported scorer separates colors on a data folder's segments (every modality,
fused output): for each target color, the share of (segment of that color, segment of another
color) pairs in which the scorer gives the segment of the target color the higher chromatic
match. It reads the training tables, so it lives with the model, not in the onnxruntime-only
``scoring`` package. 0.5 is chance; 1.0 is a perfect
ranking. This is the question the production pipeline asks of the scorer."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def pairwise_rank_rate(matches: np.ndarray, is_target: np.ndarray) -> float:
    """P(match of a random target row > match of a random other row), ties counting half: the
    area under the ROC curve (scikit-learn's, the Mann-Whitney U over the pairs)."""
    from sklearn.metrics import roc_auc_score

    is_target = np.asarray(is_target, dtype=bool)
    if is_target.all() or not is_target.any():
        return float("nan")
    return float(roc_auc_score(is_target, np.asarray(matches, dtype=np.float64)))


def rank_rate_on_segments(
    model: str | Path, data_dir: str | Path, *, songs: list[str] | None = None
) -> dict:
    """Score every segment row (all its modalities, from DATA's embeddings and MIDI) against
    every album color and report the per-color and mean pairwise rank rate."""
    from chromatic.model.data import load_dataset
    from chromatic.scoring import ChromaticScorer
    from chromatic.scoring.match import match_scores
    from chromatic.taxonomy import ALBUM_COLORS

    scorer = ChromaticScorer.load(model)
    ds = load_dataset(data_dir, roll_config=scorer.roll_config)
    idx = np.flatnonzero(np.isin(ds.songs, songs)) if songs else np.arange(len(ds))
    feeds = {
        "audio": ds.audio[idx],
        "audio_mask": ds.audio_mask[idx],
        "roll": ds.roll_batch(idx),
        "midi_mask": ds.midi_mask[idx],
        "concept": ds.concept[idx],
        "concept_mask": ds.concept_mask[idx],
        "lyric": ds.lyric[idx],
        "lyric_mask": ds.lyric_mask[idx],
        "midi_features": ds.features[idx],
    }
    out = scorer.infer(feeds)
    colors = ds.colors[idx]
    per_color = {}
    for c in ALBUM_COLORS:
        is_c = colors == c.name
        if not is_c.any() or is_c.all():
            continue
        pred = np.stack([out[a] for a in ("temporal", "spatial", "ontological")], axis=1)
        m = match_scores(pred, c, scorer.match_method)
        if scorer.confidence_weighted:
            m = m * (0.5 + 0.5 * out["confidence"])
        per_color[c.name] = pairwise_rank_rate(m, is_c)
    vals = [v for v in per_color.values() if v == v]
    return {
        "rows": len(idx),
        "songs": sorted(set(ds.songs[idx].tolist())),
        "per_color": per_color,
        "mean": float(np.mean(vals)) if vals else float("nan"),
        "chance": 0.5,
    }
