"""General MIDI, one home: the drum kit (channel 10), its named keys and velocity levels, and the
melodic programs the project names.

Templates name voices ("kick", "hat"); this table is the one place they become GM key numbers
(FORMATS.md §6: kick 36, snare 38, rim 37, closed hat 42, open 46, pedal 44, crash 49, ride 51,
toms 50/47/45, clap 39), plus the other kit pieces a template may want.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Voice name -> GM percussion key (played on MIDI channel 10).
VOICES: dict[str, int] = {
    "kick": 36,
    "kick2": 35,  # acoustic bass drum
    "rim": 37,  # side stick
    "snare": 38,
    "clap": 39,
    "snare2": 40,  # electric snare
    "floor_tom": 41,
    "hat": 42,  # closed hi-hat
    "floor_tom2": 43,
    "pedal": 44,  # pedal hi-hat
    "low_tom": 45,
    "open": 46,  # open hi-hat
    "mid_tom": 47,
    "crash": 49,
    "high_tom": 50,
    "ride": 51,
    "china": 52,
    "bell": 53,  # ride bell
    "tambourine": 54,
    "splash": 55,
    "cowbell": 56,
    "high_bongo": 60,
    "low_bongo": 61,
    "low_conga": 64,
    "shaker": 70,  # maracas
    "claves": 75,
    "triangle": 81,  # open triangle
}
#: The GM percussion map spans keys 35-81.
GM_DRUM_KEYS = range(35, 82)
#: The GM keys MuseScore 3's default drumset maps (its MIDI import reports "unmapped drum note"
#: for the rest: 39 hand clap, 58, 60-62, 65-81; measured with Debian's musescore3 3.2).
NOTATION_KEYS = frozenset([*range(35, 39), *range(40, 58), 59, 63, 64])
#: Pieces the composer names that notation software lacks, played by the nearest piece it has:
#: a clap by the electric snare (the drum-machine backbeat it layers), a shaker's soft eighths
#: by the closed hi-hat (a short noise burst in the same register; no template plays both), a
#: triangle by the ride bell (a sustained metallic ping).
KIT_SUBSTITUTES = {"clap": "snare2", "shaker": "hat", "triangle": "bell"}
#: Voice name -> the GM key the composer writes: every key in ``NOTATION_KEYS``.
KIT: dict[str, int] = {v: VOICES[KIT_SUBSTITUTES.get(v, v)] for v in VOICES}
#: The kit pieces code names directly (everything else goes through ``VOICES`` by name).
KICK, KICK2, RIM, SNARE, CLAP = (VOICES[v] for v in ("kick", "kick2", "rim", "snare", "clap"))
HAT_CLOSED, HAT_PEDAL, HAT_OPEN = VOICES["hat"], VOICES["pedal"], VOICES["open"]
CRASH, RIDE = VOICES["crash"], VOICES["ride"]
TOM_HIGH, TOM_MID, TOM_LOW = VOICES["high_tom"], VOICES["mid_tom"], VOICES["low_tom"]
KICKS = frozenset({KICK, KICK2})
CYMBALS = frozenset({VOICES[v] for v in ("crash", "china", "splash", "open")})

# --- drum velocity levels ----------------------------------------------------------------------
# Three kits play drums, each with its own levels. They differ on purpose and are kept apart so
# that each one's output stays byte-identical: the composer's templates and fills, the chord
# phase's scratch beat (a guide to play chords against, quieter than a real loop), and the
# catalog synthesizer, which renders an example catalog whose files are pinned (its levels are
# its own; changing one changes every synthesized file).

#: Template and fill levels (``rhythm.templates``, ``rhythm.fills``): accent, normal, ghost.
ACCENT, NORMAL, GHOST = 120, 90, 45
#: Pattern characters: accent, normal, ghost; "." is a rest.
LEVELS = {"X": ACCENT, "x": NORMAL, "o": GHOST}


@dataclass(frozen=True)
class ScratchLevels:
    """The chord phase's scratch beat (``rhythm.patterns.drum_bar``)."""

    first_kick: int  # the kick on the downbeat
    snare: int
    kick: int  # a kick on a later beat group
    hat_on_group: int  # a hat on a beat-group onset
    hat: int


@dataclass(frozen=True)
class SynthKitLevels:
    """The catalog synthesizer's kit (``synth.parts.drum_notes``), by section energy."""

    crash: int  # the first bar of a section with energy
    quiet_kick: int  # energy 0: one kick a bar ...
    quiet_time: int  # ... and ride or pedal hat on the beats
    kick: int  # the downbeat
    snare_high: int  # backbeat at energy 2
    snare: int  # backbeat at energy 1
    mid_kick: int  # the kick halfway through a bar of four or more beats
    hat_on_beat: int
    hat: int
    tom: int  # the pickup tom at energy 2


SCRATCH = ScratchLevels(first_kick=112, snare=100, kick=96, hat_on_group=84, hat=64)
SYNTH_KIT = SynthKitLevels(
    crash=110,
    quiet_kick=70,
    quiet_time=50,
    kick=120,
    snare_high=100,
    snare=90,
    mid_kick=100,
    hat_on_beat=80,
    hat=45,
    tom=90,
)

#: Named GM melodic programs (0-based program numbers) the phases and the synthesizer use.
PROGRAMS: dict[str, int] = {
    "acoustic_grand_piano": 0,
    "electric_piano": 4,
    "drawbar_organ": 16,
    "nylon_guitar": 24,
    "steel_guitar": 25,
    "clean_guitar": 27,
    "acoustic_bass": 32,
    "fingered_bass": 33,
    "synth_bass": 38,
    "violin": 40,
    "strings": 48,
    "choir_aahs": 52,
    "voice_oohs": 53,
    "trumpet": 56,
    "alto_sax": 65,
    "clarinet": 71,
    "flute": 73,
    "whistle": 78,
    "square_lead": 80,
    "saw_lead": 81,
    "warm_pad": 89,
    "polysynth_pad": 90,
    "mandolin": 105,  # GM 105 is banjo; the synthesizer's stand-in for mandolin
}


DRUMS_NAME = "Drums"


def instrument_name(program: int, is_drum: bool = False) -> str:
    """The General MIDI name of a program ("Electric Bass (finger)"), "Drums" for the kit: what a
    DAW shows as the track's name (pretty_midi holds the GM table)."""
    if is_drum:
        return DRUMS_NAME
    from pretty_midi import program_to_instrument_name

    return program_to_instrument_name(int(program))
