"""Shrinkwrap: one tidy folder per concept-agent thread, plus an index of all of them.

``shrinkwrap(chain_dir, out)`` writes ``out/<color>-<slug of title>/`` per thread (kept files
grouped by type, see ``artifacts``, and a ``manifest.yml``) and ``out/index.yml``.

It works in two phases so that bad input leaves no partial output: first every thread is read
and every output is planned in memory (a ``ChainError`` here writes nothing), then each thread
folder is built in a temporary folder beside its destination and renamed into place (an old
folder is first renamed aside, then deleted). A crash never leaves a half-built thread folder:
at worst the thread's folder is missing, its old copy aside in ``.old-*``, and the next run
rebuilds it; leftovers of an interrupted run (``.tmp-*``, ``.old-*``) are cleared then.

It is idempotent: a thread whose folder already holds exactly the planned bytes is left alone
("unchanged"), and ``index.yml`` is rewritten only when its bytes change, so a second run
rewrites nothing. Manifests carry no timestamps and no absolute paths for that reason.

The output folder accumulates: thread folders of earlier runs stay, are indexed, and are read by
``chain feedback``. A thread whose title changed is moved to its new folder name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from chromatic.chain.artifacts import FileDecision, plan_files
from chromatic.chain.edits import (
    clear_leftovers,
    foreign_files,
    merged_manifest,
    replace_dir,
    same_content,
    write_if_changed,
)
from chromatic.chain.proposals import NoProposals, Thread, read_thread
from chromatic.errors import ChainError
from chromatic.fileio import current_umask
from chromatic.paths import SLUG_MAX, slugify  # noqa: F401 (the one slugify, re-exported)
from chromatic.yamlio import dump_plain, parse_yaml

SCHEMA_VERSION = 1
MANIFEST = "manifest.yml"
INDEX = "index.yml"
CONCEPT_CLIP = 200


@dataclass
class ThreadOutcome:
    """What happened to one thread: written, updated, unchanged or skipped (with the reason)."""

    thread_id: str
    status: str
    dir_name: str | None = None
    title: str | None = None
    notes: tuple[str, ...] = ()
    kept: int = 0
    dropped: int = 0
    reason: str | None = None


@dataclass
class ShrinkwrapResult:
    out: Path
    threads: list[ThreadOutcome] = field(default_factory=list)
    index_changed: bool = False
    indexed: int = 0
    removed: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(t.status == status for t in self.threads)


@dataclass
class _Plan:
    thread: Thread
    base_name: str
    decisions: list[FileDecision]
    manifest: dict
    dir_name: str = ""
    manifest_bytes: bytes = b""
    previous: str | None = None  # the folder this thread had in ``out`` before (maybe dir_name)
    previous_manifest: dict | None = None

    def files(self) -> dict[str, Path]:
        return {d.target: self.thread.path / d.source for d in self.decisions if d.target}


def clip(text: str, limit: int = CONCEPT_CLIP) -> str:
    """Whitespace collapsed, cut on a word boundary with an ellipsis, at most ``limit`` chars."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def dump_yaml(data: object) -> bytes:
    return dump_plain(data, width=100).encode("utf-8")


def thread_manifest(thread: Thread, decisions: list[FileDecision], *, archive: bool) -> dict:
    p = thread.proposal
    kept = {d.source: d.target for d in decisions if d.keep}
    manifest: dict = {
        "schema_version": SCHEMA_VERSION,
        "thread_id": thread.thread_id,
        "title": p.title,
        "color": p.color.name,
        "key": p.key,
    }
    if p.key_raw is not None:
        manifest["key_raw"] = p.key_raw
    manifest |= {
        "bpm": p.bpm,
        "time_signature": p.time_signature,
        "concept": p.concept,
        "mood": list(p.mood),
        "genres": list(p.genres),
        "agent": p.agent,
        "iteration_id": p.iteration_id,
        "iteration_count": thread.iteration_count,
        "source": thread.source,
        "final_proposal": kept.get(thread.final_file) if thread.final_file else None,
        "notes": list(thread.notes),
        "files": {
            "archived": archive,
            "kept": sorted(kept.values()),
            "dropped": [{"path": d.source, "reason": d.reason} for d in decisions if not d.keep],
        },
    }
    return manifest


