"""Section levels from what the soundfont actually plays (issue #33).

The plan gives each section an intensity (``perform.velocity_scale``), and the players' velocities
follow it; but the soundfont renders programs at very different levels (``program_levels.json``,
measured by ``scripts/program_levels.py``: at one velocity, a GM "voice" lead or a violin
sounds 9-12 LU over a grand piano). A section whose instruments are louder programs than the
last one's, or that brings in the lead and the band at once, jumps at its start by much more
than the plan's step: 6.6 and 7.0 LU on seed 2's songs 01 (jam -> chorus, a jazz guitar and a
violin coming in) and 09 (a 4-bar intro of a soft guitar and bass -> the sung verse).

``balanced`` estimates each part's loudness over the ``WINDOW_BARS`` either side of every section
start from its notes (the program's measured level, the velocities and CC7 / CC11 through the
measured laws, the time each note sounds) and, where the section would start louder than the
plan's step plus ``SLACK_LU``, sets the whole section (every part, drums included) that much
lower, so a seam rises by about what the plan means. A section planned softer keeps its drop.
Sections are settled in order: a lowered section is what the next one is measured against.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path

WINDOW_BARS = 2  # the seam is heard over this many bars either side (the benchmark's window)
SLACK_LU = 3.0  # a section may start this much louder than its plan's step before it is lowered
UNKNOWN_LU = -70.0  # a program measured quieter than this is treated as the median program
DRUM_HITS_PER_BAR = 12  # the measured drum groove: 8 hi-hats, 2 kicks, 2 snares a bar


@cache
def levels() -> dict:
    """The measured table (``program_levels.json``)."""
    return json.loads((Path(__file__).with_name("program_levels.json")).read_text())


def program_lu(program: int, drums: bool = False, key: str = "programs") -> float:
    """The measured loudness (LUFS) of a program's reference phrase: legato quarters
    (``programs``) or legato whole notes (``programs_whole_notes``); the drum groove for drums."""
    table = levels()
    if drums:
        return float(table["drums"])
    row = table[key]
    measured = sorted(v for v in row if v > UNKNOWN_LU)
    value = row[program] if 0 <= program < len(row) else UNKNOWN_LU
    return float(value if value > UNKNOWN_LU else measured[len(measured) // 2])


def held_power(program: int) -> float:
    """A note's power after its first beat, relative to the first beat's (a decaying piano or
    guitar fades, a pad or a voice holds): from the two measured phrases, a whole note being
    one beat at the quarters' level and three at this one."""
    quarter = _power(program_lu(program))
    whole = _power(program_lu(program, key="programs_whole_notes"))
    return max(0.0, min(1.0, (4 * whole - quarter) / 3 / quarter))


def _power(db: float) -> float:
    return 10.0 ** (db / 10.0)


def part_power(part, lo: int, hi: int, beat: int, expression: Callable[[int], int]) -> float:
    """A part's estimated loudness in [lo, hi) ticks as linear power (the reference phrase's
    loudness at 1.0 = ``program_lu``): each note's sounding share of the window (a drum hit counts
    as a sixteenth of the groove), scaled by its velocity, the part's CC7 and the CC11 at its
    onset through the measured dB-per-decade laws; a note's first beat at the quarters' level,
    the rest at ``held_power``."""
    program, drums, volume, notes = part
    table = levels()
    vel, vol = table["velocity_db_per_decade"], table["volume_db_per_decade"]
    span = hi - lo
    tail = 1.0 if drums else held_power(program)
    total = 0.0
    for t, d, _, v in notes:
        if t >= hi or t + d <= lo:
            continue
        if drums:
            share = 3 * beat / DRUM_HITS_PER_BAR / span
        else:  # the first beat at the quarters' level, the rest at the held one
            first = max(0, min(hi, t + min(d, beat)) - max(lo, t))
            share = (first + tail * max(0, min(hi, t + d) - max(lo, t + beat))) / span
        level = vel * math.log10(max(v, 1) / 100) + vol * math.log10(max(volume, 1) / 100)
        level += vol * math.log10(max(expression(t), 1) / 127)
        total += share * _power(level)
    return total * _power(program_lu(program, drums))


def loudness(parts, lo: int, hi: int, beat: int, expression: Callable[[int], int]) -> float:
    """The estimated loudness (LUFS-like, the parts' powers summed) of ``parts`` in [lo, hi)."""
    total = sum(part_power(p, lo, hi, beat, expression) for p in parts)
    return 10.0 * math.log10(total) if total > 0 else -math.inf


def balanced(parts: list, grid, expression: Callable[[int], int]) -> tuple[list, list[float]]:
    """``parts`` ((program, is_drum, CC7, notes) each) with each section's velocities lowered
    where it would start more than its plan's step plus ``SLACK_LU`` over the bars before it
    (see the module docstring); also each section's factor (1.0 where nothing moved)."""
    vel = levels()["velocity_db_per_decade"]
    parts = [list(p) for p in parts]
    factors = [1.0] * len(grid.sections)
    for k in range(1, len(grid.sections)):
        prev, s = grid.sections[k - 1], grid.sections[k]
        at = s[0] * grid.bar
        before = loudness(
            parts, at - min(WINDOW_BARS, prev[1]) * grid.bar, at, grid.beat, expression
        )
        after = loudness(parts, at, at + min(WINDOW_BARS, s[1]) * grid.bar, grid.beat, expression)
        if not (math.isfinite(before) and math.isfinite(after)):
            continue
        step = 0.0
        if len(grid.levels) == len(grid.sections):
            step = max(0.0, vel * math.log10(grid.levels[k] / grid.levels[k - 1]))
        over = after - before - step - SLACK_LU
        if over <= 0:
            continue
        factors[k] = 10.0 ** (-over / vel)
        end = at + s[1] * grid.bar
        for p in parts:
            p[3] = [
                (t, d, n, max(1, round(v * factors[k]))) if at <= t < end else (t, d, n, v)
                for t, d, n, v in p[3]
            ]
    return [tuple(p) for p in parts], factors
