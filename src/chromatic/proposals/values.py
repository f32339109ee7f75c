"""The values of a song proposal, parsed once for every reader (produce, chain, ``score``).

The policy for forgiving parses
-------------------------------

The concept agent writes the same facts in many shapes. A value is read in one of three ways:

1. **Understood exactly**: ``bpm: 90``, ``bpm: "90 BPM"``, ``key: "E ♭ major"``, ``tempo: 7/8``
   or ``{numerator: 7, denominator: 8}``. No note.
2. **Guessed, and the guess recorded**: every such parse returns a note that the reader puts on
   the loaded proposal (``Proposal.warnings``, the manifest's ``notes``), so the user sees it:

   - a trailing parenthetical dropped from a key ("C major (resolving ...)" -> C major);
   - a bare tonic read as major ("F#" -> F# major);
   - a tempo *word* where the time signature belongs ("Andante", "Moderately fast") -> 4/4, the
     meter the agent uses most; a missing time signature -> 4/4 as well;
   - a time signature inside other text ("4/4 (common time)") -> that time signature;
   - an approximate bpm ("about 90", "~90", "circa 90 bpm") -> 90;
   - a bpm range ("90-100", "90 to 100 BPM") -> its midpoint, 95.
3. **Refused**: anything else is a ``ValueProblem`` (the readers turn it into a
   ``ProposalError`` naming the file and the field). In particular a bpm that is not a number a
   person would write (``1e3``, ``fast``, ``true``, ``[90]``, ``nan``) or lies outside
   ``MIN_BPM``-``MAX_BPM`` (20-300: the catalog's own range is 16-222, agents' proposals stay
   well inside), a time signature given as a list (``[1, 2]`` is not read as 1/2), a key that
   names no key, a list of more than ``MAX_WORDS`` words or a text longer than its bound.

Nothing here knows about files: each function takes the raw YAML value and returns the parsed
value and its notes, or raises ``ValueProblem(message)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from chromatic.errors import MusicError
from chromatic.music.key import Key, TimeSignature, parse_key_forgiving
from chromatic.taxonomy import Color, ColorError, parse_color

MIN_BPM = 20.0
MAX_BPM = 300.0
MAX_WORDS = 50  # items in mood / genres
MAX_WORD_CHARS = 200  # one mood or genre
MAX_TITLE_CHARS = 500
MAX_TEXT_CHARS = 50_000  # concept, lyrics
DEFAULT_TIME_SIGNATURE = TimeSignature(4, 4)

_NUM = r"(\d{1,3}(?:\.\d+)?)"
_BPM_EXACT_RE = re.compile(rf"^\s*{_NUM}\s*(?:bpm)?\s*$", re.IGNORECASE)
_BPM_ABOUT_RE = re.compile(
    rf"^\s*(?:about|around|approx\.?|approximately|circa|ca\.?|~)\s*{_NUM}\s*(?:bpm)?\s*$",
    re.IGNORECASE,
)
_BPM_RANGE_RE = re.compile(rf"^\s*{_NUM}\s*(?:-|–|—|to)\s*{_NUM}\s*(?:bpm)?\s*$", re.IGNORECASE)
_METER_RE = re.compile(r"(\d+)\s*/\s*(\d+)")
# "song_proposal_Green (0xabe36d)_parallel_extinction_elegy_v1.yml", "song_proposal_Y_..._v1.yml",
# "song_proposal_indigo_indigo_proposal_1770314867925.yml": a color word, an optional hex code in
# parentheses, then the iteration id.
_PROPOSAL_NAME_RE = re.compile(
    r"^song_proposal_(?P<color>[A-Za-z]+)\s*(?:\((?P<hex>[^)]*)\))?_(?P<iteration>.+?)\.ya?ml$"
)


class ValueProblem(ValueError):
    """A value no reader accepts; the reader adds the file and the field."""


def parse_key(value: object) -> tuple[Key, list[str]]:
    """A key ("F# minor", "E ♭ major", ``{tonic, mode}``) and the notes of any guess."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueProblem("expected a key like 'A minor', got nothing")
    if isinstance(value, str) and len(value) > MAX_WORD_CHARS:
        raise ValueProblem(f"expected a key like 'A minor', got a text of {len(value)} characters")
    try:
        return parse_key_forgiving(value)
    except MusicError as e:
        if isinstance(value, Mapping):
            raise ValueProblem(e.detail) from None
        raise ValueProblem(f"expected a key like 'A minor' or 'F# major', got {value!r}") from None


def parse_bpm(value: object) -> tuple[float, list[str]]:
    """Beats per minute in ``MIN_BPM``-``MAX_BPM``: a number, "90", "90 bpm"; "about 90" and
    "90-100" (its midpoint) with a note. Anything else is a ValueProblem."""
    shown = (
        repr(value)
        if len(repr(value)) <= 40
        else f"{repr(value)[:20]}... ({len(repr(value))} characters)"
    )
    expected = f"expected a tempo in beats per minute ({MIN_BPM:g}-{MAX_BPM:g}), got {shown}"
    notes: list[str] = []
    number: float | None = None
    if isinstance(value, int) and not isinstance(value, bool) and not MIN_BPM <= value <= MAX_BPM:
        raise ValueProblem(expected)  # a 400-digit integer is refused before float() overflows
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and len(value) <= 40:
        if m := _BPM_EXACT_RE.match(value):
            number = float(m.group(1))
        elif m := _BPM_ABOUT_RE.match(value):
            number = float(m.group(1))
            notes.append(f"bpm {value!r} is approximate: using {number:g}")
        elif m := _BPM_RANGE_RE.match(value):
            low, high = float(m.group(1)), float(m.group(2))
            if low > high:
                raise ValueProblem(f"expected a bpm range from low to high, got {value!r}")
            number = (low + high) / 2
            notes.append(f"bpm {value!r} is a range: using its midpoint {number:g}")
    if number is None or not math.isfinite(number) or not MIN_BPM <= number <= MAX_BPM:
        raise ValueProblem(expected)
    return number, notes


