"""A cascade of second-order IIR sections over rows of samples (the loudness pass's
K-weighting), without importing ``scipy.signal``.

``scipy.signal.sosfilt`` validates its arguments and calls the compiled kernel
``scipy.signal._sosfilt._sosfilt`` on a float64 copy of the rows; importing ``scipy.signal``
for it costs about 0.7 CPU s (its package loads scipy.stats, interpolate, spatial, ...), more
than the render's whole loudness pass. ``sosfilt`` here loads that one kernel from scipy's own
files and calls it as ``scipy.signal.sosfilt`` does (the same samples, bit for bit: the test
suite compares them); where the kernel is not found (another scipy layout) it calls
``scipy.signal.sosfilt``.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

_KERNEL: list[Callable | None] = []
_LOCK = threading.Lock()


def kernel() -> Callable | None:
    """scipy's compiled sosfilt kernel (``_sosfilt(sos, x, zi)``, in place), or None."""
    with _LOCK:
        if not _KERNEL:
            _KERNEL.append(_load())
        return _KERNEL[0]


def _load() -> Callable | None:
    loaded = sys.modules.get("scipy.signal._sosfilt")
    if loaded is not None:
        return getattr(loaded, "_sosfilt", None)
    try:
        spec = importlib.util.find_spec("scipy")
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations))) / "signal"
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = folder / f"_sosfilt{suffix}"
            if path.is_file():
                ext = importlib.util.spec_from_file_location("scipy.signal._sosfilt", path)
                if ext is None or ext.loader is None:
                    return None
                module = importlib.util.module_from_spec(ext)
                ext.loader.exec_module(module)
                return getattr(module, "_sosfilt", None)
    except (ImportError, OSError):
        return None
    return None


def sosfilt(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``scipy.signal.sosfilt(sos, x)`` along the last axis, for real float ``sos`` and ``x``
    (float64 out)."""
    run = kernel()
    sos = np.asarray(sos, dtype=np.float64)
    x = np.asarray(x)
    if run is None or sos.ndim != 2 or sos.shape[1] != 6 or x.dtype.kind not in "fiub":
        from scipy.signal import sosfilt as public

        return public(sos, x)
    shape = x.shape
    rows = np.array(x.reshape(-1, shape[-1]), np.float64, order="C")  # a copy, filtered in place
    zi = np.zeros((rows.shape[0], sos.shape[0], 2))
    run(sos, rows, zi)
    return rows.reshape(shape)


def sosfilt_rows(sos: np.ndarray, rows: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """``rows`` (C-contiguous float64, [channels, n]) filtered in place along the last axis,
    starting from and updating the filter state ``zi`` ([channels, sections, 2]): blocks
    filtered in order give the samples one ``sosfilt`` call gives, bit for bit."""
    run = kernel()
    sos = np.asarray(sos, dtype=np.float64)
    if run is None:
        from scipy.signal import sosfilt as public

        y, zf = public(sos, rows, zi=zi)
        rows[...], zi[...] = y, zf
        return rows
    run(sos, rows, zi)
    return rows
