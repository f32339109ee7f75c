"""Chord breeding (``produce.evolve.chords``, ``produce chords --evolve / --breed``): each
operator does what a musician means by it, and every bred loop's chord symbols (review.yml and
the MIDI text events the later phases read) name the notes it plays, checked by music21."""

from __future__ import annotations

import re
import shutil

import mido
import numpy as np
import pytest
from music21 import harmony

from chromatic.cli import main
from chromatic.music.meter import meter_of
from chromatic.produce.evolve import Evolve
from chromatic.produce.evolve.chord_phase import context, to_part
from chromatic.produce.evolve.chords import (
    colour_cap,
    cross,
    invert,
    reharmonise,
    rhythm,
    rotate,
    substitute,
)
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases.chords import generate, run_chords
from chromatic.produce.review import load_review
from chromatic.produce.style import content_seed, style_for

SMALL = Evolve(generations=2, population=8)


def _copy(folder, tmp_path, name: str) -> ProductionFolder:
    dst = tmp_path / name
    shutil.copytree(folder.root, dst)
    return ProductionFolder(dst)


def _pool(folder, n: int = 40):
    proposal = folder.proposal()
    style = style_for(proposal, folder.root)
    meter = meter_of(proposal.time_signature)
    ctx = context(proposal, style, meter)
    cands = generate(proposal, n, content_seed(7, proposal), style)
    return ctx, [to_part(c, ctx).notes for c in cands]


def _pcs(symbol: str) -> set[int]:
    """The pitch classes music21 reads in a chord symbol (a flat root written with '-')."""
    m = re.match(r"([A-G])([#b]*)(.*)", symbol)
    assert m, symbol
    return {p.pitchClass for p in harmony.ChordSymbol(m[1] + m[2].replace("b", "-") + m[3]).pitches}


def test_substitution_keeps_each_chord_function_and_changes_one_chord(major_44):
    ctx, pool = _pool(major_44)
    changed = 0
    for seed, g in enumerate(pool):
        out = substitute(g, ctx, np.random.default_rng(seed))
        if out is None:
            continue
        diff = [i for i, (a, b) in enumerate(zip(g, out, strict=True)) if a.chord != b.chord]
        assert len(diff) == 1
        a, b = g[diff[0]].chord, out[diff[0]].chord
        assert a.function == b.function and a.numeral != b.numeral
        assert [s.bars for s in g] == [s.bars for s in out]
        changed += 1
    assert changed > len(pool) // 2


def test_reharmonisation_uses_the_style_rates_and_resolves_secondaries(major_44):
    ctx, pool = _pool(major_44)
    kinds = set()
    for seed, g in enumerate(pool * 3):
        out = reharmonise(g, ctx, np.random.default_rng(seed))
        if out is None:
            continue
        for i, (a, b) in enumerate(zip(g, out, strict=True)):
            if a.chord == b.chord:
                continue
            kinds.add(b.chord.kind)
            if b.chord.kind == "secondary":  # V7/x right before x
                assert b.chord.numeral.split("/")[1] == out[(i + 1) % len(out)].chord.numeral
            else:
                assert b.chord.kind == "borrowed" and b.chord.function == a.chord.function
        for kind, rate in (("borrowed", ctx.borrowed), ("secondary", ctx.secondary)):
            assert sum(s.chord.kind == kind for s in out) <= max(
                colour_cap(rate, len(out)), sum(s.chord.kind == kind for s in g)
            )
    assert kinds == {k for k, r in (("borrowed", ctx.borrowed), ("secondary", ctx.secondary)) if r}
    from dataclasses import replace

    plain = replace(ctx, borrowed=0.0, secondary=0.0)
    assert all(reharmonise(g, plain, np.random.default_rng(0)) is None for g in pool)


def test_rotation_rhythm_and_inversion_keep_what_they_should(major_44):
    ctx, pool = _pool(major_44)
    for seed, g in enumerate(pool):
        rng = np.random.default_rng(seed)
        r = rotate(g, ctx, rng)
        if r is not None:
            k = [s.chord for s in r]
            assert any(k == [s.chord for s in g[i:] + g[:i]] for i in range(1, len(g)))
            assert sorted(s.bars for s in r) == sorted(s.bars for s in g)
        h = rhythm(g, ctx, rng)
        if h is not None:
            assert [s.chord for s in h] == [s.chord for s in g]
            assert sum(s.bars for s in h) == sum(s.bars for s in g)
            assert [s.bars for s in h] != [s.bars for s in g]
        v = invert(g, ctx, rng)
        if v is not None:
            for a, b in zip(g, v, strict=True):
                assert {p % 12 for p in a.voicing} == {p % 12 for p in b.voicing}
                assert a.voicing[0] == b.voicing[0]


