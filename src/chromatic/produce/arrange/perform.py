"""The performance pass: the assembled arrangement played rather than printed.

Assembly lays loops on the sixteenth grid at a handful of velocities; a player does not. This
pass, a pure function of the arrangement, the style and a seed (same inputs, same bytes), does
what a band and a mixing engineer would:

- **voicing**: a chord note that sounds at or above the concurrent melody note goes down an
  octave (pitch class kept) until it sits under the melody, so the tune is the top line;
- **phrase dynamics**: velocities follow a gentle arch over each phrase (``style.phrase_bars``),
  and every track gets an expression (CC11) curve: a section's level (louder for high-energy
  sections) with the same arch, and a crescendo ramp over the bar leading into each chorus
  (``RAMP_BARS`` bars into any section of higher energy than the one before: ``_rises``); into
  a section played louder than the one before (its plan ``intensity``: ``velocity_scale``) the
  players dig in too, and a lead entering after bars without it eases in (``arrange.seams``),
  so the seam is a crescendo, not a step (5.5-11.5 LU steps measured without it); a section played
  softer starts softer (a drop is meant); a section whose instruments the soundfont plays much
  louder than the plan's step is set lower as a whole (``arrange.balance``, measured levels);
- **humanizing** (off with ``quantized``): pitched parts' onsets move by a normal deviation of
  ``style.humanize.timing_ms`` (notes struck together move together, with a small spread) and
  their velocities by ``style.humanize.velocity`` steps. Drums are left alone: their groove
  (``rhythm.humanize``) is already their feel; jitter on top would blur it;
- **mix**: CC7 volume and CC10 pan at time 0 of every track from ``style.mix`` (the track
  name's first word is its role: chords, bass, melody, harmony, drums), the pan spread
  ``PAN_WIDTH`` times wider than the style writes it (the side is the style's; at the
  style's own width the previews are nearly mono), the lead's octave doubling (``double``) opposite the chords; CC91
  reverb send per role (``REVERB_SEND``); soft melody notes are lifted towards
  ``MELODY_VELOCITY`` so the tune is heard over the chords.
- **one voice**: the lead, after humanizing, keeps one note per onset, each ending where the
  next begins (``one_voice``).

``quantized`` keeps the grid (for a DAW user): voicing, dynamics and mix stay, the random
timing and velocity do not.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import zlib
from bisect import bisect_left

import numpy as np
from symusic import ControlChange, Note

from chromatic.music.form import role_of
from chromatic.music.ranges import register
from chromatic.produce.arrange.balance import balanced
from chromatic.produce.arrange.seams import eased, ramped

VOLUME, PAN, EXPRESSION, REVERB = 7, 10, 11, 91
PAN_WIDTH = 2.0  # the style's pan offsets from the centre, this many times wider
DOUBLE_VOLUME = 0.85  # the lead's doubling under the lead's level
REVERB_SEND = {"chords": 56, "harmony": 64, "melody": 40, "double": 56, "drums": 24, "bass": 0}
ARCH = 0.12  # velocity swing over a phrase: x0.94 at its ends, x1.06 in its middle
EXPRESSION_BASE = {"low": 98, "medium": 106, "high": 116}  # CC11 per section energy
EXPRESSION_ARCH = 10  # CC11 steps added in the middle of a phrase
CRESCENDO_TOP = 127
RAMP_BARS = 4  # the crescendo into a section of higher energy (smooths 6-11 LU steps)
CHORD_FLOOR = 41  # F2: a chord note is not pushed under this (it would muddy the bass)
MELODY_VELOCITY = 88  # the tune is lifted towards this: it must carry over the accompaniment
MELODY_KEEP = 0.3  # the share of a soft melody note's distance under it that is kept
CHORD_SPREAD = 0.25  # a struck chord's notes spread by this share of the timing deviation
CURVE_STEP = 2  # expression points per beat


@dataclasses.dataclass(frozen=True)
class _Grid:
    """What the pass needs to know about time: ticks per bar and beat, per millisecond, song end,
    and per bar the section's energy and the bar's place in its phrase."""

    bar: int
    beat: int
    per_ms: float
    end: int
    phrase_bars: int
    sections: tuple[tuple[int, int, str, bool], ...]  # (start bar, bars, energy, is chorus)
    levels: tuple[float, ...] = ()  # each section's velocity scale (``velocity_scale``)

    def section_at(self, tick: int) -> tuple[int, int, str, bool]:
        bar = tick // self.bar
        for s in reversed(self.sections):
            if bar >= s[0]:
                return s
        return self.sections[0]

    def phrase_position(self, tick: int) -> float:
        """0 at a phrase's first tick, approaching 1 at its end."""
        start = self.section_at(tick)[0] * self.bar
        length = self.phrase_bars * self.bar
        return ((tick - start) % length) / length


