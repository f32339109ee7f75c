"""Song proposals from the concept agent, normalized into one ``Proposal``.

The agent writes the same facts in many shapes (FORMATS.md §5): ``key`` as "F# minor",
"E ♭ major" or a mapping; ``tempo`` (which is the *time signature*) as ``{numerator,
denominator}`` or a string; ``rainbow_color`` as a mnemonic, a name in any case, or a color
object whose embedded modes often disagree with the canonical table. Everything is normalized
here, once, so production never sees the raw shapes.

What is not understood is never silently guessed. Documented fallbacks, each recorded on
``Proposal.warnings`` (and shown by ``chromatic produce proposals``):

- key with a trailing parenthetical, "C major (resolving through complete chromatic cycle)":
  the parenthetical is dropped, the key before it is used.
- key without a mode ("F#"): major, as music notation reads a bare letter.
- ``tempo`` holding a tempo *word* instead of a meter ("Andante", "Moderately fast"): 4/4, the
  meter the agent uses most often; a missing ``tempo``: 4/4 as well.
- color object whose modes or mnemonic disagree with the taxonomy: the color name is the truth
  (``parse_color``), the disagreement becomes a warning.
- no ``rainbow_color`` at all: the color in the file name ("song_proposal_Green (0x...)_...").

Everything else that cannot be understood is a ``ProposalError`` naming the file and the field:
a key that names no key ("All Keys (Chromatic Convergence)"), a missing or non-positive bpm, a
malformed meter ("7/9"), a color that names no color, a missing title.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from chromatic.errors import MusicError, ProposalError
from chromatic.music.key import Key, TimeSignature, parse_key_forgiving
from chromatic.taxonomy import Color, ColorError, ColorModeWarning, parse_color

try:  # the C loader parses the agent's long files several times faster
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

PROPOSAL_GLOB = "song_proposal_*.yml"
THREAD_LIST_GLOB = "all_song_proposals_*.yml"
DEFAULT_TIME_SIGNATURE = TimeSignature(4, 4)
MAX_BPM = 400.0

_METER_RE = re.compile(r"(\d+)\s*/\s*(\d+)")
_NUMBER_RE = re.compile(r"[-+]?\d+(?:\.\d+)?")


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

    @property
    def mode(self) -> str:
        return self.key.mode

    def to_dict(self) -> dict:
        """Plain values in a stable order: what ``proposal.yml`` holds and ``load_proposal`` reads.
        ``lyrics`` appears only when the proposal has some, so folders made before it existed
        compare equal."""
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
        return out


# --- reading -----------------------------------------------------------------------------------


def read_yaml(path: str | os.PathLike) -> object:
    """Parse a YAML file or raise a one-line ProposalError naming it."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.load(f, Loader=_Loader)
    except FileNotFoundError:
        raise ProposalError("file not found", path=path) from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ProposalError(f"invalid YAML: {first}", path=path) from None


def load_proposal(path: str | os.PathLike) -> Proposal:
    """Load a song proposal file, a normalized ``proposal.yml``, or a thread's
    ``all_song_proposals_*.yml`` (whose last iteration is the final proposal)."""
    path = Path(path)
    data = read_yaml(path)
    if isinstance(data, Mapping) and "iterations" in data:
        return _final_iteration(data, path)
    return proposal_from_mapping(data, source=path)


def final_proposal_of_thread(thread_dir: str | os.PathLike) -> Proposal:
    """The final proposal of a concept-agent thread: the last iteration of its
    ``all_song_proposals_*.yml`` (in ``yml/`` or the thread folder itself)."""
    thread_dir = Path(thread_dir)
    lists = _thread_lists(thread_dir)
    if not lists:
        raise ProposalError(f"no {THREAD_LIST_GLOB} in the thread folder", path=thread_dir)
    if len(lists) > 1:
        names = ", ".join(p.name for p in lists)
        raise ProposalError(f"expected one iteration list, found {len(lists)}: {names}", path=thread_dir)
    return _final_iteration(read_yaml(lists[0]), lists[0])


def _thread_lists(thread_dir: Path) -> list[Path]:
    return sorted({*thread_dir.glob(f"yml/{THREAD_LIST_GLOB}"), *thread_dir.glob(THREAD_LIST_GLOB)})


def iterations_of(data: object, path: Path) -> list:
    iterations = data.get("iterations") if isinstance(data, Mapping) else None
    if not isinstance(iterations, list) or not iterations:
        raise ProposalError("expected a non-empty list of proposals", path=path, field="iterations")
    return iterations


