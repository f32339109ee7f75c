"""A chord progression the artist gives: chord symbols or Roman numerals, with bar lines.

``"Am7 | Fmaj7 | C/E | G"`` and ``"i VI III VII"`` (in the song's key) are both four bars of
one chord. ``|`` marks a bar line; chords between two bar lines share that bar equally (``"C G
| Am F"`` is two chords a bar) where that lands on the meter's units, else one chord a beat
group (``"A D E"`` in 7/8 as 2+2+3); ``-`` holds the chord before for one share (``"Gm - D"`` in
3/4: two beats and one), ``%`` repeats the previous bar; with no ``|`` at all every chord is one
bar. A slash chord's bass (``C/E``) is the note the bass voice plays. Roman
numerals count from the key's own scale (natural minor in a minor key: ``VI`` of A minor is F),
an upper-case numeral is major and a lower-case one minor (a diminished ``vii°`` in minor is
on the leading tone), ``b``/``#`` before it lowers or raises its root (``bVII``, ``bII6``; a
minor ``iv`` in a major key is the borrowed one), ``°``/``o``, ``ø``, ``+``, ``maj``, ``sus4``,
``add9``, ``add6`` (the added sixth) after it, then a figured-bass figure: ``6`` and ``64`` for a
triad's first and second inversion (``I6`` is C/E in C), ``7``, ``65``, ``43``, ``42``/``2`` for
a seventh chord's (``V65`` and ``V6/5`` are G7/B). ``X/Y`` is a secondary chord: the numeral
counted from the chord Y as a tonic, in Y's major or minor (``V7/V`` is D7 in C, ``vii°7/V``
F#dim7, ``V65/iv`` of A minor A7/C#).

Everything is checked before anything is written: an unknown symbol is a ``ProduceError``
naming the symbol and the section, in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction

from chromatic.errors import ProduceError
from chromatic.music.key import Key
from chromatic.music.meter import Meter
from chromatic.produce.chords.vocab import ChordSpec, family_scale, parallel_scale

#: Chord-symbol suffix -> (quality name, semitones above the root). Four-note qualities list
#: root, third (or stand-in), fifth, then the added tone, as ``vocab.QUALITIES`` does.
SUFFIXES: dict[str, tuple[str, tuple[int, ...]]] = {
    "": ("maj", (0, 4, 7)),
    "maj": ("maj", (0, 4, 7)),
    "M": ("maj", (0, 4, 7)),
    "m": ("min", (0, 3, 7)),
    "min": ("min", (0, 3, 7)),
    "-": ("min", (0, 3, 7)),
    "dim": ("dim", (0, 3, 6)),
    "°": ("dim", (0, 3, 6)),
    "o": ("dim", (0, 3, 6)),
    "aug": ("aug", (0, 4, 8)),
    "+": ("aug", (0, 4, 8)),
    "5": ("power", (0, 7, 12)),
    "6": ("maj6", (0, 4, 7, 9)),
    "m6": ("min6", (0, 3, 7, 9)),
    "7": ("dom7", (0, 4, 7, 10)),
    "maj7": ("maj7", (0, 4, 7, 11)),
    "M7": ("maj7", (0, 4, 7, 11)),
    "Δ": ("maj7", (0, 4, 7, 11)),
    "Δ7": ("maj7", (0, 4, 7, 11)),
    "m7": ("min7", (0, 3, 7, 10)),
    "min7": ("min7", (0, 3, 7, 10)),
    "-7": ("min7", (0, 3, 7, 10)),
    "mmaj7": ("minmaj7", (0, 3, 7, 11)),
    "m7b5": ("hdim7", (0, 3, 6, 10)),
    "ø": ("hdim7", (0, 3, 6, 10)),
    "ø7": ("hdim7", (0, 3, 6, 10)),
    "dim7": ("dim7", (0, 3, 6, 9)),
    "°7": ("dim7", (0, 3, 6, 9)),
    "o7": ("dim7", (0, 3, 6, 9)),
    "sus2": ("sus2", (0, 2, 7)),
    "sus4": ("sus4", (0, 5, 7)),
    "sus": ("sus4", (0, 5, 7)),
    "7sus4": ("7sus4", (0, 5, 7, 10)),
    "7sus": ("7sus4", (0, 5, 7, 10)),
    "add9": ("add9", (0, 4, 7, 14)),
    "madd9": ("madd9", (0, 3, 7, 14)),
    "9": ("dom9", (0, 4, 7, 10, 14)),
    "maj9": ("maj9", (0, 4, 7, 11, 14)),
    "m9": ("min9", (0, 3, 7, 10, 14)),
}
#: Suffixes after a Roman numeral (its case says major or minor) that take no inversion
#: figure: -> (major, minor) chord-symbol suffixes. ``add6`` is the added sixth (``6`` after a
#: numeral is the figured-bass first inversion: ``I6`` is C/E in C).
ROMAN_SUFFIXES: dict[str, tuple[str, str]] = {
    "9": ("9", "m9"),
    "add9": ("add9", "madd9"),
    "add6": ("6", "m6"),
    "sus2": ("sus2", "sus2"),
    "sus4": ("sus4", "sus4"),
    "sus": ("sus4", "sus4"),
}
#: Figured-bass inversions: figure -> (a seventh chord?, the chord tone in the bass: 0 root,
#: 1 third, 2 fifth, 3 seventh). ``6/5``, ``4/3``, ``4/2`` and ``6/4`` are read as 65, 43, 42, 64.
FIGURES: dict[str, tuple[bool, int]] = {
    "": (False, 0),
    "6": (False, 1),
    "64": (False, 2),
    "7": (True, 0),
    "65": (True, 1),
    "43": (True, 2),
    "42": (True, 3),
    "2": (True, 3),
}
#: A quality mark before the figure -> (triad suffix, seventh suffix) for an upper-case and a
#: lower-case numeral: ``°``/``o`` diminished (fully diminished seventh), ``ø`` half-diminished,
#: ``+`` augmented, ``maj``/``M`` a major seventh.
MARKS: dict[str, tuple[tuple[str, str], tuple[str | None, str | None]]] = {
    "": (("", "m"), ("7", "m7")),
    "°": (("dim", "dim"), ("dim7", "dim7")),
    "o": (("dim", "dim"), ("dim7", "dim7")),
    "dim": (("dim", "dim"), ("dim7", "dim7")),
    "ø": (("m7b5", "m7b5"), ("m7b5", "m7b5")),
    "+": (("aug", "aug"), (None, None)),
    "maj": (("", "m"), ("maj7", "mmaj7")),
    "M": (("", "m"), ("maj7", "mmaj7")),
}
_MARK_FIGURE = re.compile(r"^(°|o|dim|ø|\+|maj|M)?(64|65|43|42|7|6|2)?$")
_SLASH_FIGURE = re.compile(r"(?<=[IViv°oø+])(6/5|6/4|4/3|4/2)")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACC = {"": 0, "#": 1, "♯": 1, "b": -1, "♭": -1, "##": 2, "bb": -2}
_SYMBOL = re.compile(r"^([A-G])(##|bb|#|b|♯|♭)?(.*?)(?:/([A-G])(##|bb|#|b|♯|♭)?)?$")
_ROMAN = re.compile(r"^(bb|b|#|♭|♯)?(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(.*?)(?:/(.+))?$")
_ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII")
_FUNCTION = ("tonic", "predominant", "tonic", "predominant", "dominant", "tonic", "dominant")


@dataclass(frozen=True)
class GivenChord(ChordSpec):
    """One chord as the artist wrote it: its text is its symbol, its tones its own intervals,
    ``bass`` the pitch class the bass plays (a slash chord's; else the root's)."""

    text: str = ""
    tones: tuple[int, ...] = ()
    bass: int = 0
    letter: int = 0  # the root's letter, steps above the tonic's letter

    @property
    def intervals(self) -> tuple[int, ...]:
        return self.tones

    @property
    def degree(self) -> int:
        return self.letter

    def symbol(self, key: Key) -> str:
        return self.text


@dataclass(frozen=True)
class GivenProgression:
    """A section's progression: its chords and each one's length in bars."""

    section: str
    text: str
    chords: tuple[GivenChord, ...]
    bars: tuple[Fraction, ...]

    @property
    def total_bars(self) -> int:
        return int(sum(self.bars))


def _fail(section: str, message: str) -> ProduceError:
    return ProduceError(f"progression for section {section!r}: {message}")


def _spec(
    text: str, key: Key, root_pc: int, letter: int, quality: str, tones, bass_pc
) -> GivenChord:
    rel = (root_pc - key.pc) % 12
    minor_third = 3 in tones[:2] or quality in ("dim", "hdim7", "dim7")
    numeral = _ROMANS[letter].lower() if minor_third else _ROMANS[letter]
    scale = family_scale(key)
    acc = (root_pc - scale[letter]) % 12
    prefix = {0: "", 1: "#", 11: "b", 2: "##", 10: "bb"}.get(acc, "")
    pcs = {(root_pc + t) % 12 for t in tones}
    kind = (
        "diatonic"
        if pcs <= set(scale)
        else "borrowed"
        if pcs <= set(scale) | set(parallel_scale(key))
        else "chromatic"
    )
    return GivenChord(
        numeral=prefix + numeral + ("°" if quality == "dim" else ""),
        root=rel,
        quality=quality,
        function=_FUNCTION[letter] if not (letter == 5 and key.is_minor) else "predominant",
        kind=kind,
        text=text,
        tones=tuple(tones),
        bass=bass_pc,
        letter=letter,
    )


def _letter_steps(key: Key, letter: str) -> int:
    return ("CDEFGAB".index(letter) - "CDEFGAB".index(key.tonic[0].upper())) % 7


def parse_symbol(token: str, key: Key, section: str) -> GivenChord:
    """One chord symbol (``Am7``, ``C/E``, ``F#m7b5``) or Roman numeral (``VI``, ``V7/V``)."""
    m = _SYMBOL.match(token)
    if m and m.group(3) in SUFFIXES:
        root = (_LETTER_PC[m.group(1)] + _ACC[m.group(2) or ""]) % 12
        quality, tones = SUFFIXES[m.group(3)]
        bass = root
        if m.group(4):
            bass = (_LETTER_PC[m.group(4)] + _ACC[m.group(5) or ""]) % 12
        return _spec(token, key, root, _letter_steps(key, m.group(1)), quality, tones, bass)
    return _roman(token, key, section)


def _unknown(section: str, token: str, why: str = "") -> ProduceError:
    return _fail(
        section,
        f"unknown chord {token!r}{why} (expected a chord symbol like Am7, Fmaj7, C/E "
        "or a Roman numeral like VI, ii7, I6, V65, V7/V, bVII)",
    )


def _suffix(token: str, core: str, suffix: str, section: str) -> tuple[str, int]:
    """The chord-symbol suffix and the chord tone in the bass (0 root ... 3 seventh) of a
    numeral's suffix: a quality mark and a figured-bass figure, or a ``ROMAN_SUFFIXES`` one."""
    upper = core.isupper()
    if suffix in ROMAN_SUFFIXES:
        return ROMAN_SUFFIXES[suffix][0 if upper else 1], 0
    m = _MARK_FIGURE.match(suffix)
    if not m:
        raise _unknown(section, token)
    mark, figure = m.group(1) or "", m.group(2) or ""
    seventh, inversion = FIGURES[figure]
    triad, sevenths = MARKS[mark]
    if mark in ("maj", "M") and not seventh:
        raise _unknown(section, token, f": {mark} needs a seventh figure (7, 65, 43, 42)")
    chosen = (sevenths if seventh else triad)[0 if upper else 1]
    if chosen is None:
        raise _unknown(section, token, f": an augmented triad has no seventh figure {figure}")
    if mark == "ø" and not seventh:
        seventh = True  # ø is a seventh chord; a triad figure on it names its inversion
    return chosen, inversion


def quality_mark_dim(suffix: str) -> bool:
    return suffix[:1] in ("°", "o", "ø") or suffix.startswith("dim")


def _roman(token: str, key: Key, section: str) -> GivenChord:
    """A Roman numeral: accidental, numeral, quality mark, figured-bass inversion (``I6``,
    ``V65``, ``V6/5``, ``vii°7``, ``iiø43``) and a secondary target (``V7/V``, ``vii°7/ii``)."""
    written = _SLASH_FIGURE.sub(lambda m: m.group(1).replace("/", ""), token)
    m = _ROMAN.match(written)
    if not m:
        raise _unknown(section, token)
    acc, core, suffix, target = m.groups()
    symbol_suffix, inversion = _suffix(token, core, suffix, section)
    degree = _ROMANS.index(core.upper())
    if target:  # the numeral counts from the target chord as a tonic (its major or minor scale)
        try:
            inner = _roman(target, key, section)
        except ProduceError:
            raise _unknown(section, token, f": {target!r} after the slash is no numeral") from None
        minor = inner.quality in ("min", "min7", "dim", "hdim7", "dim7", "min6", "min9")
        steps = (0, 2, 3, 5, 7, 8, 11) if minor else (0, 2, 4, 5, 7, 9, 11)
        letter = (inner.letter + degree) % 7
        base_pc = (key.pc + inner.root + steps[degree]) % 12
    else:
        letter, base_pc = degree, family_scale(key)[degree]
        if key.is_minor and degree == 6 and not acc and quality_mark_dim(suffix):
            base_pc = (key.pc + 11) % 12  # vii° in minor: the leading tone, as V is major
    root = (base_pc + _ACC[(acc or "").replace("♭", "b").replace("♯", "#")]) % 12
    quality, tones = SUFFIXES[symbol_suffix]
    if inversion >= len(tones):
        raise _unknown(section, token, f": {quality} has no chord tone for that figure")
    bass = (root + tones[inversion]) % 12
    text = _spell(key, letter, root) + symbol_suffix
    if inversion:
        text += "/" + _spell(key, letter + 2 * inversion, bass)
    spec = _spec(text, key, root, letter, quality, tones, bass)
    return replace(spec, numeral=token)


def _spell(key: Key, letter_steps: int, pc: int) -> str:
    letters = "CDEFGAB"
    letter = letters[(letters.index(key.tonic[0].upper()) + letter_steps) % 7]
    diff = (pc - _LETTER_PC[letter]) % 12
    diff = diff - 12 if diff > 6 else diff
    return letter + {0: "", 1: "#", 2: "##", -1: "b", -2: "bb"}.get(diff, "")


def _shares(k: int, meter: Meter, section: str, bar: int) -> list[Fraction]:
    """A bar's length shared by ``k`` chords: equally where that lands on the meter's units
    (4/4: 1, 2 or 4 chords), else one chord a beat group (7/8 as 2+2+3: three chords)."""
    if meter.numerator % k == 0:
        return [Fraction(1, k)] * k
    if k == len(meter.groups):
        return [Fraction(g, meter.numerator) for g in meter.groups]
    beats = "+".join(map(str, meter.groups))
    raise _fail(
        section,
        f"bar {bar}: {k} chords do not divide a bar of {meter.numerator}/{meter.denominator} "
        f"(its beats: {beats}; hold a chord with -, e.g. 'Gm - D')",
    )


def parse_progression(text: str, key: Key, meter: Meter, section: str) -> GivenProgression:
    """The chords of ``text`` and each one's length in bars, or a one-line ProduceError."""
    if not isinstance(text, str) or not text.strip():
        raise _fail(section, "expected chords like 'Am7 | Fmaj7 | C/E | G', got nothing")
    body = text.strip().strip("|").strip()
    bars = [b.split() for b in body.split("|")] if "|" in text else [[t] for t in body.split()]
    chords: list[GivenChord] = []
    lengths: list[Fraction] = []
    for i, tokens in enumerate(bars, start=1):
        if not tokens:
            raise _fail(section, f"bar {i} is empty (expected a chord or % between bar lines)")
        if tokens == ["%"]:
            if not chords:
                raise _fail(section, "% in the first bar repeats nothing")
            chords.append(chords[-1])
            lengths.append(Fraction(1))
            continue
        for tok, share in zip(tokens, _shares(len(tokens), meter, section, i), strict=True):
            if tok == "-":  # the chord before goes on
                if not chords:
                    raise _fail(section, "- in the first bar holds nothing")
                lengths[-1] += share
                continue
            try:
                chords.append(parse_symbol(tok, key, section))
            except ProduceError as e:
                raise _fail(section, f"bar {i}: {e.detail.split(': ', 1)[1]}") from None
            lengths.append(share)
    return GivenProgression(section, " ".join(text.split()), tuple(chords), tuple(lengths))


def parse_assignment(text: str) -> tuple[str, str]:
    """``"verse=Am7 | F | C | G"`` -> ("verse", "Am7 | F | C | G")."""
    section, sep, chords = text.partition("=")
    if not sep or not section.strip():
        raise ProduceError(
            f'expected --progression SECTION=CHORDS (e.g. "verse=Am7 | Fmaj7 | C/E | G"), got {text!r}'
        )
    return section.strip(), chords.strip()