def role(track_name: str) -> str:
    """The mix role of a track: its name's first word ("chords 4" -> "chords")."""
    return (track_name.split() or [""])[0].lower()


def describe(style, quantized: bool) -> dict:
    """What the pass did, for the summary and the command line."""
    return {
        "humanized": not quantized,
        "timing_ms": 0.0 if quantized else float(style.humanize.timing_ms),
        "velocity": 0.0 if quantized else float(style.humanize.velocity),
        "dynamics": "phrase arch, CC11 per section, crescendo into each chorus",
        "mix": {k: {"volume": v.volume, "pan": v.pan} for k, v in sorted(style.mix.items())},
    }


def perform(arr, style, seed: int, *, quantized: bool = False):
    """A new ``Arrangement`` whose score is ``arr.score`` performed (see the module docstring)."""
    score = arr.score.copy()
    grid = _grid(score, arr, style)
    melody = sorted(
        (n.time, n.time + n.duration, n.pitch)
        for t in score.tracks
        if role(t.name) == "melody"
        for n in t.notes
    )
    played = []
    for track in score.tracks:
        if not len(track.notes):
            continue
        name = role(track.name)
        notes = [(n.time, n.duration, n.pitch, n.velocity) for n in track.notes]
        if name == "chords" and melody:
            notes = _under_melody(notes, melody, max(CHORD_FLOOR, register(track.program).low))
        notes = ramped(notes, grid)
        if not track.is_drum:
            notes = _arch(notes, grid)
            if not quantized:
                rng = np.random.default_rng([seed, zlib.crc32(track.name.encode())])
                notes = _humanize(notes, grid, style.humanize, rng, name)
            if name == "melody":
                notes = eased(one_voice([(t, d, p, _lifted(v)) for t, d, p, v in notes]), grid)
        channel = channel_for(style.mix, name)
        played.append((track, channel, (track.program, track.is_drum, _volume(channel), notes)))
    parts, _ = balanced([p for *_, p in played], grid, lambda t: expression_at(t, grid))
    for (track, channel, _), (*_, notes) in zip(played, parts, strict=True):
        track.notes.clear()
        for t, d, p, v in _untangled(notes, grid.end):
            track.notes.append(Note(time=t, duration=d, pitch=p, velocity=v))
        _controls(track, grid, channel)
    return dataclasses.replace(arr, score=score)


def _volume(channel) -> int:
    return int(channel.volume) if channel is not None else 100


def _grid(score, arr, style) -> _Grid:
    tpq = score.tpq
    ts = score.time_signatures[0] if len(score.time_signatures) else None
    num, den = (ts.numerator, ts.denominator) if ts is not None else (4, 4)
    bar = round(tpq * 4 * num / den)
    qpm = float(score.tempos[0].qpm) if len(score.tempos) else 120.0
    sections = tuple(
        (s.start_bar, s.total_bars, role_of(s.name).energy, role_of(s.name).name == "chorus")
        for s in arr.sections
    )
    return _Grid(
        bar=bar,
        beat=round(tpq * 4 / den),
        per_ms=tpq * qpm / 60000.0,
        end=arr.total_bars * bar,
        phrase_bars=max(1, int(style.phrase_bars)),
        sections=sections or ((0, max(1, arr.total_bars), "medium", False),),
        levels=tuple(velocity_scale(s.planned.intensity) for s in arr.sections),
    )


def velocity_scale(intensity: float) -> float:
    """A section's velocity factor from its plan intensity: 0 -> 0.75, 0.5 -> 1.0 (as written),
    1 -> 1.25."""
    return 0.75 + 0.5 * float(intensity)


