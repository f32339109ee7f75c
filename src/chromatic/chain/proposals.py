"""Reading a concept-agent thread: its iterations and its final song proposal.

A thread folder (``chain_artifacts/<thread-uuid>/``) holds ``yml/all_song_proposals_<uuid>.yml``,
whose ``iterations`` list every proposal in order; the last one is final. Only when that list is
missing (or empty) do we fall back to the newest ``song_proposal_*.yml``, and we say so. Each YAML
file is parsed at most once: the old shrinkwrap spent 93 % of its time re-parsing the same files,
and in the normal case only the list itself is parsed here.

Values are normalised at this edge (see ``values``); what cannot be understood is recorded as a
note, never guessed. Colors go through ``parse_color``: the name is the truth, embedded modes
that disagree become notes. Only a missing title or a color that names nothing (in the proposal
and in its file name) is an error: a ``ChainError`` naming the file and the field.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from chromatic.chain.values import (
    normalize_key,
    parse_bpm,
    parse_proposal_filename,
    parse_time_signature,
    parse_words,
)
from chromatic.errors import ChainError
from chromatic.taxonomy import Color, ColorError, ColorModeWarning, parse_color

try:  # the C loader parses the iteration lists several times faster
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

LIST_PREFIX = "all_song_proposals_"
PROPOSAL_PREFIX = "song_proposal_"
YAML_SUFFIXES = (".yml", ".yaml")


class NoProposals(ChainError):
    """A thread folder without any song proposal: reported and skipped, not fatal."""


@dataclass(frozen=True)
class ThreadProposal:
    """One song proposal, normalised. ``key`` is ``str(Key)`` ("F# minor") or None if unparsed."""

    title: str
    color: Color
    concept: str = ""
    key: str | None = None
    key_raw: str | None = None
    bpm: float | None = None
    time_signature: str | None = None
    mood: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    agent: str | None = None
    iteration_id: str | None = None


@dataclass(frozen=True)
class Thread:
    """A thread folder read once: its final proposal and every file it holds (posix paths
    relative to the folder, sorted)."""

    thread_id: str
    path: Path
    proposal: ThreadProposal
    iteration_count: int
    files: tuple[str, ...]
    list_file: str | None = None
    final_file: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def source(self) -> str:
        return "all_song_proposals list" if self.list_file else "newest song_proposal file"


def proposal_from_mapping(
    data: object, *, path: Path, rel: str, field_name: str = "", fallback_color: Color | None = None
) -> tuple[ThreadProposal, list[str]]:
    """Normalise one proposal mapping. ``path`` names the file in errors, ``rel`` in notes (notes
    end up in manifests, which must not depend on where the input folder lives)."""
    where = f"{field_name}." if field_name else ""
    if not isinstance(data, Mapping):
        raise ChainError(f"expected a proposal mapping, got {type(data).__name__}", path=path, field=field_name or None)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ChainError(f"expected a non-empty title, got {title!r}", path=path, field=f"{where}title")
    notes: list[str] = []
    color = _color(data.get("rainbow_color"), path, rel, f"{where}rainbow_color", fallback_color, notes)
    key, key_notes = normalize_key(data.get("key"))
    bpm, bpm_notes = parse_bpm(data.get("bpm"))
    ts, ts_notes = parse_time_signature(data.get("tempo"))
    mood, mood_notes = parse_words(data.get("mood"))
    genres, genre_notes = parse_words(data.get("genres"))
    for name, found in (("key", key_notes), ("bpm", bpm_notes), ("tempo", ts_notes), ("mood", mood_notes), ("genres", genre_notes)):
        notes.extend(f"{rel}: {where}{name}: {n}" for n in found)
    raw_key = data.get("key")
    agent = data.get("agent_name")
    iteration = data.get("iteration_id")
    concept = data.get("concept")
    proposal = ThreadProposal(
        title=" ".join(title.split()),
        color=color,
        concept=concept.strip() if isinstance(concept, str) else "",
        key=key,
        key_raw=str(raw_key) if raw_key is not None and str(raw_key) != key else None,
        bpm=bpm,
        time_signature=ts,
        mood=mood,
        genres=genres,
        agent=str(agent).strip() if agent else None,
        iteration_id=str(iteration) if iteration else None,
    )
    return proposal, notes


def _color(value: object, path: Path, rel: str, field_name: str, fallback: Color | None, notes: list[str]) -> Color:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ColorModeWarning)
        try:
            color = parse_color(value, source=f"{rel}: {field_name}")
        except ColorError as e:
            if fallback is None:
                raise ChainError(f"expected a color name or mnemonic, got {value!r}", path=path, field=field_name) from None
            notes.append(f"{e}; using {fallback.name} from the proposal's file name")
            return fallback
    notes.extend(str(w.message) for w in caught if issubclass(w.category, ColorModeWarning))
    return color


def load_yaml(path: Path) -> object:
    """Parse one YAML file; a syntax error becomes a ``ChainError`` naming the file and line."""
    try:
        return yaml.load(path.read_bytes(), Loader=_Loader)
    except yaml.YAMLError as e:
        raise _yaml_error(e, path) from None
    except OSError as e:
        raise ChainError(f"cannot read: {e.strerror}", path=path) from None


def load_last_iteration(path: Path) -> tuple[int, object]:
    """The number of iterations in an ``all_song_proposals`` list and the last one.

    The list is parsed once into YAML nodes (in C), and only the last iteration is built into
    Python objects: the others are counted, never used, and building them cost half the time.
    """
    try:
        loader = _Loader(path.read_bytes())
    except OSError as e:
        raise ChainError(f"cannot read: {e.strerror}", path=path) from None
    try:
        root = loader.get_single_node()
        seq = root
        if isinstance(root, yaml.MappingNode):
            seq = next((v for k, v in root.value if k.value == "iterations"), None)
        if seq is None or (isinstance(seq, yaml.ScalarNode) and seq.tag == "tag:yaml.org,2002:null"):
            return 0, None
        if not isinstance(seq, yaml.SequenceNode):
            raise ChainError(f"expected a list of iterations, got {seq.tag.rsplit(':', 1)[-1]}", path=path, field="iterations")
        if not seq.value:
            return 0, None
        return len(seq.value), loader.construct_document(seq.value[-1])
    except yaml.YAMLError as e:
        raise _yaml_error(e, path) from None
    finally:
        loader.dispose()


def _yaml_error(e: yaml.YAMLError, path: Path) -> ChainError:
    mark = getattr(e, "problem_mark", None)
    line = f" (line {mark.line + 1})" if mark is not None else ""
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    return ChainError(f"invalid YAML{line}: {problem}", path=path)


def list_files(folder: Path) -> tuple[str, ...]:
    """Every file below ``folder`` as a sorted posix path relative to it (one walk per thread)."""
    found = []
    for top, _dirs, names in os.walk(folder):
        rel = Path(top).relative_to(folder).as_posix()
        prefix = "" if rel == "." else f"{rel}/"
        found.extend(prefix + n for n in names)
    return tuple(sorted(found))


def read_thread(folder: str | Path) -> Thread:
    """Read a thread folder. Raises ``NoProposals`` when it holds no proposal at all."""
    folder = Path(folder)
    files = list_files(folder)
    names = {rel: rel.rsplit("/", 1)[-1] for rel in files}
    lists = [r for r in files if names[r].startswith(LIST_PREFIX) and names[r].endswith(YAML_SUFFIXES)]
    proposals = [r for r in files if names[r].startswith(PROPOSAL_PREFIX) and names[r].endswith(YAML_SUFFIXES)]
    notes: list[str] = []
    if len(lists) > 1:
        own = [r for r in lists if folder.name in names[r]]
        lists = own[:1] or lists[:1]
        notes.append(f"several all_song_proposals lists; used {lists[0]}")
    count, final = load_last_iteration(folder / lists[0]) if lists else (0, None)
    if count:
        rel = lists[0]
        proposal, found = proposal_from_mapping(
            final, path=folder / rel, rel=rel, field_name=f"iterations[{count - 1}]",
            fallback_color=_final_file_color(proposals, final),
        )
        notes += found
        final_file = _final_file(proposals, proposal, notes)
        return Thread(folder.name, folder, proposal, count, files, rel, final_file, tuple(notes))
    if not proposals:
        raise NoProposals("no song proposals (no all_song_proposals list, no song_proposal_*.yml)", path=folder)
    notes.append(
        f"{'the all_song_proposals list is empty' if lists else 'no all_song_proposals list'}; "
        "the final proposal is the newest song_proposal file"
    )
    proposal, rel, found = _newest_proposal(folder, proposals)
    notes.append(f"final proposal taken from {rel}")
    notes += found
    return Thread(folder.name, folder, proposal, len(proposals), files, lists[0] if lists else None, rel, tuple(notes))


def _final_file_color(proposals: list[str], final: object) -> Color | None:
    """The color a final proposal's file name carries: a fallback when its color object is junk."""
    iteration = final.get("iteration_id") if isinstance(final, Mapping) else None
    for rel in proposals:
        parsed = parse_proposal_filename(rel.rsplit("/", 1)[-1])
        if parsed and parsed.iteration_id == iteration and parsed.color is not None:
            return parsed.color
    return None


