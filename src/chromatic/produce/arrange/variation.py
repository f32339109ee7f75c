"""Repeats that develop: what assembly does to one occurrence of a section so that a repeated
loop is never the identical loop. The plan says what (``planfile.Variation``, chosen by
``arrange.form``); this module plays it on the occurrence's notes.

Notes here are ``(time, duration, pitch, velocity)`` in arrangement ticks, grouped by track key
``(phase, program, is_drum)``. Everything is deterministic (no random choice is made here: the
plan made them), so the same plan and loops give the same arrangement.

- ``fill``/``phrase_fill``: the drum fill of ``rhythm.fills.apply_fill`` in the last bar of the
  occurrence and in the last bar of each inner phrase;
- ``crash``: a crash (and kick) on the occurrence's downbeat;
- ``dropout``: the last bars of the occurrence without drums and bass (the breath before the
  final chorus);
- ``lift``: velocities up, the melody doubled an octave up, eighth hats made sixteenths;
- ``vary_melody``: in a varied bar (assembly picks them: the sung bars of every pass after the
  first, the cadence bar apart), weak-beat melody notes move to a scale neighbour (strong beats
  keep their chord tones); a bar with no weak-beat note splits its first long note, the second
  half a neighbour (a rhythm displacement).
- ``transpose``: every pitched part (not the drums) by semitones;
- density by pass: the first pass of a section played more than once
  in the song (over its occurrences; not a chorus: it arrives whole) is the band's thin pass:
  the backing (``harmony``) sits out, the chords strike only on the bar's strong beats and the
  drums only on its beats (``thin``); from the second pass on the loops play whole, so the
  accompaniment grows over a verse's passes and the section enters a step lighter than it
  goes on (the end-of-section fill is laid on after the thinning, so it stays whole).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

from chromatic.music.form import role_of
from chromatic.music.gm import CRASH, KICK, KIT, VOICES
from chromatic.music.meter import TPQ, Meter, strong_onsets
from chromatic.produce.planfile import PlanSection, Variation
from chromatic.produce.promote import normalize_label
from chromatic.produce.rhythm.fills import apply_fill

Hit = tuple[int, int, int, int]  # time, duration, pitch, velocity
TrackKey = tuple[str, int, bool]  # phase, program, is_drum
Block = dict[TrackKey, list[Hit]]

_NAMES = {p: v for v, p in reversed(VOICES.items())}  # pitch -> its first voice name
HAT = VOICES["hat"]
LIFT_VELOCITY = 1.1
DOUBLE_VELOCITY = 0.7
MAX_DOUBLE_PITCH = 100
BACKING = "harmony"  # the phase that joins on a section's second pass
STRONG_TOLERANCE = TPQ // 16  # ticks: how far a humanized onset may sit from its beat


@dataclass(frozen=True)
class Frame:
    """Where the occurrence lies: ticks [start, end), the bar length, the meter, the phrase
    length in bars, and the key's scale (pitch classes, after any transposition)."""

    start: int
    end: int
    bar: int
    meter: Meter
    phrase_bars: int
    scale: tuple[int, ...]

    @property
    def bars(self) -> int:
        return (self.end - self.start) // self.bar


def vary(block: Block, v: Variation | None, frame: Frame) -> None:
    """Apply one occurrence's variation to its notes, in place (the melody's is per pass:
    ``vary_melody_bar``)."""
    if v is None:
        return
    for key, hits in block.items():
        phase, _, drum = key
        if drum:
            hits[:] = _drum_fills(hits, v, frame)
            if v.crash:
                hits[:] = crash(hits, frame.start)
            if v.lift:
                hits[:] = denser_hats(hits)
        if v.dropout and (drum or phase == "bass"):
            hits[:] = cut(hits, frame.end - v.dropout * frame.bar, frame.end)
        if v.lift:
            hits[:] = lift(hits, phase == "melody")


def transpose(block: Block, semitones: int) -> None:
    if not semitones:
        return
    for (_, _, drum), hits in block.items():
        if not drum:
            hits[:] = [(t, d, min(127, max(0, p + semitones)), v) for t, d, p, v in hits]


def _drum_fills(hits: list[Hit], v: Variation, frame: Frame) -> list[Hit]:
    for b in range(frame.bars):
        last = b == frame.bars - 1
        kind = v.fill if last else (v.phrase_fill if (b + 1) % frame.phrase_bars == 0 else "none")
        if kind != "none":
            hits = fill_bar(hits, frame.start + b * frame.bar, frame.bar, frame.meter, kind)
    return hits


