"""The preview's true peak (``loudness``): the largest sample of the signal oversampled 4x
(soxr), the inter-sample peaks a DAC would produce included, streamed in cache-sized chunks
(``PeakStream``) and, once a gain is known, measured only around the loud frames
(``true_peak_near``)."""

from __future__ import annotations

from functools import reduce

import numpy as np

OVERSAMPLE = 4

#: Frames of context on each side of a window ``true_peak_near`` measures (the 4x resampler's
#: filter reaches a few hundred frames).
PEAK_PAD = 4096
#: Frames the oversampler takes at a time (its output, 4x as many, stays in cache).
PEAK_CHUNK = 1 << 15


def _frames(audio: np.ndarray) -> np.ndarray:
    """(samples, channels), whatever came in (a view where it can be)."""
    a = np.asarray(audio)
    return a[:, None] if a.ndim == 1 else a


def _channel_max(a: np.ndarray) -> np.ndarray:
    """Per frame, the largest value over the columns of a 2-D array: column by column, since a
    reduction along a short last axis is many times slower in numpy."""
    return reduce(np.maximum, (a[:, i] for i in range(a.shape[1])))


def _peak_envelope(audio: np.ndarray) -> np.ndarray:
    """Per frame, the largest absolute sample of any channel, oversampled 4x (inter-sample
    peaks a DAC would produce) and at the frame itself (float32)."""
    a = np.ascontiguousarray(_frames(audio), dtype=np.float32)
    stream = PeakStream(len(a), a.shape[1])
    stream.add(a, 0)
    return stream.peak


class PeakStream:
    """``_peak_envelope`` of ``n`` frames fed in order (``add``), in blocks that start on a
    multiple of ``PEAK_CHUNK``: streamed in cache-sized chunks (the same samples as one
    resampling: the resampler keeps its state), each reduced at once instead of holding the
    whole 4x signal. ``peak`` is the envelope once every frame is in."""

    def __init__(self, n: int, channels: int):
        self.n, self.done = n, 0
        self.peak = np.zeros(n, dtype=np.float32)
        self.rest = np.zeros(0, np.float32)
        self.stream = None
        if n >= 8:
            import soxr

            self.stream = soxr.ResampleStream(
                1, OVERSAMPLE, channels, dtype="float32", quality="HQ"
            )

    def add(self, a: np.ndarray, lo: int) -> None:
        """Frames [lo, lo + len(a)) (float32, C-contiguous [k, channels])."""
        hi = lo + len(a)
        if lo % PEAK_CHUNK or (len(a) % PEAK_CHUNK and hi != self.n) or hi > self.n:
            raise ValueError(f"expected blocks on {PEAK_CHUNK}-frame bounds, got [{lo}, {hi})")
        self.peak[lo:hi] = _channel_max(np.abs(a))
        if self.stream is None:
            return
        n = self.n
        for s in range(lo, hi, PEAK_CHUNK):
            chunk = a[s - lo : s - lo + PEAK_CHUNK]
            up = self.stream.resample_chunk(chunk, last=s + PEAK_CHUNK >= n)
            rows = np.concatenate([self.rest, _channel_max(np.abs(up, out=up))])
            k = min(len(rows) // OVERSAMPLE, n - self.done)
            over = _channel_max(rows[: k * OVERSAMPLE].reshape(k, OVERSAMPLE))  # the 4 phases
            done = self.done
            np.maximum(self.peak[done : done + k], over, out=self.peak[done : done + k])
            self.rest, self.done = rows[k * OVERSAMPLE :], done + k


def true_peak(audio: np.ndarray) -> float:
    """Linear true peak of the 4x oversampled signal (0 for no audio)."""
    return float(_peak_envelope(audio).max()) if np.size(audio) else 0.0


def true_peak_near(audio: np.ndarray, estimate: np.ndarray, *, share: float = 0.8) -> float:
    """``true_peak(audio)`` measured only where it can be: around the frames whose ``estimate``
    (a per-frame true-peak envelope known up to a few per cent, e.g. the input's envelope times
    a slowly moving gain) is within ``share`` of its maximum, each window padded by
    ``PEAK_PAD`` frames. The true maximum lies inside them whenever the estimate is within
    10 % of the truth; a song whose loud frames are spread everywhere is measured whole."""
    a = _frames(audio)
    est = np.asarray(estimate)
    if not len(a) or not len(est) or float(est.max()) <= 0.0:
        return true_peak(audio)
    hot = np.flatnonzero(est >= share * float(est.max()))
    # merge the padded windows around the hot frames
    gaps = np.flatnonzero(np.diff(hot) > 2 * PEAK_PAD)
    lo = np.maximum(hot[np.r_[0, gaps + 1]] - PEAK_PAD, 0)
    hi = np.minimum(hot[np.r_[gaps, len(hot) - 1]] + PEAK_PAD + 1, len(a))
    if (hi - lo).sum() > len(a) // 2:
        return true_peak(audio)
    return max(float(_peak_envelope(a[s:e]).max()) for s, e in zip(lo, hi, strict=True))
