"""Regenerating a region of an approved chord loop: ``produce chords FOLDER --section S --bars 5-8``.

As for the other parts (``produce.region``): the chord phase generates in a throwaway copy of
the folder, each candidate's notes inside the bars (its loop repeated to reach them) replace the
approved loop's there, every note starting outside is the approved one. The chord names follow:
the approved loop's outside the bars, the candidate's inside, a name at each edge for the chord
sounding there, and the harmonic rhythm in ``details`` is rebuilt from them, so the later phases
read the new chords. The joins are scored by voice leading: how far the upper voices move into the
region's first chord and out of its last (0 semitones = 1, ``MOVE_SCALE`` or more = 0).
"""

from __future__ import annotations

import bisect
import itertools
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from chromatic.fileio import clone_tree
from chromatic.music.daw import chord_texts
from chromatic.music.notes import Note
from chromatic.music.song_midi import part, write_loop
from chromatic.produce.chords.theory import MOVE_SCALE
from chromatic.produce.phases import PhaseOptions, PhaseResult
from chromatic.produce.regenerate import FreshCandidate, Group, regenerate_groups
from chromatic.produce.region import _existing, _read, check_region, splice
from chromatic.produce.review import read_review


def _name_at(names: list[tuple[int, str]], t: int) -> str | None:
    i = bisect.bisect_right([x for x, _ in names], t) - 1
    return names[i][1] if i >= 0 else None


def _upper(notes: list[Note], t: int, before: bool) -> list[int]:
    """The upper voices (all but the lowest note) sounding just before ``t`` or struck at it."""
    if before:
        here = [n.pitch for n in notes if n.start < t <= n.start + n.duration]
        if not here:
            starts = [n.start for n in notes if n.start < t]
            here = [n.pitch for n in notes if starts and n.start == max(starts)]
    else:
        here = [n.pitch for n in notes if n.start == t] or [
            n.pitch for n in notes if n.start <= t < n.start + n.duration
        ]
    return sorted(here)[1:] if len(here) > 1 else here


def voice_leading_join(a: list[int], b: list[int]) -> float | None:
    """1 - (semitones each voice of ``b`` moves from the nearest of ``a``) / MOVE_SCALE."""
    if not a or not b:
        return None
    moved = sum(min(abs(p - q) for q in a) for p in b)
    return max(0.0, 1.0 - moved / MOVE_SCALE)


def _tile(notes: list[Note], names, period: int, end: int):
    reps = -(-end // period) if period else 1
    tiled = [n._replace(start=n.start + k * period) for k in range(reps) for n in notes]
    named = [(t + k * period, s) for k in range(reps) for t, s in names]
    return tiled, named


def splice_names(base, new, start: int, end: int, total: int) -> list[tuple[int, str]]:
    out = [(t, s) for t, s in base if t < start]
    first = _name_at(new, start)
    if first:
        out.append((start, first))
    out += [(t, s) for t, s in new if start < t < end]
    after = [(t, s) for t, s in base if t >= end]
    if end < total and not any(t == end for t, _ in after) and _name_at(base, end):
        out.append((end, _name_at(base, end)))
    return out + after


def regenerate_chords_region(
    folder_path, section: str, bars: str, options: PhaseOptions
) -> PhaseResult:
    """Candidates of ``section``'s chord loop differing from the approved one only in ``bars``
    (``"5-8"``), merged into chords/review.yml."""
    from chromatic.produce.phases.registry import get

    folder, song, sec, first, last, base_path = check_region(folder_path, "chords", section, bars)
    key = song.proposal.key
    bar = sec.bar_ticks
    start, end, total = (first - 1) * bar, last * bar, sec.bars * bar
    base, _, track = _read(base_path)
    base_names = chord_texts(base_path)
    work = Path(tempfile.mkdtemp(prefix="chromatic-region-"))
    try:
        clone = work / folder.root.name
        clone_tree(folder.root, clone, ignore=shutil.ignore_patterns("*.wav", "*.flac", "stems"))
        copy = type(folder)(clone)
        run = get("chords").run(copy, replace(options, top=options.n)).gate(copy)
        review = read_review(clone / "chords" / "review.yml")
        made = []
        for c in review.candidates:
            data = (clone / "chords" / c.midi_file).read_bytes()
            made.append((c, _read(data)[0], chord_texts(data)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    spliced, seen = [], {tuple(base)}
    for c, notes, names in made:
        period = max(1, -(-max(n.start + n.duration for n in notes) // bar)) * bar
        tiled, named = _tile(notes, names, period, end)
        out = splice(base, tiled, start, end)
        if tuple(out) in seen:
            continue
        seen.add(tuple(out))
        into = voice_leading_join(_upper(out, start, True), _upper(out, start, False))
        out_of = voice_leading_join(_upper(out, end, True), _upper(out, end, False))
        edges = (into if start > 0 else None, out_of if end < total else None)
        known = [v for v in edges if v is not None]
        join = sum(known) / len(known) if known else 1.0
        names_out = splice_names(base_names, named, start, end, total)
        score = round((c.scores.composite + join) / 2, 4)
        joins = {"into": into, "out_of": out_of, "join": round(join, 4)}
        spliced.append((score, c, out, names_out, joins))
    spliced.sort(key=lambda x: (-x[0], x[1].rank))

    def fresh():
        for score, c, out, names, joins in spliced:
            data = write_loop(
                part("chords", out, program=int(track.program)),
                bpm=sec.bpm,
                time_signature=sec.time_signature,
                key=key,
                bars=sec.bars,
                chords=names,
            )
            ticks = [t for t, _ in names] + [total]
            lengths = [round((b - a) / bar, 4) for a, b in itertools.pairwise(ticks)]
            details = {
                "section": section,
                "chords": [s for _, s in names],
                "harmonic_rhythm": {"profile": "region", "bars": lengths, "total_bars": sec.bars},
                "strum": c.details.get("strum"),
                "program": int(track.program),
                "region": {
                    "bars": f"{first}-{last}",
                    "base": f"approved/{section}.mid",
                    "from": c.id,
                    "joins": {k: round(v, 4) if v is not None else None for k, v in joins.items()},
                },
            }
            theory = {**c.scores.theory, "join": joins["join"]}
            yield FreshCandidate(
                {"composite": score, "theory": theory, "chromatic": None}, details, data
            )

    path = folder.review_path("chords")
    with folder.locked():
        facts = {k: v for k, v in read_review(path).model_dump().items() if k != "candidates"}
        groups = [Group(section, f"chord_{section}", fresh(), options.top)]
        groups += _existing(path, section, "chord", free=True)
        merge = regenerate_groups(path.parent, facts=facts, groups=groups, digits=3)
    return PhaseResult(
        "chords", merge, len(made), len(spliced), {section: len(spliced)}, (), run.weights
    )
