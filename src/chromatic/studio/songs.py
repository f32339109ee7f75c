"""What the pages show: the production folders the studio serves, a song's summary and a
phase's candidates, read through the project's own readers.

A request names a song by its folder name and a phase by its name; neither ever becomes a path
by itself: the song goes through ``chromatic.paths.inside`` (one safe name, symlinks followed,
inside the studio's root) and the phase must be one of ``produce.folder.PHASES``. One bad file
(a review.yml an editor broke) is an error for that phase only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from chromatic.errors import ChromaticError
from chromatic.paths import PathError, inside
from chromatic.produce.folder import PHASES, PROPOSAL_FILE, ProductionFolder
from chromatic.produce.review import GROUP_KEY, ReviewFile, read_review
from chromatic.studio.errors import NotFound

ARRANGEMENT_AUDIO = ("arrangement.wav", "arrangement.flac")


def version_of(path: Path) -> str | None:
    """The version a page holds of a file: the SHA-256 of its bytes (None when absent). A write
    carries the version it was based on; any other version on disk refuses it."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class Library:
    """The folder ``chromatic studio`` was started on: one production folder, or a folder whose
    sub-folders are production folders."""

    root: Path

    @classmethod
    def open(cls, path: str | Path) -> Library:
        root = Path(path).resolve()
        if not root.is_dir():
            raise ChromaticError("folder not found", path=root)
        return cls(root)

    @property
    def single(self) -> bool:
        return (self.root / PROPOSAL_FILE).is_file()

    def names(self) -> list[str]:
        if self.single:
            return [self.root.name]
        out = []
        for p in sorted(self.root.iterdir()):
            if p.is_dir() and (p / PROPOSAL_FILE).is_file() and _is_inside(self.root, p.name):
                out.append(p.name)
        return out

    def folder(self, name: str) -> ProductionFolder:
        """The production folder called ``name``, or NotFound; never a path outside the root."""
        if self.single:
            if name != self.root.name:
                raise NotFound(f"no song {name!r} (this studio serves {self.root.name!r})")
            return ProductionFolder(self.root)
        try:
            path = inside(self.root, name, what="song name")
        except PathError as e:
            raise NotFound(e.detail, field="song") from None
        if not (path / PROPOSAL_FILE).is_file():
            raise NotFound(f"no production folder {name!r} in {self.root}", field="song")
        return ProductionFolder(path)


def _is_inside(root: Path, name: str) -> bool:
    try:
        inside(root, name)
    except PathError:
        return False
    return True


def check_phase_name(phase: str) -> str:
    if phase not in PHASES:
        raise NotFound(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)}")
    return phase


def _err(e: Exception) -> str:
    return " ".join(str(e).split())


def proposal_view(folder: ProductionFolder) -> dict:
    p = folder.proposal()
    return {
        "title": p.title,
        "key": str(p.key),
        "bpm": p.bpm,
        "time_signature": str(p.time_signature),
        "color": {"name": p.color.name, "hex": p.color.hex},
        "concept": p.concept,
        "mood": list(p.mood),
        "genres": list(p.genres),
        "singer": p.singer,
    }


def plan_view(folder: ProductionFolder) -> dict | None:
    """The plan's sections (or its one-line error); None when there is no plan yet."""
    from chromatic.produce.planfile import load_plan, plan_path

    path = plan_path(folder.root)
    if not path.is_file():
        return None
    version = version_of(path)
    try:
        plan = load_plan(path)
    except ChromaticError as e:
        return {"error": _err(e), "version": version}
    return {
        "version": version,
        "sections": [
            {
                "name": s.name,
                "bars": s.bars,
                "repeat": s.repeat,
                "vocals": s.vocals,
                "intensity": s.intensity,
                "notes": s.notes,
                "approved": s.approved,
            }
            for s in plan.sections
        ],
        "length": planned_length(plan.model),
    }


def planned_length(model) -> dict:
    """Bars and seconds as the plan stands now (repeats included, unapproved sections left
    out: what assembly plays), computed as the plan's own bound check computes it, so an edit
    made on the page shows its length at once (the file's ``length`` block is refreshed by
    ``chromatic plan --refresh``)."""
    from chromatic.music.key import TimeSignature

    bars = sum(s.bars * s.repeat for s in model.sections if s.approved)
    bar_s = TimeSignature.parse(model.song.time_signature).bar_seconds(model.song.bpm)
    return {"bars": bars, "seconds": round(bars * bar_s, 3)}


def phase_state(folder: ProductionFolder, phase: str) -> dict:
    """Counts for the song page: candidates, approved in review.yml, promoted files."""
    approved_dir = folder.approved_dir(phase)
    promoted = sorted(p.name for p in approved_dir.glob("*.mid")) if approved_dir.is_dir() else []
    from chromatic.produce.phases.registry import get

    state: dict = {"phase": phase, "promoted": promoted, "needs": list(get(phase).depends_on)}
    path = folder.review_path(phase)
    if not path.exists():
        return {**state, "candidates": 0, "approved": 0, "review": False}
    try:
        model = read_review(path)
    except ChromaticError as e:
        return {**state, "review": True, "error": _err(e)}
    approved = sum(1 for c in model.candidates if c.status == "approved")
    rejected = sum(1 for c in model.candidates if c.status == "rejected")
    return {
        **state,
        "review": True,
        "candidates": len(model.candidates),
        "approved": approved,
        "rejected": rejected,
    }


def arrangement_view(folder: ProductionFolder) -> dict:
    audio = next((n for n in ARRANGEMENT_AUDIO if (folder.root / n).is_file()), None)
    return {"midi": (folder.root / "arrangement.mid").is_file(), "audio": audio}


def song_view(folder: ProductionFolder) -> dict:
    """Everything the song page shows; a broken proposal, plan or review is reported in place."""
    try:
        proposal = proposal_view(folder)
    except ChromaticError as e:
        proposal = {"error": _err(e)}
    return {
        "name": folder.root.name,
        "proposal": proposal,
        "plan": plan_view(folder),
        "phases": [phase_state(folder, ph) for ph in PHASES],
        "arrangement": arrangement_view(folder),
    }


def ordered(model: ReviewFile) -> list:
    """Candidates in rank order; a per-section phase's grouped by section (first seen first)."""
    groups: dict[object, int] = {}
    for c in model.candidates:
        groups.setdefault(c.details.get(GROUP_KEY), len(groups))
    return sorted(model.candidates, key=lambda c: (groups[c.details.get(GROUP_KEY)], c.rank))


def candidate_view(c) -> dict:
    return {
        "id": c.id,
        "rank": c.rank,
        "status": c.status,
        "label": c.label,
        "notes": c.notes,
        "section": c.details.get(GROUP_KEY),
        "star": (c.model_extra or {}).get("star") is True,  # a parent for "breed from these"
        "scores": c.scores.model_dump(),
        "details": c.details,
    }


def phase_view(folder: ProductionFolder, phase: str) -> dict:
    """A phase's candidates with every score and detail, and the version of review.yml they were
    read from (the version a decision must carry)."""
    check_phase_name(phase)
    path = folder.review_path(phase)
    if not path.is_file():
        raise NotFound(f"no review.yml for phase {phase!r} (generate candidates first)", path=path)
    version = version_of(path)
    m = read_review(path)  # the same checks as load_review, with the fast reader
    return {
        "song": folder.root.name,
        "phase": phase,
        "version": version,
        "seed": m.seed,
        "scoring": m.scoring.model_dump(),
        "candidates": [candidate_view(c) for c in ordered(m)],
        "promoted": phase_state(folder, phase)["promoted"],
    }
