"""The production folder of one song: the normalized proposal and one folder per phase.

::

    <slug-of-title>/
      proposal.yml                 the normalized Proposal (what every phase reads)
      .chromatic.lock              taken by every step that writes (promote, regenerate)
      chords/candidates/*.mid      generated candidates (and their scratch beats)
      chords/approved/<label>.mid  promoted by ``chromatic promote``
      chords/review.yml            ranked candidates; the human's labels and statuses
      drums/ bass/ melody/ harmony/ the same shape; candidates per section (drum_verse_01.mid)
      lyrics/approved/<label>.txt  optional sung text per section, one line per sung line
      singers.yml                  optional singers added to / overriding the built-in registry

Everything that reads the folder goes through ``ProductionFolder`` so paths are spelled once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from chromatic.errors import ProduceError
from chromatic.paths import contained, slugify, within
from chromatic.proposals.reader import Proposal, load_proposal
from chromatic.proposals.threads import read_any_proposal

T = TypeVar("T")

PHASES: tuple[str, ...] = ("chords", "drums", "bass", "melody", "harmony")
LOCK_TIMEOUT_S = 120.0
PROPOSAL_FILE = "proposal.yml"
LOCK_FILE = ".chromatic.lock"
REVIEW_FILE = "review.yml"
SINGERS_FILE = "singers.yml"


@dataclass(frozen=True)
class ProductionFolder:
    root: Path

    def path(self, *parts: str) -> Path:
        """``root / parts``, checked now by ``paths.within``: no symbolic link below the
        root, no ``..``. Every path of the folder is built here, at the moment of use."""
        return within(self.root, *parts)

    @property
    def proposal_path(self) -> Path:
        return self.path(PROPOSAL_FILE)

    @property
    def lock_path(self) -> Path:
        return self.path(LOCK_FILE)

    def phase_dir(self, phase: str) -> Path:
        return self.path(check_phase(phase))

    def candidates_dir(self, phase: str) -> Path:
        return self.path(check_phase(phase), "candidates")

    def approved_dir(self, phase: str) -> Path:
        return self.path(check_phase(phase), "approved")

    def review_path(self, phase: str) -> Path:
        return self.path(check_phase(phase), REVIEW_FILE)

    def check_phase_tree(self, phase: str) -> None:
        """Refuse now, before anything is written, a phase whose folders or files are links."""
        self.candidates_dir(phase)
        self.approved_dir(phase)
        self.review_path(phase)

    @property
    def lyrics_dir(self) -> Path:
        """Approved lyrics, ``<label>.txt`` per section (written by hand or by a lyrics step)."""
        return self.path("lyrics", "approved")

    @property
    def singers_path(self) -> Path:
        return self.path(SINGERS_FILE)

    def proposal(self) -> Proposal:
        return load_proposal(self.proposal_path)

    @contextmanager
    def locked(self, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
        """Hold the folder's lock: two writers (promote, regenerate, compose) never interleave.
        Re-entrant in one thread (one lock object per folder), so ``compose`` can hold it for
        the whole run while the steps it calls take it again; another process waits
        ``timeout`` seconds, then gets a one-line ProduceError."""
        from filelock import FileLock, Timeout

        lock = FileLock(os.path.abspath(self.lock_path), is_singleton=True)
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise ProduceError(
                f"folder is busy: another chromatic step holds {LOCK_FILE} (waited {timeout:g} s)",
                path=self.root,
            ) from None
        try:
            yield
        finally:
            lock.release()

    def ensure_phase(self, phase: str) -> None:
        self.check_phase_tree(phase)
        self.candidates_dir(phase).mkdir(parents=True, exist_ok=True)
        self.approved_dir(phase).mkdir(parents=True, exist_ok=True)

    # --- the song so far, as a phase reads it, and the phase's review as it writes it ----------
    # (``produce.sofar.SongSoFar``: ``produce.compose.branch.HeldSong`` answers the same from memory)

    def approved_loops(self, phase: str) -> dict[str, Path]:
        """``approved/<label>.mid`` of ``phase`` by label."""
        d = self.approved_dir(phase)
        return {p.stem: p for p in sorted(d.glob("*.mid"))} if d.is_dir() else {}

    def loop_song(self, path: Path):
        """The loop file at ``path`` (an approved loop) as a phase reads it (``loops.read_loop``,
        a ``music.song.Song``): parsed from the file here, once per call."""
        from chromatic.produce.loops import read_loop

        return read_loop(self.midi(path), name=str(path))

    def midi(self, path: Path) -> Path | bytes:
        """What ``music.midi.load_score`` reads for one of this folder's MIDI files."""
        return path

    def file_bytes(self, path: Path) -> bytes | None:
        """The bytes of a file of this folder, or None when there is none."""
        return path.read_bytes() if path.is_file() else None

    def review(self, phase: str):
        """``phase``'s review.yml read (``review.read_review``), or None when there is none."""
        from chromatic.produce.review import read_review

        path = self.review_path(phase)
        return read_review(path) if path.is_file() else None

    def approved_details(self, phase: str) -> dict[str, dict]:
        """The details of each approved candidate of ``phase`` by its normalized label (its
        ``label``, else its section: what ``promote`` names ``approved/<label>.mid``), read
        with ``review.read_review`` (nothing is written back); empty without a review."""
        review = self.review(phase)
        if review is None:
            return {}
        return approved_by_label((c.status, c.label, c.details) for c in review.candidates)

    def review_facts(self, phase: str) -> dict:
        """``phase``'s review.yml as a plain mapping (empty when there is none)."""
        from chromatic.yamlio import load_plain

        path = self.review_path(phase)
        return load_plain(path) if path.is_file() else {}

    def chords_song(self, read: Callable[[], T]) -> T:
        """The song the part phases build on (``sections.load_song``: the approved chords read
        musically), made by ``read``: read from the files every time here."""
        return read()

    def write_review(self, phase: str, *, facts: dict, groups: list, digits: int = 3):
        """Merge fresh candidates into ``phase``'s review.yml (``regenerate.regenerate_groups``)
        under the folder's lock; the ``MergeResult``."""
        from chromatic.produce.regenerate import regenerate_groups

        with self.locked():
            self.ensure_phase(phase)
            return regenerate_groups(
                self.phase_dir(phase), facts=facts, groups=groups, digits=digits
            )

    def write_into(self, root: Path) -> None:
        """Write what this folder holds only in memory into a copy at ``root`` (nothing here:
        everything is on disk)."""


