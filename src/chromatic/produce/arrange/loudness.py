"""Loudness of the preview: ITU-R BS.1770 integrated loudness (pyloudnorm) and a true-peak limiter.

The preview is brought to ``TARGET_LUFS`` (-14 LUFS integrated, the level the streaming services
play at) with a ceiling of ``CEILING_DBTP`` (-1 dBTP). A plain gain to -14 LUFS usually pushes
drum hits over the ceiling, so a limiter follows: the true peak is detected on a 4x oversampled
signal (soxr), the gain each frame needs to stay under the ceiling is held over a short window
and smoothed with a moving average no longer than that window (so the smoothed gain is never
above what any frame needs: no overshoot, no clicks). The limiter lowers the loudness a little;
the gain is raised by what was lost and the limiter rerun until the loudness is within
``TOLERANCE_LU`` of the target. Pure numpy apart from the resampler.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from chromatic.errors import ProduceError

TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
TOLERANCE_LU = 0.3  # the loop stops this close to the target (the issue asks for +-1)
HOLD_SECONDS = 0.015  # gain-reduction window: a drum transient, short enough not to pump
OVERSAMPLE = 4
SILENT_LUFS = -70.0  # BS.1770's absolute gate: quieter than this is silence


@dataclass(frozen=True)
class Loudness:
    """What normalisation did: the level before (LUFS), the gain applied (dB), the integrated
    loudness after (``level_db``, LUFS), the true peak after (dBTP), whether the limiter acted
    and by how much at most (dB of gain reduction)."""

    level_before_db: float
    gain_db: float
    level_db: float
    true_peak_db: float
    ceiling_limited: bool
    limiter_db: float = 0.0
    unit: str = "LUFS"

    def to_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _db(x: float) -> float:
    return float(20.0 * np.log10(max(x, 1e-12)))


def _frames(audio: np.ndarray) -> np.ndarray:
    """(samples, channels) float64, whatever came in."""
    a = np.asarray(audio, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def integrated_lufs(audio: np.ndarray, sample_rate: int) -> float:
    """BS.1770-4 integrated loudness in LUFS, as ``pyloudnorm.Meter.integrated_loudness``
    computes it: pyloudnorm's own K-weighting filters, then its 400 ms blocks (75 % overlap),
    absolute and relative gates, vectorised here (pyloudnorm loops over blocks in Python, about
    7 s per 3-minute song; the limiter measures several times). The test suite checks both
    agree. ``SILENT_LUFS`` or less for silence or audio shorter than one block."""
    import pyloudnorm

    a = _frames(audio).copy()
    block, step = 0.4, 0.1  # pyloudnorm's defaults: 400 ms blocks every 100 ms
    if len(a) < int(block * sample_rate):
        return SILENT_LUFS - 50.0
    meter = pyloudnorm.Meter(sample_rate)
    for stage in meter._filters.values():  # the K-weighting: high shelf, then high pass
        for ch in range(a.shape[1]):
            a[:, ch] = stage.apply_filter(a[:, ch])
    n_blocks = round((len(a) / sample_rate - block) / step) + 1
    j = np.arange(n_blocks)
    lo = (block * (j * 0.25) * sample_rate).astype(int)
    hi = (block * (j * 0.25 + 1) * sample_rate).astype(int)
    c = np.vstack([np.zeros((1, a.shape[1])), np.cumsum(np.square(a), axis=0)])
    hi = np.minimum(hi, len(a))
    z = (c[hi] - c[lo]) / (block * sample_rate)  # (blocks, channels) mean squares
    gains = np.array([1.0, 1.0, 1.0, 1.41, 1.41])[: a.shape[1]]
    with np.errstate(divide="ignore"):
        level = -0.691 + 10 * np.log10(z @ gains)
        kept = z[level >= SILENT_LUFS]
        if not len(kept):
            return SILENT_LUFS - 50.0
        relative = -0.691 + 10 * np.log10(kept.mean(axis=0) @ gains) - 10.0
        kept = z[(level > relative) & (level > SILENT_LUFS)]
        value = -0.691 + 10 * np.log10(kept.mean(axis=0) @ gains) if len(kept) else -np.inf
    return float(value) if np.isfinite(value) else SILENT_LUFS - 50.0


def _peak_envelope(audio: np.ndarray) -> np.ndarray:
    """Per frame, the largest absolute sample of any channel, oversampled 4x (inter-sample
    peaks a DAC would produce) and at the frame itself."""
    import soxr

    a = _frames(audio)
    peak = np.max(np.abs(a), axis=1)
    if len(a) < 8:
        return peak
    up = soxr.resample(np.ascontiguousarray(a, dtype=np.float32), 1, OVERSAMPLE, quality="HQ")
    n = min(len(up) // OVERSAMPLE, len(a))
    up_peak = np.max(np.abs(up[: n * OVERSAMPLE]), axis=1).reshape(n, OVERSAMPLE).max(axis=1)
    peak[:n] = np.maximum(peak[:n], up_peak)
    return peak


def true_peak(audio: np.ndarray) -> float:
    """Linear true peak of the 4x oversampled signal (0 for no audio)."""
    return float(_peak_envelope(audio).max()) if np.size(audio) else 0.0


def limiter_gain(
    peaks: np.ndarray, sample_rate: int, ceiling_db: float = CEILING_DBTP
) -> np.ndarray:
    """A smooth per-frame gain (<= 1) that keeps frames whose true peaks are ``peaks`` (the
    4x oversampled envelope, ``_peak_envelope``) under ``ceiling_db``."""
    need = np.minimum(1.0, 10 ** (ceiling_db / 20) / np.maximum(peaks, 1e-12))
    if need.min() >= 1.0:
        return need
    w = max(1, int(HOLD_SECONDS * sample_rate))
    n = len(need)
    blocks = -(-n // w)
    padded = np.ones(blocks * w)
    padded[:n] = need
    low = padded.reshape(blocks, w).min(axis=1)
    edge = np.ones(1)
    held = np.minimum(np.minimum(low, np.r_[edge, low[:-1]]), np.r_[low[1:], edge])
    hold = np.repeat(held, w)  # frame i: min over at least [i - w, i + w)
    # a centred moving average of width w; the edges repeat the edge value, which holds them too
    c = np.r_[0.0, np.cumsum(np.r_[np.full(w // 2, hold[0]), hold, np.full(w, hold[-1])])]
    smooth = (c[w : w + len(hold)] - c[: len(hold)]) / w
    return np.minimum(smooth[:n], need)  # equal by construction; the minimum only guards it


def normalize_loudness(
    audio: np.ndarray,
    sample_rate: int,
    *,
    target_lufs: float = TARGET_LUFS,
    ceiling_db: float = CEILING_DBTP,
) -> tuple[np.ndarray, Loudness]:
    """``audio`` at ``target_lufs`` integrated, true peak under ``ceiling_db`` (see the module)."""
    before = integrated_lufs(audio, sample_rate)
    if before <= SILENT_LUFS:
        raise ProduceError(
            "the rendered preview is silent: no notes sounded (check the soundfont and the loops)"
        )
    a, peaks = _frames(audio), _peak_envelope(audio)
    gain_db, out, reduction = target_lufs - before, a, 0.0
    margin = ceiling_db - 0.1  # the gain moves between frames: keep a hair under the ceiling
    for _ in range(8):
        linear = 10 ** (gain_db / 20)
        g = limiter_gain(peaks * linear, sample_rate, margin)
        out = a * (linear * g)[:, None]
        reduction = -_db(float(g.min()))
        level = integrated_lufs(out, sample_rate)
        if abs(level - target_lufs) <= TOLERANCE_LU or reduction == 0.0:
            break
        gain_db += target_lufs - level
    out = out.astype(np.float32)
    if np.ndim(audio) == 1:
        out = out[:, 0]
    return out, Loudness(
        float(before),
        float(gain_db),
        float(integrated_lufs(out, sample_rate)),
        _db(true_peak(out)),
        bool(reduction > 0.0),
        float(reduction),
    )
