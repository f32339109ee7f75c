"""The preview's mix made block by block while the synthesizers play.

``render_score`` hands on each block of the summed synthesizers as soon as every synthesizer
has written it (``consume``); ``Mixdown`` then does to that block what the preview did to the
whole render afterwards: the release fade (``preview._faded``), space and air
(``space.Space``, boards carrying their state from block to block), and what the loudness pass
measures of the result (its K-weighted rows, ``k_power`` and true-peak envelope, filters and
resampler carrying their state too). Every step is a per-sample recursion fed in order, so the
blocks give the samples the whole-song calls give, bit for bit (the test suite compares
them); the work runs on the core the two synthesizers leave free, instead of after them.
"""

from __future__ import annotations

import numpy as np

from chromatic.music.render_sos import sosfilt_rows
from chromatic.produce.arrange.loudness import PEAK_CHUNK, PeakStream, _power_of, k_sos
from chromatic.produce.arrange.space import Space

#: Frames per block: a whole number of the peak envelope's chunks.
BLOCK = 2 * PEAK_CHUNK


class Mixdown:
    """Consumes ``render_score``'s blocks of a ``total``-frame stereo render (``__call__``);
    ``mix`` is the spaced mix and ``taken`` what ``normalize_loudness`` measures of it."""

    def __init__(self, total: int, sample_rate: int, family: str = "", fade: int = 0):
        self.sample_rate, self.total = sample_rate, total
        self.mix = np.empty((total, 2), dtype=np.float32)
        self.space = Space(sample_rate, family)
        self.sos = k_sos(sample_rate)
        self.zi = np.zeros((2, len(self.sos), 2))
        self.weighted = np.empty((2, total))
        self.power = np.empty(total)
        self.peaks = PeakStream(total, 2)
        self.fade_from = total - fade if fade and total > fade else total
        self.ramp = np.linspace(1.0, 0.0, total - self.fade_from, dtype=np.float32)[:, None]
        self.next = 0

    def __call__(self, lo: int, hi: int, out: np.ndarray) -> None:
        """Frames [lo, hi) of ``out`` are final: fade them (in ``out``), space them into
        ``mix`` and measure them."""
        if lo != self.next:
            raise ValueError(f"expected the block starting at frame {self.next}, got {lo}")
        self.next = hi
        start = max(lo, self.fade_from)
        if start < hi:
            out[start:hi] *= self.ramp[start - self.fade_from : hi - self.fade_from]
        spaced = self.space.process(out[lo:hi])
        self.mix[lo:hi] = spaced
        rows = np.array(spaced.T, dtype=np.float64, order="C")
        sosfilt_rows(self.sos, rows, self.zi)
        self.weighted[:, lo:hi] = rows
        self.power[lo:hi] = _power_of(rows)
        self.peaks.add(self.mix[lo:hi], lo)

    @property
    def taken(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self.next != self.total:
            raise ValueError(f"the mix has {self.next} of {self.total} frames")
        return self.weighted, self.power, self.peaks.peak
