"""Seams: where a section starts louder than the one before, the players get there together.

- **the band builds** (``ramped``): over the ``BUILD_BARS`` before a section planned louder (its
  plan ``intensity``), every part's velocities rise to the new section's level, drums included;
  where the part itself plays harder there than the plan's step (a soft intro's arpeggio
  before the verse's strummed chords), to the level it plays there (``BUILD_MAX`` at most);
- **the lead eases in** (``eased``): where the lead enters after bars without it (an intro, an
  instrumental break), its first ``EASE_BARS`` start at ``EASE_FROM`` of its velocity and
  grow to full, as a singer comes in under the band and opens up over the first line.

Measured (``benchmarks/musicality.py --render``, the ``rise`` column): the loudness
of the two bars after a section start minus the two bars before it; a sung lead entering over
a sparse intro rose 8.5-11.5 LU there.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left

BUILD_BARS = 4  # the players' crescendo (velocities) into a section planned louder
BUILD_MAX = 1.6  # the steepest build: velocities x1.6 (about +8 dB) by the louder section
EASE_BARS = 4  # the lead's entry grows to full over this many bars
EASE_FROM = 0.6  # the lead's first note after bars without it: this share of its velocity


def ramped(notes: list[tuple], grid) -> list[tuple]:
    """Velocities rising over the ``BUILD_BARS`` before each section played louder than the one
    before, from this section's level to the next one's (see the module docstring): the plan's
    step, or, where the part plays harder there than that (a soft intro's arpeggio before the
    verse's strummed chords), the step to where this part plays it (``BUILD_MAX`` at most)."""
    ramps = []
    for (prev, s), (a, b) in zip(
        itertools.pairwise(grid.sections), itertools.pairwise(grid.levels), strict=False
    ):
        if b > a:
            bars = min(BUILD_BARS, prev[1])
            at, span = s[0] * grid.bar, bars * grid.bar
            was = [v for t, _, _, v in notes if at - span <= t < at]
            will = [v for t, _, _, v in notes if at <= t < at + min(span, s[1] * grid.bar)]
            played = sum(will) / len(will) / (sum(was) / len(was)) if was and will else 1.0
            ramps.append((at - span, at, max(b / a, min(played, BUILD_MAX))))
    if not ramps:
        return notes
    out = []
    for t, d, p, v in notes:
        for lo, hi, top in ramps:
            if lo <= t < hi:
                v = min(127, round(v * (1 + (top - 1) * (t - lo) / (hi - lo))))
        out.append((t, d, p, v))
    return out


def eased(notes: list[tuple], grid) -> list[tuple]:
    """The lead's ``notes`` (time-sorted) with each entry at a section start (its pickup in the
    bar before included) after ``EASE_BARS`` bars without it growing from ``EASE_FROM`` of its
    velocity to full by ``EASE_BARS`` into the section."""
    span = EASE_BARS * grid.bar
    starts = [t for t, *_ in notes]
    entries = []
    for s in grid.sections[1:]:
        at = s[0] * grid.bar
        i = bisect_left(starts, at - span)
        if i < len(starts) and at - grid.bar <= starts[i] < at + span:
            entries.append((starts[i], at + span))
    out = []
    for t, d, p, v in notes:
        for lo, hi in entries:
            if lo <= t < hi:
                v = max(1, round(v * (EASE_FROM + (1 - EASE_FROM) * (t - lo) / (hi - lo))))
        out.append((t, d, p, v))
    return out
