"""Regenerating a region of an approved part: ``produce <phase> FOLDER --section S --bars 5-8``.

The section's approved loop (``<phase>/approved/<S>.mid``) is kept; the phase generates its
candidates as usual (in a throwaway copy of the folder, so nothing of the real one moves), and
each candidate's notes inside the bars replace the approved loop's there. A note of the approved
loop that starts outside the region is kept as it is (onset, length, pitch, velocity), except
one held into the region, which is cut at the region's start; a new note is cut at the region's
end. So every note outside the region is the approved one, and the candidates differ only inside.

The joins are measured and ranked on: for a pitched part the leap into the region's first note
and out of its last (a step scores 1, an octave or more 0), and for drums how much the region's
first and last bars keep the groove of the bars beside them (the share of (position, drum) hits
they share). A melody candidate whose region sings other syllables than the approved one is
left out where any candidate sings the same ones, so the words stay where they were. A spliced
candidate's composite is the mean of the candidate's own composite and its join score; it goes
into review.yml beside the section's other candidates (``details.region``: the bars, the base
file, the source candidate and the join figures), reviewed, promoted and assembled as any other.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from chromatic.errors import ProduceError
from chromatic.fileio import clone_tree
from chromatic.music.midi import (
    load_score,
    read_lyrics,
)
from chromatic.music.notes import Note
from chromatic.music.song_midi import part, write_loop
from chromatic.produce.folder import ProductionFolder, open_folder
from chromatic.produce.phases import PhaseOptions, PhaseResult
from chromatic.produce.regenerate import FreshCandidate, Group, MergeResult, regenerate_groups
from chromatic.produce.review import GROUP_KEY, SCRATCH_FIELD, detail_file, read_review
from chromatic.produce.sections import load_song

WORDLESS = frozenset({"oo", "-", ""})  # a wordless line's syllables (and a melisma's hold)
PART_PHASES = ("drums", "bass", "melody", "harmony")
PREFIX = {"drums": "drum", "bass": "bass", "melody": "melody", "harmony": "harmony"}


def parse_bars(text: str, section: str, bars: int) -> tuple[int, int]:
    """``"5-8"`` or ``"5"`` -> (first, last) bar, 1-based and inside the section's ``bars``."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*", text or "")
    if not m:
        raise ProduceError(f"expected bars like 5-8 or 5, got {text!r}", field="--bars")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if not 1 <= first <= last <= bars:
        raise ProduceError(
            f"bars {first}-{last} are outside section {section!r} (bars 1-{bars})", field="--bars"
        )
    return first, last


def _read(data_or_path) -> tuple[list[Note], list[tuple[int, str]], object]:
    score = load_score(data_or_path)
    scale = 480 / score.tpq
    notes, lyrics, first = [], [], None
    for t in score.tracks:
        if not len(t.notes):
            continue
        first = first or t
        notes += [
            Note(round(n.time * scale), round(n.duration * scale), int(n.pitch), int(n.velocity))
            for n in t.notes
        ]
        lyrics += [(round(x * scale), s) for x, s in read_lyrics(t)]
    return sorted(notes, key=lambda n: (n.start, n.pitch)), sorted(lyrics), first


def splice(base: list[Note], new: list[Note], start: int, end: int) -> list[Note]:
    """``base`` outside [start, end) and ``new`` inside (see the module docstring)."""
    out = []
    for n in base:
        if n.start < start:
            out.append(n._replace(duration=min(n.duration, start - n.start)))
        elif n.start >= end:
            out.append(n)
    out += [
        n._replace(duration=min(n.duration, end - n.start)) for n in new if start <= n.start < end
    ]
    return sorted(out, key=lambda n: (n.start, n.pitch))


def _leap_score(a: Note | None, b: Note | None) -> float | None:
    if a is None or b is None:
        return None
    return max(0.0, 1.0 - max(abs(a.pitch - b.pitch) - 2, 0) / 10)


