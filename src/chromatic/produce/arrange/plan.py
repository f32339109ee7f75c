"""production_plan.yml: the song's form, laid out from the approved chord sections.

The plan is the first file of production that is more the human's than the machine's: the
sections come from the approved chord loops (``chords/approved/<label>.mid``), but their order,
repeats, vocals, intensity and notes are the producer's decisions. So the file is written once
with sensible defaults and afterwards only *refreshed*:

- ``bars`` (and ``bars_from``, and the song facts) are machine-owned and recomputed;
- every other value, the order of the sections, added keys and ``#`` comments are kept;
- a section that is no longer approved stays where the human put it, flagged
  ``approved: false`` with a warning (assembly skips what has no loop);
- a newly approved section is appended. To leave an approved section out of the song, set its
  ``repeat: 0`` (deleting the entry would only bring it back on the next refresh).

Section order on creation is the song form the part phases use (``sections.song_order``: intro
first, outro last, verses before choruses, numbered instances in turn), so the drum, bass and
melody phases see the same order before and after the plan exists. Bars of a section, in order
of preference: the approved candidate's harmonic rhythm (``details.harmonic_rhythm``), else
the approved MIDI's length in whole bars, else its chord count (one bar per chord).

Bounds, checked on every load (a plan outside them is one error naming the field): ``bpm``
``MIN_BPM``-``MAX_BPM`` (10-400; the catalog's own songs span 16-222), ``repeat``
0-``MAX_REPEAT`` (16), ``bars`` 1-``MAX_BARS`` (256) per section, and the whole song, repeats
included, at most ``MAX_MINUTES`` (20) minutes, so an edit cannot make assembly render for hours.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from chromatic.errors import ChromaticError, MidiError, ProduceError
from chromatic.fileio import write_text_atomic
from chromatic.music.key import TimeSignature
from chromatic.music.midi import load_score, time_signature_at
from chromatic.produce.folder import ProductionFolder, open_folder
from chromatic.produce.promote import normalize_label
from chromatic.produce.review import GROUP_KEY, load_review
from chromatic.produce.sections import ENERGY_VALUE, label_words, section_role, song_order
from chromatic.yamlio import dump_yaml, load_rt

SCHEMA_VERSION = 1
PLAN_FILE = "production_plan.yml"
HEADER = (
    "Production plan (schema_version 1). Edit by hand: the order of sections, repeat (0 leaves a\n"
    "section out), vocals (false mutes the melody there), intensity (0-1, scales velocities), notes;\n"
    "comments are kept. 'chromatic plan <folder> --refresh' recomputes bars and song facts only.\n"
    "Then run: chromatic assemble <folder> --render"
)
BarsFrom = Literal["harmonic_rhythm", "midi", "chords"]

# Section roles and energies are the drum phase's (``sections.section_role``): one table.
_INSTRUMENTAL = {
    "intro",
    "opening",
    "outro",
    "coda",
    "ending",
    "interlude",
    "breakdown",
    "solo",
    "instrumental",
    "drop",
}
MIN_BPM, MAX_BPM = 10.0, 400.0
MAX_REPEAT, MAX_BARS, MAX_MINUTES = 16, 256, 20
_REPEATED = {"verse", "chorus"}  # roles that play their loop twice by default
ARC_RISE = 0.1  # later sections run a little hotter: the arc builds toward the end


class PlanSong(BaseModel):
    model_config = ConfigDict(extra="allow")
    title: str
    key: str
    bpm: float = Field(ge=MIN_BPM, le=MAX_BPM)
    time_signature: str
    color: str
    proposal: str


class PlanSection(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)
    bars: int = Field(ge=1, le=MAX_BARS)
    repeat: int = Field(default=1, ge=0, le=MAX_REPEAT)
    vocals: bool = False
    intensity: float = Field(default=0.5, ge=0.0, le=1.0)
    notes: str | None = None
    approved: bool = True
    bars_from: BarsFrom | None = None


class PlanFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    schema_version: int
    song: PlanSong
    sections: list[PlanSection] = Field(min_length=1)


@dataclass
class Plan:
    """A loaded production_plan.yml: the round-trip document and its validated model."""

    path: Path
    doc: CommentedMap
    model: PlanFile

    @property
    def sections(self) -> list[PlanSection]:
        return self.model.sections


@dataclass(frozen=True)
class ApprovedSection:
    """One approved chord section as the folder holds it now."""

    name: str
    bars: int
    bars_from: BarsFrom
    midi: Path


@dataclass(frozen=True)
class PlanResult:
    path: Path
    plan: Plan
    created: bool
    added: tuple[str, ...]
    orphaned: tuple[str, ...]
    warnings: tuple[str, ...]


# --- what the folder holds ---------------------------------------------------------------------


def midi_bars(path: Path) -> int:
    """Whole bars spanned by a MIDI file's notes, in its own meter at tick 0 (0 without notes)."""
    score = load_score(path)
    ends = [n.time + n.duration for t in score.tracks for n in t.notes]
    if not ends:
        return 0
    ts = time_signature_at(score, 0)
    bar_ticks = float(ts.quarters_per_bar) * score.tpq
    return max(1, math.ceil(max(ends) / bar_ticks - 1e-6))


