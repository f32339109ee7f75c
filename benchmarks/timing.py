"""Timing helper shared by the benchmark scripts (run them from the repository root or with
benchmarks/ on sys.path; Python puts a script's own folder there)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds: the figure least disturbed by other load."""
    times = []
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)
