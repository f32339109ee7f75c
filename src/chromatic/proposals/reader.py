"""Song proposals from the concept agent, normalized into one ``Proposal``: the one reader that
produce, chain and ``chromatic score --proposal`` use.

The agent writes the same facts in many shapes (FORMATS.md §5): ``key`` as "F# minor",
"E ♭ major" or a mapping; ``tempo`` (which is the *time signature*) as ``{numerator,
denominator}`` or a string; ``rainbow_color`` as a mnemonic, a name in any case, or a color
object whose embedded modes often disagree with the canonical table. Each value is parsed by
``chromatic.proposals.values``, whose docstring is the policy: what is understood, what is
guessed (every guess becomes a warning on the loaded proposal) and what is refused.

Two more fallbacks live here, each recorded on ``Proposal.warnings``:

- color object whose modes or mnemonic disagree with the taxonomy: the color name is the truth
  (``parse_color``), the disagreement becomes a warning.
- no ``rainbow_color`` at all: the color in the file name ("song_proposal_Green (0x...)_...").

``read_fields`` is the parse itself. Strict (production, the default) it raises the first
problem as a ``ProposalError`` naming the file and the field; lenient (the chain tools, which
must report on every thread rather than stop at one) it leaves the field None and records the
problem as a note, through exactly the same parse functions. Files are read with
``chromatic.yamlio.read_yaml`` (bounded: alias bombs, duplicate keys, huge files refused).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from chromatic.errors import MusicError, ProposalError
from chromatic.music.key import Key, TimeSignature, key_modulation
from chromatic.proposals import values as v
from chromatic.taxonomy import Color, ColorError, ColorModeWarning, parse_color
from chromatic.yamlio import read_yaml as _bounded_read

PROPOSAL_GLOB = "song_proposal_*.yml"
THREAD_LIST_GLOB = "all_song_proposals_*.yml"
DEFAULT_TIME_SIGNATURE = v.DEFAULT_TIME_SIGNATURE
MIN_BPM, MAX_BPM = v.MIN_BPM, v.MAX_BPM


@dataclass(frozen=True)
class Proposal:
    """One song proposal, normalized. ``warnings`` lists every fallback taken while reading it."""

    title: str
    key: Key
    bpm: float
    time_signature: TimeSignature
    color: Color
    concept: str = ""
    mood: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    singer: str | None = None
    lyrics: str | None = None  # sung text, lines with optional [section] headers (produce.lyrics)
    agent: str | None = None
    iteration_id: str | None = None
    source: str | None = None
    warnings: tuple[str, ...] = field(default=())
    #: None, or "all_keys" when the artist's key asks for every key ("All Keys (Chromatic
    #: Convergence)"): the song's home key is then C major and the plan moves its sections
    #: through keys (the form's modulation plan). Written to proposal.yml only when set.
    modulation: str | None = None
    #: The artist's chord progressions by section (``verse: "Am7 | Fmaj7 | C/E | G"``), as
    #: written; parsed by the chord phase (``produce.chords.given``). Written only when set.
    progressions: tuple[tuple[str, str], ...] | None = None

    @property
    def mode(self) -> str:
        return self.key.mode

    def to_dict(self) -> dict:
        """Plain values in a stable order: what ``proposal.yml`` holds and ``load_proposal`` reads.
        ``lyrics`` appears only when the proposal has some, so a folder whose proposal.yml has no
        ``lyrics`` key compares equal."""
        out = {
            "title": self.title,
            "key": str(self.key),
            "bpm": self.bpm,
            "time_signature": str(self.time_signature),
            "color": self.color.name,
            "concept": self.concept,
            "mood": list(self.mood),
            "genres": list(self.genres),
            "singer": self.singer,
            "agent": self.agent,
            "iteration_id": self.iteration_id,
            "source": self.source,
            "warnings": list(self.warnings),
        }
        if self.lyrics is not None:
            out["lyrics"] = self.lyrics
        if self.modulation is not None:
            out["modulation"] = self.modulation
        if self.progressions is not None:
            out["progressions"] = dict(self.progressions)
        return out


@dataclass
class Fields:
    """The parsed fields of one proposal mapping. In lenient mode a field that could not be
    parsed is None and ``problems`` says why (``field: message``); ``notes`` are the guesses."""

    title: str
    color: Color
    key: Key | None = None
    key_raw: object = None
    bpm: float | None = None
    time_signature: TimeSignature | None = None
    concept: str = ""
    mood: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    singer: str | None = None
    lyrics: str | None = None
    agent: str | None = None
    iteration_id: str | None = None
    modulation: str | None = None
    progressions: tuple[tuple[str, str], ...] | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------------


def read_yaml(path: str | os.PathLike) -> object:
    """Parse a YAML file (bounded, see ``chromatic.yamlio``) or raise a one-line ProposalError."""
    return _bounded_read(path, ProposalError)


def load_proposal(path: str | os.PathLike) -> Proposal:
    """Load a song proposal file, a normalized ``proposal.yml``, or a thread's
    ``all_song_proposals_*.yml`` (whose last iteration is the final proposal)."""
    path = Path(path)
    data = read_yaml(path)
    if isinstance(data, Mapping) and "iterations" in data:
        return final_iteration(data, path)
    return proposal_from_mapping(data, source=path)


def iterations_of(data: object, path: Path) -> list:
    iterations = data.get("iterations") if isinstance(data, Mapping) else None
    if not isinstance(iterations, list) or not iterations:
        raise ProposalError("expected a non-empty list of proposals", path=path, field="iterations")
    return iterations


def final_iteration(data: object, path: Path) -> Proposal:
    """The final proposal of an iteration list: its last iteration."""
    iterations = iterations_of(data, path)
    last = len(iterations) - 1
    return proposal_from_mapping(iterations[last], source=path, where=f"iterations[{last}]")


# --- normalizing -------------------------------------------------------------------------------


def proposal_from_mapping(
    data: object, *, source: str | os.PathLike | None = None, where: str = ""
) -> Proposal:
    """Normalize one proposal mapping (strict); ``where`` prefixes field names (``iterations[3].key``)."""
    path = str(source) if source is not None else None
    f = read_fields(data, path=path, where=where)
    assert f.key is not None and f.bpm is not None and f.time_signature is not None
    return Proposal(
        title=f.title,
        key=f.key,
        bpm=f.bpm,
        time_signature=f.time_signature,
        color=f.color,
        concept=f.concept,
        mood=f.mood,
        genres=f.genres,
        singer=f.singer,
        lyrics=f.lyrics,
        agent=f.agent,
        iteration_id=f.iteration_id,
        source=str(data.get("source")) if data.get("source") else path,  # type: ignore[union-attr]
        warnings=tuple(dict.fromkeys(f.notes)),
        modulation=f.modulation,
        progressions=f.progressions,
    )


def read_fields(
    data: object,
    *,
    path: str | os.PathLike | None,
    where: str = "",
    lenient: bool = False,
    fallback_color: Color | None = None,
) -> Fields:
    """Parse every field of one proposal mapping (see the module docstring for strict/lenient).
    A missing title, or a color that names nothing (and no ``fallback_color``), is an error in
    both modes: a proposal without them cannot be placed anywhere."""
    path = str(path) if path is not None else None
    prefix = f"{where}." if where else ""

    def fail(fieldname: str, message: str) -> ProposalError:
        return ProposalError(message, path=path, field=f"{prefix}{fieldname}")

    if not isinstance(data, Mapping):
        raise ProposalError(
            f"expected a mapping of proposal fields, got {type(data).__name__}",
            path=path,
            field=where or None,
        )
    notes: list[str] = [str(w) for w in _list(data.get("warnings")) if isinstance(w, str)]
    problems: list[str] = []

    def parse(fieldname: str, fn, *args, default=None):
        try:
            return fn(*args)
        except v.ValueProblem as e:
            if not lenient:
                raise fail(fieldname, str(e)) from None
            problems.append(f"{prefix}{fieldname}: {e}")
            return default

    try:
        title = v.parse_title(data.get("title"))
    except v.ValueProblem as e:
        raise fail("title", str(e)) from None
    raw_key = data.get("key")
    key_found = parse("key", v.parse_key, raw_key)
    key = key_found[0] if key_found else None
    notes.extend(key_found[1] if key_found else [])
    bpm_found = parse("bpm", v.parse_bpm, data.get("bpm"))
    notes.extend(bpm_found[1] if bpm_found else [])
    meter_field = "time_signature" if "time_signature" in data else "tempo"
    ts_found = parse(meter_field, v.parse_meter, data.get(meter_field), meter_field)
    notes.extend(ts_found[1] if ts_found else [])
    color = _parse_color(data, path, notes, fail, fallback_color if lenient else None)
    singer = data.get("singer", data.get("vocalist"))
    return Fields(
        title=title,
        color=color,
        key=key,
        key_raw=raw_key,
        bpm=bpm_found[0] if bpm_found else None,
        time_signature=ts_found[0] if ts_found else None,
        concept=parse("concept", v.parse_text, data.get("concept"), default=""),
        mood=parse("mood", v.parse_words, data.get("mood"), "mood", default=()),
        genres=parse("genres", v.parse_words, data.get("genres"), "genres", default=()),
        singer=v.opt_str(singer) if singer not in (None, "") else None,
        lyrics=parse("lyrics", v.parse_lyrics, data.get("lyrics")),
        agent=v.opt_str(data.get("agent_name", data.get("agent"))),
        iteration_id=v.opt_str(data.get("iteration_id")),
        modulation=_modulation(data.get("modulation"), raw_key),
        progressions=parse("progressions", _progressions, data.get("progressions")),
        notes=notes,
        problems=problems,
    )


def with_key(proposal: Proposal, key: str | None) -> Proposal:
    """``proposal`` in another key (``compose --key "D minor"``), with a warning naming both;
    the override is exact (``Key.parse``), and it clears an "all keys" modulation."""
    if key is None:
        return proposal
    try:
        new = Key.parse(key, source="--key")
    except MusicError as e:
        raise ProposalError(e.detail) from None
    note = f"key {new} from --key replaces the proposal's {proposal.key}"
    return replace(proposal, key=new, modulation=None, warnings=(*proposal.warnings, note))


def _progressions(value: object) -> tuple[tuple[str, str], ...] | None:
    """``progressions:`` as written (section: chords text); checked as text here, parsed as
    chords by the chord phase, which knows the key and meter."""
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(t, str) for k, t in value.items()
    ):
        raise v.ValueProblem("expected a mapping of section: chords, like verse: 'Am | F | C | G'")
    return tuple((k, t) for k, t in value.items())


def _modulation(written: object, raw_key: object) -> str | None:
    """The proposal's modulation: as proposal.yml wrote it, else what its key asks for."""
    if written == "all_keys":
        return "all_keys"
    return key_modulation(raw_key)