def test_double_and_half_time_move_the_harmonic_rhythm_and_keep_the_loop_length(major_44):
    from chromatic.produce.evolve.chords import descriptor, double_time, half_time

    ctx, pool = _pool(major_44)
    doubled = halved = 0
    for g in pool:
        length, y = sum(s.bars for s in g), descriptor(None, g)[1]
        d = double_time(g, ctx, np.random.default_rng(0))
        if d is not None:
            doubled += 1
            assert [s.chord for s in d] == [s.chord for s in g] * 2
            assert [s.bars for s in d] == [s.bars / 2 for s in g] * 2
            assert descriptor(None, d)[1] > y or y == 1.0
        h = half_time(g, ctx, np.random.default_rng(0))
        if h is not None:
            halved += 1
            assert [s.chord for s in h] == [s.chord for s in g[: len(h)]]
            assert [s.bars for s in h] == [2 * s.bars for s in g[: len(h)]]
            assert descriptor(None, h)[1] < y or y == 0.0
        for out in (d, h):
            if out is not None:
                assert sum(s.bars for s in out) == length
    assert doubled and halved


def test_crossover_cuts_where_both_parents_change_chord(major_44):
    ctx, pool = _pool(major_44)
    crossed = 0
    for seed in range(len(pool) - 1):
        a, b = pool[seed], pool[seed + 1]
        got = cross(a, b, ctx, np.random.default_rng(seed))
        if got is None:
            continue
        child, label = got
        where = label.split("@")[1]
        cut = (int(where[3:]) - 1) * ctx.bar_ticks if where.startswith("bar") else int(where[1:])
        assert cut in {s.start for s in a} and cut in {s.start for s in b}
        assert [s.chord for s in child] == [s.chord for s in a if s.start < cut] + [
            s.chord for s in b if s.start >= cut
        ]
        crossed += 1
    assert crossed > 5


def _symbols_and_notes(path):
    mf = mido.MidiFile(path)
    texts, notes = [], []
    for track in mf.tracks:
        t, on = 0, {}
        for msg in track:
            t += msg.time
            if msg.type == "text" and not msg.text.startswith("part:"):
                texts.append((t, msg.text))
            elif msg.type == "note_on" and msg.velocity > 0:
                on[msg.note] = t
            elif msg.type in ("note_off", "note_on") and msg.note in on:
                notes.append((on.pop(msg.note), msg.note))
    return sorted(texts), notes


def test_every_bred_loop_plays_the_chords_its_symbols_name(major_44, tmp_path):
    folder = _copy(major_44, tmp_path, "bred")
    run_chords(folder, n=30, top=10, seed=3, evolve=SMALL)
    review = load_review(folder.review_path("chords")).model
    bred = [c for c in review.candidates if c.details.get("lineage")]
    assert bred, "breeding kept no child"
    for c in review.candidates:
        texts, notes = _symbols_and_notes(folder.phase_dir("chords") / c.midi_file)
        assert [t for _, t in texts] == list(c.details["chords"])
        bounds = [t for t, _ in texts] + [float("inf")]
        for (start, symbol), end in zip(texts, bounds[1:], strict=True):
            heard = {p % 12 for t, p in notes if start <= t < end}
            assert heard and heard <= _pcs(symbol), (c.id, symbol, heard)
    facts = load_review(folder.review_path("chords")).model.model_extra["evolve"]
    assert facts["sections"]["chords"]["scored"] > 30


def test_chords_evolve_is_reproducible_and_breed_adds_children_of_the_starred(
    major_44, tmp_path, capsys
):
    a, b = _copy(major_44, tmp_path, "a"), _copy(major_44, tmp_path, "b")
    for f in (a, b):
        assert (
            main(
                [
                    "produce",
                    "chords",
                    str(f.root),
                    "-n",
                    "30",
                    "--evolve",
                    "--generations",
                    "2",
                    "--population",
                    "6",
                    "--seed",
                    "5",
                ]
            )
            == 0
        )
    assert a.review_path("chords").read_bytes() == b.review_path("chords").read_bytes()
    path = a.review_path("chords")
    text = path.read_text()
    first = load_review(path).model.candidates[0].id
    text = text.replace(f"  - id: {first}\n", f"  - id: {first}\n    star: true\n", 1)
    path.write_text(text)
    capsys.readouterr()
    assert (
        main(
            [
                "produce",
                "chords",
                str(a.root),
                "-n",
                "30",
                "--breed",
                "--top",
                "3",
                "--generations",
                "2",
                "--population",
                "6",
            ]
        )
        == 0
    )
    review = load_review(path).model
    kept = [c for c in review.candidates if c.id == first]
    kids = [c for c in review.candidates if c.id != first]
    assert kept and len(review.candidates) == 1 + 3
    assert all(k.details["lineage"]["roots"] == [first] for k in kids)