def fill_bar(hits: list[Hit], at: int, bar: int, meter: Meter, kind: str) -> list[Hit]:
    """The drum hits with the bar at tick ``at`` replaced by ``apply_fill``'s version of it."""
    inside = [h for h in hits if at <= h[0] < at + bar]
    rest = [h for h in hits if not at <= h[0] < at + bar]
    durations = {(h[0], h[2]): h[1] for h in inside}
    bar_hits = [(Fraction(t - at, TPQ), _NAMES.get(p, f"#{p}"), vel) for t, _, p, vel in inside]
    out = []
    for onset, voice, vel in apply_fill(bar_hits, meter, kind):
        t = at + round(onset * TPQ)
        pitch = KIT[voice] if voice in KIT else int(voice[1:])
        out.append((t, durations.get((t, pitch), TPQ // 4), pitch, vel))
    return sorted(rest + out)


def crash(hits: list[Hit], at: int) -> list[Hit]:
    have = {p for t, _, p, _ in hits if t == at}
    add = [(at, TPQ, p, 112) for p in (CRASH, KICK) if p not in have]
    return sorted(hits + add)


def cut(hits: list[Hit], start: int, end: int) -> list[Hit]:
    """Silence [start, end): notes starting there go, notes crossing into it are shortened."""
    out = []
    for t, d, p, v in hits:
        if start <= t < end:
            continue
        if t < start < t + d:
            d = start - t
        out.append((t, d, p, v))
    return out


def lift(hits: list[Hit], double: bool) -> list[Hit]:
    out = [(t, d, p, min(127, round(v * LIFT_VELOCITY))) for t, d, p, v in hits]
    if double:
        out += [
            (t, d, p + 12, max(1, round(v * DOUBLE_VELOCITY)))
            for t, d, p, v in hits
            if p + 12 <= MAX_DOUBLE_PITCH
        ]
    return sorted(out)


def denser_hats(hits: list[Hit]) -> list[Hit]:
    """Eighth-note closed hats become sixteenths (a softer hat between each pair)."""
    hats = sorted(h for h in hits if h[2] == HAT)
    add = [
        (a[0] + (b[0] - a[0]) // 2, a[1], HAT, max(1, round(a[3] * 0.6)))
        for a, b in itertools.pairwise(hats)
        if b[0] - a[0] == TPQ // 2
    ]
    return sorted(hits + add)


def _neighbour(pitch: int, scale: tuple[int, ...], up: bool) -> int:
    step = 1 if up else -1
    p = pitch + step
    while p % 12 not in scale:
        p += step
    return p


def _tune_range(hits: list[Hit]) -> tuple[int, int]:
    """Lowest and highest note of a lead, its octave doubling (a lifted chorus) left out."""
    struck = {(t, p) for t, _, p, _ in hits}
    line = [p for t, _, p, _ in hits if (t, p - 12) not in struck] or [h[2] for h in hits]
    return min(line), max(line)


def vary_melody_bar(
    hits: list[Hit],
    at: int,
    bar: int,
    meter: Meter,
    scale: tuple,
    *,
    up: bool = True,
    split: bool = True,
    bounded: bool = False,
    rhythm: bool = False,
    late: bool = False,
) -> list[Hit]:
    """The melody with the bar at tick ``at`` varied (see the module docstring); ``up``: the
    first weak onset's neighbour is above (the next alternates), else below; ``split=False``
    leaves a bar with no weak-beat note as it is; ``bounded``: no neighbour beyond the highest
    and lowest notes of ``hits``; ``rhythm``: split the bar's longest note (a quarter or more)
    even when it has weak-beat notes, a rhythm variation (the second half a neighbour, sung as
    a melisma: ``midi.align_lyrics`` gives an added onset the syllable's continuation), halfway
    or, ``late``, on its last eighth."""
    strong = [at + round(o * TPQ) for o in strong_onsets(meter)]
    inside = [h for h in hits if at <= h[0] < at + bar]
    if not inside:
        return hits
    rest = [h for h in hits if not at <= h[0] < at + bar]
    # a humanized onset sits a few ticks off its beat: it is still on the beat
    weak = [h for h in inside if min(abs(h[0] - s) for s in strong) > STRONG_TOLERANCE]
    long = max((h for h in inside if h[1] >= TPQ), key=lambda h: (h[1], -h[0]), default=None)
    if weak and not (rhythm and long is not None):
        # the direction alternates by onset, not by note: an octave doubling moves with its note;
        # a neighbour past the tune's highest or lowest note turns back (the range stays)
        # (the lowest note at an onset decides, so its doubling keeps the octave)
        lo, hi = _tune_range(hits) if bounded else (0, 127)
        lowest: dict[int, int] = {}
        for t, _, p, _ in weak:
            lowest[t] = min(p, lowest.get(t, p))
        goes_up = {}
        for k, t in enumerate(sorted(lowest)):
            go = (k % 2 == 0) == up
            q = _neighbour(lowest[t], scale, go)
            goes_up[t] = go if lo <= q <= hi else not go
        out = [
            (t, d, _neighbour(p, scale, goes_up[t]), v) if (t, d, p, v) in weak else (t, d, p, v)
            for t, d, p, v in inside
        ]
        return sorted(rest + out)
    if not rhythm:
        long = next((h for h in inside if h[1] >= TPQ), None) if split else None
    if long is None:
        return hits
    together = [h for h in inside if h[0] == long[0] and h[1] == long[1]]  # with its doubling
    lo, hi = _tune_range(hits) if bounded else (0, 127)
    base = min(h[2] for h in together)
    go = up if lo <= _neighbour(base, scale, up) <= hi else not up
    t0, d0 = long[0], long[1]
    # the turn starts halfway, or (``late``) on the note's last eighth; never on a strong beat,
    # where the neighbour would stand against the chord
    points = [d0 // 2, d0 - TPQ // 2]
    points = [k for k in (points[::-1] if late else points) if 0 < k < d0]
    points = [k for k in points if min(abs(t0 + k - s) for s in strong) > STRONG_TOLERANCE]
    if not points:
        return hits
    cut_at = points[0]
    halves = []
    for t, d, p, v in together:
        halves += [(t, cut_at, p, v), (t + cut_at, d - cut_at, _neighbour(p, scale, go), v)]
    return sorted(rest + [h for h in inside if h not in together] + halves)


def thin(hits: list[Hit], start: int, end: int, bar: int, onsets: tuple) -> list[Hit]:
    """The hits with those in [start, end) kept only on ``onsets`` (quarters into each bar);
    a humanized onset a few ticks off one still counts as on it."""
    at = [round(o * TPQ) for o in onsets] + [bar]

    def on(t: int) -> bool:
        pos = (t - start) % bar
        return min(abs(pos - a) for a in at) <= STRONG_TOLERANCE

    return [h for h in hits if not start <= h[0] < end or on(h[0])]


def thin_pass(block: Block, start: int, end: int, frame: Frame) -> None:
    """The band's thin pass over ticks [start, end) (see the module docstring)."""
    for key, hits in block.items():
        phase, _, drum = key
        if drum:
            hits[:] = thin(hits, start, end, frame.bar, frame.meter.onsets)
        elif phase == BACKING:
            hits[:] = [h for h in hits if not start <= h[0] < end]
        elif phase == "chords":
            hits[:] = thin(hits, start, end, frame.bar, strong_onsets(frame.meter))


def develop(
    block: Block,
    sec: PlanSection,
    frame: Frame,
    passes: dict[str, int],
    total: int | None = None,
) -> None:
    """The plan's variation and transposition on one occurrence. On every pass of a loop after
    its first, the lead is ornamented as a singer repeats a verse: each sung bar but the pass's
    last (the cadence stays as written) moves its weak-beat notes to scale neighbours, up or
    down by bar and pass, strong beats keeping their chord tones, and every third one instead
    splits its longest note into a turn (a rhythm variation, the second half a melisma); the
    first pass is the tune as approved, so the repeat is heard as a repeat, and moves.
    ``total``: the passes the section's label plays in the whole song (default: this
    occurrence's), which decides whether its first pass is the band's thin pass."""
    label = normalize_label(sec.name)
    done = passes.get(label, 0)
    passes[label] = done + sec.repeat
    if (
        sec.variation is not None
        and done == 0
        and max(total or 0, sec.repeat) > 1
        and role_of(label).name != "chorus"
    ):
        thin_pass(block, frame.start, frame.start + sec.bars * frame.bar, frame)
    vary(block, sec.variation, frame)
    if sec.variation is not None and sec.variation.vary_melody:
        length = sec.bars * frame.bar
        for key, hits in block.items():
            if key[0] != "melody":  # the lead varies; its backing stays as approved
                continue
            for i in range(sec.repeat):
                n_pass = done + i
                if n_pass == 0:
                    continue
                start = frame.start + i * length
                sung = sorted(
                    {(t - start) // frame.bar for t, *_ in hits if start <= t < start + length}
                )
                for j, bar in enumerate(sung[:-1]):
                    # four patterns in turn, so pass 3 is not pass 1 again
                    up = ((j if n_pass % 4 in (1, 2) else j // 2) + n_pass) % 2 == 0
                    hits[:] = vary_melody_bar(
                        hits,
                        start + bar * frame.bar,
                        frame.bar,
                        frame.meter,
                        frame.scale,
                        up=up,
                        split=False,
                        bounded=True,
                        rhythm=(j + n_pass) % 3 == 0,
                        late=n_pass % 2 == 0,
                    )
    transpose(block, sec.transpose)