def _top(notes: list[Note], lo: int, hi: int, last: bool) -> Note | None:
    inside = [n for n in notes if lo <= n.start < hi]
    if not inside:
        return None
    at = max(n.start for n in inside) if last else min(n.start for n in inside)
    return max((n for n in inside if n.start == at), key=lambda n: n.pitch)


def _groove(notes: list[Note], bar_a: int, bar_b: int, bar: int) -> float | None:
    def hits(k):
        return {(n.start - k * bar, n.pitch) for n in notes if k * bar <= n.start < (k + 1) * bar}

    a, b = hits(bar_a), hits(bar_b)
    return len(a & b) / len(a | b) if a | b else None


def join_scores(
    spliced: list[Note], first: int, last: int, bar: int, bars: int, drums: bool
) -> dict:
    """The join figures of a spliced part (bars 1-based), each in [0, 1], and their mean."""
    start, end = (first - 1) * bar, last * bar
    if drums:
        into = _groove(spliced, first - 2, first - 1, bar) if first > 1 else None
        out = _groove(spliced, last - 1, last, bar) if last < bars else None
    else:
        into = _leap_score(_top(spliced, 0, start, True), _top(spliced, start, end, False))
        out = _leap_score(_top(spliced, start, end, True), _top(spliced, end, bars * bar, False))
    parts = {"into": into, "out_of": out}
    known = [v for v in parts.values() if v is not None]
    return {**parts, "join": sum(known) / len(known) if known else 1.0}


def _lyrics_in(lyrics, start: int, end: int) -> list[str]:
    return [s for t, s in lyrics if start <= t < end]


def _existing(review_path: Path, section: str, prefix: str, free: bool = False) -> list[Group]:
    """The other sections' untouched candidates, re-offered as they are (kept in place); with
    ``free``, the section-less ones too (the chord phase's generated progressions)."""
    if not review_path.is_file():
        return []
    groups: dict[str, list[FreshCandidate]] = {}
    touched: dict[str, int] = {}  # a group's top counts its kept (touched) candidates too
    for c in sorted(read_review(review_path).candidates, key=lambda c: c.rank):
        s = c.details.get(GROUP_KEY)
        if s == section or not (isinstance(s, str) or free):
            continue
        if c.touched:  # kept by the merge, in place
            touched[s] = touched.get(s, 0) + 1
            continue
        details = dict(c.details)
        extra = {}
        beat = details.pop("scratch_beat", None)
        at = detail_file(review_path, beat, SCRATCH_FIELD)
        if at and at.is_file():
            extra["scratch_beat"] = ("_scratch", at.read_bytes())
        data = (review_path.parent / c.midi_file).read_bytes()
        groups.setdefault(s, []).append(FreshCandidate(c.scores.model_dump(), details, data, extra))
    return [
        Group(s, f"{prefix}_{s}" if s else prefix, iter(fs), len(fs) + touched.get(s, 0))
        for s, fs in groups.items()
    ]


def check_region(folder_path, phase: str, section: str, bars: str):
    """(folder, song, section, first bar, last bar, the approved loop) of a region to
    regenerate, or a one-line ProduceError (nothing is written before this passes)."""
    from chromatic.produce.promote import normalize_label

    folder = open_folder(folder_path)
    if phase not in ("chords", *PART_PHASES):
        raise ProduceError(
            f"--bars regenerates a region of chords, {', '.join(PART_PHASES)}, not {phase}",
            field="--bars",
        )
    if not section or normalize_label(section) != section:
        raise ProduceError(
            f"expected a section label of lower-case letters, digits and '_', got {section!r}",
            field="--section",
        )
    base_path = folder.approved_dir(phase) / f"{section}.mid"
    song = load_song(folder, f"{phase} --section {section}")
    sec = next((s for s in song.sections if s.label == section), None)
    if sec is None:
        known = ", ".join(s.label for s in song.sections)
        raise ProduceError(
            f"no approved chord section {section!r} (sections: {known})", field="--section"
        )
    if not base_path.is_file():
        raise ProduceError(
            f"no approved {phase} for {section!r} to keep: approve and promote one first",
            path=base_path,
        )
    first, last = parse_bars(bars, section, sec.bars)
    return folder, song, sec, first, last, base_path