def _final_file(proposals: list[str], final: ThreadProposal, notes: list[str]) -> str | None:
    """The ``song_proposal_*`` file of the final iteration: same iteration id, same color when the
    id alone is ambiguous (the agent reuses ids across colors)."""
    matches = []
    for rel in proposals:
        parsed = parse_proposal_filename(rel.rsplit("/", 1)[-1])
        if parsed is None:
            notes.append(f"{rel}: could not parse the proposal file name")
            continue
        if parsed.color is None:
            notes.append(f"{rel}: file name names no known color ({parsed.color_word!r})")
        if parsed.iteration_id == final.iteration_id:
            matches.append((parsed.color == final.color, rel))
    if not matches:
        notes.append(f"no song_proposal file for the final iteration {final.iteration_id!r}; the list holds it")
        return None
    matches.sort(key=lambda m: (not m[0], m[1]))
    if len(matches) > 1 and matches[0][0] == matches[1][0]:
        notes.append(f"several song_proposal files for {final.iteration_id!r}; kept {matches[0][1]}")
    return matches[0][1]


def _newest_proposal(folder: Path, proposals: list[str]) -> tuple[ThreadProposal, str, list[str]]:
    """Newest by the proposals' own ``timestamp`` where they have one, else by file time, then
    name (the agent leaves ``timestamp`` null more often than not)."""
    ranked = []
    for rel in proposals:
        path = folder / rel
        data = load_yaml(path)
        stamp = data.get("timestamp") if isinstance(data, Mapping) else None
        stamp = float(stamp) if isinstance(stamp, int | float) and not isinstance(stamp, bool) else None
        parsed = parse_proposal_filename(rel.rsplit("/", 1)[-1])
        ranked.append(((stamp is not None, stamp or 0.0, path.stat().st_mtime, rel), rel, data, parsed))
    _, rel, data, parsed = max(ranked, key=lambda r: r[0])
    proposal, notes = proposal_from_mapping(
        data, path=folder / rel, rel=rel, fallback_color=parsed.color if parsed else None
    )
    return proposal, rel, notes
