"""The artist's choices as parents (``produce <phase> --breed``).

A candidate the human approved, or marked with ``star: true`` in review.yml (a star keeps a
candidate across regeneration like any other decision, without approving it), is a parent: its
notes are read back from its MIDI file (lyric events too, so a melody's children keep the
words), its theory and details from the review. Children are written as new candidates beside
their parents; a section with no parent is generated as without ``--breed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chromatic.music.meter import TPQ
from chromatic.music.midi import load_score
from chromatic.music.notes import Note
from chromatic.produce.phases.parts import PartCandidate
from chromatic.produce.review import load_review

#: parents' draw indices start here, above any generated candidate's
PARENT_BASE = 100_000


@dataclass(frozen=True)
class Parents:
    by_section: dict[str, list[PartCandidate]]
    lyrics: dict[tuple[str, int], tuple[tuple[int, str], ...]]  # a parent's lyric events
    kept: dict[str, int]  # reviewed candidates a section keeps (children come on top)


def chosen(candidate) -> bool:
    star = (candidate.model_extra or {}).get("star")
    return candidate.status == "approved" or star is True


def read_part(path: Path) -> tuple[tuple[Note, ...], tuple[tuple[int, str], ...]]:
    """The notes and lyric events of a one-track candidate file, in ``TPQ`` ticks."""
    score = load_score(path)
    scale = TPQ / score.tpq
    notes, lyrics = [], []
    for track in score.tracks:
        notes += [
            Note(round(n.time * scale), max(1, round(n.duration * scale)), n.pitch, n.velocity)
            for n in track.notes
        ]
        lyrics += [(round(x.time * scale), x.text) for x in track.lyrics]
    return tuple(sorted(notes)), tuple(sorted(lyrics))


def review_parents(phase_dir: Path) -> Parents:
    """Every approved or starred candidate of a phase's review.yml, by section."""
    path = phase_dir / "review.yml"
    if not path.is_file():
        return Parents({}, {}, {})
    review = load_review(path, check_files=True).model
    by_section: dict[str, list[PartCandidate]] = {}
    lyrics: dict[tuple[str, int], tuple[tuple[int, str], ...]] = {}
    kept: dict[str, int] = {}
    for i, c in enumerate(review.candidates):
        section = c.details.get("section")
        if section is None:
            continue
        if c.touched or (c.model_extra or {}).get("star"):
            kept[section] = kept.get(section, 0) + 1
        if not chosen(c):
            continue
        notes, words = read_part(phase_dir / c.midi_file)
        index = PARENT_BASE + i
        details = {**c.details, "review_id": c.id}
        by_section.setdefault(section, []).append(
            PartCandidate(section, index, dict(c.scores.theory), details, notes)
        )
        lyrics[(section, index)] = words
    return Parents(by_section, lyrics, kept)
