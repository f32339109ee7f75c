"""A bred tune keeps the melody generator's guarantees (``produce.evolve.keep``): its section's
window, no wider moves than its parent, and the parent's ending and answer."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.music.key import Key
from chromatic.music.meter import TPQ
from chromatic.music.notes import Note
from chromatic.produce.evolve import Evolve, keep
from chromatic.produce.evolve.engine import evolve_section
from chromatic.produce.evolve.melody import melody_breeder
from chromatic.produce.melody.singers import Singer
from chromatic.produce.melody.tune import MAX_MOVE, WINDOW, anchor_pitch, scale_anchor
from chromatic.produce.phases.parts import PartCandidate
from chromatic.produce.sections import load_song

SINGER = Singer("test", 50, 79)  # a wide range: the window is narrower than the singer


def _line(section, key, lo: int, hi: int) -> tuple[Note, ...]:
    """One note a beat, stepping up and down the scale inside [lo, hi]; the first half closes
    on the key's fifth, the section on the tonic (an answered period)."""
    scale = key.scale_pcs()
    inside = [p for p in range(lo, hi + 1) if p % 12 in scale]
    mid = section.bars // 2 * section.bar_ticks
    onsets = list(range(0, section.total_ticks, TPQ))
    walk = [inside[len(inside) // 2 + (i % 6 if i % 12 < 6 else 6 - i % 6)] for i in onsets]
    walk = [min(max(p, lo), hi) for p in walk]
    notes = [Note(t, TPQ, p, 90) for t, p in zip(onsets, walk, strict=True)]
    half = max(i for i, n in enumerate(notes) if n.start < mid)
    fifth = next(p for p in inside if (p - key.pc) % 12 == 7)
    tonic = next(p for p in inside if (p - key.pc) % 12 == 0 and abs(p - fifth) <= 7)
    notes[half] = notes[half]._replace(pitch=fifth)
    notes[-1] = notes[-1]._replace(pitch=tonic)
    return tuple(notes)


@pytest.fixture(scope="module")
def tune(song_44):
    song = load_song(song_44, "melody")
    section = next(s for s in song.sections if s.bars >= 2)
    key = song.proposal.key
    lo, hi = keep.tune_window(SINGER, section.role, key.scale_pcs())
    return song, section, key, _line(section, key, lo, hi)


def test_the_window_is_the_generators_and_inside_the_singer():
    c_major = Key("C", "major").scale_pcs()
    lo, hi = keep.tune_window(SINGER, "chorus", c_major)
    assert SINGER.low < lo and hi < SINGER.high and 11 <= hi - lo <= 14
    verse = keep.tune_window(SINGER, "verse", c_major)
    assert verse[0] < lo  # a chorus sits higher than a verse
    narrow = Singer("n", 60, 68)
    assert keep.tune_window(narrow, "chorus", c_major) == (60, 68)  # no octave fits: the whole
    # centred, as tune.walk's window is, on the anchor as a degree of the key's scale
    for role in ("chorus", "verse", "bridge", "prechorus", "intro"):
        for key in (Key("C", "major"), Key("F#", "minor"), Key("Bb", "major")):
            centre = scale_anchor(
                anchor_pitch(SINGER, role), key.scale_pcs(), SINGER.low, SINGER.high
            )
            lo, hi = keep.tune_window(SINGER, role, key.scale_pcs())
            assert (lo, hi) == (max(SINGER.low, centre - WINDOW), min(SINGER.high, centre + WINDOW))


def test_keeps_tune_refuses_a_weaker_ending_a_lost_answer_and_a_wider_move(tune):
    _, section, key, line = tune
    assert keep.cadence(line, section, key) == (1, 0)
    assert keep.keeps_tune(line, line, section, key)
    third = (key.pc + (3 if key.is_minor else 4)) % 12
    last = line[-1].pitch + ((third - line[-1].pitch) % 12)
    weaker = (*line[:-1], line[-1]._replace(pitch=last))
    assert not keep.keeps_tune(weaker, line, section, key)  # ends on the third: weaker
    mid = section.bars // 2 * section.bar_ticks
    half = max(i for i, n in enumerate(line) if n.start < mid)
    unanswered = list(line)
    unanswered[half] = line[half]._replace(pitch=line[-1].pitch)  # half close on the tonic
    assert not keep.keeps_tune(tuple(unanswered), line, section, key)
    i = 2
    leap = list(line)
    leap[i] = line[i]._replace(pitch=line[i - 1].pitch + MAX_MOVE + 1)
    assert not keep.keeps_tune(tuple(leap), line, section, key)
    assert keep.keeps_tune(tuple(leap), tuple(leap), section, key)  # the parent's own leap


def _bred(section, song, line, seed: int):
    parent = PartCandidate(
        section.label, 0, {"prosody": 1.0, "total": 0.5}, {"contour": "test"}, line
    )
    breeder = melody_breeder(song, section, SINGER)
    score = lambda batch: [c.theory["total"] for c in batch]  # noqa: E731
    options = Evolve(generations=4, population=16)
    return evolve_section(section, [parent], breeder, score, options, np.random.default_rng(seed))


def _broken(section, key, window, notes) -> bool:
    pitches = [n.pitch for n in notes]
    ends = keep.cadence(notes, section, key)
    return (
        not all(window[0] <= p <= window[1] for p in pitches)
        or keep.wide_moves(pitches) > 0
        or (ends is not None and not ends[1] < ends[0])
    )


def test_bred_tunes_stay_in_the_window_and_keep_the_answer(tune, monkeypatch):
    song, section, key, line = tune
    window = keep.tune_window(SINGER, section.role, key.scale_pcs())
    children = [c for s in range(3) for c in _bred(section, song, line, s).kept if c.index]
    assert len(children) >= 10
    assert not [c.index for c in children if _broken(section, key, window, c.notes)]
    # without the rules the same operators leave the window, leap or lose the answer
    whole = lambda singer, role, scale: (singer.low, singer.high)  # noqa: E731
    monkeypatch.setattr("chromatic.produce.evolve.melody.tune_window", whole)
    monkeypatch.setattr("chromatic.produce.evolve.melody.keeps_tune", lambda *a: True)
    free = [c for s in range(3) for c in _bred(section, song, line, s).kept if c.index]
    assert any(_broken(section, key, window, c.notes) for c in free)


def test_a_backing_child_may_not_leap_an_octave_where_its_loop_starts_again(song_44):
    from chromatic.produce.evolve.backing import backing_breeder, octave_leaps

    song = load_song(song_44, "harmony")
    section = song.sections[0]
    loop = section.total_ticks
    onsets = range(0, loop, TPQ)
    lead = tuple(Note(t, TPQ, 67, 90) for t in onsets)
    line = tuple(n._replace(pitch=n.pitch - 4) for n in lead)
    parent = PartCandidate(section.label, 0, {}, {"kind": "third_below"}, line)
    breeder = backing_breeder(song, section, lead, Singer("b", 40, 90))
    lineage = {"parents": [0], "operators": ["octave"], "generation": 1}
    # the last bar an octave down: no leap inside the bar, one back into the loop's first note
    last = (section.bars - 1) * section.bar_ticks
    low = tuple(n._replace(pitch=n.pitch - 12) if n.start >= last else n for n in line)
    assert octave_leaps(low, loop) == octave_leaps(line, loop) + 2  # into it and out of it
    assert octave_leaps(low) == 1  # without the loop only the leap into the bar counts
    assert breeder.child(section, low, parent, 1, dict(lineage)) is None
    rested = tuple(n for n in low if n.start != loop - TPQ)  # a quarter's rest before the loop
    base = tuple(n for n in line if n.start != loop - TPQ)
    assert octave_leaps(rested, loop) == octave_leaps(base, loop) + 1


def test_a_repeated_part_is_dropped_before_its_child_is_built_and_nothing_else_changes(song_44):
    from dataclasses import replace

    from chromatic.produce.evolve.backing import backing_breeder

    song = load_song(song_44, "harmony")
    section = song.sections[0]
    lead = tuple(Note(t, TPQ, 64 + (t // TPQ) % 5, 90) for t in range(0, section.total_ticks, TPQ))
    parents = [
        PartCandidate(
            section.label,
            i,
            {"total": 0.5},
            {"kind": k},
            tuple(n._replace(pitch=n.pitch + d) for n in lead),
        )
        for i, (k, d) in enumerate((("third_below", -4), ("sixth_below", -9), ("third_above", 3)))
    ]
    breeder = backing_breeder(song, section, lead, Singer("b", 40, 90))
    score = lambda batch: [c.theory["total"] for c in batch]  # noqa: E731
    runs = {}
    for keeps in (True, False):
        built = []

        def child(*a, _built=built):
            _built.append(1)
            return breeder.child(*a)

        b = replace(breeder, child=child, keeps_notes=keeps)
        options = Evolve(generations=5, population=12)
        bred = evolve_section(section, parents, b, score, options, np.random.default_rng(4))
        runs[keeps] = ([(c.index, c.notes, c.details) for c in bred.kept], bred.fitness, len(built))
    assert runs[True][:2] == runs[False][:2]  # the same children, details and fitness
    assert runs[True][2] < runs[False][2]  # fewer children built
