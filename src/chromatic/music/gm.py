"""General MIDI, one home: the drum kit (channel 10), its velocity levels, and the melodic programs
the project names.

Templates name voices ("kick", "hat"); this table is the one place they become GM key numbers
(FORMATS.md §6: kick 36, snare 38, rim 37, closed hat 42, open 46, pedal 44, crash 49, ride 51,
toms 50/47/45, clap 39), plus the other kit pieces a template may want.
"""

from __future__ import annotations

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
ACCENT, NORMAL, GHOST = 120, 90, 45
#: Pattern characters: accent, normal, ghost; "." is a rest.
LEVELS = {"X": ACCENT, "x": NORMAL, "o": GHOST}
KICKS = frozenset({VOICES["kick"], VOICES["kick2"]})
CYMBALS = frozenset({VOICES[v] for v in ("crash", "china", "splash", "open")})

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
