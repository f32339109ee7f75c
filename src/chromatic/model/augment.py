"""Training-time augmentation of the MIDI inputs: transposition and tempo.

Why: a color is not a key. Moving a training slice by a few semitones (roll rows shifted, the
register features moved with them; every other symbolic feature is invariant by construction)
teaches the CNN the same. On the seconds grid a tempo factor stretches the roll in time;
on the beat grid tempo does not change the input at all, so nothing is done there.
"""

from __future__ import annotations

import numpy as np

from chromatic.music.symbolic import transpose_features


def transpose_rolls(rolls: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Rolls [B, P, T] moved up by ``shifts`` [B] semitones; notes pushed off the edge vanish."""
    out = np.zeros_like(rolls)
    p = rolls.shape[1]
    for k, s in enumerate(shifts.tolist()):
        if s > 0:
            out[k, s:] = rolls[k, : p - s]
        elif s < 0:
            out[k, : p + s] = rolls[k, -s:]
        else:
            out[k] = rolls[k]
    return out


def stretch_rolls(rolls: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Rolls [B, P, T] played ``factors`` [B] times slower (> 1) or faster (< 1)."""
    t = rolls.shape[2]
    out = np.zeros_like(rolls)
    for k, f in enumerate(factors.tolist()):
        src = np.floor(np.arange(t) / f).astype(np.int64)
        ok = src < t
        out[k][:, ok] = rolls[k][:, src[ok]]
    return out


def augment_midi(
    rolls: np.ndarray,
    feats: np.ndarray,
    rng: np.random.Generator,
    *,
    semitones: int,
    tempo: float,
    grid: str,
) -> tuple[np.ndarray, np.ndarray]:
    """A random transposition in [-semitones, semitones] per row (and, on the seconds grid, a
    random tempo factor in [1 - tempo, 1 + tempo])."""
    b = len(rolls)
    if semitones > 0:
        shifts = rng.integers(-semitones, semitones + 1, size=b)
        rolls = transpose_rolls(rolls, shifts)
        feats = transpose_features(feats, shifts)
    if tempo > 0 and grid == "seconds":
        rolls = stretch_rolls(rolls, rng.uniform(1 - tempo, 1 + tempo, size=b))
    return rolls, feats
