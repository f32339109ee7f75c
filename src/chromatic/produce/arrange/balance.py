"""Section levels from what the soundfont actually plays.

The plan gives each section an intensity (``perform.velocity_scale``), and the players' velocities
follow it; but the soundfont renders programs at very different levels (``program_levels.json``,
measured by ``scripts/program_levels.py``: at one velocity, a GM "voice" lead or a violin
sounds 9-12 LU over a grand piano). A section whose instruments are louder programs than the
last one's, or that brings in the lead and the band at once, jumps at its start by much more
than the plan's step: 6.6 and 7.0 LU on seed 2's songs 01 (jam -> chorus, a jazz guitar and a
violin coming in) and 09 (a 4-bar intro of a soft guitar and bass -> the sung verse).

``balanced`` estimates each part's loudness beat by beat over the ``WINDOW_BARS`` either side
of every section start from its notes (the program's measured level at the note's pitch, the
velocities and CC7 / CC11 through the measured laws, each held beat at the measured decay),
gates the beats as BS.1770 does, and where the section would start louder than the plan's step
plus ``SLACK_LU`` (``MAX_RISE_LU`` at most) sets the whole section (every part, drums included)
that much lower, so a seam rises by about what the plan means. A section planned softer keeps
its drop. Sections are settled in order: a lowered section is what the next one is measured
against.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path

WINDOW_BARS = 2  # the seam is heard over this many bars either side (the benchmark's window)
SLACK_LU = 3.0  # a section may start this much louder than its plan's step before it is lowered
MAX_RISE_LU = 5.0  # and never more than this (a rendered rise over 6 LU is heard as a jump; the
# estimate is within about 1 LU of the render on seed 2's seams)
UNKNOWN_LU = -70.0  # a program measured quieter than this is treated as the median program
DRUM_HITS_PER_BAR = 12  # the measured drum groove: 8 hi-hats, 2 kicks, 2 snares a bar


@cache
def levels() -> dict:
    """The measured table (``program_levels.json``)."""
    return json.loads((Path(__file__).with_name("program_levels.json")).read_text())


def program_lu(program: int, drums: bool = False, key: str = "programs") -> float:
    """The measured loudness (LUFS) of a program's reference phrase in the middle of its register
    (``programs``; ``programs_low`` / ``programs_high`` at its ends); the drum groove for drums."""
    table = levels()
    if drums:
        return float(table["drums"])
    row = table[key]
    measured = sorted(v for v in row if v > UNKNOWN_LU)
    value = row[program] if 0 <= program < len(row) else UNKNOWN_LU
    return float(value if value > UNKNOWN_LU else measured[len(measured) // 2])


@cache
def pitch_curve(program: int) -> tuple[tuple[int, float], ...]:
    """(pitch, dB against the middle) at the bottom, middle and top of the register measured."""
    pitches = levels()["pitches"][program % 128]
    mid = program_lu(program)
    keys = ("programs_low", "programs", "programs_high")
    return tuple((p, program_lu(program, key=k) - mid) for p, k in zip(pitches, keys, strict=True))


def pitch_db(program: int, pitch: int) -> float:
    """How much louder (dB) the program plays ``pitch`` than the middle of its register:
    interpolated between the measured points, flat beyond them."""
    (p0, d0), (p1, d1), (p2, d2) = pitch_curve(program)
    if pitch <= p0 or p1 <= p0:
        return d0 if pitch <= p0 else d1
    if pitch <= p1:
        return d0 + (d1 - d0) * (pitch - p0) / (p1 - p0)
    if pitch >= p2 or p2 <= p1:
        return d2 if pitch >= p2 else d1
    return d1 + (d2 - d1) * (pitch - p1) / (p2 - p1)


def decay(program: int) -> tuple[float, ...]:
    """Power of a held note's 1st, 2nd, 3rd and later beats against its first (measured)."""
    row = levels()["decay_db"][program % 128]
    return (1.0, *(_power(x) for x in row))


def _power(db: float) -> float:
    return 10.0 ** (db / 10.0)


def part_powers(part, lo: int, hi: int, beat: int, expression: Callable[[int], int]) -> list:
    """A part's estimated loudness, beat by beat over [lo, hi) ticks, as linear power (the
    reference phrase's loudness at 1.0 = ``program_lu``): each note's sounding share of the beat
    (a drum hit counts as one of the reference groove's hits), scaled by its velocity, the
    part's CC7 and the CC11 at its onset through the measured dB-per-decade laws, its pitch
    (``pitch_db``), and each of its beats by how the program decays (``decay``)."""
    program, drums, volume, notes = part
    table = levels()
    vel, vol = table["velocity_db_per_decade"], table["volume_db_per_decade"]
    fades = (1.0,) if drums else decay(program)
    gain = _power(program_lu(program, drums) + vol * math.log10(max(volume, 1) / 100))
    out = [0.0] * max(1, -(-(hi - lo) // beat))
    for t, d, p, v in notes:
        if t >= hi or t + d <= lo:
            continue
        level = vel * math.log10(max(v, 1) / 100) + vol * math.log10(max(expression(t), 1) / 127)
        if drums:
            if t >= lo:
                out[(t - lo) // beat] += gain * _power(level) * 4 / DRUM_HITS_PER_BAR
            continue
        power = gain * _power(level + pitch_db(program, p))
        # the note's beats, each at its measured decay, laid over the window's beats
        for j in range(max(0, (lo - t) // beat), -(-d // beat)):
            n0, n1 = t + j * beat, min(t + d, t + (j + 1) * beat)
            fade = fades[min(j, len(fades) - 1)]
            for i in range(max(0, (n0 - lo) // beat), min(len(out), -(-(n1 - lo) // beat))):
                b0, b1 = lo + i * beat, lo + (i + 1) * beat
                out[i] += power * fade * max(0, min(b1, n1) - max(b0, n0)) / beat
    return out


def loudness(parts, lo: int, hi: int, beat: int, expression: Callable[[int], int]) -> float:
    """The estimated loudness of ``parts`` in [lo, hi): the parts' powers summed beat by beat
    and gated as BS.1770 gates its 400 ms blocks (a beat is 0.3-0.6 s): beats under -70 LUFS
    are silence, then beats 10 LU under the mean of the rest are left out, so a sparse part
    is not heard as louder than it is. -inf for silence."""
    beats = [
        sum(col)
        for col in zip(*(part_powers(p, lo, hi, beat, expression) for p in parts), strict=True)
    ]
    kept = [x for x in beats if x > _power(UNKNOWN_LU)]
    if not kept:
        return -math.inf
    floor = sum(kept) / len(kept) * _power(-10.0)
    kept = [x for x in kept if x > floor]
    return 10.0 * math.log10(sum(kept) / len(kept))


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
        over = after - before - min(step + SLACK_LU, MAX_RISE_LU)
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
