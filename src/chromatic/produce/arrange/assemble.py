"""Assembly: the approved loops laid out along production_plan.yml into one arrangement.mid.

For each planned section (in plan order) and each of its repeats, every phase's approved loop
for that section (``<phase>/approved/<section>.mid``) is looped, or cut, to the section's bars.
The result has one track per instrument (phase and GM program; drums ``is_drum``, which MIDI
writes on channel 10), the proposal's tempo, time signature and key, and a marker at the start
of each section. Those song-wide events sit in a first, note-less track named after the song (a
type-1 "conductor" track): music21 applies a conductor track's meter to every part, whereas
meta events sharing a track with notes would leave the other parts in 4/4. The plan's human
values act here: ``repeat`` (0 leaves a section out), ``vocals: false`` mutes the sung parts
there, and ``intensity`` scales velocities (0.5 plays the loops as written).

Repeats develop: each occurrence's ``variation:`` (fills, crash, drop-out, lift, melodic
variation: ``arrange.variation``) and ``transpose:`` are played on its notes; the song's last bars
become the style's cadence and ending (``arrange.ending``); ``write_arrangement`` writes it.

Only notes and sung lyrics are copied from the loops (the song's tempo, meter and key replace
theirs); an "all notes off" on every track at the last tick shows pretty_midi the planned
length. Same plan and loops -> byte-identical arrangement.mid."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from symusic import ControlChange, Note, Tempo, TextMeta

from chromatic.errors import ProduceError
from chromatic.fileio import write_bytes_atomic
from chromatic.music.form import section_role
from chromatic.music.key import TimeSignature
from chromatic.music.meter import TPQ, meter_of
from chromatic.music.midi import (
    add_lyrics,
    add_track,
    align_lyrics,
    load_score,
    new_score,
    read_lyrics,
)
from chromatic.paths import within
from chromatic.produce.arrange import holes
from chromatic.produce.arrange.arrangement import Arrangement, Instrument, SectionSpan
from chromatic.produce.arrange.craft import DOUBLE_PHASE, shape, span_facts
from chromatic.produce.arrange.ending import end_song
from chromatic.produce.arrange.perform import perform_folder, velocity_scale
from chromatic.produce.arrange.variation import (
    Block,
    Frame,
    Hit,
    TrackKey,
    develop,
)
from chromatic.produce.folder import PHASES, ProductionFolder, open_folder
from chromatic.produce.planfile import Plan, PlanSection, load_plan, plan_path
from chromatic.produce.promote import normalize_label
from chromatic.produce.style.table import style_for

ARRANGEMENT_FILE = "arrangement.mid"
VOCAL_PHASES = ("melody", "harmony")  # sung lines: muted by vocals: false, with lyrics
ALL_NOTES_OFF = 123
EXPRESSION = 11  # CC11: the fade-out ending's ramp
DEFAULT_PHRASE_BARS = 4  # the phrase length of a plan without a form block


@dataclass(frozen=True)
class _Loop:
    period: int  # ticks, whole bars
    parts: tuple[
        tuple[int, bool, tuple[tuple[int, int, int, int], ...]], ...
    ]  # (program, drum, notes)
    lyrics: tuple[tuple[int, str], ...] = ()  # the sung loop's lyric events (tick, text)


def _section_program(loop: _Loop, style, label: str) -> _Loop:
    """The chords of a section whose role the style gives its own program (a color's palette,
    a concept's accent: ``Style.section_programs``) play on that program."""
    chosen = style.section_programs.get(section_role(label)[0], {}).get("chords")
    if chosen is None:
        return loop
    parts = tuple((p if drum else chosen, drum, notes) for p, drum, notes in loop.parts)
    return _Loop(loop.period, parts, loop.lyrics)


def _read_loop(path: Path, bar_ticks: int) -> _Loop:
    """A loop's notes in the arrangement's resolution, per source track, and its length in
    whole bars (at least one)."""
    score = load_score(path)
    scale = TPQ / score.tpq
    parts, end = [], 0
    for track in score.tracks:
        notes = []
        for n in track.notes:
            t, d = round(n.time * scale), max(1, round(n.duration * scale))
            notes.append((t, d, int(n.pitch), int(n.velocity)))
            end = max(end, t + d)
        if notes:
            parts.append((int(track.program), bool(track.is_drum), tuple(sorted(notes))))
    period = max(1, math.ceil(end / bar_ticks - 1e-6)) * bar_ticks
    lyrics = tuple((round(t * scale), x) for tr in score.tracks for t, x in read_lyrics(tr))
    return _Loop(period, tuple(parts), lyrics)


def arrange(folder: ProductionFolder, plan: Plan, *, allow_missing: bool = False) -> Arrangement:
    """Build the arrangement Score from the plan and the approved loops (no files written).
    An approved loop missing on disk is refused (``arrange.holes``) unless ``allow_missing``."""
    proposal = folder.proposal()
    ts = TimeSignature.parse(proposal.time_signature)
    bar_ticks = round(ts.quarters_per_bar * TPQ)
    bar_s = ts.bar_seconds(proposal.bpm)
    score = new_score(proposal.bpm, ts, proposal.key)
    add_track(score, proposal.title)  # the conductor track (see the module docstring)
    notes: list[str] = []
    loops: dict[tuple[str, str], _Loop] = {}
    available = {
        ph: {p.stem for p in folder.approved_dir(ph).glob("*.mid")}
        for ph in PHASES
        if folder.approved_dir(ph).is_dir()
    }
    played = [normalize_label(s.name) for s in plan.sections if s.repeat > 0]
    gaps = holes.missing_loops(folder, played, available)
    if gaps and not allow_missing:
        holes.refuse(gaps, folder.root)
    notes.extend(holes.note(h) for h in gaps)
    for ph in PHASES[1:]:
        if not available.get(ph):
            notes.append(f"{ph}: no approved loops; the arrangement has no {ph}")

    style = style_for(proposal, folder.root)
    referenced = folder.path("reference.yml").is_file()  # produce.reference: its programs
    if not style.drums and available.pop("drums", None):  # the color's songs have none
        notes.append(f"drums: the {style.color} style plays without drums (produce.style.color)")
    meter = meter_of(ts)
    phrase = _phrase_bars(plan)
    tracks: dict[TrackKey, list[Hit]] = {}
    sung: dict[str, list[tuple[int, str]]] = {}  # lyric events per vocal phase, loops' grid
    spans: list[SectionSpan] = []
    passes: dict[str, int] = {}  # passes of each loop so far: the melody varies every other one
    totals: dict[str, int] = {}  # passes of each loop in the whole song
    for sec in plan.sections:
        label = normalize_label(sec.name)
        totals[label] = totals.get(label, 0) + max(sec.repeat, 0)
    cursor = 0
    for sec in plan.sections:
        label = normalize_label(sec.name)  # a hand-typed "Verse 2" plays approved/verse_2.mid
        if not _plays(sec, label, available, notes):
            continue
        length = sec.bars * bar_ticks
        count: dict[str, int] = {}
        score.markers.append(TextMeta(time=cursor, text=sec.name))
        start_bar, start = cursor // bar_ticks, cursor
        block: Block = {}
        for _ in range(sec.repeat):
            for ph in PHASES:
                if label not in available.get(ph, ()):
                    continue
                if ph in VOCAL_PHASES and not sec.vocals:
                    continue
                key = (ph, label)
                if key not in loops:
                    loops[key] = _read_loop(folder.approved_dir(ph) / f"{label}.mid", bar_ticks)
                    if ph == "chords" and not referenced:  # a reference's programs win
                        loops[key] = _section_program(loops[key], style, label)
                if ph in VOCAL_PHASES:  # sung once per pass of the chords: never wrapped
                    loops[key] = _sung_once(loops[key], loops.get(("chords", label)))
                    _place_lyrics(loops[key], cursor, length, sung.setdefault(ph, []))
                placed = _place(
                    loops[key], cursor, length, velocity_scale(sec.intensity), ph, block
                )
                count[ph] = count.get(ph, 0) + placed
            cursor += length
        scale = tuple((pc + sec.transpose) % 12 for pc in proposal.key.scale_pcs())
        frame = Frame(start, cursor, bar_ticks, meter, phrase, scale)
        develop(block, sec, frame, passes, totals.get(normalize_label(sec.name)))
        for k, hits in block.items():
            tracks.setdefault(k, []).extend(hits)
        end_bar = cursor // bar_ticks
        spans.append(SectionSpan(sec, start_bar, start_bar * bar_s, end_bar * bar_s, count))
    if not spans:
        raise ProduceError(
            "nothing to assemble: no planned section is approved with repeat > 0", path=plan.path
        )
    last = spans[-1].planned
    from chromatic.produce.imported import imported_sections

    played = frozenset(imported_sections(folder).get(last.name, ()))
    close = end_song(
        tracks,
        cursor,
        bar_ticks,
        meter,
        (proposal.key.pc + last.transpose) % 12,
        proposal.key.is_minor,
        style.ending.cadence,
        style.ending.kind,
        proposal.bpm,
        keep=played,
    )
    for t, qpm in close.tempos:
        score.tempos.append(Tempo(time=t, qpm=qpm))
    shape(
        tracks,
        bar_ticks,
        sung=bool(sung.get("melody")),
        descant=style.variation.descant,
        meter=meter,
        backing_low=_backing_low(folder.review_facts("harmony").get("singer")),
        **span_facts(spans, bar_ticks, proposal.key.pc),
    )

    instruments = []
    for (ph, program, drum), items in sorted(
        tracks.items(), key=lambda kv: (_order(kv[0][0]), kv[0][2], kv[0][1])
    ):
        name = ph if sum(k[0] == ph for k in tracks) == 1 else f"{ph} {program}"
        track = add_track(score, name, program=program, is_drum=drum)
        for t, d, p, v in sorted(items, key=lambda n: (n[0], n[2], n[1])):
            track.notes.append(Note(time=t, duration=max(1, d), pitch=p, velocity=v))
        for t, value in close.expression:
            track.controls.append(ControlChange(time=t, number=EXPRESSION, value=value))
        track.controls.append(ControlChange(time=cursor, number=ALL_NOTES_OFF, value=0))
        if ph in VOCAL_PHASES:
            add_lyrics(track, [(t, x) for t, x in sung.get(ph, []) if t < cursor])
        instruments.append(Instrument(name, ph, program, drum))
    return Arrangement(score, tuple(spans), tuple(instruments), bar_s, tuple(notes))


def _order(phase: str) -> float:
    """Track order: the phases' order, the lead's doubling right after the lead."""
    return PHASES.index("melody") + 0.5 if phase == DOUBLE_PHASE else PHASES.index(phase)


# --- the sung text (lyric events) ----------------------------------------------------------------


def _sung_once(loop: _Loop, chords: _Loop | None) -> _Loop:
    """A vocal loop repeats with its chord loop, not on its own length: a melody whose last line
    ends before the loop's last bar (a rest, an instrumental answer) would otherwise start over
    inside the section and sing its first lines twice."""
    if chords is None or loop.period >= chords.period:
        return loop
    return _Loop(chords.period, loop.parts, loop.lyrics)


def _place_lyrics(loop: _Loop, start: int, length: int, out: list[tuple[int, str]]) -> None:
    """The loop's lyric events over [start, start + length), as ``_place`` lays its notes."""
    offset, end = start, start + length
    while offset < end and loop.lyrics:
        out.extend((offset + t, x) for t, x in loop.lyrics if offset + t < end)
        offset += loop.period


def _phrase_bars(plan: Plan) -> int:
    form = plan.doc.get("form")
    value = form.get("phrase_bars") if isinstance(form, dict) else None
    return int(value) if isinstance(value, int) and value >= 1 else DEFAULT_PHRASE_BARS


def _plays(sec: PlanSection, label: str, available: dict[str, set[str]], notes: list[str]) -> bool:
    if sec.repeat == 0:
        return False
    if not sec.approved or label not in available.get("chords", ()):
        notes.append(
            f"section {sec.name!r} has no approved chord loop: skipped "
            "(run 'chromatic plan <folder> --refresh' after changing approvals)"
        )
        return False
    return True


def _place(
    loop: _Loop,
    start: int,
    length: int,
    scale: float,
    phase: str,
    tracks: Block,
) -> int:
    """Lay ``loop`` over [start, start + length): repeated while it fits, the last pass cut at the
    section end (a note crossing it is shortened). Returns the notes placed."""
    end, placed = start + length, 0
    for program, drum, notes in loop.parts:
        out = tracks.setdefault((phase, 0 if drum else program, drum), [])
        offset = start
        while offset < end:
            for t, d, pitch, vel in notes:
                at = offset + t
                if at >= end:
                    break
                v = min(127, max(1, round(vel * scale)))
                out.append((at, min(d, end - at), pitch, v))
                placed += 1
            offset += loop.period
    return placed


# --- the step ----------------------------------------------------------------------------------


def write_arrangement(arr: Arrangement, root: Path) -> Path:
    """Write arrangement.mid: the one place the finished score goes to disk (compose's finish
    and ``assemble`` both call it), so a last pass over the score (performance) hooks in here;
    the file is DAW-ready (``arrange.daw``: instrument names, channels, chord names)."""
    from chromatic.produce.arrange.daw import arrangement_bytes

    align_lyrics(arr.score)  # the words follow the performed notes
    path = within(root, ARRANGEMENT_FILE)
    key = open_folder(root).proposal().key
    write_bytes_atomic(path, arrangement_bytes(arr, Path(root), key))
    return path


@dataclass(frozen=True)
class AssembleResult:
    midi: Path
    arrangement: Arrangement
    audio: Path | None = None
    image: Path | None = None
    loudness: object = None
    musicxml: Path | None = None


#: What assemble writes into the folder (a link among them is refused before any write).
OUTPUTS = ("arrangement.mid", "arrangement.wav", "arrangement.flac", "arrangement.png", "stems")


def assemble(
    folder_path: str | os.PathLike,
    *,
    render: bool = False,
    soundfont: str | os.PathLike | None = None,
    audio_format: str = "wav",
    sample_rate: int = 44100,
    quantized: bool = False,
    stems: bool = False,
    musicxml: bool = False,
    allow_missing: bool = False,
    progress: Callable[[str, Arrangement], None] | None = None,
) -> AssembleResult:
    """Write arrangement.mid (and with ``render`` the audio preview and arrangement.png), played
    by the performance pass (``arrange.perform``; ``quantized`` keeps the grid); ``stems`` also
    renders one audio file per instrument; ``musicxml`` also writes arrangement.musicxml (the
    written notes, before the performance pass: ``arrange.musicxml``)."""
    folder = open_folder(folder_path)
    for name in OUTPUTS:  # every file assemble may write, checked before the first is written
        folder.path(name)
    path = plan_path(folder.root)
    if not path.is_file():
        raise ProduceError(f"no production plan (run: chromatic plan {folder.root})", path=path)
    say = progress or (lambda _step, _arr: None)
    written = arrange(folder, load_plan(path), allow_missing=allow_missing)
    arr = perform_folder(written, folder, quantized=quantized)
    midi = write_arrangement(arr, folder.root)
    say("midi", arr)
    if musicxml:
        say("musicxml", arr)
    score = _write_musicxml(written, folder) if musicxml else None
    if not render:
        return AssembleResult(midi, arr, musicxml=score)
    from chromatic.produce.arrange.preview import render_preview

    say("render", arr)
    prev = render_preview(
        arr,
        folder.root,
        soundfont=soundfont,
        audio_format=audio_format,
        sample_rate=sample_rate,
        title=folder.proposal().title,
        stems=stems,
    )
    return AssembleResult(midi, arr, prev.audio, prev.image, prev.loudness, score)


def _write_musicxml(written: Arrangement, folder: ProductionFolder) -> Path:
    from chromatic.produce.arrange.musicxml import write_musicxml

    return write_musicxml(written, folder.root, folder.proposal().key)


def _backing_low(singer) -> int | None:
    """The harmony phase's singer's lowest note (its review's ``singer.low``), if recorded."""
    low = singer.get("low") if isinstance(singer, dict) else None
    return low if isinstance(low, int) and not isinstance(low, bool) else None
