"""A production folder as a :class:`~chromatic.measure.musicality.Piece`: what the musicality
benchmark and the form tests measure.

The arrangement's tracks are named by instrument, each with its phase (``chords``, ``drums``,
``bass``, ``melody``) as a ``part:`` text event (``music.daw.part_roles``); files written before
that are named by phase (``chords 4`` where one phase plays two programs) and found by name;
the key, meter and section bars come from ``production_plan.yml``.
"""

from __future__ import annotations

import os
from pathlib import Path

from chromatic.errors import ProduceError
from chromatic.measure.musicality import Piece, PNote, melody_line
from chromatic.music.daw import part_roles
from chromatic.music.key import Key, TimeSignature
from chromatic.music.midi import load_score
from chromatic.yamlio import read_yaml


def piece_from_production(folder: str | os.PathLike, name: str | None = None) -> Piece:
    folder = Path(folder)
    plan = read_yaml(folder / "production_plan.yml", ProduceError)
    song = plan.get("song", {})
    key = Key.parse(song.get("key", "C major"), source=str(folder / "production_plan.yml"))
    meter = TimeSignature.parse(song.get("time_signature", "4/4"))
    score = load_score(folder / "arrangement.mid")
    roles = part_roles(folder / "arrangement.mid")  # tracks are named by instrument on disk
    tpq = score.ticks_per_quarter
    parts: dict[str, list[PNote]] = {"melody": [], "bass": [], "chords": [], "others": []}
    drums: list[float] = []
    hits: list[tuple[float, int]] = []
    for track in score.tracks:
        if track.is_drum:
            for n in track.notes:
                drums.append(n.time / tpq)
                hits.append((n.time / tpq, int(n.pitch)))
            continue
        role = roles.get(track.name) or track.name.split(" ")[0].lower()
        bucket = parts.get(role if role in ("melody", "bass", "chords") else "others")
        bucket.extend(PNote(n.time / tpq, n.duration / tpq, int(n.pitch)) for n in track.notes)
    # a planned section is an occurrence: its loop's bars times its repeats
    sections = [
        int(s.get("bars", 0)) * int(s.get("repeat", 1) or 0)
        for s in plan.get("sections", [])
        if int(s.get("repeat", 1) or 0) > 0 and s.get("approved", True) is not False
    ]
    form = plan.get("form") if isinstance(plan.get("form"), dict) else {}
    phrase = int(form.get("phrase_bars") or 4)
    phrase = 4 if phrase % 4 == 0 else phrase  # 8-bar phrases are whole 4-bar phrases too
    return Piece(
        name=name or folder.name,
        tonic=key.pc,
        minor=key.is_minor,
        bar_quarters=float(meter.quarters_per_bar),
        melody=melody_line(_without_octave_doubling(parts["melody"])),
        bass=sorted(parts["bass"], key=lambda n: n.onset),
        chords=sorted(parts["chords"], key=lambda n: n.onset),
        others=parts["others"],
        drums=sorted(drums),
        drum_hits=sorted(hits),
        seconds=float(score.to("second").end()),
        sections_bars=sections,
        phrase_bars=phrase,
    )


def _without_octave_doubling(notes: list[PNote]) -> list[PNote]:
    """The tune without its octave doubling: the last chorus's lift doubles the melody an octave
    up, which a listener hears as one line, so a note with a partner an octave below struck with
    it counts once, as the lower (docs/MUSICALITY.md takes the highest of a chord; a doubling
    is not a chord)."""
    starts = {(round(n.onset * 8), n.pitch) for n in notes}
    return [n for n in notes if (round(n.onset * 8), n.pitch - 12) not in starts]
