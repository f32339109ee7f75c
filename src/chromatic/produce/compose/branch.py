"""A branch of the compose search as a value: the song so far, held in memory.

``HeldSong`` is a ``produce.sofar.SongSoFar`` (what a phase reads and writes) for a branch: the
production folder at the same root (so the proposal, the plan, the singers, the style and the
reference are the folder's own), plus what the branch decided, per phase: the review document
the phase's run produced with its candidates' bytes (``regenerate.Merged``) and Songs, the
approval (candidate id -> section), the approved loops' bytes and the approved loops as a phase
reads them (``loops.delivered_loop`` of the chosen candidates' Songs). A phase reads the song so
far through the folder's methods (``approved_loops``, ``loop_song``, ``approved_details``,
``review``, ``review_facts``, ``file_bytes``) and writes its review through ``write_review``:
on disk for ``produce <phase>``, here into the branch's ``outbox``. Approving is building the
child's value (``approve``); nothing is written until ``write_song`` puts the kept branch into
the folder, with the bytes ``produce <phase>`` and ``approve`` + ``promote`` would have left.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from chromatic.errors import ReviewError
from chromatic.fileio import write_bytes_atomic, write_text_atomic
from chromatic.produce.folder import ProductionFolder, approved_by_label
from chromatic.produce.planfile import PLAN_FILE
from chromatic.produce.regenerate import Merged, merge_groups
from chromatic.produce.review import (
    ReviewFile,
    approve,
    remember_approval,
    remember_written,
    review_from_text,
)
from chromatic.proposals.reader import Proposal
from chromatic.yamlio import as_read, dump_yaml, parse_yaml


class Files(MutableMapping):
    """Path -> bytes, where a value may still be the function that makes the bytes (a
    candidate's render, an approved loop's finishing pass): called once, when first read, so a
    branch the search does not write encodes only what a later phase reads."""

    def __init__(self, items: Mapping | None = None):
        self._raw: dict = dict(items._raw if isinstance(items, Files) else items or {})

    def __getitem__(self, key: str) -> bytes:
        value = self._raw[key]
        if callable(value):
            value = self._raw[key] = value()
        return value

    def __setitem__(self, key: str, value) -> None:
        self._raw[key] = value

    def __delitem__(self, key: str) -> None:
        del self._raw[key]

    def __iter__(self):
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def discard(self, key: str) -> None:
        """Drop ``key`` if held, without making its bytes (``pop`` would read them first)."""
        self._raw.pop(key, None)


@dataclass(frozen=True)
class HeldPhase:
    """One phase of a branch: its review as the run produced it, its files (path relative to
    the phase folder -> bytes, made when read), and once approved the labels and the approved
    loops. The review's text and what a reader reads of it are made when asked for."""

    path: Path  # where its review.yml goes
    merged: Merged
    files: Files
    label_of: Mapping[str, str] = field(default_factory=dict)  # candidate id -> section
    approved: Files = field(default_factory=Files)  # section -> approved loop
    made: dict = field(default_factory=dict)  # the review's text, plain and model, once made
    songs: Mapping = field(default_factory=dict)  # candidate file -> its Song (or its maker)
    read: Files = field(default_factory=Files)  # section -> the approved loop as a phase reads it

    def text(self) -> str:
        if "text" not in self.made:
            self.made["text"] = dump_yaml(self.merged.doc)
        return self.made["text"]

    def _pending(self) -> tuple[dict, ReviewFile]:
        """What the fast reader reads of the review as the run wrote it (every candidate
        pending), and its model: made once, shared by every approval of this run."""
        if "plain" not in self.made:
            plain = as_read(self.merged.doc)
            if plain is None:  # ``yamlemit`` declines it (the chords' numeric keys)
                plain = parse_yaml(self.text().encode("utf-8"), ReviewError, path=self.path)
            # the document is this run's own (``merge_groups`` validated it; its ids and files
            # are made here): the schema alone, without the hand-edit checks of ``read_review``
            self.made["plain"] = plain
            self.made["model"] = ReviewFile.model_validate(plain)
        return self.made["plain"], self.made["model"]

    @cached_property
    def plain(self) -> dict:
        """What the fast reader reads of the review (approval applied)."""
        plain, label_of = self._pending()[0], self.label_of
        if not label_of:
            return plain
        cands = [
            {**c, "status": "approved", "label": label_of[c["id"]]} if c["id"] in label_of else c
            for c in plain["candidates"]
        ]
        return {**plain, "candidates": cands}

    @cached_property
    def model(self) -> ReviewFile:
        """``plain`` as ``review.read_review`` gives it."""
        model, label_of = self._pending()[1], self.label_of
        if not label_of:
            return model
        update = {"status": "approved"}
        cands = [
            c.model_copy(update={**update, "label": label_of[c.id]}) if c.id in label_of else c
            for c in model.candidates
        ]
        return model.model_copy(update={"candidates": cands})


