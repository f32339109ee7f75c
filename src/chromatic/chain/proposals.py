"""Reading a concept-agent thread for the chain tools: its files and its final song proposal.

The final proposal and the parse of every value come from the one proposal reader
(``chromatic.proposals``): the rule for a thread's final proposal is
``chromatic.proposals.threads`` (last iteration of ``all_song_proposals_*.yml``; fallback, the
newest ``song_proposal_*.yml``), the policy for forgiving parses is
``chromatic.proposals.values``. YAML is read through ``chromatic.yamlio`` (bounded).

The chain tools are *lenient* where production is strict: a key, bpm or time signature the
production reader would refuse is left None here and the refusal is recorded as a note in the
manifest, so one odd thread is still shrinkwrapped and reported. A missing title, a color that
names nothing (in the proposal and in its file name) or a malformed file is a ``ChainError``
naming the file and the field.

Files are listed without following symlinks: a symlink (to a file or a folder, dangling or not)
is never copied out of a thread; it is listed in ``Thread.skipped`` and noted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chromatic.errors import ChainError, ProposalError
from chromatic.proposals import values as _values
from chromatic.proposals.reader import read_fields, read_yaml
from chromatic.proposals.threads import newest_proposal_file, thread_files
from chromatic.proposals.values import parse_proposal_filename
from chromatic.taxonomy import Color

LIST_PREFIX = "all_song_proposals_"
PROPOSAL_PREFIX = "song_proposal_"
YAML_SUFFIXES = (".yml", ".yaml")
parse_bpm = _values.parse_bpm  # the one bpm parse (feedback reads manifests with it)


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
    """A thread folder read once: its final proposal and every regular file it holds (posix
    paths relative to the folder, sorted; symlinks are in ``skipped``, never in ``files``)."""

    thread_id: str
    path: Path
    proposal: ThreadProposal
    iteration_count: int
    files: tuple[str, ...]
    list_file: str | None = None
    final_file: str | None = None
    notes: tuple[str, ...] = field(default=())
    skipped: tuple[str, ...] = field(default=())

    @property
    def source(self) -> str:
        return "all_song_proposals list" if self.list_file else "newest song_proposal file"


def _chain_error(e: ProposalError) -> ChainError:
    return ChainError(e.detail, path=e.path, field=e.field)


def proposal_from_mapping(
    data: object, *, path: Path, rel: str, field_name: str = "", fallback_color: Color | None = None
) -> tuple[ThreadProposal, list[str]]:
    """Normalise one proposal mapping leniently (``read_fields(lenient=True)``). ``path`` names
    the file in errors, ``rel`` in notes (notes end up in manifests, which must not depend on
    where the input folder lives)."""
    try:
        f = read_fields(
            data, path=path, where=field_name, lenient=True, fallback_color=fallback_color
        )
    except ProposalError as e:
        raise _chain_error(e) from None
    at = f"{rel}: {field_name}" if field_name else rel
    notes = [f"{at}: {n}" for n in f.notes] + [f"{rel}: {p}; left unparsed" for p in f.problems]
    key = str(f.key) if f.key is not None else None
    raw = f.key_raw
    proposal = ThreadProposal(
        title=f.title,
        color=f.color,
        concept=f.concept,
        key=key,
        key_raw=str(raw)[: _values.MAX_WORD_CHARS] if raw is not None and str(raw) != key else None,
        bpm=f.bpm,
        time_signature=str(f.time_signature) if f.time_signature is not None else None,
        mood=f.mood,
        genres=f.genres,
        agent=f.agent,
        iteration_id=f.iteration_id,
    )
    return proposal, notes


def load_yaml(path: Path) -> object:
    """Parse one YAML file (bounded); any problem is a ``ChainError`` naming the file and line."""
    try:
        return read_yaml(path)
    except ProposalError as e:
        raise _chain_error(e) from None


def list_files(folder: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every regular file below ``folder`` as a sorted posix path relative to it, and every
    symlink met (not followed, never listed as a file)."""
    found, links = [], []
    for top, dirs, names in os.walk(folder):
        rel = Path(top).relative_to(folder).as_posix()
        prefix = "" if rel == "." else f"{rel}/"
        for d in list(dirs):
            if os.path.islink(os.path.join(top, d)):
                links.append(prefix + d)
                dirs.remove(d)
        for n in names:
            full = os.path.join(top, n)
            if os.path.islink(full) or not os.path.isfile(full):
                links.append(prefix + n)
            else:
                found.append(prefix + n)
    return tuple(sorted(found)), tuple(sorted(links))


def read_thread(folder: str | Path) -> Thread:
    """Read a thread folder. Raises ``NoProposals`` when it holds no proposal at all."""
    folder = Path(folder)
    files, links = list_files(folder)
    notes: list[str] = [f"skipped {rel}: a symlink or special file, never copied" for rel in links]
    located = thread_files(folder)
    proposals = [p.relative_to(folder).as_posix() for p in located.proposals]
    try:
        list_path = located.list_file
    except ProposalError as e:
        raise _chain_error(e) from None
    count, final = 0, None
    if list_path is not None:
        data = load_yaml(list_path)
        seq = data.get("iterations") if isinstance(data, Mapping) else None
        if seq is not None and not isinstance(seq, list):
            raise ChainError(
                f"expected a list of iterations, got {type(seq).__name__}",
                path=list_path,
                field="iterations",
            )
        count, final = (len(seq), seq[-1]) if seq else (0, None)
    list_rel = list_path.relative_to(folder).as_posix() if list_path is not None else None
    if count:
        proposal, found = proposal_from_mapping(
            final,
            path=list_path,
            rel=list_rel,
            field_name=f"iterations[{count - 1}]",
            fallback_color=_final_file_color(proposals, final),
        )
        notes += found
        final_file = _final_file(proposals, proposal, notes)
        return Thread(
            folder.name, folder, proposal, count, files, list_rel, final_file, tuple(notes), links
        )
    if not proposals:
        raise NoProposals(
            "no song proposals (no all_song_proposals list, no song_proposal_*.yml)", path=folder
        )
    notes.append(
        f"{'the all_song_proposals list is empty' if list_rel else 'no all_song_proposals list'}; "
        "the final proposal is the newest song_proposal file"
    )
    try:
        path, data = newest_proposal_file(folder, located.proposals)
    except ProposalError as e:
        raise _chain_error(e) from None
    rel = path.relative_to(folder).as_posix()
    parsed = parse_proposal_filename(path.name)
    proposal, found = proposal_from_mapping(
        data, path=path, rel=rel, fallback_color=parsed.color if parsed else None
    )
    notes.append(f"final proposal taken from {rel}")
    notes += found
    return Thread(
        folder.name, folder, proposal, len(proposals), files, list_rel, rel, tuple(notes), links
    )


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
        notes.append(
            f"no song_proposal file for the final iteration {final.iteration_id!r}; the list holds it"
        )
        return None
    matches.sort(key=lambda m: (not m[0], m[1]))
    if len(matches) > 1 and matches[0][0] == matches[1][0]:
        notes.append(
            f"several song_proposal files for {final.iteration_id!r}; kept {matches[0][1]}"
        )
    return matches[0][1]