def _list(value: object) -> list:
    return value[: v.MAX_WORDS] if isinstance(value, list) else []


def _parse_color(
    data: Mapping, path: str | None, notes: list[str], fail, fallback: Color | None
) -> Color:
    fieldname = "rainbow_color" if "rainbow_color" in data else "color"
    value = data.get(fieldname)
    if value is None:
        name = Path(path).name if path else ""
        m = re.match(r"^song_proposal_([A-Za-z]+)", name)
        if m:
            try:
                color = parse_color(m.group(1))
            except ColorError:
                color = None
            if color is not None:
                notes.append(f"rainbow_color missing: using {color.name} from the file name")
                return color
        if fallback is not None:
            notes.append(
                f"rainbow_color missing: using {fallback.name} from the proposal's file name"
            )
            return fallback
        raise fail(fieldname, "expected a color (mnemonic, name or color object), got nothing")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ColorModeWarning)
        try:
            color = v.parse_color_value(value)
        except v.ValueProblem as e:
            if fallback is None:
                raise fail(fieldname, str(e)) from None
            notes.append(f"{fieldname}: {e}; using {fallback.name} from the proposal's file name")
            return fallback
    for w in caught:
        if issubclass(w.category, ColorModeWarning):
            notes.append(f"{fieldname}: {w.message}")
    return color
