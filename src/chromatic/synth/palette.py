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

The drums and the bass have the color's feel too (``DRUM_FEELS`` and ``bass``): Black
half-time, Red backbeat, Orange swing, Yellow sixteenth hats, Green off-beat, Blue brushes,
Indigo toms, Violet disco; the bass plays the palette's rhythm (one root a bar, eighths,
swung, arpeggiated, off-beat, descending). Without them a drum or bass stem, which is a
third of the rows a model learns from, would carry no color at all.

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


#: The drum feel of each color (the same GM kit pieces, a different groove).
DRUM_FEELS: dict[str, str] = {
    "Black": "half-time",  # kick on one, ride every other beat, one snare on the last beat
    "Red": "backbeat",  # eighth hats, snare on two and four, kick on one and three
    "Orange": "swing",  # swung ride, kick on one and the swung "and" before three
    "Yellow": "sixteenths",  # sixteenth hats, accents on the beat
    "Green": "offbeat",  # four-on-the-floor kick, hats between the beats
    "Blue": "brushes",  # quiet ride on the beats, rim clicks on two and four
    "Indigo": "toms",  # toms down the beats instead of a snare, hats on the beats
    "Violet": "disco",  # kick on every beat, open hats between, electric snare on two and four
}


def _feel_events(feel: str, u: int, bar: int, beats: list[int]) -> list[tuple[int, str, bool]]:
    """(tick in bar, voice, accented) of one full-energy bar in a feel."""
    ev: list[tuple[int, str, bool]] = [(0, "kick", True)]
    back = beats[1::2]
    if feel == "half-time":
        ev += [(t, "ride", True) for t in range(0, bar, 2 * u)] + [(beats[-1], "snare", True)]
    elif feel == "backbeat":
        ev += [(t, "hat", t % u == 0) for t in range(0, bar, u // 2)]
        ev += [(b, "snare", True) for b in back]
        ev += [(beats[len(beats) // 2], "kick", False)] if len(beats) >= 4 else []
    elif feel == "swing":
        ev += [(t + o, "ride", o == 0) for t in range(0, bar, u) for o in (0, 2 * u // 3)]
        ev += [(b, "snare", False) for b in back]
        ev += [(beats[2] - u // 3, "kick", False)] if len(beats) >= 3 else []
    elif feel == "sixteenths":
        ev += [(t, "hat", t % u == 0) for t in range(0, bar, max(u // 4, 1))]
        ev += [(b, "snare", True) for b in back]
    elif feel == "offbeat":
        ev += [(b, "kick", False) for b in beats[1:]] + [(b + u // 2, "hat", True) for b in beats]
        ev += [(b, "snare", True) for b in back]
    elif feel == "brushes":
        ev += [(b, "ride", False) for b in beats] + [(b, "rim", False) for b in back]
    elif feel == "toms":
        ev += [(b, "hat", False) for b in beats]
        ev += [
            (b, ("high_tom", "mid_tom", "low_tom")[min(k, 2)], True) for k, b in enumerate(beats)
        ]
    else:  # disco
        ev += [(b, "kick", True) for b in beats[1:]] + [
            (b + u // 2, "open_hat", True) for b in beats
        ]
        ev += [(b, "clap", True) for b in back]
    return ev


def drums(plan: SongPlan, palette: Palette) -> list[Note]:
    """The kit in the color's feel (``DRUM_FEELS``). A full-energy section plays the feel, a
    medium one the same without its extra kicks, a quiet one only the kick and every other
    time-keeping hit; a crash marks each section's first bar."""
    from chromatic.music.gm import SYNTH_KIT, VOICES

    kit, notes = SYNTH_KIT, []
    u, bar, beats = _unit(plan), plan.bar_ticks, _beats(plan)
    feel = DRUM_FEELS.get(palette.color, "backbeat")
    events = _feel_events(feel, u, bar, beats)
    level = {"kick": kit.kick, "snare": kit.snare, "rim": kit.snare - 20, "clap": kit.snare}
    pitch = {
        "kick": VOICES["kick"],
        "snare": VOICES["snare"],
        "rim": VOICES["rim"],
        "clap": VOICES["snare2"],
        "hat": VOICES["hat"],
        "open_hat": VOICES["open"],
        "ride": VOICES["ride"],
        "high_tom": VOICES["high_tom"],
        "mid_tom": VOICES["mid_tom"],
        "low_tom": VOICES["low_tom"],
    }
    prev = None
    for start, end, _chord, energy in plan.bars:
        if energy != prev and energy >= 1:
            notes.append(Note(start=start, duration=60, pitch=VOICES["crash"], velocity=kit.crash))
        prev = energy
        timekeeping = 0
        for off, voice, accent in events:
            if start + off >= end:
                continue
            if voice in ("hat", "ride", "open_hat"):
                timekeeping += 1
                if energy == 0 and timekeeping % 2 == 0:
                    continue
                vel = kit.hat_on_beat if accent else kit.hat
            elif voice.endswith("tom"):
                vel = kit.tom
            else:
                vel = level[voice] if accent else level[voice] - 12
            if energy == 0 and voice not in ("hat", "ride", "open_hat") and off:
                continue
            if energy == 1 and voice == "kick" and off and feel not in ("offbeat", "disco"):
                continue
            vel = kit.quiet_time if energy == 0 and voice != "kick" else vel
            notes.append(Note(start=start + off, duration=60, pitch=pitch[voice], velocity=vel))
    return notes


def bass(plan: SongPlan, palette: Palette, rng: np.random.Generator) -> list[Note]:
    """The bass line in the palette's rhythm, a few semitones toward its register (kept in the
    bass range): *sustained* one root a bar; *straight* eighth-note roots; *swing* root long,
    fifth short; *arpeggio* root-fifth-octave-fifth; *offbeat* roots between the beats;
    *arpeggio-dn* octave-fifth-root down the beats. Quiet sections hold one root a bar."""
    del rng  # the line is fixed by the palette; kept for the part functions' signature
    u = _unit(plan)
    lo = int(np.clip(36 + max(-5, min(5, palette.register)), 28, 43))
    notes = []
    for start, end, chord, energy in plan.bars:
        root = _place(chord[0], lo, lo + 11)
        fifth = _place(chord[2], root + 1, root + 12)
        octave = root + 12
        r = palette.rhythm
        if energy == 0 or r == "sustained":
            pattern = [(0, root, plan.bar_ticks)]
        elif r == "straight":
            pattern = [(t, root, u // 2) for t in range(0, plan.bar_ticks, u // 2)]
        elif r == "swing":
            pattern = [
                (t + o, p, d)
                for t in range(0, plan.bar_ticks, u)
                for o, p, d in ((0, root, 2 * u // 3), (2 * u // 3, fifth, u // 3))
            ]
        elif r == "arpeggio":
            seq = (root, fifth, octave, fifth)
            pattern = [
                (t, seq[k % 4], u // 2) for k, t in enumerate(range(0, plan.bar_ticks, u // 2))
            ]
        elif r == "offbeat":
            pattern = [(t + u // 2, root, u // 2) for t in range(0, plan.bar_ticks, u)]
        else:  # arpeggio-dn
            seq = (octave, fifth, root)
            pattern = [(t, seq[k % 3], u) for k, t in enumerate(range(0, plan.bar_ticks, u))]
        for off, pitch, dur in pattern:
            on = start + off
            if on < end:
                notes.append(
                    Note(
                        start=on,
                        duration=max(min(dur, end - on) - 20, 30),
                        pitch=int(pitch),
                        velocity=_vel((70, 85, 100)[energy], palette),
                    )
                )
    return notes
