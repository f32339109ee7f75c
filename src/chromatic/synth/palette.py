"""The sound of each album color in synthesized catalogs: a palette per color.

A real artist's albums each have a sound; the example catalog is synthetic, so it is given
one on purpose, or no model could learn MIDI -> color from it. Each album color has a mode
(the example manifests are written in it; the synthesizer always plays the manifest's key),
a register, a density and a rhythm for the harmony and lead parts, and an instrumentation
used when a track's description names no instrument. The table below is the documentation:

======  ==========  ========  ===============  ===========  ============================
color   mode        register  lead density     rhythm       instrumentation (harm./lead)
======  ==========  ========  ===============  ===========  ============================
Black   locrian     -12       half notes, 40%  sustained    warm pad / strings
Red     minor        -3       eighths, 90%     straight     electric piano / saw lead
Orange  mixolydian    0       eighths, 75%     swing        clean guitar / trumpet
Yellow  lydian       +7       sixteenths, 85%  arpeggio     polysynth pad / flute
Green   dorian       +2       quarters, 70%    offbeat      drawbar organ / clarinet
Blue    major        -5       quarters, 50%    sustained    strings / violin
Indigo  phrygian     -2       eighths, 60%     arpeggio-dn  nylon guitar / square lead
Violet  major       +12       sixteenths, 70%  straight     acoustic piano / whistle
======  ==========  ========  ===============  ===========  ============================

The harmony holds a tonic pedal under every bar (modal music states its tonic; otherwise a
mode is only a rotation of its relative major). Register shifts the harmony and lead ranges by semitones (and the vocal line by whole
octaves), so pitch classes stay in key. Rhythms: *sustained* holds one chord a bar;
*straight* strikes every beat; *swing* strikes each beat long-short (2/3 + 1/3); *offbeat*
strikes between the beats; *arpeggio* / *arpeggio-dn* break the chord up / down at the lead's
density. The palette is synthetic: it describes no real album.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chromatic.music.gm import PROGRAMS
from chromatic.music.meter import TPQ
from chromatic.music.notes import Note
from chromatic.synth.parts import SongPlan, _beats, _place
from chromatic.taxonomy import parse_color

RHYTHMS = ("sustained", "straight", "swing", "offbeat", "arpeggio", "arpeggio-dn")


@dataclass(frozen=True)
class Palette:
    color: str
    mode: str  # the key mode the example manifests of this color are written in
    register: int  # semitones added to the harmony and lead ranges
    lead_beats: float  # the lead's note length in beats (density)
    lead_fill: float  # probability that a lead step sounds
    rhythm: str  # one of RHYTHMS (harmony, and the lead's feel)
    harmony_program: int  # when a harmony track's description names no instrument
    lead_program: int  # when a lead track's description names no instrument
    velocity: int  # added to the harmony and lead velocities

    def __post_init__(self) -> None:
        assert self.rhythm in RHYTHMS, self.rhythm


P = PROGRAMS
PALETTES: dict[str, Palette] = {
    p.color: p
    for p in (
        Palette("Black", "locrian", -12, 2.0, 0.4, "sustained", P["warm_pad"], P["strings"], -12),
        Palette("Red", "minor", -3, 0.5, 0.9, "straight", P["electric_piano"], P["saw_lead"], 4),
        Palette("Orange", "mixolydian", 0, 0.5, 0.75, "swing", P["clean_guitar"], P["trumpet"], 0),
        Palette("Yellow", "lydian", 7, 0.25, 0.85, "arpeggio", P["polysynth_pad"], P["flute"], 6),
        Palette("Green", "dorian", 2, 1.0, 0.7, "offbeat", P["drawbar_organ"], P["clarinet"], -2),
        Palette("Blue", "major", -5, 1.0, 0.5, "sustained", P["strings"], P["violin"], -8),
        Palette(
            "Indigo",
            "phrygian",
            -2,
            0.5,
            0.6,
            "arpeggio-dn",
            P["nylon_guitar"],
            P["square_lead"],
            0,
        ),
        Palette(
            "Violet", "major", 12, 0.25, 0.7, "straight", P["acoustic_grand_piano"], P["whistle"], 2
        ),
    )
}
_DEFAULT_PROGRAMS = {"harmony": P["warm_pad"], "lead": P["saw_lead"]}


def palette_of(color: str) -> Palette | None:
    """The palette of an album color (None for White and unknown colors: the plain parts)."""
    try:
        return PALETTES.get(parse_color(color).name)
    except ValueError:
        return None


def program_for(palette: Palette, role: str, described: int) -> int:
    """The palette's instrument where the description named none (the role's default)."""
    if role in _DEFAULT_PROGRAMS and described == _DEFAULT_PROGRAMS[role]:
        return palette.harmony_program if role == "harmony" else palette.lead_program
    return described


def _unit(plan: SongPlan) -> int:
    """Ticks of the meter's counting unit (a quarter in x/4, an eighth in x/8)."""
    return round(4 / plan.ts.denominator * TPQ)


