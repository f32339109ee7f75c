"""Keys and time signatures: parsed strictly, with errors that say what was expected."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from chromatic.errors import MusicError

_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTALS = {"#": 1, "♯": 1, "b": -1, "♭": -1, "": 0, "##": 2, "x": 2, "bb": -2}
SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")

#: Scale steps of each supported mode (semitones above the tonic).
MODE_STEPS: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}
#: Semitones from a mode's tonic down to the tonic of its relative major.
_TO_RELATIVE_MAJOR = {
    "major": 0,
    "minor": 3,
    "dorian": -2,
    "phrygian": -4,
    "lydian": -5,
    "mixolydian": -7,
    "locrian": 1,
}
_MODE_WORDS = {
    "major": "major",
    "maj": "major",
    "ionian": "major",
    "minor": "minor",
    "min": "minor",
    "m": "minor",
    "aeolian": "minor",
    "dorian": "dorian",
    "phrygian": "phrygian",
    "lydian": "lydian",
    "mixolydian": "mixolydian",
    "locrian": "locrian",
}
# Major-key signature (sharps > 0, flats < 0) by tonic pitch class, preferring the common spelling.
_MAJOR_SIGNATURE = {0: 0, 7: 1, 2: 2, 9: 3, 4: 4, 11: 5, 6: 6, 1: -5, 5: -1, 10: -2, 3: -3, 8: -4}

_KEY_RE = re.compile(
    r"^\s*(?P<letter>[A-Ga-g])\s*(?P<acc>##|bb|#|♯|♭|b|x)?\s*(?P<mode>[A-Za-z]*)\s*$"
)


@dataclass(frozen=True)
class Key:
    """A key: tonic spelling, tonic pitch class and mode (major, minor or a church mode)."""

    tonic: str
    mode: str = "major"

    def __post_init__(self) -> None:
        if self.mode not in MODE_STEPS:
            raise MusicError(f"unknown mode {self.mode!r}; expected one of {', '.join(MODE_STEPS)}")

    @property
    def pc(self) -> int:
        return _tonic_pc(self.tonic)

    @property
    def is_minor(self) -> bool:
        return self.mode in ("minor", "dorian", "phrygian", "locrian")

    def scale_pcs(self) -> tuple[int, ...]:
        return tuple((self.pc + s) % 12 for s in MODE_STEPS[self.mode])

    @property
    def sharps(self) -> int:
        """Key signature for MIDI: number of sharps (>0) or flats (<0)."""
        major_pc = (self.pc + _TO_RELATIVE_MAJOR[self.mode]) % 12
        sig = _MAJOR_SIGNATURE[major_pc]
        # honour the spelling the user wrote where both exist (F# vs Gb major)
        if "#" in self.tonic and sig < 0:
            sig += 12
        elif "b" in self.tonic[1:] and sig > 0:
            sig -= 12
        if not -7 <= sig <= 7:
            sig = _MAJOR_SIGNATURE[major_pc]
        return sig

    def pitch_name(self, pc: int) -> str:
        names = FLAT_NAMES if self.sharps < 0 or "b" in self.tonic[1:] else SHARP_NAMES
        return names[pc % 12]

    def __str__(self) -> str:
        return f"{self.tonic} {self.mode}"

    def to_dict(self) -> dict:
        return {"tonic": self.tonic, "mode": self.mode}

    @classmethod
    def parse(cls, value: object, *, source: str = "") -> Key:
        """Parse "A minor", "C Major", "F#m", "Bb major", "E ♭ major", "Am", or a mapping
        ``{tonic|root|note: ..., mode|quality|scale: ...}``."""
        where = f"{source}: " if source else ""
        if isinstance(value, Key):
            return value
        if isinstance(value, Mapping):
            tonic = value.get("tonic") or value.get("root") or value.get("note")
            mode = value.get("mode") or value.get("quality") or value.get("scale") or "major"
            if not isinstance(tonic, str):
                raise MusicError(f"{where}expected a key mapping with a tonic, got {dict(value)!r}")
            return cls.parse(f"{tonic} {mode}", source=source)
        if not isinstance(value, str):
            raise MusicError(f"{where}expected a key like 'A minor', got {value!r}")
        m = _KEY_RE.match(value)
        if not m:
            raise MusicError(f"{where}expected a key like 'A minor' or 'F#m', got {value!r}")
        acc = m.group("acc") or ""
        acc = {"♯": "#", "♭": "b"}.get(acc, acc)
        word = m.group("mode")
        mode = "major" if word == "M" else _MODE_WORDS.get(word.lower()) if word else "major"
        if mode is None:
            raise MusicError(
                f"{where}expected a mode (major, minor, m, dorian, ...) in key {value!r}, got {word!r}"
            )
        return cls(m.group("letter").upper() + acc, mode)


def _tonic_pc(tonic: str) -> int:
    letter, acc = tonic[0].upper(), tonic[1:]
    if letter not in _LETTER_PC or acc not in _ACCIDENTALS:
        raise MusicError(f"unknown tonic {tonic!r}")
    return (_LETTER_PC[letter] + _ACCIDENTALS[acc]) % 12


@dataclass(frozen=True)
class TimeSignature:
    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if not 1 <= self.numerator <= 64:
            raise MusicError(f"time signature numerator must be 1-64, got {self.numerator}")
        d = self.denominator
        if d < 1 or d > 128 or d & (d - 1):
            raise MusicError(f"time signature denominator must be a power of two, got {d}")

    @property
    def quarters_per_bar(self) -> Fraction:
        return Fraction(self.numerator * 4, self.denominator)

    def bar_seconds(self, bpm: float) -> float:
        """Length of one bar when ``bpm`` counts quarter notes."""
        return float(self.quarters_per_bar) * 60.0 / float(bpm)

    @property
    def is_compound(self) -> bool:
        return self.denominator >= 8 and self.numerator % 3 == 0 and self.numerator > 3

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    def to_dict(self) -> dict:
        return {"numerator": self.numerator, "denominator": self.denominator}

    @classmethod
    def parse(cls, value: object, *, source: str = "") -> TimeSignature:
        """Parse "4/4", "7/8", "18/32", ``{numerator, denominator}`` or a 2-tuple."""
        where = f"{source}: " if source else ""
        if isinstance(value, TimeSignature):
            return value
        try:
            if isinstance(value, Mapping):
                return cls(int(value["numerator"]), int(value["denominator"]))
            if isinstance(value, tuple | list) and len(value) == 2:
                return cls(int(value[0]), int(value[1]))
            if isinstance(value, str):
                m = re.match(r"^\s*(\d+)\s*/\s*(\d+)\s*$", value)
                if m:
                    return cls(int(m.group(1)), int(m.group(2)))
        except MusicError as e:
            raise MusicError(f"{where}{e}") from None
        except (KeyError, TypeError, ValueError):
            pass
        raise MusicError(f"{where}expected a time signature like '4/4' or 7/8, got {value!r}")


_PAREN_TAIL_RE = re.compile(r"^(?P<head>.*?\S)\s*\((?P<tail>[^()]*)\)\s*$")
_BARE_TONIC_RE = re.compile(r"^\s*[A-Ga-g]\s*(##|bb|#|♯|♭|b|x)?\s*$")
#: A tonic followed by words that name no mode ("C Chromatic Complete"): the tonic is kept.
_TONIC_WORDS_RE = re.compile(r"^\s*(?P<tonic>[A-G](?:##|bb|#|♯|♭|b|x)?)\s+(?P<words>\S.*?)\s*$")
#: Words that ask for every key rather than one ("All Keys (Chromatic Convergence)").
_ALL_KEYS_RE = re.compile(r"\b(all|every|each|twelve|12)\s+keys?\b|\bchromatic\b", re.I)
#: What a key asking for every key sets ``Proposal.modulation`` to: the plan moves the
#: sections through keys (see the form's modulation plan); the song's home key is C major.
ALL_KEYS = "all_keys"


#: A word whose first letter came apart from the rest ("A ll Keys", "C hromatic Complete": the
#: concept agent writes the artist's key words so): a capital, a space, lower-case letters.
_SPLIT_WORD_RE = re.compile(r"^\s*(?P<letter>[A-G])\s+(?P<rest>[a-z]+)\b(?P<tail>.*)$", re.S)


def rejoined(value: str) -> str | None:
    """``value`` with its split first word put back together when that is what the artist
    meant: the text does not parse as a key ("A ll" names no mode), and the rejoined words ask
    for every key ("All Keys", "Chromatic Complete"). None when nothing is to be rejoined."""
    m = _SPLIT_WORD_RE.match(value)
    if m is None or _MODE_WORDS.get(m.group("rest").lower()):
        return None
    joined = m.group("letter") + m.group("rest") + m.group("tail")
    head = _PAREN_TAIL_RE.match(" ".join(joined.split()))
    words = head.group("head") if head else joined
    return joined if _ALL_KEYS_RE.search(words) and not _TONIC_WORDS_RE.match(words) else None


def key_modulation(value: object) -> str | None:
    """``ALL_KEYS`` when the key text asks for every key and names no tonic of its own
    ("All Keys (Chromatic Convergence)", "every key", "chromatic"; also with the first word's
    letter split off, ``rejoined``), else None."""
    if not isinstance(value, str):
        return None
    value = rejoined(value) or value
    head = _PAREN_TAIL_RE.match(" ".join(value.split()))
    text = head.group("head") if head else value
    if not _ALL_KEYS_RE.search(text):
        return None
    try:
        Key.parse(text)
        return None
    except MusicError:
        pass
    return None if _TONIC_WORDS_RE.match(text) else ALL_KEYS


def parse_key_forgiving(value: object, *, source: str = "") -> tuple[Key, list[str]]:
    """``Key.parse`` after the forgiving steps that concept-agent proposals need, each one
    noted: white space folded, a trailing parenthetical dropped ("C major (resolving through
    ...)"), a bare tonic read as major, a tonic followed by words that name no mode read in
    that tonic ("C Chromatic Complete" -> C major; "minor" among the words -> minor), and a key
    asking for every key ("All Keys (Chromatic Convergence)") read as C major (``key_modulation``
    tells the plan to modulate). Raises MusicError when what is left is still no key."""
    if isinstance(value, Key | Mapping):
        return Key.parse(value, source=source), []
    if not isinstance(value, str) or not value.strip():
        raise MusicError(
            f"{source + ': ' if source else ''}expected a key like 'A minor', got {value!r}"
        )
    notes: list[str] = []
    text = " ".join(value.split())
    m = _PAREN_TAIL_RE.match(text)
    if m:
        text = m.group("head")
        notes.append(f"dropped '({m.group('tail')})' from key {value!r}")
    try:
        key = Key.parse(text, source=source)
    except MusicError:
        key, note = _artist_key(value, text, source)
        return key, [*notes, note]
    if _BARE_TONIC_RE.match(text):
        notes.append(f"key {value!r} names no mode: using {key}")
    return key, notes


def _artist_key(value: str, text: str, source: str) -> tuple[Key, str]:
    """The artist's own key words: a tonic plus words, or every key; else the MusicError."""
    if key_modulation(value) == ALL_KEYS:
        joined = rejoined(value)
        reading = f" (read as {joined!r}, not as a tonic {value.strip()[0]!r})" if joined else ""
        return Key("C", "major"), (
            f"key {value!r}{reading} asks for every key: composing in C major, the sections "
            "moving through keys along the plan's modulation"
        )
    m = _TONIC_WORDS_RE.match(text)
    if m is None:
        raise MusicError(
            f"{source + ': ' if source else ''}expected a key like 'A minor' or 'F#m', got {value!r}"
        )
    words = m.group("words")
    mode = "minor" if re.search(r"\bminor\b|\bmin\b", words, re.I) else "major"
    key = Key.parse(f"{m.group('tonic')} {mode}")
    return key, f"key {value!r}: {words!r} names no mode; assuming {key}"
