"""Moved to ``chromatic.music.meter`` (the one home of ticks, meters and grids); re-exported here
for the importers not yet switched over (``produce.sections``)."""

from __future__ import annotations

from chromatic.music.meter import (
    TPQ,
    bar_ticks,
    fine_step,
    grid,
    strong_onsets,
    strong_ticks,
    ticks,
)

__all__ = ["TPQ", "bar_ticks", "fine_step", "grid", "strong_onsets", "strong_ticks", "ticks"]