def index_entry(dir_name: str, manifest: dict) -> dict:
    return {
        "dir": dir_name,
        "title": manifest.get("title"),
        "color": manifest.get("color"),
        "key": manifest.get("key"),
        "bpm": manifest.get("bpm"),
        "thread_id": manifest.get("thread_id"),
        "concept": clip(str(manifest.get("concept") or "")),
    }


def shrinkwrap(
    chain_dir: str | Path, out: str | Path, *, archive: bool = False
) -> ShrinkwrapResult:
    """Shrinkwrap every thread folder of ``chain_dir`` into ``out`` (see the module docstring)."""
    chain_dir, out = Path(chain_dir), Path(out)
    result = ShrinkwrapResult(out)
    plans = _plan_threads(_thread_dirs(chain_dir, out), result, archive)  # phase 1: nothing written
    existing = _existing_threads(out, {p.base_name: p for p in plans})
    _assign_names(plans, existing)

    out.mkdir(parents=True, exist_ok=True)  # phase 2: write
    clear_leftovers(out)
    for plan in plans:
        status = _materialize(plan, out)
        kept = sum(d.keep for d in plan.decisions)
        t = plan.thread
        result.threads.append(
            ThreadOutcome(
                t.thread_id,
                status,
                plan.dir_name,
                t.proposal.title,
                t.notes,
                kept,
                len(plan.decisions) - kept,
            )
        )
    entries = _index_entries(out, plans, existing, result)
    index = dump_yaml(
        {"schema_version": SCHEMA_VERSION, "thread_count": len(entries), "threads": entries}
    )
    result.indexed = len(entries)
    result.index_changed = write_if_changed(out / INDEX, index)
    result.threads.sort(key=lambda t: (t.status == "skipped", t.dir_name or t.thread_id))
    return result


def _plan_threads(folders: list[Path], result: ShrinkwrapResult, archive: bool) -> list[_Plan]:
    """Read every thread and plan its folder in memory; threads without proposals are recorded
    as skipped in ``result``. Any other ``ChainError`` propagates before anything is written."""
    plans = []
    for folder in folders:
        try:
            thread = read_thread(folder)
        except NoProposals as e:
            result.threads.append(ThreadOutcome(folder.name, "skipped", reason=e.detail))
            continue
        decisions = plan_files(
            thread.files,
            final_file=thread.final_file,
            has_list=thread.list_file is not None,
            archive=archive,
        )
        base = (
            f"{thread.proposal.color.name.lower()}-{slugify(thread.proposal.title) or 'untitled'}"
        )
        plan = _Plan(thread, base, decisions, thread_manifest(thread, decisions, archive=archive))
        plan.manifest_bytes = dump_yaml(plan.manifest)
        plans.append(plan)
    return plans


def _index_entries(
    out: Path,
    plans: list[_Plan],
    existing: dict[str, tuple[str | None, dict | None]],
    result: ShrinkwrapResult,
) -> list[dict]:
    """Index entries of this run's threads and of earlier runs' threads still in ``out``, by
    title; a folder left behind by a thread whose title changed is removed."""
    planned = {p.dir_name for p in plans}
    ours = {p.thread.thread_id for p in plans}
    entries = [index_entry(p.dir_name, p.manifest) for p in plans]
    for name, (thread_id, manifest) in sorted(existing.items()):
        if name in planned:
            continue
        if thread_id in ours:
            replace_dir(out / name, None, out)
            result.removed.append(name)
        elif manifest is not None:
            entries.append(index_entry(name, manifest))
    entries.sort(key=lambda e: (str(e["title"]).casefold(), e["dir"]))
    return entries


def _thread_dirs(chain_dir: Path, out: Path) -> list[Path]:
    """The thread folders: every visible subfolder, or ``chain_dir`` itself when it is one thread
    (it has a ``yml/`` folder). The output folder is never taken for a thread."""
    if not chain_dir.is_dir():
        raise ChainError("chain folder not found", path=chain_dir)
    out_resolved = out.resolve()
    if (chain_dir / "yml").is_dir():
        dirs = [chain_dir]
    else:
        dirs = sorted(
            d
            for d in chain_dir.iterdir()
            if d.is_dir() and not d.name.startswith(".") and d.resolve() != out_resolved
        )
    if not dirs:
        raise ChainError(
            "no thread folders (expected one <thread-uuid>/ folder per thread)", path=chain_dir
        )
    for d in dirs:
        if out_resolved.is_relative_to(d.resolve()):
            raise ChainError(
                f"the output folder {out} lies inside the thread folder it would read", path=d
            )
    return dirs


