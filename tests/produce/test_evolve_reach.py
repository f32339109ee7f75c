"""The whole-part operators that carry a part across its niche grid (``evolve.reach``) and the
shortlist's spread pick (``archive.spread_order``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chromatic.music.meter import TPQ
from chromatic.music.notes import Note
from chromatic.produce.evolve import reach
from chromatic.produce.evolve.archive import cell, niche_floors, spread, spread_order
from chromatic.produce.evolve.backing import make_ops as backing_ops
from chromatic.produce.evolve.bass import HIGH, LOW
from chromatic.produce.evolve.bass import descriptor as bass_descriptor
from chromatic.produce.evolve.drums import _apply, _pattern
from chromatic.produce.evolve.drums import descriptor as drum_descriptor
from chromatic.produce.evolve.melody import _scale_step
from chromatic.produce.evolve.ops import group_bounds
from chromatic.produce.sections import load_song
from tests.produce.test_evolve import _drum_part

HAT = 42


def _bar(notes, section, b):
    lo = b * section.bar_ticks
    return sorted((n.start - lo, n.pitch) for n in notes if lo <= n.start < lo + section.bar_ticks)


def test_drum_voice_moves_change_density_and_syncopation_and_spare_the_last_bar(song_78):
    section = load_song(song_78, "drums").sections[1]  # 7/8: groups 3+2+2
    part = _drum_part(section, 0)
    rng = np.random.default_rng(0)
    hats = lambda notes, b: [t for t, p in _bar(notes, section, b) if p == HAT]  # noqa: E731
    ops = dict(reach.drum_ops(_apply, _pattern))
    dense, thin = ops["double_voice"](part, section, rng), ops["thin_voice"](part, section, rng)
    off = ops["offbeat_voice"](part, section, rng)
    for b in range(section.bars - 1):
        assert len(hats(dense, b)) == 2 * len(hats(part, b))
        assert len(hats(thin, b)) == math.ceil(len(hats(part, b)) / 2)
        kept = [(t, p) for t, p in _bar(part, section, b) if p != HAT]
        for out in (dense, thin, off):  # kick and snare untouched
            assert [(t, p) for t, p in _bar(out, section, b) if p != HAT] == kept
    last = section.bars - 1
    for out in (dense, thin, off):
        assert _bar(out, section, last) == _bar(part, section, last)
    (d0, s0), (d1, _), (d2, _), (_, s3) = (
        drum_descriptor(section, x) for x in (part, dense, thin, off)
    )
    assert d1 > d0 > d2 and s3 > s0
    bounds = group_bounds(section.meter)
    group = lambda t: next(i for i, (a, b) in enumerate(bounds) if a <= t < b)  # noqa: E731
    for b in range(section.bars - 1):  # every offbeat move stays inside its beat group
        before, after = hats(part, b), hats(off, b)
        assert sorted(group(t) for t in before) == sorted(group(t) for t in after)


def test_bass_line_moves_keep_the_harmony_and_move_register_or_density(song_44):
    section = load_song(song_44, "bass").sections[0]
    line = tuple(
        Note(t, TPQ, 40 if (t // TPQ) % 2 == 0 else 47, 90)
        for c in section.chords
        for t in range(c.start, c.end, TPQ)
    )
    rng = np.random.default_rng(1)
    line_octave = dict(reach.bass_ops(LOW, HIGH))["line_octave"]
    up = line_octave(line, section, rng)
    assert {b.pitch - a.pitch for a, b in zip(line, up, strict=True)} in ({12}, {-12})
    assert all(LOW <= n.pitch <= HIGH for n in up)
    pumped = reach.pump(line, section, rng)
    assert len(pumped) == 2 * len(line) and all(n.duration == TPQ // 2 for n in pumped)
    for n in pumped:  # re-struck: the pitch that sounded there before
        assert n.pitch == next(m.pitch for m in line if m.start <= n.start < m.end)
    held = reach.hold(line, section, rng)
    assert [(n.start, n.end) for n in held] == [(c.start, c.end) for c in section.chords]
    assert [n.pitch for n in held] == [
        next(m.pitch for m in line if m.start == c.start) for c in section.chords
    ]
    dens = [bass_descriptor(section, x)[0] for x in (held, line, pumped)]
    assert dens == sorted(dens) and dens[0] < dens[1] < dens[2]
    assert (
        line_octave((Note(0, TPQ, LOW + 5, 90), Note(TPQ, TPQ, HIGH - 5, 90)), section, rng) is None
    )


def test_melody_register_moves_the_whole_tune_by_scale_steps_inside_the_range(song_44):
    song = load_song(song_44, "melody")
    section, scale = song.sections[0], song.proposal.key.scale_pcs()

    class Singer:
        low, high = 52, 84

    steps = [p for p in range(62, 80) if p % 12 in scale][:4]
    tune = tuple(Note(i * TPQ, TPQ, p, 90) for i, p in enumerate(steps + steps[::-1]))
    ((_, register),) = reach.melody_ops(scale, Singer, _scale_step)
    degree = lambda p: sum(q % 12 in scale for q in range(0, p))  # noqa: E731
    seen = set()
    for seed in range(30):
        out = register(tune, section, np.random.default_rng(seed))
        assert [(n.start, n.duration) for n in out] == [(n.start, n.duration) for n in tune]
        assert all(Singer.low <= n.pitch <= Singer.high for n in out)
        steps = {degree(b.pitch) - degree(a.pitch) for a, b in zip(tune, out, strict=True)}
        assert len(steps) == 1 and steps != {0}
        seen |= steps
    assert seen == {-3, -2, -1, 1, 2, 3}  # the tune fits all of them in 52-84

    class Narrow:
        low, high = min(steps), max(steps)

    assert (
        reach.melody_ops(scale, Narrow, _scale_step)[0][1](tune, section, np.random.default_rng(0))
        is None
    )


LEAD_PITCHES = (64, 65, 67, 69, 67, 64, 62, 60)


def _harmony_case(song_44, low: int, high: int):
    """The first harmony section of the 4/4 song, its scale, an eight-note lead and the backing
    operators for a second singer whose range is ``low``-``high``."""
    song = load_song(song_44, "harmony")
    section, scale = song.sections[0], song.proposal.key.scale_pcs()
    singer = type("Singer", (), {"low": low, "high": high})
    lead = tuple(Note(i * TPQ, TPQ, p, 90) for i, p in enumerate(LEAD_PITCHES))
    return section, scale, lead, dict(backing_ops(lead, singer, scale))


def test_harmony_side_puts_the_whole_line_on_one_side_of_the_lead(song_44):
    section, scale, lead, ops = _harmony_case(song_44, 48, 84)
    line = tuple(n._replace(pitch=n.pitch + (4 if i % 2 else -3)) for i, n in enumerate(lead))
    side = ops["side"]
    sides = set()
    for seed in range(10):
        out = side(line, section, np.random.default_rng(seed))
        gaps = [b.pitch - a.pitch for a, b in zip(lead, out, strict=True)]
        assert all(g > 0 for g in gaps) or all(g < 0 for g in gaps)
        assert all(
            abs(g) in (3, 4, 8, 9) and b.pitch % 12 in scale for g, b in zip(gaps, out, strict=True)
        )
        sides.add(gaps[0] > 0)
    assert sides == {True, False}


def test_spread_order_keeps_the_best_first_and_far_picks_above_the_floor():
    points = {
        "best": (0.5, 0.5),
        "near1": (0.52, 0.5),
        "near2": (0.5, 0.53),
        "a": (0.0, 0.0),
        "b": (1.0, 1.0),
        "c": (0.0, 1.0),
        "low": (1.0, 0.0),  # far, but below the floor
    }
    fit = {"best": 0.9, "near1": 0.89, "near2": 0.88, "a": 0.7, "b": 0.71, "c": 0.72, "low": 0.5}
    order = spread_order(list(points), fit, lambda k: cell(points[k]), points.__getitem__, 4, 0.6)
    assert order[0] == "best" and set(order[1:4]) == {"a", "b", "c"}
    assert order[4:] == ["near1", "near2", "low"]  # then by fitness
    picked = spread([points[k] for k in order[:4]])
    by_rank = spread([points[k] for k in sorted(fit, key=fit.get, reverse=True)[:4]])
    assert picked > 2 * by_rank
    # no candidate above the floor in a new place: the fittest left
    assert spread_order(
        ["best", "near1", "low"], fit, lambda k: cell(points[k]), points.__getitem__, 2, 0.95
    )[:2] == ["best", "near1"]


def test_harmony_open_puts_the_line_a_tenth_from_the_lead(song_44):
    section, scale, lead, ops = _harmony_case(song_44, 40, 90)
    line = tuple(n._replace(pitch=n.pitch - 3 - (i % 2)) for i, n in enumerate(lead))
    sides = set()
    for seed in range(10):
        out = ops["open"](line, section, np.random.default_rng(seed))
        gaps = [b.pitch - a.pitch for a, b in zip(lead, out, strict=True)]
        assert all(abs(g) in (15, 16) for g in gaps)  # a tenth: a third and an octave
        assert len({g > 0 for g in gaps}) == 1 and all(b.pitch % 12 in scale for b in out)
        sides.add(gaps[0] > 0)
    assert sides == {True, False}

    narrow = _harmony_case(song_44, 55, 72)[3]["open"]  # a tenth either way leaves 55-72
    assert narrow(line, section, np.random.default_rng(0)) in (line, None)


def test_bass_fold_octave_moves_the_notes_that_fit_and_the_register(song_44):
    section = load_song(song_44, "bass").sections[0]
    fold = dict(reach.bass_ops(LOW, HIGH))["fold_octave"]
    line = (Note(0, TPQ, 30, 90), Note(TPQ, TPQ, 43, 90), Note(2 * TPQ, TPQ, 55, 90))
    # a whole-line octave fits neither way (30 - 12 < 28, 55 + 12 > 60)
    assert dict(reach.bass_ops(LOW, HIGH))["line_octave"](line, section, None) is None
    seen = set()
    for seed in range(12):
        out = fold(line, section, np.random.default_rng(seed))
        shift = [b.pitch - a.pitch for a, b in zip(line, out, strict=True)]
        assert set(shift) in ({0, 12}, {0, -12}) and shift.count(0) <= 1
        assert all(LOW <= n.pitch <= HIGH for n in out)
        assert [(n.start, n.duration) for n in out] == [(n.start, n.duration) for n in line]
        seen.add(sum(shift) > 0)
        assert bass_descriptor(section, out)[1] != bass_descriptor(section, line)[1]
    assert seen == {True, False}
    # the direction where fewer than half the notes fit is refused: 59 and 58 only fold down
    high = (Note(0, TPQ, 30, 90), Note(TPQ, TPQ, 59, 90), Note(2 * TPQ, TPQ, 58, 90))
    outs = [fold(high, section, np.random.default_rng(s)) for s in range(12)]
    assert None in outs
    assert {tuple(n.pitch for n in o) for o in outs if o is not None} == {(30, 47, 46)}


def test_niche_floors_lower_the_floor_by_the_niches_cost_only():
    # fitness falls with x (a systematic cost of the niche), not with y
    points = {i: (i % 5 / 4, i // 5 / 4) for i in range(25)}
    fit = {k: 0.9 - 0.2 * p[0] + 0.01 * ((k * 7) % 3) for k, p in points.items()}
    floors = niche_floors(list(points), fit, points.__getitem__, 0.8, 0.1)
    best = max(fit, key=lambda k: (fit[k], -k))
    assert points[best][0] == 0.0
    for k, p in points.items():
        assert 0.7 - 1e-9 <= floors[k] <= 0.8 + 1e-9  # never raised, lowered by <= span
        if p[0] == 0.0:
            assert floors[k] == pytest.approx(0.8, abs=0.01)  # the best's niche: no relief
    assert floors[4] == pytest.approx(0.7)  # x = 1 costs 0.2 expected: capped at the span
    assert floors[2] == pytest.approx(0.7, abs=0.01)  # x = 0.5 costs ~0.1
    assert floors[1] == pytest.approx(0.75, abs=0.01)
    # a callable floor in spread_order: the far, costly niche is shown; with 0.8 flat it is not
    fit2 = {"best": 0.9, "near": 0.85, "far": 0.74}
    pts2 = {"best": (0.0, 0.5), "near": (0.1, 0.5), "far": (1.0, 0.5)}
    per = {"best": 0.8, "near": 0.8, "far": 0.72}
    args = (list(fit2), fit2, lambda k: cell(pts2[k]), pts2.__getitem__, 2)
    assert spread_order(*args, per.__getitem__)[:2] == ["best", "far"]
    assert spread_order(*args, 0.8)[:2] == ["best", "near"]


def test_explore_takes_the_elite_nearest_the_goal_and_the_mutation_landing_nearest_it():
    from chromatic.produce.evolve import Evolve
    from chromatic.produce.evolve.archive import Archive
    from chromatic.produce.evolve.breeder import Breeder
    from chromatic.produce.evolve.engine import _explore, _target
    from chromatic.produce.phases.parts import PartCandidate

    # a part is one note; its pitch 0..100 is the descriptor's x, y stays 0.5
    def move(d):
        return lambda notes, s, rng: (
            notes[0]._replace(pitch=min(100, max(0, notes[0].pitch + d))),
        )

    ops = (("left", move(-40)), ("right", move(40)), ("nudge", move(5)))
    breeder = Breeder(ops, None, lambda s, notes: (notes[0].pitch / 100, 0.5))
    pool = {
        i: PartCandidate("v", i, {}, {}, (Note(0, TPQ, p, 90),)) for i, p in enumerate((50, 90))
    }
    point = {i: breeder.descriptor(None, c.notes) for i, c in pool.items()}
    archive = Archive()
    for i in pool:
        archive.add(i, 0.9, point[i])
    goal = (0.1, 0.5)
    for seed in range(20):
        parent, notes, names = _explore(
            None, pool, archive, breeder, Evolve(tries=8), np.random.default_rng(seed), point, goal
        )
        assert parent.index == 0  # 0.5 is nearer 0.1 than 0.9 is
        assert notes[0].pitch <= 15 and names[0] == "left"
    # one try: whatever the draw gave (the choice among tries is what aims)
    drawn = {
        _explore(
            None, pool, archive, breeder, Evolve(tries=1), np.random.default_rng(s), point, goal
        )[2][0]
        for s in range(20)
    }
    assert drawn > {"left"}
    # the goal is an empty cell's centre while one is left
    for seed in range(20):
        g = _target(archive, Evolve(), np.random.default_rng(seed))
        assert cell(g) not in archive.elites


def _naive_spread_order(keys, fitness, niche_of, point_of, picks, floor):
    """``spread_order`` as first written (every pick sums every distance again): the
    incremental sums must pick exactly the same keys."""
    left = sorted(keys, key=lambda k: (-fitness[k], k))
    chosen = [left.pop(0)]
    niches, points = {niche_of(chosen[0])}, [point_of(chosen[0])]
    while left and len(chosen) < picks:
        good = [k for k in left if fitness[k] >= floor]
        if not good:
            pick = left[0]
        else:

            def score(k):
                p = point_of(k)
                far = sum(math.hypot(p[0] - q[0], p[1] - q[1]) for q in points)
                return (niche_of(k) not in niches, round(far, 9), fitness[k])

            pick = max(good, key=score)
        chosen.append(pick)
        left.remove(pick)
        niches.add(niche_of(pick))
        points.append(point_of(pick))
    return chosen + left


def test_spread_order_picks_what_the_naive_sum_picks():
    rng = np.random.default_rng(3)
    for _ in range(120):
        n = int(rng.integers(1, 200))
        coarse = rng.random() < 0.5  # ties on a coarse grid
        pts = {k: tuple(np.round(rng.random(2), 1 if coarse else 6).tolist()) for k in range(n)}
        fit = {k: float(np.round(rng.random(), 2)) for k in range(n)}
        floor = float(rng.random())
        args = (list(pts), fit, lambda k, p=pts: cell(p[k]), pts.__getitem__, 10, floor)
        assert spread_order(*args) == _naive_spread_order(*args)


def test_bar_edits_and_joins_equal_their_first_written_form(song_78):
    """``drums._apply`` (notes grouped by bar in one pass) and ``ops.join`` (notes inside the
    head kept as they are) give what the per-bar scan and the copy of every note gave."""
    from chromatic.music.gm import CRASH
    from chromatic.produce.evolve.ops import join

    section = load_song(song_78, "drums").sections[1]
    bar, edited = section.bar_ticks, max(1, section.bars - 1)

    def naive_apply(notes, edit):
        crash = [n for n in notes if n.start == 0 and n.pitch == CRASH]
        out = [n for n in notes if n.start >= edited * bar]
        for b in range(edited):
            lo = b * bar
            rel = [n._replace(start=n.start - lo) for n in notes if lo <= n.start < lo + bar]
            rel = [n for n in rel if n not in crash]
            out += [n._replace(start=n.start + lo) for n in edit(rel)]
        return tuple(sorted(set(out + crash)))

    rng = np.random.default_rng(5)
    for seed in range(20):
        part = _drum_part(section, seed)
        if seed % 2:
            part = (Note(0, 60, CRASH, 100), *part)
        edit = lambda rel, s=seed: [n._replace(pitch=n.pitch + s % 3) for n in rel[::2]]  # noqa: E731
        assert _apply(part, section, edit) == naive_apply(part, edit)
        other = tuple(n._replace(duration=int(rng.integers(1, 3 * bar))) for n in part)
        cut = int(rng.integers(1, section.bars)) * bar
        first = [
            n._replace(duration=min(n.duration, cut - n.start)) for n in other if n.start < cut
        ]
        assert join(other, part, cut) == tuple(sorted(first + [n for n in part if n.start >= cut]))


def test_backing_children_never_add_an_octave_leap_inside_a_phrase(song_44):
    from chromatic.produce.evolve.backing import backing_breeder, octave_leaps
    from chromatic.produce.phases.parts import PartCandidate

    song = load_song(song_44, "harmony")
    section = song.sections[0]

    class Singer:
        low, high = 40, 90

    lead = tuple(Note(i * TPQ, TPQ, p, 90) for i, p in enumerate((64, 65, 67, 69, 67, 64, 62, 60)))
    line = tuple(n._replace(pitch=n.pitch - 3) for n in lead)
    parent = PartCandidate(section.label, 0, {}, {"kind": "third_below"}, line)
    breeder = backing_breeder(song, section, lead, Singer)
    lineage = {"parents": [0], "operators": ["octave"], "generation": 1}
    leap = line[:1] + tuple(n._replace(pitch=n.pitch + 12) for n in line[1:])
    assert octave_leaps(leap) == 1 and octave_leaps(line) == 0
    assert breeder.child(section, leap, parent, 1, dict(lineage)) is None
    rest = line[:1] + tuple(n._replace(start=n.start + TPQ, pitch=n.pitch + 12) for n in line[1:])
    assert octave_leaps(rest) == 0  # a quarter's rest first: a new phrase may start higher
    assert breeder.child(section, rest, parent, 1, dict(lineage)) is not None
    whole = tuple(n._replace(pitch=n.pitch + 12) for n in line)  # the whole line: no leap
    assert breeder.child(section, whole, parent, 1, dict(lineage)) is not None
    # a parent that already leaps may keep its leap
    kept = PartCandidate(section.label, 2, {}, {"kind": "third_below"}, leap)
    assert breeder.child(
        section, (*leap[:7], leap[7]._replace(pitch=leap[7].pitch - 1)), kept, 3, dict(lineage)
    )