def approved_by_label(candidates) -> dict[str, dict]:
    """{normalized label: details} of the approved ones of (status, label, details) triples;
    a candidate without a label goes by its section."""
    out = {}
    for status, label, details in candidates:
        label = label or details.get("section")
        if status == "approved" and isinstance(label, str) and label:
            out[normalize_label(label)] = details
    return out


def normalize_label(label: str) -> str:
    """Lower-case; spaces and dashes -> '_'; other characters dropped ("Verse A-2" -> "verse_a_2"):
    the name of ``approved/<label>.mid``."""
    text = re.sub(r"[\s\-]+", "_", label.strip().lower())
    text = re.sub(r"[^a-z0-9_]", "", text)
    return re.sub(r"_+", "_", text).strip("_")


def check_phase(phase: str) -> str:
    if phase not in PHASES:
        raise ProduceError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)}")
    return phase


def open_folder(path: str | os.PathLike) -> ProductionFolder:
    """A production folder made by ``init_production``, or a ProduceError saying what is missing."""
    folder = ProductionFolder(Path(path))
    if not folder.root.is_dir():
        raise ProduceError("production folder not found", path=folder.root)
    if not folder.proposal_path.is_file():
        raise ProduceError(
            f"not a production folder: {PROPOSAL_FILE} missing (run 'chromatic produce init' first)",
            path=folder.root,
        )
    return folder


def init_production(
    source: str | os.PathLike, out: str | os.PathLike, *, force: bool = False
) -> tuple[ProductionFolder, bool]:
    """Create ``out/<slug of title>/`` with ``proposal.yml`` and every phase's folders.

    Returns the folder and whether ``proposal.yml`` was (re)written. Initialising again from the
    same proposal changes nothing; from a different one it is refused unless ``force``, because
    reviewed candidates belong to the proposal they were generated for.
    """
    from chromatic.yamlio import dump_yaml, load_plain

    proposal = read_any_proposal(Path(source).resolve())  # provenance that survives a cd
    slug = slugify(proposal.title)
    contained(out, slug, path=source, field="title", what="folder name")  # a usable name inside out
    folder = ProductionFolder(Path(out) / slug)
    text = dump_yaml({"schema_version": 1, **proposal.to_dict()})
    written = True
    if folder.proposal_path.is_file():
        if folder.proposal_path.read_text(encoding="utf-8") == text:
            written = False
        elif not force:
            old = load_plain(folder.proposal_path)
            raise ProduceError(
                f"already holds a different proposal ({old.get('source')}); use --force to replace it",
                path=folder.root,
            )
    folder.root.mkdir(parents=True, exist_ok=True)
    for phase in PHASES:
        folder.ensure_phase(phase)
    if written:
        from chromatic.fileio import write_text_atomic

        write_text_atomic(folder.proposal_path, text)
    return folder, written
