"""Values of concept-agent output, normalised at the edge: keys, BPM, time signatures, messy
proposal file names.

Each function returns the value (None when it cannot be understood) and notes saying what was
changed or not understood; nothing is guessed. The real threads hold keys like "E ♭ major" (read
by ``Key.parse``) and "C major (resolving through complete chromatic cycle)" (the parenthetical
tail is dropped, with a note), tempo markings ("Andante", "Moderately fast") where a time
signature belongs, and file names such as ``song_proposal_Green (0xabe36d)_..._v1.yml``,
``song_proposal_Y_..._v1.yml`` and ``song_proposal_indigo_indigo_proposal_<ms>.yml``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from chromatic.errors import MusicError
from chromatic.music.key import TimeSignature, parse_key_forgiving
from chromatic.taxonomy import Color, ColorError, parse_color

# "song_proposal_Green (0xabe36d)_parallel_extinction_elegy_v1.yml", "song_proposal_Y_..._v1.yml",
# "song_proposal_indigo_indigo_proposal_1770314867925.yml": a color word, an optional hex code in
# parentheses, then the iteration id.
_PROPOSAL_NAME_RE = re.compile(
    r"^song_proposal_(?P<color>[A-Za-z]+)\s*(?:\((?P<hex>[^)]*)\))?_(?P<iteration>.+?)\.ya?ml$"
)
_BPM_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:bpm)?\s*$", re.IGNORECASE)


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


def normalize_key(value: object) -> tuple[str | None, list[str]]:
    """The key as ``str(Key)`` plus notes (``parse_key_forgiving``: a parenthetical tail is
    dropped with a note); a key that still does not parse is None with a note saying so."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ["no key"]
    try:
        key, notes = parse_key_forgiving(value)
    except MusicError:
        notes = []
        if isinstance(value, str) and "(" in value:
            notes.append(f"dropped the parenthetical from key {value!r}")
        return None, [*notes, f"could not parse key {value!r}; left unparsed"]
    return str(key), notes


def parse_bpm(value: object) -> tuple[float | None, list[str]]:
    """BPM as a positive float ("72", 72, "72 BPM"); anything else is None with a note."""
    if value is None:
        return None, ["no bpm"]
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and (m := _BPM_RE.match(value)):
        number = float(m.group(1))
    if number is None or not math.isfinite(number) or number <= 0:
        return None, [f"could not parse bpm {value!r}; left unparsed"]
    return number, []


def parse_time_signature(value: object) -> tuple[str | None, list[str]]:
    """A time signature from ``{numerator, denominator}`` or "7/8"; the agent sometimes writes a
    tempo marking ("Andante") there instead, which is reported, not converted."""
    if value is None:
        return None, ["no time signature (tempo)"]
    try:
        return str(TimeSignature.parse(value)), []
    except MusicError:
        return None, [f"tempo {value!r} is not a time signature; left unparsed"]


def parse_words(value: object) -> tuple[tuple[str, ...], list[str]]:
    if value is None:
        return (), []
    if isinstance(value, str):
        return (value.strip(),), []
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if v is not None and str(v).strip()), []
    return (), [f"expected a list of words, got {value!r}; ignored"]
