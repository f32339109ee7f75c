"""Regenerating a phase's review.yml: fresh candidates merged with the human's verdicts.

A regeneration keeps every candidate the human touched (status not pending, a label or notes
set, or a ``#`` comment inside it) at its position, with its files; only untouched pending
candidates are replaced by the new best ones (see ``chromatic.produce.review``). Every file it
removes is named by the review and checked inside the phase folder first.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from chromatic.errors import ReviewError
from chromatic.fileio import write_bytes_atomic, write_text_atomic
from chromatic.paths import within
from chromatic.produce.review import (
    GROUP_KEY,
    HEADER,
    Candidate,
    Review,
    ReviewFile,
    candidate_path,
    has_comment,
    load_review,
    remember_written,
)
from chromatic.yamlio import dump_yaml

# --- regeneration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FreshCandidate:
    """A newly generated candidate before it has an id. ``midi``: its file's bytes, or the
    function that renders them (called when the file is wanted: ``data``; the compose search
    renders only the candidates of the branch it writes). ``attachments`` maps a details key to
    a (file-name suffix, bytes) pair written beside the MIDI (e.g. the scratch beat). ``song``:
    the ``music.song.Song`` that ``midi`` encodes, or the function that makes it (None where the
    bytes are all there is): a compose branch reads an approved loop from it, not from bytes."""

    scores: dict
    details: dict
    midi: bytes | Callable[[], bytes]
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    song: object = None

    def data(self) -> bytes:
        return self.midi() if callable(self.midi) else self.midi


@dataclass(frozen=True)
class MergeResult:
    path: Path
    kept: tuple[str, ...]
    replaced: tuple[str, ...]
    added: tuple[str, ...]
    duplicates: int

    def summary(self) -> str:
        parts = [f"{len(self.added)} new candidate(s)"]
        if self.kept:
            parts.append(f"kept {len(self.kept)} reviewed ({', '.join(self.kept)})")
        if self.replaced:
            parts.append(f"replaced {len(self.replaced)} pending")
        if self.duplicates:
            parts.append(f"skipped {self.duplicates} identical to a kept one")
        return "; ".join(parts)


@dataclass(frozen=True)
class Group:
    """The fresh candidates of one group: a section of a per-section phase (``name`` matches
    ``details[GROUP_KEY]``), or the whole phase (``name`` None). Ids are ``{prefix}_{n}``."""

    name: str | None
    prefix: str
    fresh: Iterable[FreshCandidate]
    top: int


def regenerate(
    phase_dir: str | os.PathLike,
    *,
    facts: dict,
    fresh: Iterable[FreshCandidate],
    prefix: str,
    top: int,
) -> MergeResult:
    """Write ``fresh`` (best first) into ``phase_dir`` as candidates + review.yml, merging with
    an existing review.yml. ``fresh`` is consumed lazily, only as far as needed, so a phase can
    render candidates on demand. The caller holds the folder lock."""
    return regenerate_groups(
        phase_dir, facts=facts, groups=[Group(None, prefix, fresh, top)], digits=3
    )


def regenerate_groups(
    phase_dir: str | os.PathLike,
    *,
    facts: dict,
    groups: list[Group],
    digits: int = 3,
) -> MergeResult:
    """``regenerate`` per group: each group keeps its reviewed candidates and fills up to its own
    ``top`` with fresh ones; ranks are computed within each group. Untouched candidates of a group
    that is no longer generated (a section no longer approved) are dropped; touched ones stay.
    With several groups the list is ordered by group (in the order given), so a section's
    candidates sit together; within a group, kept candidates keep their relative order."""
    phase_dir = Path(phase_dir)
    path = within(phase_dir, "review.yml")  # checked before anything is written
    within(phase_dir, "candidates")
    old = load_review(path, check_files=False) if path.exists() else None
    merged = merge_groups(
        path, old, facts=facts, groups=groups, digits=digits, is_file=Path.is_file, read=_read
    )
    for rel, data in merged.files():
        write_bytes_atomic(within(phase_dir, *rel.split("/")), data)
    text = dump_yaml(merged.doc)
    write_text_atomic(path, text)
    remember_written(text, merged.doc)
    new_ids = set(merged.result.added)
    for cid in merged.result.replaced:
        if cid not in new_ids:
            for p in merged.doomed[cid]:
                p.unlink(missing_ok=True)
    return merged.result


@dataclass
class Merged:
    """What a regeneration decided, before anything is written: the review document, the new
    candidates (id, fresh) in writing order, the files each replaced candidate owns, and the
    result. ``regenerate_groups`` writes it into the phase folder; the compose search holds it
    in memory (``compose.branch``) and writes the kept branch's once."""

    doc: CommentedMap
    written: list[tuple[str, FreshCandidate]]
    doomed: dict[str, list[Path]]
    result: MergeResult
    model: ReviewFile  # ``doc`` validated

    def files(self) -> Iterator[tuple[str, bytes]]:
        """(path relative to the phase folder, bytes) of every new file, in writing order."""
        for rel, data in self.lazy_files():
            yield rel, data() if callable(data) else data

    def lazy_files(self) -> Iterator[tuple[str, bytes | Callable[[], bytes]]]:
        """``files`` with each candidate's MIDI as the function that renders it."""
        for cid, f in self.written:
            yield f"candidates/{cid}.mid", f.data if callable(f.midi) else f.midi
            for suffix, data in f.attachments.values():
                yield f"candidates/{cid}{suffix}.mid", data