def test_a_parent_whose_symbols_disagree_is_refused(major_44, tmp_path, capsys):
    f = _copy(major_44, tmp_path, "bad")
    path = f.review_path("chords")
    review = load_review(path).model
    c = review.candidates[0]
    text = path.read_text().replace(f"  - id: {c.id}\n", f"  - id: {c.id}\n    star: true\n", 1)
    wrong = "chords: [" + ", ".join(c.details["chords"])
    assert wrong in text
    text = text.replace(wrong, "chords: [Zz" + ", ".join(c.details["chords"])[1:], 1)
    path.write_text(text)
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["produce", "chords", str(f.root), "--breed"]) != 0
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "details.chords" in errors[0] and "review.yml" in errors[0]
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", ["chords"])
def test_the_registry_breeds_chords(kind):
    from chromatic.produce.phases.registry import get

    assert get(kind).breeds


def test_an_extension_never_adds_a_tone_outside_the_key(major_44, monkeypatch):
    from dataclasses import replace

    from chromatic.produce.evolve import chords as ops

    ctx, pool = _pool(major_44)
    ctx = replace(ctx, sevenths=0.3, sus=0.4, add9=0.3)  # every extension kind drawn
    plain = lambda c: replace(c, quality=c.base, base="") if c.base else c  # noqa: E731
    pool = [tuple(s._replace(chord=plain(s.chord)) for s in g) for g in pool]  # to be extended
    scale = set(ctx.key.scale_pcs())

    def added(g, out) -> list[int]:
        return [
            pc
            for a, b in zip(g, out, strict=True)
            if a.chord != b.chord and a.chord.kind == "diatonic"
            for pc in set(b.chord.pcs(ctx.key)) - set(a.chord.pcs(ctx.key))
            if pc not in scale
        ]

    def run() -> tuple[int, int]:
        made = bad = 0
        for seed in range(200):
            g = pool[seed % len(pool)]
            out = ops.extend_op(g, ctx, np.random.default_rng(seed))
            if out is not None:
                made += 1
                bad += bool(added(g, out))
        return made, bad

    made, bad = run()
    assert made > 50 and bad == 0
    monkeypatch.setattr(ops, "in_key", lambda *a: True)
    assert run()[1] > 0  # without the rule a sus4 on IV or an add9 on iii leaves the key


def test_a_bred_loop_spends_no_more_time_off_the_key_than_its_parent_or_the_style_allows(
    major_44,
):
    from dataclasses import replace

    from chromatic.produce.evolve.chords import chord_breeder, colour_limit, colour_time
    from chromatic.produce.phases.parts import PartCandidate

    ctx, pool = _pool(major_44)
    plain = next(g for g in pool if colour_time(g) == 0 and len(g) >= 4)
    breeder = chord_breeder(ctx)
    lineage = {"parents": [0], "operators": ["substitute"], "generation": 1}
    parent = PartCandidate("chords", 0, {}, {}, plain)

    def coloured(g, k: int):
        return tuple(
            s._replace(chord=replace(s.chord, kind="borrowed")) if i < k else s
            for i, s in enumerate(g)
        )

    limit = colour_limit(ctx)
    fits = [k for k in range(1, len(plain) + 1) if colour_time(coloured(plain, k)) <= limit]
    over = [k for k in range(1, len(plain) + 1) if colour_time(coloured(plain, k)) > limit]
    assert over  # the whole loop coloured is over the style's cap
    for k in over:
        assert breeder.child(None, coloured(plain, k), parent, 1, dict(lineage)) is None
        # a parent already that coloured may keep it
        rich = PartCandidate("chords", 2, {}, {}, coloured(plain, k))
        assert breeder.child(None, coloured(plain, k), rich, 3, dict(lineage)) is not None
    for k in fits:
        assert breeder.child(None, coloured(plain, k), parent, 1, dict(lineage)) is not None