def approved_sections(folder: ProductionFolder) -> tuple[list[ApprovedSection], list[str]]:
    """The promoted chord sections in plan order, with their bars, and warnings."""
    approved_dir = folder.approved_dir("chords")
    files = {p.stem: p for p in sorted(approved_dir.glob("*.mid"))} if approved_dir.is_dir() else {}
    details: dict[str, dict] = {}
    notes: list[str] = []
    review_path = folder.review_path("chords")
    if review_path.is_file():
        for c in load_review(review_path, check_files=False).model.candidates:
            raw = c.label or c.details.get(GROUP_KEY)
            if c.status != "approved" or not isinstance(raw, str) or not normalize_label(raw):
                continue
            label = normalize_label(raw)
            details.setdefault(label, c.details)
            if label not in files:
                notes.append(
                    f"chords: {c.id} is approved as {label!r} but not promoted "
                    f"(run: chromatic promote {folder.root} chords)"
                )
    out = []
    for name in song_order(list(files)):
        bars, source = _bars(files[name], details.get(name) or {})
        out.append(ApprovedSection(name, bars, source, files[name]))
    return out, notes


def _bars(midi: Path, details: dict) -> tuple[int, BarsFrom]:
    rhythm = details.get("harmonic_rhythm")
    if isinstance(rhythm, dict):
        total = rhythm.get("total_bars")
        if total is None and isinstance(rhythm.get("bars"), list):
            total = math.ceil(sum(float(b) for b in rhythm["bars"]))
        if isinstance(total, int | float) and total >= 1:
            return int(total), "harmonic_rhythm"
    try:
        bars = midi_bars(midi)
    except MidiError:
        bars = 0
    if bars:
        return bars, "midi"
    chords = details.get("chords") or details.get("progression")
    if isinstance(chords, list) and chords:
        return len(chords), "chords"
    raise ProduceError(
        "cannot tell the section's length: no harmonic rhythm in chords/review.yml, "
        "no notes in the MIDI and no chord list",
        path=midi,
    )


# --- building and refreshing -------------------------------------------------------------------


def song_facts(folder: ProductionFolder) -> dict:
    p = folder.proposal()
    return {
        "title": p.title,
        "key": str(p.key),
        "bpm": p.bpm,
        "time_signature": str(p.time_signature),
        "color": p.color.name,
        "proposal": "proposal.yml",
    }


def default_section(name: str, bars: int, bars_from: str, index: int, count: int) -> CommentedMap:
    """A new section's defaults: verses and choruses play twice, intros, outros, solos and
    interludes are instrumental, and the intensity is the section's energy (the value the drum
    phase targets: low 0.2, medium 0.5, high 0.85) plus a rise along the song."""
    role, energy, _ = section_role(name)
    rise = ARC_RISE * index / max(count - 1, 1)
    intensity = min(1.0, round(ENERGY_VALUE[energy] + rise, 2))
    return CommentedMap(
        name=name,
        bars=bars,
        repeat=2 if role in _REPEATED else 1,
        vocals=not _INSTRUMENTAL.intersection(label_words(name)),
        intensity=intensity,
        notes=None,
        bars_from=bars_from,
    )


def _length(song: dict, sections: list) -> dict:
    bar_s = TimeSignature.parse(song["time_signature"]).bar_seconds(song["bpm"])
    bars = sum(
        int(s["bars"]) * int(s.get("repeat", 1))
        for s in sections
        if s.get("approved", True) is not False
    )
    return {"bars": bars, "seconds": round(bars * bar_s, 3), "bar_seconds": round(bar_s, 6)}


def _sync(target: CommentedMap, new: dict) -> None:
    """Set machine-owned values in place (comments attached to their keys survive)."""
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(target.get(k), dict):
            _sync(target[k], v)
        elif target.get(k) != v or k not in target:
            target[k] = v