def _lifted(velocity: int) -> int:
    """A melody velocity brought up towards ``MELODY_VELOCITY``: the softer notes move most, so
    the line carries over the accompaniment and keeps its shape."""
    if velocity >= MELODY_VELOCITY:
        return velocity
    return round(MELODY_VELOCITY - (MELODY_VELOCITY - velocity) * MELODY_KEEP)


def _under_melody(
    notes: list[tuple], melody: list[tuple[int, int, int]], floor: int = CHORD_FLOOR
) -> list[tuple]:
    """Chord notes at or above the lowest melody note sounding with them, an octave down at a
    time (not under ``floor``: ``CHORD_FLOOR`` or the instrument's lowest note, whichever is
    higher); a note that lands on one already struck is dropped."""
    starts = [m[0] for m in melody]
    longest = max(m[1] - m[0] for m in melody)
    out, seen = [], set()
    for t, d, p, v in notes:
        lo = bisect_left(starts, t - longest)
        hi = bisect_left(starts, t + d)
        over = [m[2] for m in melody[lo:hi] if m[1] > t]
        if over:
            top = min(over)
            while p >= top and p - 12 >= floor:
                p -= 12
        if (t, p) not in seen:
            seen.add((t, p))
            out.append((t, d, p, v))
    return out


def _arch(notes: list[tuple], grid: _Grid) -> list[tuple]:
    """Velocities shaped by a half-sine over each phrase (``ARCH``)."""
    out = []
    for t, d, p, v in notes:
        f = 1.0 - ARCH / 2 + ARCH * math.sin(math.pi * grid.phrase_position(t))
        out.append((t, d, p, min(127, max(1, round(v * f)))))
    return out


def _humanize(notes: list[tuple], grid: _Grid, humanize, rng, name: str) -> list[tuple]:
    """Onsets and velocities moved by the style's deviations; notes struck together (one onset)
    share their deviation, so a chord stays a chord. The bass, locked to the drums, moves half
    as much. A move is capped at two deviations and a 32nd note."""
    sd = humanize.timing_ms * grid.per_ms * (0.5 if name == "bass" else 1.0)
    cap = min(2 * sd, grid.beat / 8)
    onsets = sorted({n[0] for n in notes})
    shift = dict(zip(onsets, rng.normal(0.0, 1.0, len(onsets)) * sd, strict=True))
    accent = dict(zip(onsets, rng.normal(0.0, humanize.velocity, len(onsets)), strict=True))
    spread = rng.normal(0.0, sd * CHORD_SPREAD, len(notes))
    jitter = rng.normal(0.0, humanize.velocity * 0.3, len(notes))
    out = []
    for i, (t, d, p, v) in enumerate(notes):
        move = float(np.clip(shift[t] + spread[i], -cap, cap))
        nt = max(0, round(t + move))
        vel = min(127, max(1, round(v + accent[t] + jitter[i])))
        out.append((nt, d, p, vel))
    return out


def one_voice(notes: list[tuple]) -> list[tuple]:
    """The lead as one voice after humanizing: one note per onset (the highest), each ending
    where the next begins (a vocal synth sings one note at a time)."""
    best: dict[int, tuple] = {}
    for n in notes:
        if n[0] not in best or n[2] > best[n[0]][2]:
            best[n[0]] = n
    line = [best[t] for t in sorted(best)]
    return [
        (t, max(1, min(d, line[i + 1][0] - t)) if i + 1 < len(line) else d, p, v)
        for i, (t, d, p, v) in enumerate(line)
    ]


def _untangled(notes: list[tuple], end: int) -> list[tuple[int, int, int, int]]:
    """Sorted, inside the song, and no note of a pitch starting before the last one ended (a
    synthesizer would cut the new note at the old one's note-off)."""
    notes = sorted((int(t), int(d), int(p), int(v)) for t, d, p, v in notes if t < end)
    last: dict[int, int] = {}  # pitch -> index in out
    out: list[list[int]] = []
    for t, d, p, v in notes:
        d = max(1, min(d, end - t))
        j = last.get(p)
        if j is not None and out[j][0] + out[j][1] > t:
            out[j][1] = max(1, t - out[j][0])
        last[p] = len(out)
        out.append([t, d, p, v])
    return [(t, d, p, v) for t, d, p, v in out if d > 0]