def _vel(base: int, palette: Palette) -> int:
    return int(np.clip(base + palette.velocity, 20, 120))


def _range(low: int, high: int, shift: int) -> tuple[int, int]:
    lo = int(np.clip(low + shift, 24, 96))
    return lo, lo + (high - low)


def harmony(plan: SongPlan, palette: Palette, rng: np.random.Generator) -> list[Note]:
    """Chords in the palette's register and rhythm."""
    notes: list[Note] = []
    beats = _beats(plan)
    lo, hi = _range(55, 72, palette.register)
    step = max(30, round(palette.lead_beats * _unit(plan)))
    for start, end, chord, energy in plan.bars:
        pitches = sorted(_place(pc, lo, hi) for pc in chord)
        vel = _vel((55, 72, 88)[energy], palette)

        def add(on: int, dur: int, ps: list[int], v: int = vel, end: int = end) -> None:
            if on < end:
                for p in ps:
                    notes.append(
                        Note(
                            start=on, duration=max(min(dur, end - on) - 10, 30), pitch=p, velocity=v
                        )
                    )

        # a tonic pedal under every bar: modal music states its tonic, or a mode is only a
        # rotation of its relative major's scale
        add(start, end - start, [_place(plan.key.pc, lo - 12, hi - 12)], max(vel - 10, 20))
        r = palette.rhythm
        if r == "sustained" or energy == 0:
            add(start, end - start, pitches)
        elif r in ("arpeggio", "arpeggio-dn"):
            order = (
                [*pitches, pitches[0] + 12]
                if r == "arpeggio"
                else [pitches[-1] + 12, *pitches[::-1]]
            )
            for k, t in enumerate(range(start, end, step)):
                add(t, step, [order[k % len(order)]])
        else:
            for j, b in enumerate(beats):
                nxt = beats[j + 1] if j + 1 < len(beats) else plan.bar_ticks
                span = nxt - b
                if r == "straight":
                    add(start + b, span, pitches)
                elif r == "swing":
                    add(start + b, span * 2 // 3, pitches)
                    add(start + b + span * 2 // 3, span // 3, pitches, vel - 12)
                else:  # offbeat
                    add(start + b + span // 2, span // 2, pitches)
    return notes


def lead(plan: SongPlan, palette: Palette, rng: np.random.Generator) -> list[Note]:
    """A line of chord tones (70 %) and scale tones at the palette's density and register."""
    notes: list[Note] = []
    scale = plan.key.scale_pcs()
    lo, hi = _range(67, 84, palette.register)
    step = max(30, round(palette.lead_beats * _unit(plan)))
    for start, end, chord, energy in plan.bars:
        fill = palette.lead_fill * (0.5 if energy == 0 else 1.0)
        tones = sorted(_place(pc, lo, hi) for pc in chord)
        k = int(rng.integers(3))
        for n, t in enumerate(range(start, end, step)):
            k += int(rng.integers(1, 3)) * (-1 if palette.rhythm == "arpeggio-dn" else 1)
            if rng.random() >= fill:
                continue
            on, dur = t, step
            if palette.rhythm == "swing":
                on, dur = (t, step * 4 // 3) if n % 2 == 0 else (t + step // 3, step * 2 // 3)
            elif palette.rhythm == "offbeat":
                on, dur = t + step // 2, step // 2
            if on >= end:
                continue
            pitch = (
                tones[k % 3] if rng.random() < 0.7 else _place(scale[int(rng.integers(7))], lo, hi)
            )
            notes.append(
                Note(
                    start=on,
                    duration=max(min(dur, end - on) - 10, 30),
                    pitch=pitch,
                    velocity=_vel((60, 75, 90)[energy], palette),
                )
            )
    return notes


def shift_vocal(notes: list[Note], palette: Palette) -> list[Note]:
    """The vocal line moved by whole octaves toward the palette's register (stays in key)."""
    octaves = round(palette.register / 12)
    if not octaves:
        return notes
    return [
        Note(
            start=n.start,
            duration=n.duration,
            pitch=int(np.clip(n.pitch + 12 * octaves, 36, 96)),
            velocity=n.velocity,
        )
        for n in notes
    ]
