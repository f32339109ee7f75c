"""Promotion: approved candidates of a phase -> ``<phase>/approved/<label>.mid``.

All-or-nothing. Everything is checked before anything is written (each approved candidate has a
label, labels are unique once normalized, each MIDI parses); the renamed copies are built in a
temporary folder inside the phase folder and only then moved into ``approved/``. The folder lock
serializes concurrent runs, so two ``promote`` processes cannot interleave their moves.

In the per-section phases (drums, bass, melody) a candidate's label defaults to its section
(``details.section``): approving ``drum_verse_02`` promotes it to ``drums/approved/verse.mid``,
which is where the later phases look for the verse's part. Two approved candidates of one
section are two candidates with the same label: an error, and nothing is written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chromatic.errors import ProduceError, ReviewError
from chromatic.music.midi import load_score, write_score
from chromatic.paths import MAX_NAME_BYTES
from chromatic.produce.folder import check_phase, open_folder
from chromatic.produce.review import GROUP_KEY, candidate_path, load_review


def normalize_label(label: str) -> str:
    """Lower-case; spaces and dashes -> '_'; other characters dropped ("Verse A-2" -> "verse_a_2")."""
    text = re.sub(r"[\s\-]+", "_", label.strip().lower())
    text = re.sub(r"[^a-z0-9_]", "", text)
    return re.sub(r"_+", "_", text).strip("_")


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
    """Copy every approved candidate of ``phase`` to ``approved/<label>.mid`` with its MIDI
    track names set to the label. ``clean`` empties ``approved/`` first (in the same step)."""
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
        approved_dir = folder.approved_dir(phase)
        approved_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".promote-", dir=folder.phase_dir(phase)))
        try:
            for _id, label, midi_file in chosen:
                score = load_score(midi_file)
                for track in score.tracks:
                    track.name = label
                write_score(score, staging / f"{label}.mid")
            removed = []
            if clean:
                for p in sorted(approved_dir.iterdir()):
                    if p.is_file() or p.is_symlink():
                        p.unlink()
                        removed.append(p.name)
            promoted = []
            for cand_id, label, _ in chosen:
                target = approved_dir / f"{label}.mid"
                os.replace(staging / f"{label}.mid", target)
                promoted.append(Promoted(cand_id, label, target))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return PromoteResult(phase, tuple(promoted), tuple(removed))


def _approved(review) -> list[tuple[str, str, Path]]:
    """(id, normalized label, MIDI path inside the phase folder) of each approved candidate, or
    a ReviewError that names every offending candidate."""
    out: list[tuple[str, str, Path]] = []
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
        out.append((c.id, label, candidate_path(review.path, i, c.midi_file)))
    return out
