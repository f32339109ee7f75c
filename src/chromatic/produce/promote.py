"""Promotion: approved candidates of a phase -> ``<phase>/approved/<label>.mid``.

All-or-nothing. Everything is checked before anything is written (each approved candidate has a
label, labels are unique once normalized, each MIDI parses); the renamed copies are built in a
temporary folder inside the phase folder and only then moved into ``approved/``. The folder lock
serializes concurrent runs, so two ``promote`` processes cannot interleave their moves.

In the per-section phases (drums, bass, melody) a candidate's label defaults to its section
(``details.section``): approving ``drum_verse_02`` promotes it to ``drums/approved/verse.mid``,
which is where the later phases look for the verse's part. Two approved candidates of one
section are two candidates with the same label: an error, and nothing is written.

An approved loop is ready for a DAW (``approved_loop``, ``music.daw``): its track is named by
instrument ("Electric Bass (finger)", "Drums"), not by section (the file name says that), on the
phase's channel, exactly the section's bars long, and a chord loop names its chords as text
events at each change. A candidate written before these rules is brought up to them here.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chromatic.errors import ChromaticError, ProduceError, ReviewError
from chromatic.fileio import read_regular, write_bytes_atomic, write_text_atomic
from chromatic.music import daw
from chromatic.music.midi import load_score
from chromatic.paths import MAX_NAME_BYTES, within
from chromatic.produce.folder import check_phase, normalize_label, open_folder
from chromatic.produce.review import GROUP_KEY, candidate_path, load_review


@dataclass(frozen=True)
class Promoted:
    id: str
    label: str
    path: Path


@dataclass(frozen=True)
class PromoteResult:
    phase: str
    promoted: tuple[Promoted, ...]
    removed: tuple[str, ...]


def promote(folder_path: str | os.PathLike, phase: str, *, clean: bool = False) -> PromoteResult:
    """Copy every approved candidate of ``phase`` to ``approved/<label>.mid``, DAW-ready
    (``approved_loop``). ``clean`` first removes the loops promote wrote before (recorded in
    ``<phase>/.promoted``, or named by a label or section of the review), in the same step;
    any other file in ``approved/`` is kept. Every path is checked (``paths.within``) before
    the first write: a linked phase or ``approved/`` folder is refused and nothing is written."""
    folder = open_folder(folder_path)
    check_phase(phase)
    review_path = folder.review_path(phase)
    if not review_path.exists():  # a folder in its place is load_review's one-line error
        raise ProduceError(
            f"no review.yml for phase {phase!r} (generate candidates first)", path=review_path
        )
    with folder.locked():
        review = load_review(review_path)
        chosen = _approved(review)
        approved_dir = folder.approved_dir(phase)  # checked now: a linked approved/ is refused
        targets = [folder.path(phase, "approved", f"{label}.mid") for _, label, _, _ in chosen]
        record = folder.path(phase, RECORD_FILE)
        doomed = _ours(approved_dir, record, review) if clean else []
        approved_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".promote-", dir=folder.phase_dir(phase)))
        try:
            for _id, label, midi_file, details in chosen:
                write_bytes_atomic(
                    staging / f"{label}.mid", approved_loop(midi_file, phase, details)
                )
            removed = []
            for p in doomed:
                within(approved_dir, p.name).unlink(missing_ok=True)
                removed.append(p.name)
            promoted = []
            for (cand_id, label, _, _), target in zip(chosen, targets, strict=True):
                os.replace(staging / f"{label}.mid", within(approved_dir, target.name))
                promoted.append(Promoted(cand_id, label, target))
            kept = set() if clean else _recorded(record)
            names = sorted(kept | {t.name for t in targets})
            write_text_atomic(record, "".join(f"{n}\n" for n in names))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return PromoteResult(phase, tuple(promoted), tuple(removed))


#: ``<phase>/.promoted``: the names promote wrote into ``approved/``, one a line: ``--clean`` deletes these (and the
#: names the review's labels and sections give), never a file a human put there.
RECORD_FILE = ".promoted"


def _recorded(record: Path) -> set[str]:
    try:
        text = read_regular(record, 1 << 20).decode("utf-8", "replace")
    except (OSError, ChromaticError):
        return set()
    return {n for n in text.split() if n.endswith(".mid") and "/" not in n and n[:1] != "."}


def _ours(approved_dir: Path, record: Path, review) -> list[Path]:
    """The regular files of ``approved/`` that promote wrote (their names are recorded, or are
    a label or section of the review's candidates): what ``--clean`` removes. A link, a
    folder or any other file stays."""
    if not approved_dir.is_dir():
        return []
    names = _recorded(record)
    for c in review.model.candidates:
        for raw in (c.label, c.details.get(GROUP_KEY)):
            if isinstance(raw, str) and normalize_label(raw):
                names.add(f"{normalize_label(raw)}.mid")
    out = []
    for name in sorted(names):
        p = approved_dir / name
        try:
            if stat.S_ISREG(os.lstat(p).st_mode):
                out.append(p)
        except OSError:
            continue
    return out


def _loop_bars(details: dict) -> float | None:
    """The loop's length in bars as its phase recorded it (parts: ``bars``; chords: the
    harmonic rhythm), or None (then its notes, rounded up to whole bars)."""
    bars = details.get("bars")
    if isinstance(bars, int | float) and not isinstance(bars, bool) and bars > 0:
        return float(bars)
    rhythm = details.get("harmonic_rhythm")
    lengths = rhythm.get("bars") if isinstance(rhythm, dict) else None
    try:
        total = sum(float(b) for b in lengths or [])
    except (TypeError, ValueError):
        return None
    return total or None


def _chord_names(mf, details: dict) -> list[tuple[int, str]] | None:
    """Chord names of a chord loop (parsed by ``daw.read_midi``) that lacks them (written
    before they were), from its review details; None keeps what the file has."""
    if daw.chord_texts(mf):
        return None
    rhythm = details.get("harmonic_rhythm")
    lengths = rhythm.get("bars") if isinstance(rhythm, dict) else None
    names = details.get("chords")
    if not isinstance(lengths, list) or not isinstance(names, list) or len(lengths) != len(names):
        return None
    bar = daw.bar_ticks_of(mf)
    out, t = [], 0.0
    for name, n in zip(names, lengths, strict=True):
        out.append((round(t), str(name)))
        t += float(n) * bar
    return out


def approved_loop(midi_file: Path, phase: str, details: dict | None = None) -> bytes:
    """The bytes of ``approved/<label>.mid`` for one approved candidate: it must parse, and it
    is made DAW-ready (instrument-named track, phase channel, whole bars, chord names)."""
    load_score(midi_file)  # a file that does not parse is refused with its path
    mf = daw.read_midi(Path(midi_file).read_bytes())  # parsed once: read, then finished
    details = details or {}
    chords = _chord_names(mf, details) if phase == "chords" else None
    return daw.finish_loop(mf, phase, bars=_loop_bars(details), chords=chords)


def _approved(review) -> list[tuple[str, str, Path, dict]]:
    """(id, normalized label, MIDI path inside the phase folder, details) of each approved
    candidate, or a ReviewError that names every offending candidate."""
    out: list[tuple[str, str, Path, dict]] = []
    owner: dict[str, tuple[int, str, str]] = {}
    for i, c in enumerate(review.model.candidates):
        if c.status != "approved":
            continue
        raw = c.label or c.details.get(GROUP_KEY)
        if not raw or not isinstance(raw, str):
            raise ReviewError(
                f"{c.id} is approved but has no label (set label: to name approved/<label>.mid)",
                path=review.path,
                field=f"candidates[{i}].label",
            )
        label = normalize_label(raw)
        if not label:
            raise ReviewError(
                f"label {raw!r} of {c.id} has no letters or digits",
                path=review.path,
                field=f"candidates[{i}].label",
            )
        if len(label.encode()) > MAX_NAME_BYTES - len(".mid"):
            raise ReviewError(
                f"expected a label of at most {MAX_NAME_BYTES - len('.mid')} characters "
                f"(it names approved/<label>.mid), got {len(label)}",
                path=review.path,
                field=f"candidates[{i}].label",
            )
        if label in owner:
            j, other_id, other_label = owner[label]
            raise ReviewError(
                f"two approved candidates share the label {label!r}: {other_id} "
                f"(candidates[{j}], label {other_label!r}) and {c.id} (candidates[{i}], label {raw!r}); "
                "nothing written",
                path=review.path,
                field=f"candidates[{i}].label",
            )
        owner[label] = (i, c.id, raw)
        out.append((c.id, label, candidate_path(review.path, i, c.midi_file), dict(c.details)))
    return out