def parse_meter(value: object, fieldname: str = "tempo") -> tuple[TimeSignature, list[str]]:
    """A time signature ("7/8", ``{numerator, denominator}``); a tempo word or nothing -> 4/4
    with a note; a list, a number or a malformed meter is a ValueProblem."""
    if isinstance(value, TimeSignature):
        return value, []
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_TIME_SIGNATURE, [f"{fieldname} missing: using {DEFAULT_TIME_SIGNATURE}"]
    if isinstance(value, str):
        if len(value) > MAX_WORD_CHARS:
            raise ValueProblem(
                f"expected a time signature like '4/4', got a text of {len(value)} characters"
            )
        m = _METER_RE.search(value)
        if m is None:
            if not any(ch.isdigit() for ch in value):
                return DEFAULT_TIME_SIGNATURE, [
                    f"{fieldname} {value!r} is a tempo marking, not a time signature: using {DEFAULT_TIME_SIGNATURE}"
                ]
            raise ValueProblem(f"expected a time signature like '4/4' or '7/8', got {value!r}")
        ts = _meter(f"{m.group(1)}/{m.group(2)}")
        notes = (
            [f"{fieldname} {value!r}: using {ts}"] if m.group(0).strip() != value.strip() else []
        )
        return ts, notes
    if isinstance(value, Mapping):
        return _meter(value), []
    raise ValueProblem(
        f"expected a time signature like '4/4' or {{numerator, denominator}}, got {value!r}"
    )


def _meter(value: object) -> TimeSignature:
    try:
        return TimeSignature.parse(value)
    except MusicError as e:
        raise ValueProblem(e.detail) from None


def parse_color_value(value: object) -> Color:
    """``parse_color`` (mnemonic, name, color object); mode disagreements are warnings the
    caller records."""
    try:
        return parse_color(value)
    except ColorError as e:
        raise ValueProblem(str(e)) from None


def parse_words(value: object, fieldname: str = "genres") -> tuple[str, ...]:
    """Mood or genres: a list of short texts (numbers are taken as text) or one comma-separated
    string; at most ``MAX_WORDS`` items of at most ``MAX_WORD_CHARS`` characters each."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list = value.split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        items = [value]
    else:
        raise ValueProblem(f"expected a list of words, got {type(value).__name__}")
    if len(items) > MAX_WORDS:
        raise ValueProblem(f"expected at most {MAX_WORDS} {fieldname}, got {len(items)}")
    out = []
    for i, item in enumerate(items):
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueProblem(f"expected words, got {type(item).__name__} at item {i}")
        text = " ".join(str(item).split())
        if len(text) > MAX_WORD_CHARS:
            raise ValueProblem(
                f"expected words of at most {MAX_WORD_CHARS} characters, got {len(text)} at item {i}"
            )
        if text:
            out.append(text)
    return tuple(out)


def parse_title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueProblem(f"expected a non-empty title, got {value!r}")
    title = " ".join(value.split())
    if len(title) > MAX_TITLE_CHARS:
        raise ValueProblem(
            f"expected a title of at most {MAX_TITLE_CHARS} characters, got {len(title)}"
        )
    return title


def parse_text(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """A free text (concept): a string (a number is taken as text), at most ``limit`` chars."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueProblem(f"expected a text, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > limit:
        raise ValueProblem(f"expected a text of at most {limit} characters, got {len(text)}")
    return text


def parse_lyrics(value: object) -> str | None:
    """Lyrics as one text: a string as is, a list as its lines, a mapping ``{section: text or
    lines}`` as ``[section]`` blocks. A catalog-style boolean (``lyrics: true``) carries no text."""
    if isinstance(value, str):
        text = "\n".join(line.rstrip() for line in value.strip().splitlines())
    elif isinstance(value, list | tuple):
        text = "\n".join(str(v).strip() for v in value if v is not None)
    elif isinstance(value, Mapping):
        blocks = [f"[{k}]\n{parse_lyrics(v) or ''}".rstrip() for k, v in value.items()]
        text = "\n\n".join(blocks)
    else:
        return None
    if len(text) > MAX_TEXT_CHARS:
        raise ValueProblem(
            f"expected lyrics of at most {MAX_TEXT_CHARS} characters, got {len(text)}"
        )
    return text.strip() or None


def opt_str(value: object) -> str | None:
    if value is None or isinstance(value, Mapping | list | tuple):
        return None
    text = str(value).strip()
    return text[:MAX_WORD_CHARS] or None


@dataclass(frozen=True)
class ProposalFileName:
    """What a messy ``song_proposal_*`` file name says: color (None if unknown), hex, iteration."""

    color: Color | None
    color_word: str
    hex: str | None
    iteration_id: str


def parse_proposal_filename(name: str) -> ProposalFileName | None:
    """Parse a proposal file name; None when it does not follow the ``song_proposal_`` pattern."""
    m = _PROPOSAL_NAME_RE.match(name)
    if not m:
        return None
    word = m.group("color")
    try:
        color: Color | None = parse_color(word)
    except ColorError:
        color = None
    hex_code = (m.group("hex") or "").strip() or None
    return ProposalFileName(color, word, hex_code, m.group("iteration"))
