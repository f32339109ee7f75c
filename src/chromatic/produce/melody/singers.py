"""The singer registry: who sings the melody, and the range (MIDI notes) it must stay inside.

Built in: the artist's singers (FORMATS.md §6). A YAML file adds singers or overrides ranges;
``DIR/singers.yml`` is read first, then a file given with ``--singers`` (the later wins)::

    singers:                       # (or the mapping alone, without this key)
      Nadia: {low: 50, high: 69}   # MIDI numbers, or note names with C4 = 60 ("D3")
      Busayo: [G2, E4]             # [low, high] works too

Names match case-insensitively. Which singer: ``--singer NAME`` (unknown: an error listing the
known ones), else the proposal's ``singer``/``vocalist`` (unknown: the default, with a
warning), else ``DEFAULT_SINGER`` (Gabriel: the middle of the built-in ranges).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chromatic.errors import ProduceError

BUILTIN: dict[str, tuple[int, int]] = {
    "Busayo": (45, 64),
    "Gabriel": (48, 67),
    "Robbie": (48, 67),
    "Shirley": (53, 72),
    "Katherine": (57, 76),
}
DEFAULT_SINGER = "Gabriel"
MIN_SPAN = 7  # a melody needs at least a fifth to move in
_NOTE_RE = re.compile(r"^\s*([A-Ga-g])\s*(#|b|♯|♭)?\s*(-?\d)\s*$")
_LETTER = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


@dataclass(frozen=True)
class Singer:
    name: str
    low: int
    high: int
    source: str = "built-in"

    @property
    def center(self) -> float:
        return (self.low + self.high) / 2

    def contains(self, pitch: int) -> bool:
        return self.low <= pitch <= self.high


def parse_pitch(value: object, *, path: object = None, field: str = "") -> int:
    """A MIDI number (0-127) or a note name with C4 = 60 ("A2", "C#4", "Bb3")."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 127:
        return value
    if isinstance(value, str):
        if value.strip().isdigit():
            return parse_pitch(int(value), path=path, field=field)
        m = _NOTE_RE.match(value)
        if m:
            acc = {"#": 1, "♯": 1, "b": -1, "♭": -1}.get(m.group(2) or "", 0)
            pitch = 12 * (int(m.group(3)) + 1) + _LETTER[m.group(1).upper()] + acc
            if 0 <= pitch <= 127:
                return pitch
    raise ProduceError(
        f"expected a MIDI note 0-127 or a note name like 'A2', got {value!r}",
        path=path,
        field=field,
    )


def builtin() -> dict[str, Singer]:
    return {name.lower(): Singer(name, lo, hi) for name, (lo, hi) in BUILTIN.items()}


def load_singers_file(path: str | os.PathLike) -> dict[str, Singer]:
    """Singers from a YAML file (see the module docstring), validated."""
    from chromatic.proposals.reader import read_yaml

    path = Path(path)
    try:
        data = read_yaml(path)
    except ProduceError:
        raise
    except Exception as e:  # ProposalError from read_yaml: same message, our error type
        raise ProduceError(getattr(e, "detail", str(e)), path=path) from None
    if isinstance(data, Mapping) and "singers" in data:
        data = data["singers"]
    if not isinstance(data, Mapping):
        raise ProduceError(
            "expected a mapping of singer names to {low, high}", path=path, field="singers"
        )
    out = {}
    for name, value in data.items():
        where = f"singers.{name}"
        if isinstance(value, Mapping):
            lo, hi = value.get("low"), value.get("high")
        elif isinstance(value, list | tuple) and len(value) == 2:
            lo, hi = value
        else:
            raise ProduceError(
                f"expected {{low, high}} or [low, high], got {value!r}", path=path, field=where
            )
        low = parse_pitch(lo, path=path, field=f"{where}.low")
        high = parse_pitch(hi, path=path, field=f"{where}.high")
        if high - low < MIN_SPAN:
            raise ProduceError(
                f"expected high at least {MIN_SPAN} semitones above low, got {low}-{high}",
                path=path,
                field=where,
            )
        out[str(name).strip().lower()] = Singer(str(name).strip(), low, high, str(path))
    return out


def registry(*files: str | os.PathLike | None) -> dict[str, Singer]:
    """Built-in singers, then each file in order (later files override earlier; None skipped)."""
    out = builtin()
    for f in files:
        if f is None:
            continue
        if not Path(f).is_file():
            raise ProduceError("singers file not found", path=f)
        out.update(load_singers_file(f))
    return out


def choose_singer(
    reg: dict[str, Singer], requested: str | None, proposed: str | None
) -> tuple[Singer, str | None]:
    """The singer to write for, and a warning when the proposal's singer had to be replaced."""
    known = ", ".join(s.name for s in reg.values())
    if requested:
        found = reg.get(requested.strip().lower())
        if found is None:
            raise ProduceError(
                f"unknown singer {requested!r}; known: {known} (add one in singers.yml)"
            )
        return found, None
    if proposed:
        found = reg.get(proposed.strip().lower())
        if found is not None:
            return found, None
        default = reg[DEFAULT_SINGER.lower()]
        return (
            default,
            f"the proposal's singer {proposed!r} is not in the registry ({known}): writing for {default.name}",
        )
    return reg[DEFAULT_SINGER.lower()], None