@dataclass(frozen=True, eq=False)  # a branch is itself: compared and hashed as its folder
class HeldSong(ProductionFolder):
    """The folder at ``root`` with the phases of one branch held in memory (see the module
    docstring). ``outbox`` receives the review of the phase now running (``trial``)."""

    held: Mapping[str, HeldPhase] = field(default_factory=dict)
    outbox: dict[str, HeldPhase] = field(default_factory=dict)
    known: dict = field(default_factory=dict)  # shared by a search: the proposal, read once

    def trial(self) -> HeldSong:
        """This branch, ready to run one more phase (an empty outbox)."""
        return HeldSong(self.root, self.held, {}, self.known)

    def proposal(self) -> Proposal:
        if "proposal" not in self.known:
            self.known["proposal"] = super().proposal()
        return self.known["proposal"]

    def chords_song(self, read):
        """The part phases' song, read once per approved chord set (the held chords phase: every
        branch that shares it, every phase) while no plan orders the sections."""
        h = self.held.get("chords")
        if h is None or "chords" in self.outbox or self.path(PLAN_FILE).exists():
            return read()
        songs = self.known.setdefault("songs", {})
        got = songs.get(id(h))
        if got is None or got[0] is not h:  # the phase kept beside it: its id stays its own
            got = songs[id(h)] = (h, read())
        return got[1]

    def _phase(self, phase: str) -> HeldPhase | None:
        return self.outbox.get(phase) or self.held.get(phase)

    def _find(self, path: Path) -> bytes | None:
        for phase, h in (*self.held.items(), *self.outbox.items()):
            base = self.phase_dir(phase)
            if path.parent == base / "approved" and path.suffix == ".mid":
                if path.stem in h.approved:
                    return h.approved[path.stem]
            elif path.is_relative_to(base):
                data = h.files.get(path.relative_to(base).as_posix())
                if data is not None:
                    return data
        return None

    # --- the folder's reading and writing methods, answered from memory -----------------------

    def approved_loops(self, phase: str) -> dict[str, Path]:
        h = self._phase(phase)
        if h is None:
            return super().approved_loops(phase)
        d = self.approved_dir(phase)
        return {label: d / f"{label}.mid" for label in sorted(h.approved, key=lambda x: x + ".mid")}

    def loop_song(self, path: Path):
        """An approved loop as ``read_loop`` reads its file, made from the candidate's Song
        (``loops.delivered_loop``: nothing encoded or parsed) where the branch holds it."""
        for phase, h in (*self.held.items(), *self.outbox.items()):
            held = path.stem in h.read and path.suffix == ".mid"
            if held and path.parent == self.approved_dir(phase):
                return h.read[path.stem]
        return super().loop_song(path)

    def midi(self, path: Path) -> Path | bytes:
        data = self._find(path)
        return path if data is None else data

    def file_bytes(self, path: Path) -> bytes | None:
        data = self._find(path)
        return super().file_bytes(path) if data is None else data

    def review(self, phase: str):
        h = self._phase(phase)
        return super().review(phase) if h is None else h.model

    def approved_details(self, phase: str) -> dict[str, dict]:
        """From the run's merged review document (validated once by ``merge_groups``) and the
        approval: no review.yml text made or parsed back."""
        h = self._phase(phase)
        if h is None:
            return super().approved_details(phase)
        label_of = h.label_of
        return approved_by_label(
            ("approved", label_of[c.id], c.details)
            if c.id in label_of
            else (c.status, c.label, c.details)
            for c in h.merged.model.candidates
        )

    def review_facts(self, phase: str) -> dict:
        h = self._phase(phase)
        return super().review_facts(phase) if h is None else dict(h.plain)

    def write_review(self, phase: str, *, facts: dict, groups: list, digits: int = 3):
        self.check_phase_tree(phase)
        path = self.review_path(phase)
        before = self._phase(phase)
        old, files, songs = None, Files(), {}
        if before is not None:  # a second write in one run (given chords after generated ones)
            old, files = review_from_text(path, before.text()), Files(before.files)
            songs = dict(before.songs)
        merged = merge_groups(
            path,
            old,
            facts=facts,
            groups=groups,
            digits=digits,
            is_file=lambda p: self._in(files, phase, p) is not None,
            read=lambda p: self._in(files, phase, p) or b"",
        )
        added = set(merged.result.added)
        for cid in merged.result.replaced:
            if cid not in added:
                for p in merged.doomed[cid]:
                    rel = p.relative_to(self.phase_dir(phase).resolve()).as_posix()
                    files.discard(rel)
                    songs.pop(rel, None)
        for rel, data in merged.lazy_files():
            files[rel] = data
        for cid, f in merged.written:
            if f.song is not None:
                songs[f"candidates/{cid}.mid"] = f.song
        self.outbox[phase] = HeldPhase(path, merged, files, songs=songs)
        return merged.result

    def _in(self, files: Mapping[str, bytes], phase: str, path: Path) -> bytes | None:
        base = self.phase_dir(phase)
        return files.get(path.relative_to(base).as_posix()) if path.is_relative_to(base) else None

    def write_into(self, root: Path) -> None:
        write_song(ProductionFolder(root), {**self.held, **self.outbox})

    # --- the search's operations ----------------------------------------------------------------

    def approve(
        self, phase: str, label_of: Mapping[str, str], loops: Mapping, read: Mapping | None = None
    ):
        """The child branch: ``phase``'s review (this trial's) with exactly ``label_of``
        approved (id -> section) and ``loops`` as its approved loops (section -> bytes, or the
        function that makes them); ``read``: the loops as a phase reads them (section -> Song,
        or its maker), where the candidates' Songs are held."""
        h = self.outbox[phase]
        done = HeldPhase(
            h.path, h.merged, h.files, dict(label_of), Files(loops), h.made, h.songs, Files(read)
        )
        return HeldSong(self.root, {**self.held, phase: done}, {}, self.known)


