"""Bass lines: one-bar templates of chord-tone steps, laid over the approved chords.

A template says *when* (onsets and lengths within a bar, from the meter's beat groups) and
*what* (a step relative to the chord sounding then):

- ``root``, ``third``, ``fifth``, ``octave``: chord tones of the chord at that moment (a chord
  without a third plays its fifth; the fifth is the chord's own: diminished or augmented);
- ``approach``: the note just before a chord change leads into the next chord's root, a
  semitone below, a semitone above, or a scale step below (the option's ``approach``; the
  scale of the chord it sounds under: G# into A under E major); when the next note is on the
  same chord it plays the fifth instead;
- ``passing``: a tone of the sounding chord's scale between the previous note and the next
  chord's root;
- ``tonic``: the heard key's tonic whatever the chord (the pedal style);
- ``anchor``: the chord tone that holds the heard key's centre: its tonic when the chord has
  it (VI's third, iv's fifth: D/F# in F# minor), else its fifth (III's third), else the
  chord's fifth. A line that answers each root with it keeps the key in the ear on loops that
  dwell on VI and VII.

"Key" here is the key the section's chords are heard in and a "scale" is one chord's
(``produce.heard``: ``heard_key``, ``chord_scale``): the bass follows the harmony it plays
under, not the proposal's key signature. A loop in the proposal's key (A minor) is heard in
it, and only a chord's own tones outside the key change its scale (E major's G#); a loop that
dwells on the relative major is heard in that major, and its pedal and anchor follow it.

Styles: root, walking, pedal, arpeggiated, octave, syncopated. Every chord change gets a note
on its first tick (a root when the template has no onset there), and notes stop at chord
changes, so the bass always states the new harmony.

Register: each chord's root is placed nearest the previous root (root-to-root voice leading),
the first one in the option's register (low: E1-Eb2, mid: C2-B2); every pitch is then folded
by octaves into MIDI 24-60.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from chromatic.music.key import Key
from chromatic.music.meter import Meter, strong_onsets, ticks
from chromatic.music.notes import Note
from chromatic.produce.heard import chord_scale, heard_key
from chromatic.produce.sections import Section

STEPS = ("root", "fifth", "third", "octave", "approach", "passing", "tonic", "anchor")
STYLES = ("root", "walking", "pedal", "arpeggiated", "octave", "syncopated")
LOW, HIGH = 24, 60  # the bass register, MIDI
ROOT_RANGE = (26, 50)  # where chord roots are placed before the upper steps are added
REGISTERS = {"low": (28, 39), "mid": (36, 47)}  # the first root
APPROACHES = ("chromatic_below", "chromatic_above", "diatonic")
VEL_DOWNBEAT, VEL_STRONG, VEL_WEAK, VEL_APPROACH = 100, 92, 80, 74


@dataclass(frozen=True)
class BassTemplate:
    name: str
    style: str
    hits: tuple[tuple[Fraction, Fraction, str], ...]  # one bar: onset, duration (quarters), step


def _beats(meter: Meter) -> list[tuple[Fraction, Fraction]]:
    """(onset, length) of each felt beat: the units of a simple meter, else the beat groups."""
    if set(meter.groups) == {1}:
        return [(i * meter.unit, meter.unit) for i in range(meter.numerator)]
    return [(o, g * meter.unit) for o, g in zip(meter.onsets, meter.groups, strict=True)]


def _steps_grid(meter: Meter) -> list[tuple[Fraction, Fraction]]:
    step = meter.step
    out, t = [], Fraction(0)
    while t < meter.bar:
        out.append((t, min(step, meter.bar - t)))
        t += step
    return out


def _cycle(cells, steps: tuple[str, ...], last: str | None = None):
    out = [(o, d, steps[i % len(steps)]) for i, (o, d) in enumerate(cells)]
    if last and len(out) > 1:
        o, d, _ = out[-1]
        out[-1] = (o, d, last)
    return tuple(out)


@lru_cache(maxsize=32)
def bass_templates(meter: Meter) -> tuple[BassTemplate, ...]:
    """The library for one meter, in a fixed order (the seed indexes into it)."""
    bar = meter.bar
    beats = _beats(meter)
    groups = [(o, g * meter.unit) for o, g in zip(meter.onsets, meter.groups, strict=True)]
    grid = _steps_grid(meter)
    strong = strong_onsets(meter)
    halves = [
        (o, (strong[i + 1] if i + 1 < len(strong) else bar) - o) for i, o in enumerate(strong)
    ]
    walk = {
        1: ("root",),
        2: ("root", "approach"),
        3: ("root", "fifth", "approach"),
        4: ("root", "third", "fifth", "approach"),
    }.get(len(beats), ("root", "third", "fifth", "octave", "fifth"))
    k = max(2, (len(grid) * 3 + 7) // 8)  # tresillo density: 3 of 8
    tres = sorted({(i * len(grid)) // k for i in range(k)})
    tres_cells = [
        (grid[i][0], (grid[tres[j + 1]][0] if j + 1 < len(tres) else bar) - grid[i][0])
        for j, i in enumerate(tres)
    ]
    t = BassTemplate
    return (
        t("root_whole", "root", ((Fraction(0), bar, "root"),)),
        t("root_strong", "root", _cycle(halves, ("root",))),
        t("root_beats", "root", _cycle(groups, ("root",))),
        t("root_fifth", "root", _cycle(halves, ("root", "fifth"))),
        t("root_pulse", "root", _cycle(grid, ("root",))),
        t("root_anchor", "root", _cycle(halves, ("root", "anchor"))),
        t("walking", "walking", _cycle(beats, walk, "approach")),
        t(
            "walking_scalar",
            "walking",
            _cycle(beats, ("root", "passing", "passing", "passing"), "approach"),
        ),
        t("pedal_whole", "pedal", ((Fraction(0), bar, "tonic"),)),
        t("pedal_pulse", "pedal", _cycle(groups, ("tonic",))),
        t("arpeggio_up", "arpeggiated", _cycle(grid, ("root", "third", "fifth", "octave"))),
        t(
            "arpeggio_up_down",
            "arpeggiated",
            _cycle(grid, ("root", "third", "fifth", "octave", "fifth", "third")),
        ),
        t("octave_pulse", "octave", _cycle(grid, ("root", "octave"))),
        t("octave_beats", "octave", _cycle(beats, ("root", "octave"))),
        t("tresillo", "syncopated", _cycle(tres_cells, ("root", "root", "fifth"))),
        t(
            "push",
            "syncopated",
            (
                *_cycle(tres_cells[:-1] or tres_cells, ("root", "fifth")),
                (grid[-1][0], grid[-1][1], "approach"),
            ),
        ),
    )


@dataclass(frozen=True)
class BassOption:
    template: BassTemplate
    register: str
    approach: str


def fold(pitch: int) -> int:
    while pitch > HIGH:
        pitch -= 12
    while pitch < LOW:
        pitch += 12
    return pitch


def _near(pc: int, ref: int, lo: int = ROOT_RANGE[0], hi: int = ROOT_RANGE[1]) -> int:
    """The pitch of class ``pc`` in [lo, hi] nearest ``ref`` (the lower on a tie)."""
    options = [p for p in range(lo, hi + 1) if p % 12 == pc]
    return min(options, key=lambda p: (abs(p - ref), p))


def chord_roots(section: Section, register: str) -> list[int]:
    """A root pitch per chord, the first in ``register``, each next nearest the previous."""
    lo, hi = REGISTERS[register]
    roots: list[int] = []
    for c in section.chords:
        roots.append(_near(c.root, roots[-1]) if roots else _near(c.root, lo, lo, hi))
    return roots


def _events(section: Section, template: BassTemplate) -> list[tuple[int, int, str]]:
    """(start, end, step) over the section: the template bar by bar, a root at every chord
    change without an onset, each note cut at the next onset and at chord changes."""
    bar, total = section.bar_ticks, section.total_ticks
    one = [(ticks(o), ticks(d), s) for o, d, s in template.hits]
    starts: dict[int, tuple[int, str]] = {}
    for b in range(section.bars):
        for o, d, s in one:
            starts.setdefault(b * bar + o, (b * bar + o + d, s))
    for c in section.chords:
        if c.start not in starts:
            starts[c.start] = (c.end, "root")
    changes = sorted({c.start for c in section.chords} | {total})
    times = sorted(starts)
    out = []
    for i, t in enumerate(times):
        end, step = starts[t]
        nxt = times[i + 1] if i + 1 < len(times) else total
        change = changes[bisect.bisect_right(changes, t)]
        out.append((t, min(end, nxt, change), step))
    return out


def realize(section: Section, key: Key, opt: BassOption) -> tuple[tuple[Note, ...], list[int]]:
    """The bass notes of one option over one section, and the root placed for each chord;
    ``key`` is the proposal's (the line follows the key its chords are heard in)."""
    roots = chord_roots(section, opt.register)
    key = heard_key(section, key)
    events = _events(section, opt.template)
    strong = {
        b * section.bar_ticks + ticks(o)
        for b in range(section.bars)
        for o in strong_onsets(section.meter)
    }
    notes: list[Note] = []
    prev = roots[0]
    for i, (t, end, step) in enumerate(events):
        ci = section.chord_index(t)
        chord, root = section.chords[ci], roots[ci]
        next_t = events[i + 1][0] if i + 1 < len(events) else section.total_ticks
        nci = section.chord_index(next_t) if next_t < section.total_ticks else len(section.chords)
        changes = nci != ci
        nxt_chord = section.next_chord(ci) if changes else chord
        target = roots[nci] if nci < len(roots) else _near(nxt_chord.root, root)
        if step == "approach" and not changes:
            step = "fifth"
        if step == "root":  # the chord's bass note: an inversion's (C/E plays E)
            p = root if chord.bass == chord.root else _near(chord.bass, root)
        elif step == "fifth":
            p = root + (chord.fifth or 7)
        elif step == "third":
            p = root + (chord.third or chord.fifth or 7)
        elif step == "octave":
            p = root + 12
        elif step == "tonic":
            p = _near(key.pc, root)
        elif step == "anchor":
            p = root + anchor_interval(chord.tones, chord.root, key.pc, chord.fifth or 7)
        elif step == "approach":
            p = _approach(target, opt.approach, chord_scale(chord, key))
        else:  # passing
            p = _passing(prev, target, chord_scale(chord, key), root + (chord.third or 7))
        p = fold(p)
        vel = (
            VEL_DOWNBEAT if t % section.bar_ticks == 0 else VEL_STRONG if t in strong else VEL_WEAK
        )
        if step == "approach":
            vel = VEL_APPROACH
        notes.append(Note(t, end - t, p, vel))
        prev = p
    return tuple(notes), roots


def anchor_interval(tones, root: int, tonic: int, fifth: int) -> int:
    """Semitones above the root of the ``anchor`` step (see the module docstring)."""
    for degree in (tonic, tonic + 7):
        if degree % 12 in {t % 12 for t in tones}:
            return (degree - root) % 12
    return fifth


def _approach(target: int, kind: str, scale: frozenset[int]) -> int:
    if kind == "chromatic_below":
        return target - 1
    if kind == "chromatic_above":
        return target + 1
    return target - 1 if (target - 1) % 12 in scale else target - 2


def _passing(prev: int, target: int, scale: frozenset[int], fallback: int) -> int:
    """The scale tone one step from ``prev`` toward ``target``, strictly between them."""
    if target == prev:
        return fallback
    direction = 1 if target > prev else -1
    p = prev + direction
    while p != target:
        if p % 12 in scale:
            return p
        p += direction
    return fallback