def regenerate_region(
    folder_path, phase: str, section: str, bars: str, options: PhaseOptions
) -> PhaseResult:
    """Candidates of a part ``phase`` for ``section`` that differ from its approved loop only
    inside ``bars`` (see the module docstring), merged into the phase's review.yml. (The chord
    loop's: ``region_chords.regenerate_chords_region``.)"""
    from chromatic.produce.phases.registry import get

    if phase == "chords":
        raise ProduceError("a chord region is region_chords.regenerate_chords_region's")
    folder, song, sec, first, last, base_path = check_region(folder_path, phase, section, bars)
    bar = sec.bar_ticks
    start, end = (first - 1) * bar, last * bar
    base, base_lyrics, base_track = _read(base_path)
    work = Path(tempfile.mkdtemp(prefix="chromatic-region-"))
    try:
        clone = work / folder.root.name
        clone_tree(folder.root, clone, ignore=shutil.ignore_patterns("*.wav", "*.flac", "stems"))
        copy = ProductionFolder(clone)
        run = get(phase).run(copy, replace(options, top=options.n)).gate(copy)
        review = read_review(clone / phase / "review.yml")
        cands = [c for c in review.candidates if c.details.get(GROUP_KEY) == section]
        made = [(c, *_read(clone / phase / c.midi_file)[:2]) for c in cands]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    inside = [n for n in base if start <= n.start < end]
    made = [m for m in made if [n for n in m[1] if start <= n.start < end] != inside]
    words = _lyrics_in(base_lyrics, start, end)
    sung = {w for w in words} - WORDLESS
    same = [m for m in made if _lyrics_in(m[2], start, end) == words] if sung else made
    notes = list(run.warnings)
    if phase == "melody" and sung and not same:
        notes.append(f"{section} bars {first}-{last}: no candidate sings the same syllables there")
    drums = phase == "drums"
    spliced, seen = [], {tuple(base)}
    for c, new, lyr in same or made:
        out = splice(base, new, start, end)
        if tuple(out) in seen:
            continue
        seen.add(tuple(out))
        lyrics = [(t, s) for t, s in base_lyrics if not start <= t < end] + [
            (t, s) for t, s in lyr if start <= t < end
        ]
        joins = {
            k: round(v, 4) if v is not None else None
            for k, v in join_scores(out, first, last, bar, sec.bars, drums).items()
        }
        score = round((c.scores.composite + joins["join"]) / 2, 4)
        spliced.append((score, c, out, sorted(lyrics), joins))
    spliced.sort(key=lambda x: (-x[0], x[1].rank))

    def fresh():
        for score, c, out, lyrics, joins in spliced:
            track = part(
                phase,
                out,
                program=int(base_track.program),
                is_drum=bool(base_track.is_drum),
                lyrics=lyrics,
            )
            data = write_loop(
                track,
                bpm=sec.bpm,
                time_signature=sec.time_signature,
                key=song.proposal.key,
                bars=sec.bars,
            )
            details = {
                **c.details,
                "region": {
                    "bars": f"{first}-{last}",
                    "base": f"approved/{section}.mid",
                    "from": c.id,
                    "joins": joins,
                },
            }
            theory = {**c.scores.theory, "join": joins["join"]}
            chroma = c.scores.chromatic.model_dump() if c.scores.chromatic else None
            scores = {"composite": score, "theory": theory, "chromatic": chroma}
            yield FreshCandidate(scores, details, data)

    path = folder.review_path(phase)
    with folder.locked():
        facts = {k: v for k, v in read_review(path).model_dump().items() if k != "candidates"}
        facts["warnings"] = notes
        groups = [Group(section, f"{PREFIX[phase]}_{section}", fresh(), options.top)]
        merge: MergeResult = regenerate_groups(
            path.parent,
            facts=facts,
            groups=groups + _existing(path, section, PREFIX[phase]),
            digits=2,
        )
    return PhaseResult(
        phase, merge, len(made), len(spliced), {section: len(spliced)}, tuple(notes), run.weights
    )