def _final_iteration(data: object, path: Path) -> Proposal:
    iterations = iterations_of(data, path)
    last = len(iterations) - 1
    return proposal_from_mapping(iterations[last], source=path, where=f"iterations[{last}]")


# --- normalizing -------------------------------------------------------------------------------


def proposal_from_mapping(data: object, *, source: str | os.PathLike | None = None, where: str = "") -> Proposal:
    """Normalize one proposal mapping; ``where`` prefixes field names (``iterations[3].key``)."""
    path = str(source) if source is not None else None
    prefix = f"{where}." if where else ""

    def fail(fieldname: str, message: str) -> ProposalError:
        return ProposalError(message, path=path, field=f"{prefix}{fieldname}")

    if not isinstance(data, Mapping):
        raise ProposalError(f"expected a mapping of proposal fields, got {type(data).__name__}",
                            path=path, field=where or None)
    notes: list[str] = [str(w) for w in data.get("warnings") or [] if isinstance(w, str)]

    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail("title", f"expected a non-empty title, got {title!r}")
    key = _parse_key(data.get("key"), notes, fail)
    bpm = _parse_bpm(data.get("bpm"), fail)
    meter_field = "time_signature" if "time_signature" in data else "tempo"
    ts = _parse_meter(data.get(meter_field), meter_field, notes, fail)
    color = _parse_color(data, path, notes, fail)
    singer = data.get("singer", data.get("vocalist"))
    return Proposal(
        title=" ".join(title.split()),
        key=key,
        bpm=bpm,
        time_signature=ts,
        color=color,
        concept=str(data.get("concept") or "").strip(),
        mood=_words(data.get("mood")),
        genres=_words(data.get("genres")),
        singer=str(singer).strip() if singer not in (None, "") else None,
        lyrics=_lyrics_text(data.get("lyrics")),
        agent=_opt_str(data.get("agent_name", data.get("agent"))),
        iteration_id=_opt_str(data.get("iteration_id")),
        source=str(data.get("source")) if data.get("source") else path,
        warnings=tuple(dict.fromkeys(notes)),
    )


def _parse_key(value: object, notes: list[str], fail) -> Key:
    if value is None:
        raise fail("key", "expected a key like 'A minor', got nothing")
    try:
        key, found = parse_key_forgiving(value)
    except MusicError as e:
        detail = e.detail if isinstance(value, Mapping) else f"expected a key like 'A minor' or 'F# major', got {value!r}"
        raise fail("key", detail) from None
    notes.extend(found)
    return key


def _parse_bpm(value: object, fail) -> float:
    number = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        m = _NUMBER_RE.search(value)
        number = float(m.group()) if m else None
    if number is None or not 0 < number <= MAX_BPM:
        raise fail("bpm", f"expected a tempo in beats per minute (0-{MAX_BPM:g}], got {value!r}")
    return number


def _parse_meter(value: object, fieldname: str, notes: list[str], fail) -> TimeSignature:
    if value is None or (isinstance(value, str) and not value.strip()):
        notes.append(f"{fieldname} missing: using {DEFAULT_TIME_SIGNATURE}")
        return DEFAULT_TIME_SIGNATURE
    if isinstance(value, str):
        m = _METER_RE.search(value)
        if m is None:
            if not any(ch.isdigit() for ch in value):
                notes.append(
                    f"{fieldname} {value!r} is a tempo marking, not a time signature: "
                    f"using {DEFAULT_TIME_SIGNATURE}"
                )
                return DEFAULT_TIME_SIGNATURE
            raise fail(fieldname, f"expected a time signature like '4/4' or '7/8', got {value!r}")
        try:
            ts = TimeSignature.parse(f"{m.group(1)}/{m.group(2)}")
        except MusicError as e:
            raise fail(fieldname, e.detail) from None
        if m.group(0).strip() != value.strip():
            notes.append(f"{fieldname} {value!r}: using {ts}")
        return ts
    try:
        return TimeSignature.parse(value)
    except MusicError as e:
        raise fail(fieldname, e.detail) from None


def _parse_color(data: Mapping, path: str | None, notes: list[str], fail) -> Color:
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
        raise fail(fieldname, "expected a color (mnemonic, name or color object), got nothing")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ColorModeWarning)
        try:
            color = parse_color(value)
        except ColorError as e:
            raise fail(fieldname, str(e)) from None
    for w in caught:
        if issubclass(w.category, ColorModeWarning):
            notes.append(f"{fieldname}: {w.message}")
    return color


def _words(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list | tuple) else [value]
    return tuple(s for s in (" ".join(str(v).split()) for v in items if v is not None) if s)