#: A label the YAML writer leaves unquoted (a form label that is not a YAML 1.1 / 1.2 keyword).
_PLAIN_LABEL = re.compile(r"[a-z][a-z0-9_]*")
_KEYWORDS = frozenset({"null", "true", "false", "yes", "no", "on", "off", "y", "n"})


def approved_text(text: str, label_of: dict[str, str]) -> str | None:
    """``review.approve``'s result for a review.yml that the phase has just written (every
    candidate pending, no label, no hand edit), by editing the two lines of each approved
    candidate instead of a YAML round trip (the round trip is most of a phase's time in a
    compose search; the test suite checks both give the same bytes). None when the text is not
    such a file, or a label would need quoting: then ``review.approve`` is used."""
    if re.search(r"^    status: (?!pending$)", text, flags=re.M) or re.search(
        r"^    label: (?!null$)", text, flags=re.M
    ):
        return None
    for cid, label in label_of.items():
        if not _PLAIN_LABEL.fullmatch(label) or label in _KEYWORDS:
            return None
        block = re.compile(
            rf"^(  - id: {re.escape(cid)}\n    rank: \d+\n)    status: pending\n    label: null\n",
            flags=re.M,
        )
        text, count = block.subn(rf"\g<1>    status: approved\n    label: {label}\n", text)
        if count != 1:
            return None
    return text


def write_song(folder: ProductionFolder, held: Mapping[str, HeldPhase]) -> None:
    """Write each held phase into ``folder`` as ``produce <phase>`` would have, then its
    approval as ``review.approve`` and ``promote`` would have (the same bytes)."""
    for phase, h in held.items():
        folder.ensure_phase(phase)
        phase_dir = folder.phase_dir(phase)
        for rel, data in h.files.items():
            write_bytes_atomic(folder.path(phase, *rel.split("/")), data)
        path = folder.review_path(phase)
        text = h.text()
        write_text_atomic(path, text)
        remember_written(text, h.merged.doc)
        if not h.label_of:
            continue
        approved = approved_text(text, h.label_of)
        if approved is None:
            approve(path, h.label_of)
        else:
            write_text_atomic(path, approved)
            remember_approval(text, approved, h.label_of)
        for section, data in h.approved.items():
            write_bytes_atomic(phase_dir / "approved" / f"{section}.mid", data)
