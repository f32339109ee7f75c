"""How the trainer chooses its epoch on a validation split (``train.fit``)."""

from __future__ import annotations

import numpy as np

from chromatic.model.data import Dataset, Split
from chromatic.model.metrics import evaluate


def selection_score(rec: dict) -> float:
    """Early stopping looks at the fused and the MIDI-only accuracy alike: a model whose text
    fits the data must still keep improving its MIDI expert."""
    fused = rec.get("val_mean_mode_accuracy", 0.0)
    midi = rec.get("val_midi_mean_mode_accuracy")
    return fused if midi is None else 0.5 * (fused + midi)


def seen_colors(ds: Dataset, split: Split) -> np.ndarray:
    """Which validation rows are of a color the training side holds. Only those can choose the
    epoch: a color the fit never saw is predicted as some other color at every epoch, so its
    accuracy is noise (a catalog with two songs per color puts every selection-validation song
    in a color the selection fit lacks, and the epoch was chosen on that noise)."""
    return np.isin(ds.colors[split.val], np.unique(ds.colors[split.train]))


def seen_score(vo: dict, ds: Dataset, split: Split, seen: np.ndarray) -> float:
    """The selection score on the validation rows of seen colors."""
    rows = split.val[seen]
    has_midi = ds.midi_mask[rows] > 0
    rec = {f"val_{k}": v for k, v in evaluate(vo["pred"][seen], ds.colors[rows]).items()}
    if has_midi.any():
        midi = evaluate(vo["midi_pred"][seen][has_midi], ds.colors[rows][has_midi])
        rec |= {f"val_midi_{k}": v for k, v in midi.items()}
    return selection_score(rec)


PROTOCOL = (
    "the epoch is chosen (on rows of colors the selection fit trained on; with none, every epoch "
    "runs) and calibration fitted on a song-grouped selection split inside the training songs; "
    "the model is re-trained on every training song for that many epochs and the validation "
    "songs, which chose nothing, are reported"
)