def _lyrics_text(value: object) -> str | None:
    """Lyrics as one text: a string as is, a list as its lines, a mapping ``{section: text or
    lines}`` as ``[section]`` blocks. A catalog-style boolean (``lyrics: true``) carries no text."""
    if isinstance(value, str):
        text = "\n".join(line.rstrip() for line in value.strip().splitlines())
    elif isinstance(value, list | tuple):
        text = "\n".join(str(v).strip() for v in value if v is not None)
    elif isinstance(value, Mapping):
        blocks = [f"[{k}]\n{_lyrics_text(v) or ''}".rstrip() for k, v in value.items()]
        text = "\n\n".join(blocks)
    else:
        return None
    return text.strip() or None


def _opt_str(value: object) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


# --- every proposal of a chain folder ----------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    """One proposal read from a chain folder: loaded (maybe with warnings) or failed, and why."""

    source: str
    proposal: Proposal | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        if self.proposal is None:
            return "failed"
        return "warned" if self.proposal.warnings else "loaded"


@dataclass(frozen=True)
class ThreadResult:
    thread_id: str
    iterations: int
    final: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ProposalReport:
    """Every ``song_proposal_*.yml`` and every iteration of every ``all_song_proposals_*.yml``."""

    chain_dir: str
    results: tuple[LoadResult, ...]
    threads: tuple[ThreadResult, ...]

    def counts(self) -> dict[str, int]:
        statuses = [r.status for r in self.results]
        return {
            "proposals": len(self.results),
            "files": len({r.source.split("#")[0] for r in self.results}),
            "loaded": sum(s != "failed" for s in statuses),
            "warned": statuses.count("warned"),
            "failed": statuses.count("failed"),
            "threads": len(self.threads),
            "threads_failed": sum(t.error is not None for t in self.threads),
        }

    def to_json(self) -> dict:
        return {
            "chain_dir": self.chain_dir,
            "counts": self.counts(),
            "results": [
                {
                    "source": r.source,
                    "status": r.status,
                    "title": r.proposal.title if r.proposal else None,
                    "error": r.error,
                    "warnings": list(r.proposal.warnings) if r.proposal else [],
                }
                for r in self.results
            ],
            "threads": [t.__dict__ for t in self.threads],
        }


def load_all(chain_dir: str | os.PathLike) -> ProposalReport:
    """Read every proposal under ``chain_dir/<thread>/`` once; one bad file never stops the rest.
    Sources are relative to ``chain_dir``; iterations read ``list.yml#iterations[i]``."""
    chain_dir = Path(chain_dir)
    if not chain_dir.is_dir():
        raise ProposalError("chain folder not found", path=chain_dir)
    results: list[LoadResult] = []
    threads: list[ThreadResult] = []
    for thread in sorted(p for p in chain_dir.iterdir() if p.is_dir()):
        singles = sorted({*thread.glob(f"yml/{PROPOSAL_GLOB}"), *thread.glob(PROPOSAL_GLOB)})
        lists = _thread_lists(thread)
        if not singles and not lists:
            continue
        for path in singles:
            results.append(_load_one(path, chain_dir, lambda p=path: load_proposal(p)))
        threads.append(_load_thread(thread, lists, chain_dir, results))
    return ProposalReport(str(chain_dir), tuple(results), tuple(threads))


def _load_one(path: Path, root: Path, load) -> LoadResult:
    source = path.relative_to(root).as_posix()
    try:
        return LoadResult(source, proposal=load())
    except ProposalError as e:
        return LoadResult(source, error=_reason(e))


def _load_thread(thread: Path, lists: list[Path], root: Path, results: list[LoadResult]) -> ThreadResult:
    if len(lists) != 1:
        reason = f"expected one {THREAD_LIST_GLOB}, found {len(lists)}"
        return ThreadResult(thread.name, 0, error=reason)
    path = lists[0]
    source = path.relative_to(root).as_posix()
    try:
        iterations = iterations_of(read_yaml(path), path)
    except ProposalError as e:
        results.append(LoadResult(source, error=_reason(e)))
        return ThreadResult(thread.name, 0, error=_reason(e))
    last: LoadResult | None = None
    for i, item in enumerate(iterations):
        where = f"iterations[{i}]"
        last = _load_one(path, root, lambda item=item, where=where: proposal_from_mapping(item, source=path, where=where))
        last = LoadResult(f"{source}#{where}", last.proposal, last.error)
        results.append(last)
    assert last is not None
    if last.proposal is None:
        return ThreadResult(thread.name, len(iterations), error=last.error)
    return ThreadResult(thread.name, len(iterations), final=last.proposal.title)


def _reason(e: ProposalError) -> str:
    return f"{e.field}: {e.detail}" if e.field else e.detail
