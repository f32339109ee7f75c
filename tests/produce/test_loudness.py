"""The preview's loudness: pyloudnorm's BS.1770 meter (vectorised gating checked against
pyloudnorm itself) and the true-peak limiter, measured independently with pyloudnorm and soxr."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
import soxr

from chromatic.errors import ProduceError
from chromatic.produce.arrange.loudness import (
    _peak_envelope,
    integrated_lufs,
    limiter_gain,
    normalize_loudness,
)

SR = 22050


def _music_like(seconds: float = 6.0) -> np.ndarray:
    """A quiet tone with loud clicks (drum hits): a plain gain to -14 LUFS would clip."""
    t = np.arange(int(seconds * SR)) / SR
    x = 0.03 * np.sin(2 * np.pi * 220 * t)
    for k in range(0, len(x), SR // 2):
        n = min(300, len(x) - k)
        x[k : k + n] += 0.7 * np.exp(-np.arange(n) / 60)
    return np.stack([x, 0.7 * x], axis=1)


def _true_peak_db(a: np.ndarray) -> float:
    return 20 * np.log10(np.abs(soxr.resample(a, SR, 4 * SR)).max())


def test_integrated_loudness_is_pyloudnorms():
    rng = np.random.default_rng(0)
    a = rng.normal(0, 0.1, (SR * 5, 2))
    a[: SR * 2] *= 0.01  # a quiet stretch the relative gate removes
    for x in (a, a[:, 0], _music_like()):
        assert integrated_lufs(x, SR) == pytest.approx(
            pyloudnorm.Meter(SR).integrated_loudness(x), abs=1e-6
        )


def test_normalised_to_minus_14_lufs_under_minus_1_dbtp():
    audio = _music_like()
    assert _true_peak_db(audio * 10 ** ((-14 - integrated_lufs(audio, SR)) / 20)) > -1.0
    out, loud = normalize_loudness(audio, SR)
    assert out.shape == audio.shape
    assert pyloudnorm.Meter(SR).integrated_loudness(out) == pytest.approx(-14.0, abs=1.0)
    assert _true_peak_db(out) <= -1.0 + 0.05
    assert loud.ceiling_limited and loud.limiter_db > 0 and loud.unit == "LUFS"


def test_the_limiter_gain_is_smooth_and_never_above_what_a_frame_needs():
    peaks = _peak_envelope(_music_like()) * 5.0  # 14 dB too loud on the hits
    need = np.minimum(1.0, 10 ** (-1 / 20) / peaks)
    gain = limiter_gain(peaks, SR, -1.0)
    assert np.all(gain <= need + 1e-12) and gain.min() < 0.3
    assert np.abs(np.diff(gain)).max() < 0.01  # no jumps from frame to frame: no clicks
    assert np.mean(gain > 0.99) > 0.5  # and no reduction away from the hits


def test_silence_is_an_error():
    with pytest.raises(ProduceError, match="silent"):
        normalize_loudness(np.zeros((SR, 2)), SR)


def test_true_peak_near_finds_the_same_peak_in_a_fraction_of_the_song():
    """Measured only around the frames a gain-scaled envelope marks as loudest, the true peak
    is the whole song's, whether the loud frames sit in one place, in several or everywhere."""
    from chromatic.produce.arrange.loudness import _peak_envelope, true_peak, true_peak_near

    sr = 8000
    rng = np.random.default_rng(3)
    t = np.arange(sr * 30) / sr
    quiet = (0.05 * rng.standard_normal((len(t), 2))).astype(np.float32)
    for shape in ("one burst", "three bursts", "noise"):
        x = quiet.copy()
        if shape != "noise":
            for at in [11.3] if shape == "one burst" else [2.0, 15.5, 27.2]:
                k = int(at * sr)
                x[k : k + 400] += np.sin(2 * np.pi * 3100 * t[:400])[:, None].astype(np.float32)
        else:
            x *= 10
        gain = (0.6 + 0.3 * np.sin(t * 0.7)).astype(np.float32)
        out = x * gain[:, None]
        assert true_peak_near(out, _peak_envelope(x) * gain) == pytest.approx(
            true_peak(out), rel=1e-6
        )
