"""Groove templates: deterministic humanization of a drum part.

Random jitter makes a part sloppy and makes the same seed give different files; a groove is a
*named, fixed* set of offsets that players actually produce: a laid-back snare, hats a touch
behind or ahead, softer ghost notes, swung off-beats. Applying one is a pure function of the
notes, so the output stays byte-identical for the same inputs.

Offsets are in ticks at ``TPQ`` = 480 per quarter (10 ticks is about 10 ms at 120 bpm).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chromatic.errors import ProduceError
from chromatic.music.gm import GHOST, VOICES
from chromatic.music.meter import TPQ
from chromatic.music.notes import Note


@dataclass(frozen=True)
class Groove:
    name: str
    description: str
    timing: dict[str, int] = field(default_factory=dict)  # voice -> ticks (late > 0)
    velocity: dict[str, int] = field(default_factory=dict)  # voice -> velocity offset
    ghost: int = 0  # extra velocity offset for ghost notes (velocity <= GHOST)
    swing: int = 0  # ticks added to notes on the off-beat eighth (the "and")
    swing16: int = 0  # ticks added to notes on the off-beat sixteenths ("e" and "a")


GROOVES: dict[str, Groove] = {
    g.name: g
    for g in (
        Groove(
            "laid_back",
            "snare and clap behind the beat, hats a little late, ghosts softer",
            timing={"snare": 12, "clap": 10, "rim": 8, "hat": 6, "ride": 6, "open": 6},
            velocity={"hat": -6, "ride": -4},
            ghost=-8,
        ),
        Groove(
            "push",
            "hats and ride ahead of the beat, accents harder: urgency",
            timing={"hat": -6, "ride": -6, "open": -6, "snare": -3},
            velocity={"kick": 4, "snare": 4},
        ),
        Groove(
            "swing",
            "off-beat eighths delayed toward the triplet, hats softer off the beat",
            swing=TPQ // 6,
            velocity={"hat": -4, "ride": -2},
            ghost=-5,
        ),
        Groove(
            "shuffle16",
            "off-beat sixteenths delayed: a light sixteenth-note shuffle",
            swing16=TPQ // 12,
            velocity={"hat": -3},
            ghost=-4,
        ),
    )
}
_PITCH_VOICE = {pitch: voice for voice, pitch in VOICES.items()}


def groove(name: str) -> Groove:
    try:
        return GROOVES[name]
    except KeyError:
        raise ProduceError(
            f"unknown groove {name!r}; expected one of {', '.join(GROOVES)}"
        ) from None


def humanize(notes: list[Note], g: Groove, total: int) -> list[Note]:
    """The notes with the groove's offsets, kept inside [0, total) and velocities inside 1-127."""
    eighth, sixteenth = TPQ // 2, TPQ // 4
    out = []
    for t, dur, pitch, vel in notes:
        voice = _PITCH_VOICE.get(pitch, "")
        shift = g.timing.get(voice, 0)
        if g.swing and t % TPQ == eighth:
            shift += g.swing
        if g.swing16 and t % eighth == sixteenth:
            shift += g.swing16
        v = vel + g.velocity.get(voice, 0) + (g.ghost if vel <= GHOST else 0)
        out.append(Note(min(max(t + shift, 0), total - 1), dur, pitch, min(max(v, 1), 127)))
    return sorted(out)
