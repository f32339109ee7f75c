"""Registers: the playable and the idiomatic range of every General MIDI program, and of a sung
lead, in sounding MIDI pitches. One table, read by every phase that places notes and by the
musicality benchmark's "outside the instrument's range" figure.

Source: the written ranges of orchestration texts (Adler, *The Study of Orchestration*, 4th ed.,
and the Vienna Symphonic Library's instrument pages), converted to sounding pitch (a flute plays
C4-C7, a tin whistle D5-D7, a bass guitar E1-G4); a keyboard, a synthesizer and a pad are
bounded where the GM sound sets still sound like the instrument. *Idiomatic* is where the
instrument sounds like itself and a part is usually written: a few semitones in from each end
unless the table says otherwise. A sung lead is held to ``SUNG_LEAD`` too (a pop lead sings
G3-G5; ``SUNG_IDIOMATIC`` is where most of a tune sits), whatever plays it in the preview.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Register:
    low: int
    high: int
    idiom_low: int
    idiom_high: int

    def playable(self, pitch: int) -> bool:
        return self.low <= pitch <= self.high

    def fold(self, pitch: int) -> int:
        """``pitch`` moved by octaves into the playable range (the nearest octave inside it)."""
        while pitch < self.low and pitch + 12 <= 127:
            pitch += 12
        while pitch > self.high and pitch - 12 >= 0:
            pitch -= 12
        return pitch

    def both(self, other: Register) -> Register:
        """The range both registers allow (self's where they do not meet)."""
        low, high = max(self.low, other.low), min(self.high, other.high)
        if high - low < 12:
            return self
        il, ih = max(self.idiom_low, other.idiom_low), min(self.idiom_high, other.idiom_high)
        il, ih = (il, ih) if ih - il >= 12 else (low, high)
        return Register(low, high, max(il, low), min(ih, high))


def _r(low: int, high: int, inset: int = 3) -> Register:
    return Register(low, high, low + inset, high - inset)


def _families() -> dict[int, Register]:
    table: dict[int, Register] = {}
    spans = (
        (range(0, 8), _r(21, 108, 15)),  # pianos, electric pianos, harpsichord, clavinet
        (range(8, 16), _r(48, 96)),  # chromatic percussion (overridden below)
        (range(16, 21), _r(24, 96, 12)),  # organs
        (range(21, 24), _r(53, 89)),  # accordion, harmonica, bandoneon
        (range(24, 32), _r(40, 88)),  # guitars: E2 up
        (range(32, 38), _r(28, 67, 2)),  # basses: E1-G4
        (range(38, 40), _r(24, 72, 4)),  # synth basses
        (range(44, 48), _r(28, 96, 8)),  # tremolo / pizzicato strings, harp (below), timpani
        (range(48, 52), _r(28, 96, 8)),  # string ensembles, synth strings
        (range(52, 56), _r(40, 81, 6)),  # choir, voice oohs, synth voice, orchestra hit
        (range(56, 64), _r(34, 84)),  # brass (overridden below)
        (range(64, 72), _r(49, 81)),  # reeds (overridden below)
        (range(72, 80), _r(60, 96)),  # pipes (overridden below)
        (range(80, 88), _r(36, 96, 10)),  # synth leads
        (range(88, 96), _r(28, 96, 8)),  # pads
        (range(96, 104), _r(28, 96, 8)),  # synth effects
        (range(104, 112), _r(48, 84)),  # ethnic
        (range(112, 120), _r(48, 96)),  # percussive
        (range(120, 128), _r(24, 96)),  # sound effects
    )
    for programs, reg in spans:
        for p in programs:
            table[p] = reg
    table |= {
        8: _r(60, 108),  # celesta
        9: _r(79, 108),  # glockenspiel
        11: _r(53, 89),  # vibraphone
        12: _r(45, 96),  # marimba
        13: _r(65, 108),  # xylophone
        14: _r(60, 77, 1),  # tubular bells
        40: _r(55, 103, 5),  # violin: G3 up
        41: _r(48, 91, 4),  # viola: C3 up
        42: _r(36, 84, 4),  # cello: C2 up
        43: _r(28, 67, 2),  # contrabass
        46: _r(24, 103, 8),  # harp
        47: _r(40, 57, 1),  # timpani
        56: _r(54, 86),  # trumpet: F#3-D6
        57: _r(40, 72),  # trombone
        58: _r(28, 58),  # tuba
        59: _r(54, 82),  # muted trumpet
        60: _r(34, 77),  # french horn
        64: _r(56, 88),  # soprano sax
        65: _r(49, 81),  # alto sax
        66: _r(44, 76),  # tenor sax
        67: _r(36, 69),  # baritone sax
        68: _r(58, 91),  # oboe
        69: _r(52, 81),  # english horn
        70: _r(34, 75),  # bassoon
        71: _r(50, 94),  # clarinet
        72: _r(74, 108),  # piccolo
        73: _r(60, 96),  # flute: C4-C7
        74: _r(72, 98),  # recorder (soprano)
        75: _r(60, 96),  # pan flute
        77: _r(55, 84),  # shakuhachi
        78: _r(74, 98, 2),  # whistle: D5-D7
        79: _r(60, 84),  # ocarina
        105: _r(48, 84),  # banjo (the synthesizer's mandolin: G3-)
        110: _r(55, 96),  # fiddle
    }
    return table


PROGRAM_RANGES: dict[int, Register] = _families()
#: A sung lead: G3-G5, most of the tune A3-E5.
SUNG_LEAD = Register(55, 79, 57, 76)
#: Drums have no register here (GM keys name kit pieces, not pitches).
ANY = Register(0, 127, 0, 127)


def register(program: int, is_drum: bool = False) -> Register:
    """The register of a GM program (``ANY`` for the drum kit)."""
    if is_drum:
        return ANY
    return PROGRAM_RANGES.get(int(program), ANY)


def lead_register(program: int, sung: bool) -> Register:
    """Where a lead goes: its instrument's register; a sung one's idiomatic range is also a
    singer's (``SUNG_LEAD``), its limits stay the instrument's, so that a tune moved by whole
    octaves always fits and no note has to be folded apart from the line (an octave leap)."""
    reg = register(program)
    if not sung:
        return reg
    both = reg.both(SUNG_LEAD)
    return Register(reg.low, reg.high, both.idiom_low, both.idiom_high)


def outside(pitches, program: int, is_drum: bool = False) -> int:
    """How many of ``pitches`` the instrument cannot play."""
    reg = register(program, is_drum)
    return sum(not reg.playable(int(p)) for p in pitches)
