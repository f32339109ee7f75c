"""Loudness of the preview: ITU-R BS.1770 integrated loudness (pyloudnorm) and a true-peak limiter.

The preview is brought to ``TARGET_LUFS`` (-14 LUFS integrated, the level the streaming services
play at) with a ceiling of ``CEILING_DBTP`` (-1 dBTP). A plain gain to -14 LUFS usually pushes
drum hits over the ceiling, so a limiter follows: the true peak is detected on a 4x oversampled
signal (soxr), the gain each frame needs to stay under the ceiling is held over a short window
and smoothed with a moving average no longer than that window (so the smoothed gain is never
above what any frame needs: no overshoot, no clicks). The limiter lowers the loudness a little;
the gain is raised by what was lost until the loudness is within ``TOLERANCE_LU`` of the target.

Cost (a 3.5-minute stereo song at 44.1 kHz is 9 M frames a channel): the signal is K-weighted
and oversampled once. While the gain is searched, the loudness of ``audio x gain`` is taken as
the K-weighted power times the gain squared (the K-weighting is linear, and the gain moves
slowly against it: exact wherever the limiter rests), which costs one cumulative sum per try
instead of filtering the song again; the result is then measured once more from that filtered
signal, filtering again only the stretches the limiter moved (``scaled_power``), and corrected
with real measurements in the rare case it is off. numpy and scipy's sosfilt kernel
(``music.render_sos``) apart from the resampler.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import reduce

import numpy as np

from chromatic.errors import ProduceError
from chromatic.produce.arrange.peaks import (  # noqa: F401 (re-exported)
    OVERSAMPLE,
    PEAK_CHUNK,
    PEAK_PAD,
    PeakStream,
    _channel_max,
    _frames,
    _peak_envelope,
    true_peak,
    true_peak_near,
)

TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
TOLERANCE_LU = 0.3  # the search stops this close to the target (the preview's goal: +-1 LU)
HOLD_SECONDS = 0.015  # gain-reduction window: a drum transient, short enough not to pump
SILENT_LUFS = -70.0  # BS.1770's absolute gate: quieter than this is silence
BLOCK, STEP = 0.4, 0.1  # pyloudnorm's gating: 400 ms blocks every 100 ms (75 % overlap)
CHANNEL_GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)  # BS.1770: L, R, C, Ls, Rs


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


#: BS.1770's K-weighting as pyloudnorm builds it: a high shelf (+4 dB above 1.5 kHz, Q 1/sqrt 2)
#: then a high pass (38 Hz, Q 0.5), RBJ cookbook biquads: (kind, gain dB, Q, corner Hz).
K_STAGES = (("high_shelf", 4.0, 1 / math.sqrt(2), 1500.0), ("high_pass", 0.0, 0.5, 38.0))
#: How far the K-weighting's response to a stretch is followed (relative to its size).
K_TAIL = 1e-13


def k_sos(sample_rate: int) -> np.ndarray:
    """The two K-weighting biquads as second-order sections [b0 b1 b2 1 a1 a2]: the
    coefficients pyloudnorm's Meter computes (the test suite compares them)."""
    rows = []
    for kind, gain_db, q, corner in K_STAGES:
        big, w0 = 10 ** (gain_db / 40), 2 * math.pi * corner / sample_rate
        alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
        if kind == "high_shelf":
            root = 2 * math.sqrt(big) * alpha
            b = [
                big * ((big + 1) + (big - 1) * cos + root),
                -2 * big * ((big - 1) + (big + 1) * cos),
                big * ((big + 1) + (big - 1) * cos - root),
            ]
            a = [(big + 1) - (big - 1) * cos + root, 2 * ((big - 1) - (big + 1) * cos)]
            a.append((big + 1) - (big - 1) * cos - root)
        else:
            b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
            a = [1 + alpha, -2 * cos, 1 - alpha]
        rows.append([*(x / a[0] for x in b), *(x / a[0] for x in a)])
    return np.array(rows)


def k_filter(rows: np.ndarray, sample_rate: int) -> np.ndarray:
    """K-weight each row (float64; sosfilt copies its input into float64 itself)."""
    from chromatic.music.render_sos import sosfilt

    return sosfilt(k_sos(sample_rate), rows)


def k_tail(sample_rate: int, below: float = K_TAIL) -> int:
    """Frames until the K-weighting's response to a stretch has decayed under ``below`` of
    its size (its slowest pole's decay): about 5,500 at 44.1 kHz."""
    radius = max(float(np.abs(np.roots(section[3:])).max()) for section in k_sos(sample_rate))
    return math.ceil(math.log(below) / math.log(radius)) + 16


