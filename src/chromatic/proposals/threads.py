"""Concept-agent threads: which file holds a thread's proposals, and which proposal is final.

One rule, for ``produce init <thread>``, ``produce proposals`` and ``chain shrinkwrap``:

- A thread folder (``chain_artifacts/<thread-uuid>/``) holds its iteration list
  ``all_song_proposals_<uuid>.yml`` in ``yml/`` or in the folder itself. Several lists: the one
  named after the thread folder; none of them named so is an error naming them all.
- The **final proposal is the last iteration** of that list.
- Fallback, only when there is no list or its ``iterations`` are empty: the newest
  ``song_proposal_*.yml`` (in ``yml/`` or the folder), newest by the proposal's own numeric
  ``timestamp`` where it has one, else by file time, then by name; the reader records that it
  fell back (a warning on the proposal, a note in the chain manifest).

Symlinks are never followed out of a thread: a list or proposal file that is a symlink is
ignored as if absent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chromatic.errors import ProposalError
from chromatic.proposals.reader import (
    PROPOSAL_GLOB,
    THREAD_LIST_GLOB,
    Proposal,
    iterations_of,
    load_proposal,
    proposal_from_mapping,
    read_yaml,
)

THREAD_DIRS = ("yml", ".")


@dataclass(frozen=True)
class ThreadFiles:
    """The proposal files of one thread folder (paths, sorted), and the chosen list."""

    folder: Path
    lists: tuple[Path, ...]
    proposals: tuple[Path, ...]

    @property
    def list_file(self) -> Path | None:
        """The thread's iteration list (see the module docstring); None when it has none."""
        if not self.lists:
            return None
        if len(self.lists) == 1:
            return self.lists[0]
        own = [p for p in self.lists if self.folder.name in p.name]
        if len(own) == 1:
            return own[0]
        names = ", ".join(p.relative_to(self.folder).as_posix() for p in self.lists)
        raise ProposalError(
            f"expected one {THREAD_LIST_GLOB} (or one named after the thread), found {names}",
            path=self.folder,
        )


def thread_files(folder: str | os.PathLike) -> ThreadFiles:
    folder = Path(folder)

    def found(pattern: str) -> tuple[Path, ...]:
        hits = {p for d in THREAD_DIRS for p in (folder / d).glob(pattern)}
        return tuple(sorted(p for p in hits if p.is_file() and not p.is_symlink()))

    return ThreadFiles(folder, found(THREAD_LIST_GLOB), found(PROPOSAL_GLOB))


def newest_proposal_file(
    folder: Path, proposals: tuple[Path, ...] | list[Path]
) -> tuple[Path, object]:
    """The fallback final proposal: newest by its own ``timestamp``, else file time, then name.
    Returns the file and its parsed YAML."""
    if not proposals:
        raise ProposalError(
            f"no {THREAD_LIST_GLOB} and no {PROPOSAL_GLOB} in the thread folder", path=folder
        )
    ranked = []
    for path in proposals:
        data = read_yaml(path)
        stamp = data.get("timestamp") if isinstance(data, Mapping) else None
        stamp = (
            float(stamp) if isinstance(stamp, int | float) and not isinstance(stamp, bool) else None
        )
        ranked.append(
            ((stamp is not None, stamp or 0.0, path.stat().st_mtime, path.name), path, data)
        )
    _, path, data = max(ranked, key=lambda r: r[0])
    return path, data


def final_proposal_of_thread(thread_dir: str | os.PathLike) -> Proposal:
    """The final proposal of a concept-agent thread (the rule in the module docstring)."""
    thread_dir = Path(thread_dir)
    files = thread_files(thread_dir)
    lst = files.list_file
    if lst is not None:
        data = read_yaml(lst)
        items = data.get("iterations") if isinstance(data, Mapping) else None
        if items or not files.proposals:
            return _final(data, lst)
    path, data = newest_proposal_file(thread_dir, files.proposals)
    p = proposal_from_mapping(data, source=path)
    why = "the iteration list is empty" if lst is not None else f"no {THREAD_LIST_GLOB}"
    note = f"{why}: the final proposal is the newest song_proposal file, {path.name}"
    return Proposal(**{**p.__dict__, "warnings": (*p.warnings, note)})


def read_any_proposal(source: str | os.PathLike) -> Proposal:
    """A proposal file, a thread's iteration list (its last iteration) or a thread folder: what
    ``produce init``, ``compose`` and ``score --proposal`` accept."""
    source = Path(source)
    if source.is_dir():
        return final_proposal_of_thread(source)
    return load_proposal(source)


def _final(data: object, path: Path) -> Proposal:
    iterations = iterations_of(data, path)
    last = len(iterations) - 1
    return proposal_from_mapping(iterations[last], source=path, where=f"iterations[{last}]")


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
        files = thread_files(thread)
        singles, lists = list(files.proposals), list(files.lists)
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


def _load_thread(
    thread: Path, lists: list[Path], root: Path, results: list[LoadResult]
) -> ThreadResult:
    try:
        path = ThreadFiles(thread, tuple(lists), ()).list_file
    except ProposalError as e:
        return ThreadResult(thread.name, 0, error=_reason(e))
    if path is None:
        return ThreadResult(thread.name, 0, error=f"expected one {THREAD_LIST_GLOB}, found none")
    source = path.relative_to(root).as_posix()
    try:
        iterations = iterations_of(read_yaml(path), path)
    except ProposalError as e:
        results.append(LoadResult(source, error=_reason(e)))
        return ThreadResult(thread.name, 0, error=_reason(e))
    last: LoadResult | None = None
    for i, item in enumerate(iterations):
        where = f"iterations[{i}]"
        last = _load_one(
            path,
            root,
            lambda item=item, where=where: proposal_from_mapping(item, source=path, where=where),
        )
        last = LoadResult(f"{source}#{where}", last.proposal, last.error)
        results.append(last)
    assert last is not None
    if last.proposal is None:
        return ThreadResult(thread.name, len(iterations), error=last.error)
    return ThreadResult(thread.name, len(iterations), final=last.proposal.title)


def _reason(e: ProposalError) -> str:
    return f"{e.field}: {e.detail}" if e.field else e.detail
