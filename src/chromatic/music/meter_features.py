"""Meter and rhythm features of many note sets at once: what tells a waltz from a march.

The pitch features (``symbolic_batch``) hear keys and chords; these hear the beat's grouping
and the note lengths, from the notes alone (no time-signature event is needed: a file without
one still has its meter in where the long notes and the onsets fall). All are measured on an
eighth-note grid aligned to the file's own beat phase (``symbolic_batch._phase``), so tempo
and a shift of the whole file leave them unchanged:

- ``onset_autocorr_1..12``: autocorrelation of the accent signal (at each eighth, the summed
  duration of the notes that start there, clipped at two beats) at lags of 1-12 eighths; a
  triple meter peaks at 6 (a 3/4 bar), a duple one at 4 and 8;
- ``meter_strength_p``: for bar lengths of p eighths (3, 4, 6, 8, 12), how much of the
  accent falls on the strongest position modulo p, above the 1/p of an even spread (the
  beat-position profile under each bar-length hypothesis);
- ``ioi_*``: inter-onset intervals between successive onsets: shares near 1/4, 1/2, 3/4, 1,
  3/2, 2, 3 and 4+ beats, and the mean and spread of their log2.
"""

from __future__ import annotations

import numpy as np

LAGS = 12
PER_BEAT = 2  # the grid: eighth notes
PERIODS = (3, 4, 6, 8, 12)
IOI_BINS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
IOI_LABELS = ("16th", "8th", "dotted_8th", "beat", "dotted_beat", "2_beats", "3_beats", "4plus")

METER_FEATURE_NAMES: tuple[str, ...] = (
    *(f"onset_autocorr_{k}" for k in range(1, LAGS + 1)),
    *(f"meter_strength_{p}" for p in PERIODS),
    *(f"ioi_{name}" for name in IOI_LABELS),
    "ioi_log2_mean",
    "ioi_log2_std",
)
N_METER = len(METER_FEATURE_NAMES)
_LOG_BINS = np.log2(np.array(IOI_BINS))


def accent_slots(n: dict, b: int, phase: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(candidate, eighth slot from the candidate's first onset, accent) of every note."""
    c, st = n["c"], n["start"]
    slot = np.round((st - phase[c]) * PER_BEAT).astype(np.int64)
    first = np.full(b, np.iinfo(np.int64).max)
    np.minimum.at(first, c, slot)
    return c, slot - first[c], np.clip(n["end"] - st, 0.0, 2.0)


def meter_features(n: dict, b: int, phase: np.ndarray) -> np.ndarray:
    """Features [b, N_METER] of the concatenated notes ``n`` (``symbolic_batch._concat``)."""
    f = np.zeros((b, N_METER))
    if not len(n["c"]):
        return f
    c, slot, acc = accent_slots(n, b, phase)
    length = np.zeros(b, np.int64)
    np.maximum.at(length, c, slot + 1)
    # one flat signal, candidates separated by LAGS zeros so no lag crosses between them
    offset = np.concatenate([[0], np.cumsum(length + LAGS)[:-1]])
    x = np.zeros(int((length + LAGS).sum()))
    np.add.at(x, offset[c] + slot, acc)
    owner = np.repeat(np.arange(b), length + LAGS)
    inside = np.arange(len(x)) - offset[owner] < length[owner]
    mean = np.bincount(owner[inside], x[inside], b) / np.maximum(length, 1)
    x = np.where(inside, x - mean[owner], 0.0)
    energy = np.bincount(owner, x * x, b)
    for k in range(1, LAGS + 1):
        lagged = np.bincount(owner[:-k], x[:-k] * x[k:], b)
        f[:, k - 1] = np.divide(lagged, energy, out=np.zeros(b), where=energy > 1e-12)
    total = np.maximum(np.bincount(c, acc, b), 1e-12)
    for j, p in enumerate(PERIODS):
        prof = np.bincount(c * p + slot % p, acc, b * p).reshape(b, p)
        f[:, LAGS + j] = prof.max(axis=1) / total - 1.0 / p
    # inter-onset intervals between distinct onsets (in beats, on a 1/48 grid)
    key = np.unique(c * (1 << 40) + np.round(n["start"] * 48).astype(np.int64))
    oc = key >> 40
    t = (key - (oc << 40)) / 48.0
    same = oc[1:] == oc[:-1]
    ioi, io = np.diff(t)[same], oc[1:][same]
    if len(ioi):
        lg = np.log2(np.maximum(ioi, 1 / 64))
        nearest = np.abs(lg[:, None] - _LOG_BINS[None]).argmin(axis=1)
        nearest = np.where(lg > _LOG_BINS[-1], len(IOI_BINS) - 1, nearest)
        cnt = np.bincount(io, None, b)
        safe = np.maximum(cnt, 1)
        h0 = LAGS + len(PERIODS)
        f[:, h0 : h0 + len(IOI_BINS)] = (
            np.bincount(io * len(IOI_BINS) + nearest, None, b * len(IOI_BINS)).reshape(b, -1)
            / safe[:, None]
        )
        m = np.bincount(io, lg, b) / safe
        f[:, -2] = m / 4
        f[:, -1] = np.sqrt(np.bincount(io, (lg - m[io]) ** 2, b) / safe) / 2
    f[np.bincount(c, None, b) == 0] = 0.0  # no notes: zeros, as every other feature
    return f
