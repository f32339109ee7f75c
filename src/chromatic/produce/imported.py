"""A part the artist played: one track of a MIDI file as the approved loop of a phase's section.

``chromatic produce import FOLDER PHASE --section S --midi FILE [--track NAME|N]
[--transpose K]`` (and ``import_part`` for the studio: a file dropped onto a section) reads one
track of FILE, checks it against the song (the section's meter; for a part phase the section
must have approved chords, and the part is fitted to its bars: trimmed, or looped to fill, with
a warning), transposes it when asked, and otherwise keeps every note as played (onset,
duration, pitch, velocity; times rescaled exactly to the project's 480 ticks a quarter, or
rounded with a warning where the file's resolution does not divide it). A chord part defines
its section: its length is the file's, in whole bars.

It is recorded like any approved candidate, so the later phases, ``promote``, ``plan`` and
``assemble`` treat it as one: ``<phase>/candidates/<prefix>_<section>_import.mid``, an entry in
``<phase>/review.yml`` with ``status: approved``, ``label`` the section and ``details.imported``
(file, track, transposition, what was fitted), and ``<phase>/approved/<section>.mid`` written as
promote writes it. Everything is checked before anything is written: a file that does not parse,
a track with no notes, the wrong meter, an unknown track or section is one line naming what and
where, and nothing is written. A candidate approved for the section before goes back to pending (the import replaces it), with a warning naming it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from chromatic.errors import ChromaticError, ProduceError
from chromatic.fileio import check_regular, write_bytes_atomic, write_text_atomic
from chromatic.music.meter import TPQ, bar_ticks, meter_of
from chromatic.music.midi import (
    add_lyrics,
    add_track,
    append_notes,
    load_score,
    new_score,
    read_lyrics,
    score_bytes,
    time_signature_at,
)
from chromatic.music.notes import Note
from chromatic.produce.folder import check_phase, open_folder
from chromatic.produce.promote import approved_loop, normalize_label
from chromatic.produce.review import HEADER, ReviewFile, load_review
from chromatic.produce.song import header_facts
from chromatic.yamlio import dump_yaml

PREFIX = {
    "chords": "chord",
    "drums": "drum",
    "bass": "bass",
    "melody": "melody",
    "harmony": "harmony",
}


@dataclass(frozen=True)
class ImportResult:
    phase: str
    section: str
    candidate: str
    approved: Path
    notes: int
    bars: int
    warnings: tuple[str, ...]


def pick_track(score, track: str | int | None, path: Path):
    """The track to import: by 1-based number or by name (case-insensitive), else the only
    track with notes, else the first one with notes (with a warning)."""
    named = [(i, t) for i, t in enumerate(score.tracks, start=1)]
    if track is not None and str(track).strip().isdigit():
        n = int(str(track).strip())
        if not 1 <= n <= len(named):
            raise ProduceError(
                f"no track {n}: the file has {len(named)} track(s)", path=path, field="--track"
            )
        return named[n - 1], []
    if track is not None:
        hits = [(i, t) for i, t in named if t.name.strip().lower() == str(track).strip().lower()]
        if not hits:
            names = ", ".join(f"{i} {t.name!r}" for i, t in named) or "none"
            raise ProduceError(
                f"no track named {track!r} (tracks: {names})", path=path, field="--track"
            )
        return hits[0], []
    sounding = [(i, t) for i, t in named if len(t.notes)]
    if not sounding:
        raise ProduceError("the file holds no notes", path=path)
    note = []
    if len(sounding) > 1:
        i, t = sounding[0]
        note.append(
            f"{path.name}: {len(sounding)} tracks with notes; imported track {i} {t.name!r} "
            "(--track NAME|N to choose)"
        )
    return sounding[0], note


def _notes(track, scale: float, transpose: int, path: Path, where: str) -> list[Note]:
    out = []
    for n in track.notes:
        pitch = int(n.pitch) + (0 if track.is_drum else transpose)
        if not 0 <= pitch <= 127:
            raise ProduceError(
                f"--transpose {transpose} moves pitch {int(n.pitch)} out of MIDI's 0-127",
                path=path,
                field=where,
            )
        start, dur = round(n.time * scale), max(1, round(n.duration * scale))
        out.append(Note(start, dur, pitch, int(n.velocity)))
    return out


def fit_bars(notes: list[Note], have: int, want: int, bar: int) -> tuple[list[Note], str | None]:
    """Notes fitted to ``want`` bars: trimmed (later notes dropped, a note over the end cut), or
    the ``have`` bars looped until ``want`` are filled (the last pass cut)."""
    end = want * bar
    if have < want:
        out = [
            n._replace(start=n.start + k * have * bar)
            for k in range(-(-want // have))
            for n in notes
        ]
        note = f"looped {have} bar(s) to the section's {want}"
    elif have > want:
        out, note = notes, f"trimmed {have} bar(s) to the section's {want}"
    else:
        return notes, None
    return [n._replace(duration=min(n.duration, end - n.start)) for n in out if n.start < end], note


def _target(folder, phase: str, section: str, proposal):
    """(time signature, bpm, bars or None, section role) the part must fit."""
    from chromatic.produce.sections import load_song, section_role

    if phase == "chords":
        return proposal.time_signature, proposal.bpm, None, section_role(section)[0]
    song = load_song(folder, f"importing {phase}")
    for s in song.sections:
        if s.label == section:
            return s.time_signature, s.bpm, s.bars, s.role
    known = ", ".join(s.label for s in song.sections)
    raise ProduceError(
        f"no approved chord section {section!r} (sections: {known}); import or approve its chords first",
        field="--section",
    )


def _program(folder, phase: str, proposal, role: str) -> int:
    from chromatic.produce.style import style_for
    from chromatic.produce.vocals import PROGRAM

    if phase == "harmony":
        return PROGRAM
    return style_for(proposal, folder.root).program(phase, role)


def import_part(
    folder_path: str | os.PathLike,
    phase: str,
    section: str,
    midi: str | os.PathLike | bytes,
    *,
    track: str | int | None = None,
    transpose: int = 0,
    name: str = "dropped.mid",
) -> ImportResult:
    """Import one track of ``midi`` (a path, or the bytes of a file dropped in the studio,
    called ``name`` in messages) as the approved ``phase`` loop of ``section`` (see the module
    docstring)."""
    folder = open_folder(folder_path)
    check_phase(phase)
    label = normalize_label(section)
    if not label or label != section:
        raise ProduceError(
            f"expected a section label of lower-case letters, digits and '_', got {section!r}",
            field="--section",
        )
    path = Path(name if isinstance(midi, bytes) else midi)
    if not isinstance(midi, bytes):
        if not path.exists():
            raise ProduceError("no such MIDI file", path=path)
        check_regular(path, ProduceError)  # a FIFO, a device or a folder: said, never opened
    if phase == "drums" and transpose:
        raise ProduceError(
            "drums are not transposed (their notes are drum keys)", field="--transpose"
        )
    try:
        score = load_score(midi if isinstance(midi, bytes) else path)
    except ChromaticError as e:
        raise ProduceError(e.detail, path=path) from None
    proposal = folder.proposal()
    ts, bpm, want, role = _target(folder, phase, label, proposal)
    (index, chosen), warnings = pick_track(score, track, path)
    where = f"track {index} {chosen.name!r}"
    if not len(chosen.notes):
        raise ProduceError(f"{where} holds no notes", path=path)
    if len(score.time_signatures):
        written = time_signature_at(score, 0)
        if written != ts:
            raise ProduceError(
                f"{where} is in {written}; section {label!r} is in {ts}", path=path, field="meter"
            )
    scale = TPQ / score.tpq
    if not float(scale).is_integer() and any((n.time * TPQ) % score.tpq for n in chosen.notes):
        warnings.append(f"{path.name}: {score.tpq} ticks a quarter rounded to {TPQ}")
    notes = sorted(_notes(chosen, scale, transpose, path, where), key=lambda n: (n.start, n.pitch))
    bar = bar_ticks(meter_of(ts))
    have = max(1, math.ceil(max(n.start + n.duration for n in notes) / bar))
    fitted = None
    if want is not None:
        notes, fitted = fit_bars(notes, have, want, bar)
        if fitted:
            warnings.append(f"{label}: {path.name} {where}: {fitted}")
    bars = want or have
    out = new_score(bpm, ts, proposal.key)
    tr = add_track(
        out,
        phase,
        program=_program(folder, phase, proposal, role),
        is_drum=bool(chosen.is_drum) or phase == "drums",
    )
    append_notes(tr, notes)
    lyrics = read_lyrics(chosen) if phase in ("melody", "harmony") else []
    add_lyrics(
        tr, [(round(t * scale), text) for t, text in lyrics if round(t * scale) < bars * bar]
    )
    data = score_bytes(out)
    details = {
        "section": label,
        "bars": bars,
        "imported": {
            "file": path.name,
            "track": index,
            "track_name": chosen.name,
            "transpose": int(transpose),
            "fitted": fitted,
        },
    }
    return _record(folder, phase, label, data, details, len(notes), tuple(warnings))


def _record(folder, phase, label, data, details, count, warnings) -> ImportResult:
    """Write the candidate, its review entry (approved) and the approved loop, under the lock,
    after every check."""
    cid = f"{PREFIX.get(phase, phase)}_{label}_import"
    review_path = folder.review_path(phase)
    with folder.locked():
        folder.ensure_phase(phase)
        if review_path.exists():
            review = load_review(review_path, check_files=False)
            doc = review.doc
            for i, c in enumerate(review.model.candidates):
                mine = normalize_label(c.label or str(c.details.get("section") or ""))
                if c.status == "approved" and mine == label and c.id != cid:
                    doc["candidates"][i]["status"] = "pending"  # the import replaces it
                    warnings = (*warnings, f"{c.id} was approved for {label!r}: now pending")
        else:
            doc = CommentedMap()
            doc.yaml_set_start_comment(HEADER)
            doc.update(
                schema_version=1,
                phase=phase,
                song=header_facts(folder.proposal(), "../proposal.yml"),
                seed=0,
                scoring={"weights": {"theory": 1.0}, "model": None},
                candidates=CommentedSeq(),
            )
        seq = doc.get("candidates")
        if seq is None:
            seq = doc["candidates"] = CommentedSeq()
        entry = CommentedMap(
            id=cid,
            rank=1,
            status="approved",
            label=label,
            notes=None,
            midi_file=f"candidates/{cid}.mid",
            scores={"composite": 1.0, "theory": {}, "chromatic": None},
            details=details,
        )
        for i, m in enumerate(seq):
            if m.get("id") == cid:
                seq[i] = entry
                break
        else:
            seq.insert(0, entry)
        ReviewFile.model_validate(doc)
        cand_path = folder.phase_dir(phase) / "candidates" / f"{cid}.mid"
        write_bytes_atomic(cand_path, data)
        loop = approved_loop(cand_path, phase, details)
        write_text_atomic(review_path, dump_yaml(doc))
        target = folder.approved_dir(phase) / f"{label}.mid"
        write_bytes_atomic(target, loop)
    return ImportResult(phase, label, cid, target, count, details["bars"], warnings)


def imported_sections(folder) -> dict[str, set[str]]:
    """The phases each section has an imported approved part in (section -> phases)."""
    from chromatic.produce.review import read_review

    out: dict[str, set[str]] = {}
    for phase in PREFIX:
        path = folder.review_path(phase)
        if not path.is_file():
            continue
        try:
            candidates = read_review(path).candidates
        except ChromaticError:  # a review that does not load is its phase's own error to give
            continue
        for c in candidates:
            if c.status == "approved" and isinstance(c.details.get("imported"), dict):
                out.setdefault(normalize_label(c.label or ""), set()).add(phase)
    return out


def as_played(variation: dict, section: str, played: dict[str, set[str]]) -> None:
    """A new plan's variations of ``section`` that would rewrite an imported part, turned off:
    the melody's ornaments on repeats and the drums' fills (the plan's human may turn them on)."""
    phases = played.get(normalize_label(section), set())
    if "melody" in phases and variation.get("vary_melody"):
        variation["vary_melody"] = False
    if "drums" in phases:
        for key in ("fill", "phrase_fill"):
            if key in variation:
                variation[key] = "none"
