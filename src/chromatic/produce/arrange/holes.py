"""Approved loops that are missing on disk: never a silent hole in the arrangement.

A loop is *expected* when a candidate of the phase's review.yml is approved for it (its label,
or its section in the per-section phases: what ``promote`` names ``approved/<label>.mid``) and
the plan plays that section. When the file is gone (deleted by hand, a failed copy), assemble
refuses and names the file; with ``allow_missing`` it assembles with a rest there and the hole
is recorded in the arrangement's warnings (printed by ``assemble``, kept in compose's summary).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chromatic.errors import ProduceError
from chromatic.produce.folder import PHASES, ProductionFolder


@dataclass(frozen=True)
class Hole:
    phase: str
    label: str
    path: Path  # the missing approved/<label>.mid
    review: Path
    candidate: str


def _approved_labels(folder: ProductionFolder, phase: str) -> dict[str, tuple[Path, str]]:
    from chromatic.produce.promote import normalize_label
    from chromatic.produce.review import GROUP_KEY, read_review

    path = folder.review_path(phase)
    if not path.is_file():
        return {}
    out: dict[str, tuple[Path, str]] = {}
    for c in read_review(path).candidates:
        if c.status != "approved":
            continue
        raw = c.label or c.details.get(GROUP_KEY)
        if isinstance(raw, str) and normalize_label(raw):
            out.setdefault(normalize_label(raw), (path, c.id))
    return out


def missing_loops(
    folder: ProductionFolder, labels: list[str], available: dict[str, set[str]]
) -> list[Hole]:
    """The approved loops the planned ``labels`` need that are not in ``approved/``."""
    holes = []
    for phase in PHASES:
        expected = _approved_labels(folder, phase)
        for label in dict.fromkeys(labels):
            if label in expected and label not in available.get(phase, set()):
                review, cid = expected[label]
                holes.append(
                    Hole(phase, label, folder.approved_dir(phase) / f"{label}.mid", review, cid)
                )
    return holes


def refuse(holes: list[Hole], root: Path) -> None:
    """One line naming every missing file, and the two ways on."""
    h = holes[0]
    more = (
        f" (and {len(holes) - 1} more: "
        + ", ".join(f"{x.phase}/approved/{x.label}.mid" for x in holes[1:])
        + ")"
        if len(holes) > 1
        else ""
    )
    raise ProduceError(
        f"approved loop missing: {h.candidate} is approved for {h.label!r} in {h.review} but "
        f"{h.path} does not exist{more}; restore it with 'chromatic promote {root} {h.phase}', "
        "or assemble with a rest there: --allow-missing",
        path=h.path,
    )


def note(hole: Hole) -> str:
    then = (
        f"{hole.label!r} is skipped (no chords)"
        if hole.phase == "chords"
        else f"{hole.label!r} plays a rest for {hole.phase}"
    )
    return (
        f"{hole.phase}/approved/{hole.label}.mid is missing ({hole.candidate} is approved for "
        f"it): {then} (--allow-missing)"
    )