def _read(path: Path) -> bytes:
    return path.read_bytes()


def merge_groups(
    path: Path,
    old: Review | None,
    *,
    facts: dict,
    groups: list[Group],
    digits: int,
    is_file: Callable[[Path], bool],
    read: Callable[[Path], bytes],
) -> Merged:
    """The merge of ``regenerate_groups`` for the review at ``path`` (``old``: its loaded
    document, or None): ``is_file`` and ``read`` see the phase folder's files."""
    phase_dir = path.parent
    doc = old.doc if old else _new_doc()
    _sync(doc, facts)

    single = len(groups) == 1 and groups[0].name is None
    old_maps: list[CommentedMap] = list(doc.get("candidates") or []) if old else []
    old_models = old.model.candidates if old else []
    keep = [c.touched or has_comment(m) for c, m in zip(old_models, old_maps, strict=True)]
    doomed = {
        c.id: _own_files(path, i, c)
        for i, (c, k) in enumerate(zip(old_models, keep, strict=True))
        if not k
    }
    for i, (c, k) in enumerate(zip(old_models, keep, strict=True)):
        if k and not is_file(phase_dir / c.midi_file):  # a pending one's file may be gone
            raise ReviewError(
                f"file not found: {c.midi_file} (a reviewed candidate is kept with its file)",
                path=path,
                field=f"candidates[{i}].midi_file",
            )

    def group_of(c: Candidate) -> str | None:
        return None if single else c.details.get(GROUP_KEY)

    def digest(p: Path) -> str:
        return hashlib.sha256(read(p)).hexdigest() if is_file(p) else ""

    kept_ids = {c.id for c, k in zip(old_models, keep, strict=True) if k}
    taken = set(kept_ids)
    queues: dict[str | None, list[CommentedMap]] = {}
    written: list[tuple[str, FreshCandidate]] = []
    duplicates = 0
    for g in groups:
        kept_here = [
            c for c, k in zip(old_models, keep, strict=True) if k and group_of(c) == g.name
        ]
        kept_digests = {digest(phase_dir / c.midi_file) for c in kept_here}
        pool: list[FreshCandidate] = []
        wanted = max(g.top - len(kept_here), 0)
        for f in g.fresh if wanted else ():  # rendered on demand: none drawn past the last
            if kept_digests and hashlib.sha256(f.data()).hexdigest() in kept_digests:
                duplicates += 1
            else:
                pool.append(f)
                if len(pool) >= wanted:
                    break
        ids = _new_ids(g.prefix, len(pool), taken, digits)
        taken.update(ids)
        queues[g.name] = [_candidate_map(cid, f) for cid, f in zip(ids, pool, strict=True)]
        written.extend(zip(ids, pool, strict=True))

    seq = CommentedSeq()
    for c, m, k in zip(old_models, old_maps, keep, strict=True):
        if k:
            seq.append(m)
        elif queues.get(group_of(c)):
            seq.append(queues[group_of(c)].pop(0))
    for g in groups:
        seq.extend(queues[g.name])
    if not single:
        order_of = {g.name: i for i, g in enumerate(groups)}
        items = sorted(seq, key=lambda m: order_of.get(_group(m), len(groups)))
        seq = CommentedSeq(items)
    by_group: dict[str | None, list[int]] = {}
    for i, m in enumerate(seq):
        by_group.setdefault(None if single else _group(m), []).append(i)
    for members in by_group.values():
        order = sorted(members, key=lambda i: -float(seq[i]["scores"]["composite"]))
        for rank, i in enumerate(order, start=1):
            seq[i]["rank"] = rank
    doc["candidates"] = seq

    try:  # never write a file that would not load back
        model = ReviewFile.model_validate(doc)
    except ValidationError as e:  # pragma: no cover - a bug in the phase, not in the user's file
        raise ReviewError(
            f"generated review does not validate: {e.errors()[0]['msg']}", path=path
        ) from None
    replaced = [c for c, k in zip(old_models, keep, strict=True) if not k]
    result = MergeResult(
        path,
        tuple(sorted(kept_ids)),
        tuple(c.id for c in replaced),
        tuple(cid for cid, _ in written),
        duplicates,
    )
    return Merged(doc, written, doomed, result, model)


