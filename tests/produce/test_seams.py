"""Issue #33: a seam into a louder section ramps (the band builds to where it will play, the lead
eases in) instead of stepping up 8-11 LU where the sung lead enters after an intro."""

from __future__ import annotations

from chromatic.produce.arrange.perform import _Grid, velocity_scale
from chromatic.produce.arrange.seams import (
    BUILD_BARS,
    BUILD_MAX,
    EASE_BARS,
    EASE_FROM,
    eased,
    ramped,
)

BAR = 1920
SECTIONS = ((0, 8, "low", False), (8, 8, "medium", False))
LEVELS = (velocity_scale(0.2), velocity_scale(0.53))
GRID = _Grid(BAR, 480, 1.0, 16 * BAR, 4, SECTIONS, LEVELS)


def test_a_part_playing_harder_in_the_louder_section_builds_to_that_level():
    """Song 02 (seed 2): the intro's arpeggio at 64, the verse's strummed chords at 94. The
    plan's step alone (x1.19) left the piano 16 velocity steps short at the seam."""
    soft = [(b * BAR, BAR, 60, 64) for b in range(8)] + [
        (b * BAR, BAR, 60, 94) for b in range(8, 16)
    ]
    out = {t // BAR: v for t, _, _, v in ramped(soft, GRID)}
    build = [out[b] for b in range(8 - BUILD_BARS, 8)]
    plan_only = round(64 * (1 + (LEVELS[1] / LEVELS[0] - 1) * (BUILD_BARS - 1) / BUILD_BARS))
    assert build == sorted(build) and build[0] == 64
    assert build[-1] > plan_only + 5  # it reaches for the verse's 94
    assert build[-1] <= round(64 * BUILD_MAX)
    assert [out[b] for b in range(8, 16)] == [94] * 8  # the verse as played
    # a part playing the same in both: the plan's step, as before
    flat = [(b * BAR, BAR, 60, 80) for b in range(16)]
    out = {t // BAR: v for t, _, _, v in ramped(flat, GRID)}
    assert out[7] <= round(80 * LEVELS[1] / LEVELS[0])


def test_the_lead_eases_in_after_an_intro_and_from_its_pickup():
    lead = [(b * BAR + h * BAR // 2, BAR // 2, 67, 88) for b in range(8, 16) for h in range(2)]
    out = eased(lead, GRID)
    first = [v for t, _, _, v in out if t < (8 + EASE_BARS) * BAR]
    assert first[0] == round(88 * EASE_FROM) and first == sorted(first) and first[-1] < 88
    assert all(v == 88 for t, _, _, v in out if t >= (8 + EASE_BARS) * BAR)
    # a pickup in the intro's last bar: the entry starts there
    pickup = [(8 * BAR - BAR // 4, BAR // 4, 65, 88), *lead]
    assert eased(pickup, GRID)[0][3] == round(88 * EASE_FROM)
    # a lead already singing before the seam does not ease in again
    sung = [(b * BAR, BAR, 67, 88) for b in range(16)]
    assert eased(sung, GRID) == sung
