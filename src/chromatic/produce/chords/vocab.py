"""The chord vocabulary and the function-transition table of the chord phase.

Chords are Roman numerals relative to the key's tonic. Each carries its harmonic function
(tonic, predominant, dominant) and its *kind*, so a candidate says what it is doing:

- ``diatonic``: built on the key's own scale (major, or natural minor).
- ``borrowed``: taken from the parallel mode. In major: iv, bIII, bVI, bVII from the parallel
  minor. In minor: IV and V from the parallel major (V is the harmonic-minor dominant).
- ``secondary``: a dominant seventh on the fifth of a diatonic target (V7/V, V7/vi ...).

The transition table is first-order: ``WEIGHTS[mode][a][b]`` is the relative weight of chord
``b`` following chord ``a`` (rows are normalized when the model is built; a missing entry is
probability 0 for generation). The weights encode the functional tendencies of common-practice
and pop harmony: tonic moves anywhere, predominant moves to dominant, dominant resolves to
tonic (or deceptively to vi/VI), secondary dominants resolve to their target, and the colour
chords (borrowed, secondary) are available with lower weight than the diatonic ones. There are
no self-transitions: a repeated chord is a harmonic-rhythm choice, not a progression step.

Church modes use the table of their family by the third (lydian, mixolydian -> major; dorian,
phrygian, locrian -> minor) and the chord phase records a warning saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

from chromatic.music.key import Key

#: Semitones above the root for each chord quality, and the suffix of its chord symbol.
#: Four-note qualities list root, third (or its stand-in), fifth, then the added tone: the
#: voicing keeps the 2nd and 4th of them and adds the root or the fifth.
QUALITIES: dict[str, tuple[tuple[int, ...], str]] = {
    "maj": ((0, 4, 7), ""),
    "min": ((0, 3, 7), "m"),
    "dim": ((0, 3, 6), "dim"),
    "dom7": ((0, 4, 7, 10), "7"),
    "maj7": ((0, 4, 7, 11), "maj7"),
    "min7": ((0, 3, 7, 10), "m7"),
    "hdim7": ((0, 3, 6, 10), "m7b5"),
    "sus2": ((0, 2, 7), "sus2"),
    "sus4": ((0, 5, 7), "sus4"),
    "add9": ((0, 4, 7, 14), "add9"),
    "madd9": ((0, 3, 7, 14), "madd9"),
}


@dataclass(frozen=True)
class ChordSpec:
    """One chord of the vocabulary: numeral, root (semitones above the tonic), quality,
    function, kind and, for colour chords, where it comes from."""

    numeral: str
    root: int
    quality: str
    function: str
    kind: str = "diatonic"
    source: str = ""
    base: str = ""  # the triad quality before an extension (maj7 of "maj"); "" = unextended

    @property
    def intervals(self) -> tuple[int, ...]:
        return QUALITIES[self.quality][0]

    def pcs(self, key: Key) -> tuple[int, ...]:
        """Pitch classes, root first."""
        return tuple((key.pc + self.root + i) % 12 for i in self.intervals)

    @property
    def degree(self) -> int:
        """Scale degree of the root (0 = tonic), from the numeral: V7/V sits on degree II."""
        if "/" in self.numeral:
            return (_roman_degree(self.numeral.split("/")[1]) + 4) % 7
        return _roman_degree(self.numeral)

    def symbol(self, key: Key) -> str:
        """Chord symbol spelled from the scale degree (bVI of C is Ab, not G#)."""
        return spell(key, self.degree, key.pc + self.root) + QUALITIES[self.quality][1]


_ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII")
_LETTERS = "CDEFGAB"
_LETTER_PC = (0, 2, 4, 5, 7, 9, 11)
_ACCIDENTAL = {0: "", 1: "#", 2: "##", -1: "b", -2: "bb"}


def _roman_degree(numeral: str) -> int:
    core = "".join(ch for ch in numeral.upper() if ch in "IV")
    return _ROMANS.index(core)


def spell(key: Key, degree: int, pc: int) -> str:
    """The name of pitch class ``pc`` written on the letter ``degree`` steps above the tonic."""
    letter = (_LETTERS.index(key.tonic[0].upper()) + degree) % 7
    diff = (pc - _LETTER_PC[letter]) % 12
    diff = diff - 12 if diff > 6 else diff
    if diff not in _ACCIDENTAL:  # pragma: no cover - beyond double accidentals: plain spelling
        return key.pitch_name(pc)
    return _LETTERS[letter] + _ACCIDENTAL[diff]


T, P, D = "tonic", "predominant", "dominant"
_PAR_MINOR, _PAR_MAJOR = "parallel minor", "parallel major"

VOCAB: dict[str, tuple[ChordSpec, ...]] = {
    "major": (
        ChordSpec("I", 0, "maj", T),
        ChordSpec("ii", 2, "min", P),
        ChordSpec("iii", 4, "min", T),
        ChordSpec("IV", 5, "maj", P),
        ChordSpec("V", 7, "maj", D),
        ChordSpec("vi", 9, "min", T),
        ChordSpec("vii°", 11, "dim", D),
        ChordSpec("iv", 5, "min", P, "borrowed", _PAR_MINOR),
        ChordSpec("bIII", 3, "maj", T, "borrowed", _PAR_MINOR),
        ChordSpec("bVI", 8, "maj", P, "borrowed", _PAR_MINOR),
        ChordSpec("bVII", 10, "maj", D, "borrowed", _PAR_MINOR),
        ChordSpec("V7/V", 2, "dom7", D, "secondary", "dominant of V"),
        ChordSpec("V7/vi", 4, "dom7", D, "secondary", "dominant of vi"),
        ChordSpec("V7/ii", 9, "dom7", D, "secondary", "dominant of ii"),
        ChordSpec("V7/IV", 0, "dom7", D, "secondary", "dominant of IV"),
    ),
    "minor": (
        ChordSpec("i", 0, "min", T),
        ChordSpec("ii°", 2, "dim", P),
        ChordSpec("III", 3, "maj", T),
        ChordSpec("iv", 5, "min", P),
        ChordSpec("v", 7, "min", D),
        ChordSpec("VI", 8, "maj", P),
        ChordSpec("VII", 10, "maj", D),
        ChordSpec("IV", 5, "maj", P, "borrowed", _PAR_MAJOR),
        ChordSpec("V", 7, "maj", D, "borrowed", _PAR_MAJOR),
        ChordSpec("V7/iv", 0, "dom7", D, "secondary", "dominant of iv"),
        ChordSpec("V7/III", 10, "dom7", D, "secondary", "dominant of III"),
        ChordSpec("V7/VI", 3, "dom7", D, "secondary", "dominant of VI"),
        ChordSpec("V7/V", 2, "dom7", D, "secondary", "dominant of V"),
    ),
}

#: Relative weight of the first chord of a progression.
START: dict[str, dict[str, float]] = {
    "major": {"I": 55, "vi": 15, "IV": 15, "ii": 5, "iii": 2, "bVI": 3, "bVII": 3},
    "minor": {"i": 60, "VI": 15, "iv": 12, "III": 6, "VII": 5},
}

# fmt: off
WEIGHTS: dict[str, dict[str, dict[str, float]]] = {
    "major": {
        #        tonic moves anywhere; colour chords a few percent each
        "I":     {"ii": 10, "iii": 4, "IV": 18, "V": 16, "vi": 16, "vii°": 2, "iv": 3, "bVI": 3,
                  "bVII": 4, "bIII": 1, "V7/V": 3, "V7/vi": 3, "V7/ii": 2, "V7/IV": 3},
        "ii":    {"V": 30, "vii°": 6, "IV": 4, "I": 4, "vi": 3, "iii": 2, "V7/V": 3},
        "iii":   {"vi": 20, "IV": 12, "ii": 6, "I": 4, "V": 3, "V7/vi": 3},
        "IV":    {"V": 20, "I": 16, "ii": 6, "vi": 6, "iv": 6, "vii°": 3, "iii": 2, "bVII": 3, "V7/V": 2},
        "V":     {"I": 30, "vi": 12, "IV": 5, "iii": 2, "bVI": 3, "V7/vi": 2},
        "vi":    {"ii": 14, "IV": 18, "V": 10, "iii": 4, "I": 6, "V7/ii": 3, "bVII": 1},
        "vii°":  {"I": 24, "vi": 4, "iii": 3, "V": 3},
        "iv":    {"I": 16, "V": 10, "bVII": 6, "bVI": 3, "ii": 2},
        "bIII":  {"IV": 8, "bVI": 8, "bVII": 8, "iv": 4, "I": 4},
        "bVI":   {"bVII": 16, "V": 8, "I": 8, "IV": 4, "iv": 6, "bIII": 3},
        "bVII":  {"I": 20, "IV": 8, "bVI": 4, "V": 3, "iv": 3},
        #        a secondary dominant resolves to its target
        "V7/V":  {"V": 30, "IV": 2},
        "V7/vi": {"vi": 30, "IV": 4},
        "V7/ii": {"ii": 30, "V7/V": 4},
        "V7/IV": {"IV": 30, "ii": 4, "iv": 3},
    },
    "minor": {
        "i":      {"iv": 16, "VI": 14, "VII": 12, "v": 6, "V": 10, "III": 8, "ii°": 3, "IV": 3,
                   "V7/iv": 3, "V7/V": 2, "V7/III": 2},
        "ii°":    {"V": 24, "v": 6, "i": 4, "VII": 3},
        "III":    {"VI": 14, "iv": 10, "VII": 8, "i": 4, "ii°": 2, "V7/VI": 3},
        "iv":     {"i": 14, "V": 14, "VII": 10, "v": 6, "VI": 6, "ii°": 3, "III": 2, "V7/V": 2},
        "v":      {"i": 16, "VI": 12, "iv": 8, "III": 3, "VII": 2},
        "VI":     {"VII": 16, "iv": 10, "III": 8, "i": 6, "V": 6, "ii°": 4, "v": 3},
        "VII":    {"III": 18, "i": 16, "VI": 6, "iv": 4, "v": 3, "V7/III": 2},
        "IV":     {"i": 10, "V": 8, "VII": 6, "iv": 2},
        "V":      {"i": 30, "VI": 10, "iv": 3},
        "V7/iv":  {"iv": 30, "VI": 2},
        "V7/III": {"III": 30, "VI": 3},
        "V7/VI":  {"VI": 30, "iv": 2},
        "V7/V":   {"V": 30, "v": 4},
    },
}
# fmt: on


def family(key: Key) -> str:
    """Which table a key uses: 'major' or 'minor' (church modes by their third)."""
    return "minor" if key.is_minor else "major"


def parallel_scale(key: Key) -> tuple[int, ...]:
    """Pitch classes of the parallel mode's scale (natural minor for major, major for minor)."""
    steps = (0, 2, 4, 5, 7, 9, 11) if family(key) == "minor" else (0, 2, 3, 5, 7, 8, 10)
    return tuple((key.pc + s) % 12 for s in steps)


def family_scale(key: Key) -> tuple[int, ...]:
    steps = (0, 2, 3, 5, 7, 8, 10) if family(key) == "minor" else (0, 2, 4, 5, 7, 9, 11)
    return tuple((key.pc + s) % 12 for s in steps)


# --- modal colour (the style's ``harmony.mode``) -------------------------------------------------

#: The chords a church mode lends to the key's table, where the mode shares the key's third:
#: mixolydian (major: the minor v; bVII is already borrowed, weighted up), dorian (minor: the
#: minor ii; the major IV weighted up), lydian (major: the major II), phrygian (minor: bII).
MODE_FAMILY = {"mixolydian": "major", "lydian": "major", "dorian": "minor", "phrygian": "minor"}
MODAL_CHORDS: dict[str, tuple[ChordSpec, ...]] = {
    "mixolydian": (ChordSpec("v", 7, "min", D, "modal", "mixolydian"),),
    "lydian": (ChordSpec("II", 2, "maj", P, "modal", "lydian"),),
    "dorian": (ChordSpec("ii", 2, "min", P, "modal", "dorian"),),
    "phrygian": (ChordSpec("bII", 1, "maj", P, "modal", "phrygian"),),
}
#: Each modal chord's ways in (``into``: from chord -> weight) and out (its row).
MODAL_INTO: dict[str, dict[str, dict[str, float]]] = {
    "mixolydian": {"v": {"I": 8, "IV": 4, "vi": 3}},
    "lydian": {"II": {"I": 10, "IV": 3, "vi": 2}},
    "dorian": {"ii": {"i": 8, "iv": 3, "VI": 3}},
    "phrygian": {"bII": {"i": 8, "iv": 4, "VI": 4}},
}
MODAL_ROWS: dict[str, dict[str, dict[str, float]]] = {
    "mixolydian": {"v": {"IV": 10, "I": 6, "vi": 4, "bVII": 6}},
    "lydian": {"II": {"I": 10, "V": 6, "IV": 4, "vi": 3}},
    "dorian": {"ii": {"V": 8, "v": 8, "i": 4, "VII": 6, "IV": 4}},
    "phrygian": {"bII": {"i": 14, "V": 4, "VII": 3}},
}
#: Existing chords a mode weights up (every way into them times this).
MODAL_BOOST: dict[str, dict[str, float]] = {
    "mixolydian": {"bVII": 3.0},
    "lydian": {},
    "dorian": {"IV": 3.0},
    "phrygian": {},
}
