"""The simple symbolic features a reference classifier uses: what a model of MIDI must beat.

Twelve pitch-class shares (duration-weighted) rotated so the most used pitch class comes
first (a key-free stand-in for "relative to the tonic"), plus note density, register (mean
and spread of pitch) and mean note length. A logistic regression on these is the
reference beside the fusion model in ``benchmarks/fitness_sanity.py`` and the check that the
synthesized example catalog carries a sound per color (``tests/synth/test_palette.py``).
"""

from __future__ import annotations

import numpy as np
from symusic import Score

N_FEATURES = 16


def notes_of(score: Score, *, include_drums: bool = False) -> np.ndarray:
    """[n, 3] (start seconds, end seconds, pitch) of every pitched note."""
    sec = score.to("second")
    rows = []
    for tr in sec.tracks:
        if (tr.is_drum and not include_drums) or not len(tr.notes):
            continue
        a = tr.notes.numpy()
        t = a["time"].astype(float)
        rows.append(np.stack([t, t + a["duration"].astype(float), a["pitch"].astype(float)], 1))
    return np.concatenate(rows) if rows else np.zeros((0, 3))


def rotated_pc_histogram(notes: np.ndarray) -> np.ndarray:
    """Duration-weighted pitch-class shares, rotated so the largest share is bin 0."""
    h = np.zeros(12)
    if len(notes):
        np.add.at(h, notes[:, 2].astype(int) % 12, np.maximum(notes[:, 1] - notes[:, 0], 1e-3))
        h /= h.sum()
    return np.roll(h, -int(np.argmax(h)))


def reference_features(notes: np.ndarray) -> np.ndarray:
    """[16]: rotated pitch-class histogram, notes per second, mean and std pitch / 12 (in
    octaves), mean note length (s)."""
    if not len(notes):
        return np.zeros(N_FEATURES)
    span = max(float(notes[:, 1].max() - notes[:, 0].min()), 1e-3)
    dur = notes[:, 1] - notes[:, 0]
    return np.concatenate(
        [
            rotated_pc_histogram(notes),
            [len(notes) / span, notes[:, 2].mean() / 12, notes[:, 2].std() / 12, dur.mean()],
        ]
    )


def windows(notes: np.ndarray, seconds: float) -> list[np.ndarray]:
    """Consecutive windows of ``seconds`` (notes by onset); empty windows dropped."""
    if not len(notes):
        return []
    out, t, end = [], 0.0, float(notes[:, 0].max())
    while t <= end:
        m = (notes[:, 0] >= t) & (notes[:, 0] < t + seconds)
        if m.any():
            out.append(notes[m])
        t += seconds
    return out
