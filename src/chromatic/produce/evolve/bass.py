"""Bass operators, each kept inside the kick lock (kick alignment is part of the theory that
scores every child again):

- ``cell_swap``: one bar takes another bar's rhythm cell, keeping its own pitches (each new
  onset sounds the pitch its bar was playing at that moment);
- ``approach``: the last eighth before a chord change becomes a chromatic (half step below or
  above) or diatonic approach to the new root;
- ``passing``: a note a third from the next one splits, its second half the scale tone between;
- ``octave``: a note that does not start a chord moves an octave inside the bass register;
- ``span_octave``: all a chord's notes move an octave (the root's register chosen again);
- ``kick_lock``: a kick with no bass onset gets one (the chord root nearest the sounding note).

Niches: density (notes per quarter, 2 = full) x register (mean pitch over 28-60).
"""

from __future__ import annotations

import itertools

from chromatic.music.meter import TPQ
from chromatic.music.notes import Note
from chromatic.produce.bass.centre import bass_centre
from chromatic.produce.evolve.breeder import Breeder, lineage_details
from chromatic.produce.evolve.ops import bar_of, with_bar
from chromatic.produce.evolve.reach import bass_ops
from chromatic.produce.melody.contours import nearest
from chromatic.produce.phases.bass import (
    KICK_TOLERANCE,
    kick_alignment,
    root_adherence,
    voice_leading,
)
from chromatic.produce.phases.parts import PartCandidate
from chromatic.yamlio import flow

LOW, HIGH = 28, 60
EIGHTH = TPQ // 2


def _at(rel: list[Note], t: int) -> int:
    before = [n for n in rel if n.start <= t]
    return (before[-1] if before else rel[0]).pitch


def cell_swap(notes, section, rng):
    if section.bars < 2:
        return None
    i, j = (int(x) for x in rng.choice(section.bars, size=2, replace=False))
    length = section.bar_ticks
    own, cell = bar_of(notes, i, length), bar_of(notes, j, length)
    if not own or not cell:
        return None
    new = [n._replace(pitch=_at(own, n.start)) for n in cell]
    return with_bar(notes, i, length, new)


def approach(notes, section, rng):
    changes = [c for c in section.chords[1:] if any(n.start == c.start for n in notes)]
    if not changes:
        return None
    c = changes[int(rng.integers(len(changes)))]
    target = next(n for n in notes if n.start == c.start).pitch
    before = [n for n in notes if n.start < c.start <= n.end + 1]
    if not before or before[-1].duration < 2 * EIGHTH:
        return None
    prev = before[-1]
    kind = int(rng.integers(3))
    pitch = (
        target - 1
        if kind == 0
        else target + 1
        if kind == 1
        else target + (2 if prev.pitch > target else -2)
    )
    head = prev._replace(duration=c.start - EIGHTH - prev.start)
    tail = Note(c.start - EIGHTH, EIGHTH, pitch, prev.velocity)
    return tuple(sorted([n for n in notes if n != prev] + [head, tail]))


def passing(notes, section, rng):
    scale = section_scale(section)
    pairs = [
        (a, b)
        for a, b in itertools.pairwise(notes)
        if 3 <= abs(b.pitch - a.pitch) <= 4 and a.duration >= 2 * EIGHTH
    ]
    if not pairs:
        return None
    a, b = pairs[int(rng.integers(len(pairs)))]
    lo, hi = sorted((a.pitch, b.pitch))
    between = [p for p in range(lo + 1, hi) if p % 12 in scale] or [(lo + hi) // 2]
    half = a.duration // 2
    new = [
        a._replace(duration=half),
        Note(a.start + half, a.duration - half, between[0], a.velocity),
    ]
    return tuple(sorted([n for n in notes if n != a] + new))


def section_scale(section) -> set[int]:
    return {pc for c in section.chords for pc in c.tones}


def octave(notes, section, rng):
    starts = {c.start for c in section.chords}
    free = [n for n in notes if n.start not in starts]
    if not free:
        return None
    n = free[int(rng.integers(len(free)))]
    moves = [p for p in (n.pitch - 12, n.pitch + 12) if LOW <= p <= HIGH]
    if not moves:
        return None
    p = moves[int(rng.integers(len(moves)))]
    return tuple(sorted([m for m in notes if m != n] + [n._replace(pitch=p)]))


def span_octave(notes, section, rng):
    """Everything the bass plays under one chord moves an octave (the root's register chosen
    again, so a fifth's leap into it can become a fourth's)."""
    spans = [c for c in section.chords if any(c.start <= n.start < c.end for n in notes)]
    if not spans:
        return None
    c = spans[int(rng.integers(len(spans)))]
    inside = [n for n in notes if c.start <= n.start < c.end]
    shift = int(rng.choice([-12, 12]))
    if not all(LOW <= n.pitch + shift <= HIGH for n in inside):
        return None
    moved = [n._replace(pitch=n.pitch + shift) for n in inside]
    return tuple(sorted([n for n in notes if n not in inside] + moved))


def kick_lock_op(kicks: tuple[int, ...]):
    def kick_lock(notes, section, rng):
        onsets = [n.start for n in notes]
        bare = [k for k in kicks if all(abs(k - o) > KICK_TOLERANCE for o in onsets)]
        bare = [k for k in bare if any(n.start < k < n.end for n in notes)]
        if not bare:
            return None
        k = bare[int(rng.integers(len(bare)))]
        n = next(n for n in notes if n.start < k < n.end)
        root = section.chord_at(k).root
        pitch = nearest(n.pitch, {root}, LOW, HIGH, toward=n.pitch)
        new = [n._replace(duration=k - n.start), Note(k, n.end - k, pitch, n.velocity)]
        return tuple(sorted([m for m in notes if m != n] + new))

    return kick_lock


def descriptor(section, notes) -> tuple[float, float]:
    quarters = section.total_ticks / TPQ
    density = min(1.0, len(notes) / quarters / 2.0)
    mean = sum(n.pitch for n in notes) / len(notes) if notes else LOW
    return density, min(1.0, max(0.0, (mean - LOW) / (HIGH - LOW)))


def bass_breeder(song, section, kicks) -> Breeder:
    ops = (
        ("cell_swap", cell_swap),
        ("approach", approach),
        ("passing", passing),
        ("octave", octave),
        ("span_octave", span_octave),
        ("kick_lock", kick_lock_op(kicks.ticks)),
        *bass_ops(LOW, HIGH),
    )

    def child(sec, notes, parent: PartCandidate, index: int, lineage: dict) -> PartCandidate:
        notes = tuple(notes)
        parts = {
            "root_adherence": root_adherence(sec, notes),
            "kick_alignment": kick_alignment(notes, kicks.ticks),
            "voice_leading": voice_leading(sec, notes),
            "centre": bass_centre(sec, notes, song.proposal.key),
        }
        theory = {k: round(float(v), 4) for k, v in parts.items()}
        theory["total"] = round(float(sum(parts.values()) / len(parts)), 4)
        pitches = [n.pitch for n in notes]
        details = lineage_details(parent.details, lineage, range=flow([min(pitches), max(pitches)]))
        return PartCandidate(sec.label, index, theory, details, notes)

    return Breeder(ops, child, descriptor, kind="style")