def _existing_threads(
    out: Path, planned: dict[str, _Plan]
) -> dict[str, tuple[str | None, dict | None]]:
    """Folders already in ``out``: name -> (thread id, manifest). A folder whose manifest is byte
    for byte the planned one is recognised without parsing it; one without a readable manifest
    is foreign (thread id None) and is neither indexed nor touched."""
    found: dict[str, tuple[str | None, dict | None]] = {}
    if not out.is_dir():
        return found
    for d in sorted(out.iterdir()):
        if not d.is_dir() or d.name.startswith("."):
            continue
        try:
            raw = (d / MANIFEST).read_bytes()
        except OSError:
            found[d.name] = (None, None)
            continue
        plan = planned.get(d.name)
        if plan is not None and raw == plan.manifest_bytes:
            found[d.name] = (plan.thread.thread_id, plan.manifest)
            continue
        try:
            data = parse_yaml(raw, ChainError, path=d / MANIFEST)
        except ChainError:
            data = None
        ok = isinstance(data, dict) and isinstance(data.get("thread_id"), str)
        found[d.name] = (data["thread_id"], data) if ok else (None, None)
    return found


def _assign_names(plans: list[_Plan], existing: dict[str, tuple[str | None, dict | None]]) -> None:
    """``<color>-<slug>``, with the thread id's first block appended when two threads share it
    or the folder belongs to another thread (or is not ours). A thread keeps the folder it
    already has while its title stays, so names do not churn when other threads come and go."""

    def suffixed(p: _Plan) -> str:
        return f"{p.base_name}-{p.thread.thread_id.split('-')[0][:12]}"

    held = {tid: name for name, (tid, _) in existing.items() if tid}
    taken: set[str] = set()
    rest = []
    for p in plans:
        prev = held.get(p.thread.thread_id)
        if prev is not None:
            p.previous, p.previous_manifest = prev, existing[prev][1]
        if prev in (p.base_name, suffixed(p)):
            p.dir_name = prev
            taken.add(prev)
        else:
            rest.append(p)
    wanted: dict[str, int] = {}
    for p in rest:
        wanted[p.base_name] = wanted.get(p.base_name, 0) + 1
    for p in rest:
        name = p.base_name
        owner = existing.get(name, (p.thread.thread_id, None))[0]
        if wanted[name] > 1 or name in taken or owner != p.thread.thread_id:
            name = suffixed(p)
        p.dir_name = name
        taken.add(name)


def _materialize(plan: _Plan, out: Path) -> str:
    """Build the thread folder beside its destination, then rename it into place. Files the user
    added to the thread's folder (anything the previous manifest did not list) are carried over,
    and a hand-edited ``manifest.yml`` keeps its comments (round-trip update of its values)."""
    final = out / plan.dir_name
    files = plan.files()
    if final.exists() and not final.is_dir():
        raise ChainError("exists and is not a folder", path=final)
    prev = out / plan.previous if plan.previous else None
    prev = prev if prev is not None and prev.is_dir() and not prev.is_symlink() else None
    foreign = foreign_files(prev, plan.previous_manifest) if prev is not None else {}
    clash = sorted(set(foreign) & set(files))
    if clash:
        raise ChainError(
            f"holds files added by hand where shrinkwrap writes its own: {', '.join(clash)}; "
            "move them and run again",
            path=prev,
        )
    manifest = merged_manifest(
        prev / MANIFEST if prev is not None else None, plan.manifest, plan.manifest_bytes
    )
    if prev == final and same_content(final, files, manifest, foreign, MANIFEST):
        return "unchanged"
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{plan.dir_name[:40]}-", dir=out))
    try:
        made: set[Path] = set()
        for rel, src in sorted([*files.items(), *foreign.items()]):
            dst = tmp / rel
            if dst.parent not in made:
                dst.parent.mkdir(parents=True, exist_ok=True)
                made.add(dst.parent)
            shutil.copyfile(src, dst)
        (tmp / MANIFEST).write_bytes(manifest)
        os.chmod(
            tmp, 0o777 & ~current_umask()
        )  # mkdtemp makes 0700; give the folder normal permissions
        existed = final.is_dir()
        replace_dir(final, tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return "updated" if existed else "written"
