"""Issue #33: the preview's space (a full-width reverb return) and air (a high shelf)."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.produce.arrange.space import add_space, available

pytestmark = pytest.mark.skipif(not available(), reason="pedalboard is not installed")
RATE = 22050


def _mono_mix() -> np.ndarray:
    """Two seconds of a plucked chord, the same in both channels (a mono render)."""
    t = np.arange(2 * RATE) / RATE
    env = np.exp(-3 * (t % 0.5))
    tone = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6, 1760.0)) * env
    noise = np.random.default_rng(0).normal(0, 0.02, t.size) * env  # a little breath on top
    mono = 0.2 * (tone + noise)
    return np.stack([mono, mono], axis=1)


def _high_share(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x.mean(axis=1))) ** 2
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    return float(spec[f >= 4000].sum() / spec.sum())


def test_space_widens_a_mono_mix_and_brightens_it():
    dry = _mono_mix()
    assert np.corrcoef(dry[:, 0], dry[:, 1])[0, 1] > 0.999
    wet = add_space(dry, RATE, "ambient")
    assert wet.shape == dry.shape and np.isfinite(wet).all()
    assert np.corrcoef(wet[:, 0], wet[:, 1])[0, 1] < 0.9
    assert _high_share(wet) > 1.5 * _high_share(dry)
    # a drier style keeps more of the centre; the same input gives the same output
    rock = add_space(dry, RATE, "rock")
    assert np.corrcoef(rock[:, 0], rock[:, 1])[0, 1] > np.corrcoef(wet[:, 0], wet[:, 1])[0, 1]
    assert np.array_equal(add_space(dry, RATE, "rock"), rock)