def write_plan(folder_path: str | os.PathLike, *, refresh: bool = False) -> PlanResult:
    """Create production_plan.yml, or with ``refresh`` update it keeping every human edit."""
    folder = open_folder(folder_path)
    path = folder.root / PLAN_FILE
    if path.exists() and not refresh:
        raise ProduceError(
            f"{PLAN_FILE} exists; use --refresh to update it (your edits are kept)", path=path
        )
    with folder.locked():
        sections, notes = approved_sections(folder)
        if not sections:
            raise ProduceError(
                "no approved chord sections: approve and label candidates in chords/review.yml, "
                f"then run: chromatic promote {folder.root} chords",
                path=folder.approved_dir("chords"),
            )
        facts = song_facts(folder)
        created = not path.exists()
        doc = _new_doc() if created else load_plan(path).doc
        added, orphaned = _merge(doc, sections, facts)
        for name in orphaned:
            notes.append(
                f"section {name!r} is no longer approved (no chords/approved/{name}.mid): "
                "kept in the plan, flagged approved: false, skipped by assembly"
            )
        doc["length"] = _length(facts, list(doc["sections"]))  # the plan was validated on load
        model = _validate(doc, path)
        write_text_atomic(path, dump_yaml(doc))
    return PlanResult(
        path, Plan(path, doc, model), created, tuple(added), tuple(orphaned), tuple(notes)
    )


def _new_doc() -> CommentedMap:
    doc = CommentedMap()
    doc.yaml_set_start_comment(HEADER)
    doc["schema_version"] = SCHEMA_VERSION
    doc["song"] = CommentedMap()
    doc["length"] = CommentedMap()  # machine-owned: bars and seconds as planned (repeats included)
    doc["sections"] = CommentedSeq()
    return doc


def _merge(
    doc: CommentedMap, sections: list[ApprovedSection], facts: dict
) -> tuple[list[str], list[str]]:
    _sync(doc["song"], facts)
    by_name = {s.name: s for s in sections}
    seq = doc.get("sections")
    if not isinstance(seq, list):
        seq = doc["sections"] = CommentedSeq()
    present, orphaned = set(), []
    for entry in seq:
        name = normalize_label(str(entry.get("name", "")))
        fresh = by_name.get(name)
        if fresh is None:
            if entry.get("approved", True) is not False:
                entry["approved"] = False
            orphaned.append(str(entry.get("name")))
            continue
        present.add(name)
        entry["bars"] = fresh.bars
        entry["bars_from"] = fresh.bars_from
        if "approved" in entry:
            del entry["approved"]
    added = [s.name for s in sections if s.name not in present]
    for i, s in enumerate(sections):
        if s.name not in present:
            seq.append(default_section(s.name, s.bars, s.bars_from, i, len(sections)))
    return added, orphaned


def _validate(doc: object, path: Path) -> PlanFile:
    try:
        model = PlanFile.model_validate(doc)
    except ValidationError as e:
        err = e.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
        got = "" if err["type"] == "missing" else f", got {err.get('input')!r}"
        raise ProduceError(f"{err['msg']}{got}", path=path, field=where or None) from None
    try:
        bar_s = TimeSignature.parse(model.song.time_signature).bar_seconds(model.song.bpm)
    except ChromaticError as e:
        raise ProduceError(e.detail, path=path, field="song.time_signature") from None
    seconds = bar_s * sum(s.bars * s.repeat for s in model.sections if s.approved)
    if seconds > MAX_MINUTES * 60:
        raise ProduceError(
            f"expected a song of at most {MAX_MINUTES} minutes (repeats included), got "
            f"{seconds / 60:.1f} minutes: lower repeat or bars",
            path=path,
            field="sections",
        )
    return model


def load_plan(path: str | os.PathLike) -> Plan:
    """Load and validate a production_plan.yml; a problem is a ProduceError naming the field."""
    path = Path(path)
    doc = load_rt(path, ProduceError)
    if not isinstance(doc, dict):
        raise ProduceError(f"expected a mapping, got {type(doc).__name__}", path=path)
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise ProduceError(
            f"expected schema_version {SCHEMA_VERSION}, got {doc.get('schema_version')!r}",
            path=path,
            field="schema_version",
        )
    return Plan(path, doc, _validate(doc, path))  # type: ignore[arg-type]


def plan_path(folder_path: str | os.PathLike) -> Path:
    return Path(folder_path) / PLAN_FILE
