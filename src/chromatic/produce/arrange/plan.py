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

On creation the sections follow the style's song form (``arrange.form``: each occurrence an
entry, a name may come twice, repeats in whole phrases toward the target length, a seeded
``variation:`` and ``transpose:`` per entry), recorded under ``form:`` with the style; the part
phases read the same order from the plan (``sections._plan_order``). Bars of a section, in order
of preference: the approved candidate's harmonic rhythm (``details.harmonic_rhythm``), else
the approved MIDI's length in whole bars, else its chord count (one bar per chord).

The file's schema, bounds and reader are ``produce.planfile`` (re-exported here); the defaults
of a new section come from the section roles of ``music.form``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from chromatic.errors import MidiError, ProduceError
from chromatic.fileio import write_text_atomic
from chromatic.music import form
from chromatic.music.key import TimeSignature
from chromatic.music.midi import load_score, time_signature_at
from chromatic.produce.arrange import form as layout
from chromatic.produce.folder import ProductionFolder, open_folder
from chromatic.produce.planfile import (  # noqa: F401 (re-exported: the plan's names)
    MAX_BARS,
    MAX_BPM,
    MAX_MINUTES,
    MAX_REPEAT,
    MIN_BPM,
    PLAN_FILE,
    SCHEMA_VERSION,
    BarsFrom,
    Plan,
    PlanFile,
    PlanSection,
    PlanSong,
    load_plan,
    plan_path,
    validate,
)
from chromatic.produce.promote import normalize_label
from chromatic.produce.review import GROUP_KEY, read_review
from chromatic.produce.song import header_facts
from chromatic.produce.style.color import is_instrumental_proposal
from chromatic.yamlio import dump_yaml

HEADER = (
    "Production plan (schema_version 1). Edit by hand: the order of sections, repeat (0 leaves a\n"
    "section out), vocals (false mutes the melody there), intensity (0-1, scales velocities), notes;\n"
    "comments are kept. 'chromatic plan <folder> --refresh' recomputes bars and song facts only.\n"
    "Then run: chromatic assemble <folder> --render"
)
INSTRUMENTAL_FORM = "instrumental"  # styles.yml: the form of a proposal that says it has no vocals
ARC_RISE = 0.1  # later sections run a little hotter: the arc builds toward the end


@dataclass(frozen=True)
class ApprovedSection:
    """One approved chord section as the folder holds it now, as the plan needs it: the file,
    and the bars it *declares* (the approved candidate's harmonic rhythm first). Kept apart from
    ``sections.Section``, the same loop read musically by the part phases: that one reads every
    note (chords, meter, tempo; a loop without notes is an error) and measures bars by the notes,
    whereas the plan must list a section even when its MIDI is empty, at its declared length."""

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
        for c in read_review(review_path).candidates:
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
    for name in form.song_order(list(files)):
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
    return header_facts(folder.proposal(), "proposal.yml")


