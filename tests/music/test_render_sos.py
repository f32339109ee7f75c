"""The K-weighting's filter without scipy.signal: scipy's own kernel, the same samples."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.signal import sosfilt as scipy_sosfilt

from chromatic.music.render_sos import kernel, sosfilt
from chromatic.produce.arrange.loudness import k_sos


@pytest.mark.parametrize(
    "shape, dtype", [((2, 20_000), np.float64), ((20_000,), np.float32), ((3, 1, 999), np.int16)]
)
def test_the_same_samples_as_scipy_signal(shape, dtype):
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(shape) * 1000).astype(dtype)
    sos = k_sos(44100)
    got = sosfilt(sos, x)
    assert kernel() is not None and got.dtype == np.float64 and got.shape == x.shape
    assert np.array_equal(got, scipy_sosfilt(sos, x))  # bit for bit
    assert not np.array_equal(got, x)


def test_it_does_not_import_scipy_signal():
    code = (
        "import sys, numpy as np\n"
        "from chromatic.music.render_sos import sosfilt\n"
        "y = sosfilt(np.array([[1, 0.5, 0, 1, -0.5, 0]]), np.ones((2, 8)))\n"
        "assert y[0, 1] != 1\n"
        "print('scipy.signal' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