def k_weighted(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """The K-weighted signal, channels as rows (float64)."""
    return k_filter(np.ascontiguousarray(_frames(audio).T), sample_rate)


def _power_of(y: np.ndarray) -> np.ndarray:
    """Per frame, the squares of K-weighted rows summed with BS.1770's channel gains."""
    gains = CHANNEL_GAINS[: len(y)]
    return reduce(
        np.add, (row * row * g if g != 1.0 else row * row for row, g in zip(y, gains, strict=False))
    )


def k_power(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per frame, the K-weighted power summed over channels with BS.1770's channel gains
    (float64): what the gating integrates."""
    return _power_of(k_weighted(audio, sample_rate))


def gated_lufs(power: np.ndarray, sample_rate: int) -> float:
    """BS.1770-4 integrated loudness of a ``k_power`` signal: 400 ms blocks (75 % overlap),
    absolute then relative gate, block bounds exactly as pyloudnorm places them. ``SILENT_LUFS``
    or less for silence or audio shorter than one block."""
    n = len(power)
    if n < int(BLOCK * sample_rate):
        return SILENT_LUFS - 50.0
    n_blocks = round((n / sample_rate - BLOCK) / STEP) + 1
    j = np.arange(n_blocks)
    lo = (BLOCK * (j * 0.25) * sample_rate).astype(int)
    hi = np.minimum((BLOCK * (j * 0.25 + 1) * sample_rate).astype(int), n)
    c = np.empty(n + 1)
    c[0] = 0.0
    np.cumsum(power, out=c[1:])
    z = (c[hi] - c[lo]) / (BLOCK * sample_rate)  # per block, the weighted mean square
    with np.errstate(divide="ignore"):
        level = -0.691 + 10 * np.log10(z)
        kept = z[level >= SILENT_LUFS]
        if not len(kept):
            return SILENT_LUFS - 50.0
        relative = -0.691 + 10 * np.log10(kept.mean()) - 10.0
        kept = z[(level > relative) & (level > SILENT_LUFS)]
        value = -0.691 + 10 * np.log10(kept.mean()) if len(kept) else -np.inf
    return float(value) if np.isfinite(value) else SILENT_LUFS - 50.0


def integrated_lufs(audio: np.ndarray, sample_rate: int) -> float:
    """BS.1770-4 integrated loudness in LUFS, as ``pyloudnorm.Meter.integrated_loudness``
    computes it (its filters, blocks and gates), vectorised (pyloudnorm loops over blocks in
    Python, about 7 s per 3-minute song). The test suite checks both agree. ``SILENT_LUFS`` or
    less for silence or audio shorter than one block."""
    if len(_frames(audio)) < int(BLOCK * sample_rate):
        return SILENT_LUFS - 50.0
    return gated_lufs(k_power(audio, sample_rate), sample_rate)


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
    padded = np.ones(blocks * w, dtype=need.dtype)
    padded[:n] = need
    low = padded.reshape(blocks, w).min(axis=1).astype(np.float64)
    edge = np.ones(1)
    held = np.minimum(np.minimum(low, np.r_[edge, low[:-1]]), np.r_[low[1:], edge])
    # frame i holds held[i // w] (its block's minimum over at least [i - w, i + w)); the gain
    # is its centred moving average of width w, edges repeating the edge value. A window
    # starting at s = i - w // 2 covers w - t frames of block s // w and t = s % w of the next,
    # so only frames whose two blocks hold less than 1 differ from 1: those are computed.
    ends = np.r_[held[0], held, held[-1]]  # block b at b + 1; blocks beyond the ends repeat them
    first = np.flatnonzero((ends[:-1] < 1.0) | (ends[1:] < 1.0))  # b + 1 of window-start blocks
    gain = np.ones(n)
    if not len(first):
        return gain
    t = np.arange(w)
    start = (first[:, None] - 1) * w + w // 2 + t  # the frames whose window starts in block b
    keep = (start >= 0) & (start < n)
    smooth = ((w - t) * ends[first][:, None] + t * ends[first + 1][:, None]) / w
    gain[start[keep]] = smooth[keep]
    return np.minimum(gain, need)  # equal by construction; the minimum only guards it


def scaled_power(
    a: np.ndarray, weighted: np.ndarray, power: np.ndarray, curve: np.ndarray, sample_rate: int
) -> np.ndarray:
    """``k_power`` of ``a`` times ``curve`` (per frame, as ``normalize_loudness`` applies it in
    float32) from ``a``'s K-weighted signal and power, filtering again only where the curve
    moves. The K-weighting is linear: K(a c) = c0 K(a) + K(a (c - c0)) with c0 the curve's
    resting value, and a (c - c0) is zero but where the limiter acts, so it is filtered there
    alone, each stretch followed as long as the filters' response lasts (``k_tail``)."""
    c = curve.astype(np.float32)
    c0 = np.float32(np.median(c))
    out = power * float(c0) ** 2
    moved = np.flatnonzero(c != c0)
    if not len(moved):
        return out
    tail = k_tail(sample_rate)
    gaps = np.flatnonzero(np.diff(moved) > tail)
    for lo, last in zip(moved[np.r_[0, gaps + 1]], moved[np.r_[gaps, len(moved) - 1]], strict=True):
        hi = min(int(last) + 1 + tail, len(c))
        d = a[lo:hi].astype(np.float64) * (c[lo:hi].astype(np.float64) - float(c0))[:, None]
        part = k_filter(np.ascontiguousarray(d.T), sample_rate) + float(c0) * weighted[:, lo:hi]
        out[lo:hi] = _power_of(part)
    return out


def _search_gain(
    peaks: np.ndarray,
    sample_rate: int,
    gain_db: float,
    target: float,
    ceiling: float,
    measure: Callable[[np.ndarray], float],
) -> tuple[float, np.ndarray]:
    """The gain (dB) and per-frame limiter gain that bring ``measure(gain curve)`` within
    ``TOLERANCE_LU`` of ``target`` (at most 8 tries): raise the gain by what the limiter took."""
    for _ in range(8):
        linear = 10 ** (gain_db / 20)
        g = limiter_gain(peaks * linear, sample_rate, ceiling)
        level = measure(linear * g)
        if abs(level - target) <= TOLERANCE_LU or g.min() >= 1.0:
            break
        gain_db += target - level
    return gain_db, g


def normalize_loudness(
    audio: np.ndarray,
    sample_rate: int,
    *,
    target_lufs: float = TARGET_LUFS,
    ceiling_db: float = CEILING_DBTP,
    taken: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    keep: Callable[[np.ndarray], object] | None = None,
) -> tuple[np.ndarray, Loudness]:
    """``audio`` at ``target_lufs`` integrated, true peak under ``ceiling_db`` (float32; see the
    module for how the gain is found). ``taken``: the input's K-weighted rows, ``k_power``
    and ``_peak_envelope`` where they were taken already (``arrange.mixdown``). ``keep``: called
    with the result on a side thread while its loudness and true peak are measured (the
    preview's writer; called again, after the first call ended, if a second search changes
    the result), its errors raised here."""
    from concurrent.futures import ThreadPoolExecutor

    a = np.asarray(_frames(audio), dtype=np.float32)
    if taken is not None:
        weighted, power, peaks = taken
    else:
        with ThreadPoolExecutor(1) as pool:  # the resampler and the filters release the GIL
            later = pool.submit(_peak_envelope, a)
            weighted = k_weighted(a, sample_rate)
            power = _power_of(weighted)
            peaks = later.result()
    before = gated_lufs(power, sample_rate)
    if before <= SILENT_LUFS:
        raise ProduceError(
            "the rendered preview is silent: no notes sounded (check the soundfont and the loops)"
        )
    margin = ceiling_db - 0.1  # the gain moves between frames: keep a hair under the ceiling

    def estimate(curve: np.ndarray) -> float:
        return gated_lufs(power * np.square(curve, dtype=np.float64), sample_rate)

    def apply(curve: np.ndarray) -> np.ndarray:
        return a * curve.astype(np.float32)[:, None]

    def measured(curve: np.ndarray) -> float:
        return integrated_lufs(apply(curve), sample_rate)

    gain_db, g = _search_gain(
        peaks, sample_rate, target_lufs - before, target_lufs, margin, estimate
    )
    curve = 10 ** (gain_db / 20) * g
    out = apply(curve)
    # What follows the gain runs on three threads (soxr, numpy's large loops and the writer
    # release the GIL): the true peak of the result and ``keep`` of it beside its loudness; they
    # run again on the rare second search.
    with ThreadPoolExecutor(2) as pool:
        later = _after(pool, out, peaks * curve, np.ndim(audio) == 1, keep)
        level = gated_lufs(scaled_power(a, weighted, power, curve, sample_rate), sample_rate)
        del weighted
        if abs(level - target_lufs) > TOLERANCE_LU and g.min() < 1.0:  # the estimate was off
            gain_db, g = _search_gain(
                peaks, sample_rate, gain_db + target_lufs - level, target_lufs, margin, measured
            )
            curve = 10 ** (gain_db / 20) * g
            out = apply(curve)
            level = integrated_lufs(out, sample_rate)
            for f in later:
                f.result()
            later = _after(pool, out, peaks * curve, np.ndim(audio) == 1, keep)
        peak = later[0].result()
        for f in later[1:]:
            f.result()
    reduction = -_db(float(g.min()))
    if np.ndim(audio) == 1:
        out = out[:, 0]
    return out, Loudness(
        float(before),
        float(gain_db),
        float(level),
        _db(peak),
        bool(reduction > 0.0),
        float(reduction),
    )


def _after(pool, out: np.ndarray, estimate: np.ndarray, mono: bool, keep) -> list:
    """The futures of ``out``'s true peak and, given ``keep``, of ``keep(out)`` (as returned)."""
    later = [pool.submit(true_peak_near, out, estimate)]
    if keep is not None:
        later.append(pool.submit(keep, out[:, 0] if mono else out))
    return later