def default_section(name: str, bars: int, bars_from: str, index: int, count: int) -> CommentedMap:
    """A new section's defaults: verses and choruses play twice, intros, outros, solos and
    interludes are instrumental, and the intensity is the section's energy (the value the drum
    phase targets: low 0.2, medium 0.5, high 0.85) plus a rise along the song. All three are the
    role's (``music.form``: ``Role.repeat``, ``is_instrumental``, ``ENERGY_VALUE``)."""
    role = form.role_of(name)
    rise = ARC_RISE * index / max(count - 1, 1)
    intensity = min(1.0, round(form.ENERGY_VALUE[role.energy] + rise, 2))
    return CommentedMap(
        name=name,
        bars=bars,
        repeat=role.repeat,
        vocals=not form.is_instrumental(name),
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


def write_plan(
    folder_path: str | os.PathLike, *, refresh: bool = False, seed: int = 0
) -> PlanResult:
    """Create production_plan.yml, or with ``refresh`` update it keeping every human edit. A new
    plan lays out the style's form (``arrange.form``); ``seed`` (mixed with the proposal's
    content) picks its variations."""
    folder = open_folder(folder_path)
    path = folder.path(PLAN_FILE)
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
        if created:
            notes.extend(_lay_out(doc, folder, sections, facts, seed))
        added, orphaned = _merge(doc, sections, facts)
        _sync_sung(doc, sung_lines(folder))
        for name in orphaned:
            notes.append(
                f"section {name!r} is no longer approved (no chords/approved/{name}.mid): "
                "kept in the plan, flagged approved: false, skipped by assembly"
            )
        doc["length"] = _length(facts, list(doc["sections"]))  # the plan was validated on load
        model = validate(doc, path)
        write_text_atomic(path, dump_yaml(doc))
    return PlanResult(
        path, Plan(path, doc, model), created, tuple(added), tuple(orphaned), tuple(notes)
    )


def _lay_out(
    doc: CommentedMap,
    folder: ProductionFolder,
    sections: list[ApprovedSection],
    facts: dict,
    seed: int,
) -> list[str]:
    """Fill a new plan's ``form:`` and ``sections:`` from the style's form (``arrange.form``)."""
    from chromatic.produce.imported import as_played, imported_sections
    from chromatic.produce.style.table import content_seed, load_table, style_for

    proposal = folder.proposal()
    style = style_for(proposal, folder.root)
    raw = layout.raw_proposal(folder.root)
    instrumental = is_instrumental_proposal(proposal) and not style.color
    items = tuple(load_table().forms[INSTRUMENTAL_FORM]) if instrumental else style.form
    bar_s = TimeSignature.parse(facts["time_signature"]).bar_seconds(facts["bpm"])
    target = layout.target_seconds(raw, style.seconds)
    planned = layout.plan_form(
        sections,
        style,
        items,
        bar_s,
        target,
        content_seed(seed, proposal),
        layout.modulation_of(proposal, raw),
    )
    doc["form"] = CommentedMap(
        name=INSTRUMENTAL_FORM if instrumental else style.form_name,
        items=list(items),
        target_seconds=round(planned.target_seconds, 1),
        target_from=planned.target_from,
        phrase_bars=style.phrase_bars,
        modulation=planned.modulation,
        notes=list(planned.notes),
        style=style.to_dict(),
    )
    doc.move_to_end("sections")
    by_name = {s.name: s for s in sections}
    played = imported_sections(folder)
    n = len(planned.occurrences)
    for i, o in enumerate(planned.occurrences):
        fresh = by_name[o.name]
        entry = default_section(o.name, fresh.bars, fresh.bars_from, i, n)
        entry["repeat"] = o.repeat
        if o.item == layout.FINAL:
            entry["intensity"] = min(1.0, round(entry["intensity"] + ARC_RISE, 2))
        entry["transpose"] = o.transpose
        entry["variation"] = CommentedMap(o.variation)
        as_played(entry["variation"], o.name, played)  # the artist's own parts stay as played
        doc["sections"].append(entry)
    return list(planned.notes)


# --- the sung text ------------------------------------------------------------------------------


def sung_lines(folder: ProductionFolder) -> dict[str, tuple[list[str], int]]:
    """The lyric lines each section's approved melody sings and the bars it leaves to an
    instrumental answer after them (``details.lines`` and ``answer_bars`` of the approved
    candidate in melody/review.yml), by section label."""
    path = folder.review_path("melody")
    if not path.is_file():
        return {}
    out: dict[str, tuple[list[str], int]] = {}
    for c in read_review(path).candidates:
        raw = c.label or c.details.get(GROUP_KEY)
        lines = c.details.get("lines")
        if c.status == "approved" and isinstance(raw, str) and isinstance(lines, list):
            answer = c.details.get("answer_bars")
            out.setdefault(
                normalize_label(raw),
                ([str(x) for x in lines], answer if isinstance(answer, int) else 0),
            )
    return out


def _sync_sung(doc: CommentedMap, sung: dict[str, tuple[list[str], int]]) -> None:
    """``sung:`` on every section entry whose melody sings written lines (machine-owned, like
    ``bars``: the text each pass sings, once, in order) and ``answer_bars:`` where the melody
    leaves its last bars to the band; both removed where the melody sings no words."""
    for entry in doc.get("sections") or []:
        lines, answer = sung.get(normalize_label(str(entry.get("name", ""))), ([], 0))
        if lines and list(entry.get("sung") or []) != lines:
            entry["sung"] = CommentedSeq(lines)
        if lines and answer:
            entry["answer_bars"] = answer
        for key in ("sung", "answer_bars"):
            if key in entry and (not lines or (key == "answer_bars" and not answer)):
                del entry[key]


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