def _group(m: Mapping) -> object:
    details = m.get("details")
    return details.get(GROUP_KEY) if isinstance(details, Mapping) else None


def _new_doc() -> CommentedMap:
    doc = CommentedMap()
    doc.yaml_set_start_comment(HEADER)
    return doc


def _sync(target: CommentedMap, new: Mapping) -> None:
    """Set machine-owned values in place, so comments attached to their keys survive."""
    for k, v in new.items():
        if isinstance(v, Mapping) and isinstance(target.get(k), Mapping):
            _sync(target[k], v)
            for extra in [x for x in target[k] if x not in v]:
                del target[k][extra]
        elif k not in target or target[k] != v:
            target[k] = v


def _candidate_map(cid: str, f: FreshCandidate) -> CommentedMap:
    details = dict(f.details)
    for key, (suffix, _) in f.attachments.items():
        details[key] = f"candidates/{cid}{suffix}.mid"
    return CommentedMap(
        id=cid,
        rank=0,
        status="pending",
        label=None,
        notes=None,
        midi_file=f"candidates/{cid}.mid",
        scores=f.scores,
        details=details,
    )


def _new_ids(prefix: str, count: int, taken: set[str], digits: int = 3) -> list[str]:
    ids, n = [], 0
    while len(ids) < count:
        n += 1
        cid = f"{prefix}_{n:0{digits}d}"
        if cid not in taken:
            ids.append(cid)
    return ids


def _own_files(path: Path, index: int, cand: Candidate) -> list[Path]:
    """A candidate's MIDI and its attachments (the ``candidates/<id>_*.mid`` files its details
    name), each checked inside ``candidates/`` before anything is written: a hand-edited name
    that leads elsewhere is a ReviewError, never a deleted file. Named, not globbed:
    ``drum_verse_01_*`` would also match section verse_01's."""
    own = f"candidates/{cand.id}_"
    files = [candidate_path(path, index, f"candidates/{cand.id}.mid", "id")]
    for key, v in cand.details.items():
        if isinstance(v, str) and v.startswith(own) and v.endswith(".mid"):
            target = candidate_path(path, index, v, f"details.{key}")
            if target.parent != (path.parent / "candidates").resolve():
                raise ReviewError(
                    f"expected a file in candidates/, got {v!r}",
                    path=path,
                    field=f"candidates[{index}].details.{key}",
                )
            files.append(target)
    return files