def _rises(grid: _Grid) -> list[tuple[int, int]]:
    """(ramp start, section start) in ticks of every section the music rises into: a chorus
    (one bar of ramp) or a section of higher energy than the one before (``RAMP_BARS``)."""
    order = list(EXPRESSION_BASE)
    out = []
    for prev, s in itertools.pairwise(grid.sections):
        up = (
            order.index(s[2]) > order.index(prev[2])
            if s[2] in order and prev[2] in order
            else False
        )
        bars = RAMP_BARS if up else 1 if s[3] else 0
        bars = min(bars, prev[1])
        if bars:
            out.append((s[0] * grid.bar - bars * grid.bar, s[0] * grid.bar))
    return out


def expression_at(tick: int, grid: _Grid) -> int:
    """The CC11 value at ``tick``: the section's level with the phrase arch, or, before a
    section the music rises into (``_rises``), a ramp from that level up to ``CRESCENDO_TOP``."""
    energy = grid.section_at(tick)[2]
    base = EXPRESSION_BASE.get(energy, EXPRESSION_BASE["medium"])
    value = base + EXPRESSION_ARCH * math.sin(math.pi * grid.phrase_position(tick))
    for ramp, start in _rises(grid):
        if ramp <= tick < start:
            share = (tick - ramp) / (start - ramp)
            value += (CRESCENDO_TOP - value) * share
    return min(127, max(0, round(value)))


@dataclasses.dataclass(frozen=True)
class Channel:
    volume: int
    pan: int
    reverb: int = 0


def channel_for(mix: dict, name: str) -> Channel | None:
    """A role's channel: the style's volume, its pan ``PAN_WIDTH`` times wider (clamped), the
    lead's doubling opposite the chords under the lead's level, and the role's reverb send."""

    def wide(pan: int) -> int:
        return min(120, max(8, round(64 + (int(pan) - 64) * PAN_WIDTH)))

    send = REVERB_SEND.get(name, 40)
    if name == "double" and "melody" in mix:
        chords = mix.get("chords")
        side = 128 - wide(chords.pan) if chords is not None else 96
        return Channel(round(mix["melody"].volume * DOUBLE_VOLUME), side, send)
    channel = mix.get(name)
    if channel is None:
        return None
    return Channel(int(channel.volume), wide(channel.pan), send)


def _controls(track, grid: _Grid, channel) -> None:
    """CC7 and CC10 at time 0 (when the style has the role), then the CC11 curve."""
    made = []
    if channel is not None:
        made += [
            ControlChange(time=0, number=VOLUME, value=int(channel.volume)),
            ControlChange(time=0, number=PAN, value=int(channel.pan)),
            ControlChange(time=0, number=REVERB, value=int(channel.reverb)),
        ]
    # The ending's CC11 points (a fade) are an envelope over the performance's curve, not a
    # second writer of the same controller: the two multiply.
    fade = sorted((c.time, c.value) for c in track.controls if c.number == EXPRESSION)
    step = max(1, grid.beat // CURVE_STEP)
    previous = None
    for tick in sorted({*range(0, grid.end, step), *(t for t, _ in fade)}):
        value = expression_at(tick, grid)
        env = next((v for t, v in reversed(fade) if t <= tick), 127)
        value = round(value * env / 127)
        if value != previous:
            made.append(ControlChange(time=tick, number=EXPRESSION, value=value))
            previous = value
    kept = [
        ControlChange(time=c.time, number=c.number, value=c.value)
        for c in track.controls
        if c.number != EXPRESSION
    ]
    track.controls.clear()
    for c in sorted(made + kept, key=lambda c: (c.time, c.number != VOLUME, c.number)):
        track.controls.append(c)


def style_of(folder):
    """The folder's style (the proposal's, with the folder's own overrides)."""
    from chromatic.produce.style import style_for

    return style_for(folder.proposal(), folder.root)


def perform_folder(arr, folder, *, quantized: bool = False):
    """``perform`` with the folder's style and a seed from the proposal's content (the same
    song gives the same performance whether compose or assemble wrote it)."""
    from chromatic.produce.style import content_seed

    return perform(arr, style_of(folder), content_seed(0, folder.proposal()), quantized=quantized)
