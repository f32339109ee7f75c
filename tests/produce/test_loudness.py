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


def _moving_average_gain(peaks: np.ndarray, ceiling_db: float, w: int) -> np.ndarray:
    """The limiter's gain by its definition, frame by frame: each frame needs ceiling / peak;
    a frame holds the least need of its block of w frames and the blocks either side; the gain
    is the mean of the held values over w frames centred on it (edges repeat the edge)."""
    need = np.minimum(1.0, 10 ** (ceiling_db / 20) / peaks)
    blocks = -(-len(need) // w)
    low = [need[b * w : (b + 1) * w].min() for b in range(blocks)]
    held = [min(low[max(b - 1, 0) : b + 2]) for b in range(blocks)]
    hold = np.repeat(np.asarray(held, np.float64), w)
    ext = np.r_[np.full(w // 2, hold[0]), hold, np.full(w, hold[-1])]
    return np.minimum([ext[i : i + w].mean() for i in range(len(need))], need)


def test_the_limiter_gain_is_the_held_moving_average_and_exactly_one_at_rest():
    from chromatic.produce.arrange.loudness import HOLD_SECONDS

    w = int(HOLD_SECONDS * SR)
    for seconds, factor in ((2.0, 5.0), (1.3, 1.6), (0.02, 3.0)):  # the last: under 2 blocks
        peaks = _peak_envelope(_music_like(seconds)) * factor
        gain = limiter_gain(peaks, SR, -1.0)
        np.testing.assert_allclose(gain, _moving_average_gain(peaks, -1.0, w), rtol=0, atol=1e-12)
    assert gain.min() < 1.0 and np.mean(limiter_gain(peaks * 0.1, SR, -1.0) == 1.0) == 1.0
    rest = limiter_gain(_peak_envelope(_music_like(2.0)) * 5.0, SR, -1.0)
    assert np.sum(rest == 1.0) > len(rest) // 2  # untouched frames are exactly 1, not 1 - eps


def test_the_peak_envelope_streams_the_same_samples_as_one_resampling():
    a = _music_like(4.0).astype(np.float32)
    up = np.abs(soxr.resample(a, 1, 4, quality="HQ"))
    n = min(len(up) // 4, len(a))
    want = np.maximum(np.abs(a).max(axis=1)[:n], up[: 4 * n].max(axis=1).reshape(n, 4).max(axis=1))
    got = _peak_envelope(a)
    assert len(a) > 2 * (1 << 15)  # more than one chunk
    np.testing.assert_array_equal(got[:n], want)


def test_the_reported_loudness_is_the_output_measured_again():
    """normalize_loudness filters the song once: the level after comes from the input's
    K-weighting and the limited stretches filtered again; it is the output's own level."""
    from chromatic.produce.arrange.loudness import k_power, k_weighted, scaled_power

    audio = _music_like(8.0)
    out, loud = normalize_loudness(audio, SR)
    assert loud.ceiling_limited
    assert loud.level_db == pytest.approx(integrated_lufs(out, SR), abs=1e-6)
    assert loud.level_db == pytest.approx(pyloudnorm.Meter(SR).integrated_loudness(out), abs=1e-6)
    a = audio.astype(np.float32)
    y = k_weighted(a, SR)
    curve = 1.3 * limiter_gain(_peak_envelope(a) * 4.0, SR, -1.0)
    # the product in float64: a float32 product rounds each sample by up to 6e-8
    want = k_power(a.astype(np.float64) * curve.astype(np.float32)[:, None], SR)
    got = scaled_power(a, y, k_power(a, SR), curve, SR)
    assert curve.min() < 1.0 and np.mean(curve == 1.3) > 0.5
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_the_k_weighting_is_pyloudnorms(rate):
    from chromatic.produce.arrange.loudness import k_sos

    filters = pyloudnorm.Meter(rate)._filters.values()
    want = np.array([np.r_[np.asarray(f.b) * f.passband_gain, f.a] for f in filters])
    np.testing.assert_allclose(k_sos(rate), want, rtol=1e-13, atol=1e-15)


def test_keep_gets_the_result_while_it_is_measured_and_its_errors_are_raised():
    """``keep`` (the preview's writer) is handed the very samples returned, once, mono as
    mono; the samples and the Loudness are those of a run without it; its error is raised."""
    import threading

    audio = _music_like()
    plain, loud = normalize_loudness(audio, SR)
    for x, want in ((audio, plain), (audio[:, 0], normalize_loudness(audio[:, 0], SR)[0])):
        got, where = [], []

        def keep(done, got=got, where=where):
            got.append(done.copy())
            where.append(threading.current_thread() is threading.main_thread())

        out, measured = normalize_loudness(x, SR, keep=keep)
        assert len(got) == 1 and where == [False] and got[0].shape == x.shape
        assert np.array_equal(got[0], out) and np.array_equal(out, want)
    assert measured.to_dict() == normalize_loudness(audio[:, 0], SR)[1].to_dict()
    assert normalize_loudness(audio, SR, keep=lambda done: None)[1] == loud

    def full(done):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        normalize_loudness(audio, SR, keep=full)
