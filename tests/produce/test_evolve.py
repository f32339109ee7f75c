"""Breeding (``produce.evolve``): the operators keep the music's grid, the loop keeps the best
it saw and spreads the shortlist over niches, children record their lineage, and a run is
reproducible by seed."""

from __future__ import annotations

import itertools
import shutil

import numpy as np
import pytest

from chromatic.cli import main
from chromatic.music.meter import TPQ
from chromatic.music.midi import load_score
from chromatic.music.notes import Note
from chromatic.produce.evolve import Evolve
from chromatic.produce.evolve.archive import Archive, mean_pairwise, note_distance
from chromatic.produce.evolve.bass import kick_lock_op
from chromatic.produce.evolve.drums import OPERATORS as DRUM_OPS
from chromatic.produce.evolve.drums import shift_hit
from chromatic.produce.evolve.melody import make_ops, resnap
from chromatic.produce.evolve.ops import crossover, group_bounds, phrase_cuts
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases.drums import run_drums
from chromatic.produce.phases.melody import run_melody
from chromatic.produce.review import load_review
from chromatic.produce.sections import load_song

SMALL = Evolve(generations=2, population=6)


def _copy(folder, tmp_path, name: str) -> ProductionFolder:
    dst = tmp_path / name
    shutil.copytree(folder.root, dst)
    return ProductionFolder(dst)


def _drum_part(section, seed: int) -> tuple[Note, ...]:
    """Kick on each group start, snare on the second group, eighth hats, every bar."""
    rng = np.random.default_rng(seed)
    out = []
    for b in range(section.bars):
        lo = b * section.bar_ticks
        for i, (a, _) in enumerate(group_bounds(section.meter)):
            out.append(Note(lo + a, 120, 36 if i != 1 else 38, 100))
        for t in range(0, section.bar_ticks, TPQ // 2):
            out.append(Note(lo + t, 120, 42, int(rng.integers(60, 90))))
    return tuple(sorted(out))


def test_crossover_cuts_at_a_phrase_boundary(song_78):
    section = load_song(song_78, "drums").sections[1]
    a, b = (
        _drum_part(section, 1),
        tuple(n._replace(pitch=n.pitch + 1) for n in _drum_part(section, 2)),
    )
    cuts = phrase_cuts(section)
    assert all(c % section.bar_ticks == 0 for c in cuts)
    child, label = crossover(a, b, section, np.random.default_rng(0))
    cut = int(label.split("@bar")[1]) - 1
    cut_tick = cut * section.bar_ticks
    assert cut_tick in cuts
    assert [n for n in child if n.start < cut_tick] == [n for n in a if n.start < cut_tick]
    assert [n for n in child if n.start >= cut_tick] == [n for n in b if n.start >= cut_tick]


def test_drum_operators_stay_in_the_section_and_shifts_stay_in_their_group(song_78):
    section = load_song(song_78, "drums").sections[1]  # 7/8: groups 3+2+2
    part = _drum_part(section, 0)
    bounds = group_bounds(section.meter)
    changed = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        for _, op in DRUM_OPS:
            out = op(part, section, rng)
            if out is None:
                continue
            changed += out != part
            assert all(0 <= n.start < section.total_ticks for n in out)
        out = shift_hit(part, section, np.random.default_rng(seed))
        if out is None:
            continue
        moved = set(out) - set(part)
        gone = set(part) - set(out)
        for new in moved:
            old = next(n for n in gone if n.pitch == new.pitch)
            rel_new, rel_old = new.start % section.bar_ticks, old.start % section.bar_ticks
            group = [i for i, (a, b) in enumerate(bounds) if a <= rel_old < b]
            assert group == [i for i, (a, b) in enumerate(bounds) if a <= rel_new < b]
    assert changed > 100


def test_melody_operators_keep_the_rhythm_and_resnap_onto_chord_tones(song_44):
    section = load_song(song_44, "melody").sections[0]
    key = load_song(song_44, "melody").proposal.key

    class Singer:
        low, high = 57, 76

    onsets = list(range(0, section.total_ticks, TPQ))
    line = tuple(Note(t, TPQ, 60 + (i * 5) % 12, 90) for i, t in enumerate(onsets))
    for seed in range(20):
        for name, op in make_ops(key.scale_pcs()):
            if name == "displace":  # the one rhythm operator (its own test below)
                continue
            out = op(line, section, np.random.default_rng(seed))
            if out is None:
                continue
            assert [n.start for n in out] == onsets and [n.duration for n in out] == [TPQ] * len(
                onsets
            )
            snapped, _, _ = resnap(out, section, Singer)
            for n in snapped:
                assert Singer.low <= n.pitch <= Singer.high
                if n.start in {c.start for c in section.chords}:
                    assert n.pitch % 12 in section.chord_at(n.start).tones


def test_displacement_shifts_one_bar_and_never_costs_a_syllable_its_place(song_44):
    from chromatic.produce.evolve.melody import displace, melody_breeder
    from chromatic.produce.melody.setting import levels, syllable_cost, unit_ticks
    from chromatic.produce.phases.parts import PartCandidate

    song = load_song(song_44, "melody")
    section = song.sections[0]
    bar = section.bar_ticks
    lv = levels(section.meter, unit_ticks(section.meter, section.bpm))
    # per bar: the "and" of 1, beat 2, the "and" of 3 (a shape that can move), then a held note
    line = tuple(
        Note(b * bar + t, TPQ // 2, 64 + b, 90)
        for b in range(section.bars)
        for t in (TPQ // 2, TPQ, 5 * TPQ // 2)
    )
    stresses = [(st, w) for st in (0, 1, 2) for w in (False, True)]
    moved, crossed = 0, 0
    for seed in range(30):
        out = displace(line, section, np.random.default_rng(seed))
        if out is None:
            continue
        moved += 1
        assert len(out) == len(line)
        shifted = [(a, b) for a, b in zip(line, out, strict=True) if a.start != b.start]
        d = {b.start - a.start for a, b in shifted}
        assert len(d) == 1 and abs(d.pop()) in (TPQ // 2, TPQ, bar // 2, bar)
        assert len({a.start // bar for a, _ in shifted}) == 1  # one bar's motif
        crossed += any(a.start // bar != b.start // bar for a, b in shifted)
        assert all(0 <= b.start < section.total_ticks for b in out)
        assert all(x.start + x.duration <= y.start for x, y in itertools.pairwise(out))
        for a, b in shifted:  # a syllable placed well stays placed well, whatever its stress
            old, new = lv.get(a.start % bar, 0), lv.get(b.start % bar, 0)
            for st, w in stresses:
                if syllable_cost(st, w, old) <= 0.15:
                    assert syllable_cost(st, w, new) <= 0.15, (old, new, st, w)
    assert moved >= 10 and crossed >= 3  # across the bar line too (into the rest before)

    events = {(section.label, 0): tuple((n.start, f"s{i}") for i, n in enumerate(line))}
    breeder = melody_breeder(
        song, section, type("S", (), {"low": 50, "high": 90, "center": 70})(), events
    )
    parent = PartCandidate(section.label, 0, {"prosody": 0.9}, {}, line)
    out = next(o for k in range(30) if (o := displace(line, section, np.random.default_rng(k))))
    kid = breeder.child(section, out, parent, 7, {"parents": [0], "operators": ["displace"]})
    assert kid is not None and kid.theory["prosody"] == 0.9
    mine = breeder.lyrics[(section.label, 7)]
    assert [t for t, _ in mine] == [n.start for n in kid.notes]  # the words moved with the notes
    assert [x for _, x in mine] == [f"s{i}" for i in range(len(line))]


def test_kick_lock_puts_a_bass_onset_on_an_uncovered_kick(song_44):
    section = load_song(song_44, "bass").sections[0]
    whole = tuple(Note(c.start, c.end - c.start, 40, 90) for c in section.chords)
    kick = section.chords[0].start + TPQ
    out = kick_lock_op((kick,))(whole, section, np.random.default_rng(0))
    assert kick in {n.start for n in out}
    assert out[[n.start for n in out].index(kick)].pitch % 12 == section.chord_at(kick).root


def test_archive_keeps_the_best_of_each_niche():
    arch = Archive(bins=2)
    arch.add("a", 0.5, (0.1, 0.1))
    arch.add("b", 0.7, (0.2, 0.2))  # same cell, better
    arch.add("c", 0.4, (0.2, 0.3))  # same cell, worse
    arch.add("d", 0.6, (0.9, 0.1))
    assert arch.keys() == ["b", "d"] and len(arch) == 2
    same = (Note(0, 1, 60, 1),)
    assert mean_pairwise([same, same], note_distance) == 0.0
    assert mean_pairwise([same, (Note(0, 1, 62, 1),)], note_distance) == 1.0


@pytest.fixture(scope="module")
def drums_44(song_44, tmp_path_factory):
    root = tmp_path_factory.mktemp("evolve44")
    plain = _copy(song_44, root, "plain")
    bred = _copy(song_44, root, "bred")
    again = _copy(song_44, root, "again")
    base = run_drums(plain, n=10, top=4, seed=5)
    run_drums(bred, n=10, top=4, seed=5, evolve=SMALL)
    run_drums(again, n=10, top=4, seed=5, evolve=SMALL)
    return plain, bred, again, base


def test_evolved_drums_beat_or_match_ranking_and_fill_distinct_niches(drums_44):
    plain, bred, again, _ = drums_44
    before = load_review(plain.review_path("drums"), check_files=False).model.candidates
    after = load_review(bred.review_path("drums"), check_files=False).model.candidates
    sections = {c.details["section"] for c in before}
    children = 0
    for s in sections:
        b = [c for c in before if c.details["section"] == s]
        a = [c for c in after if c.details["section"] == s]
        assert max(c.scores.composite for c in a) >= max(c.scores.composite for c in b)
        niches = [c.details["niche"] for c in a]
        assert len(set(niches)) == len(niches)  # the best of distinct niches
        for c in a:
            lin = c.details.get("lineage")
            if lin:
                children += 1
                assert lin["parents"] and lin["operators"] and 1 <= lin["generation"] <= 2
    assert children > 0
    assert bred.review_path("drums").read_bytes() == again.review_path("drums").read_bytes()
    assert b"&id" not in bred.review_path("drums").read_bytes()  # kept details share nothing


def test_evolved_melody_children_carry_the_lyrics_of_their_rhythm(song_44, tmp_path):
    folder = _copy(song_44, tmp_path, "mel")
    run_melody(folder, n=6, top=3, seed=2, evolve=SMALL)
    review = load_review(folder.review_path("melody"), check_files=True).model
    kids = [c for c in review.candidates if c.details.get("lineage")]
    assert kids
    for c in kids:
        score = load_score(folder.phase_dir("melody") / c.midi_file)
        track = score.tracks[0]
        assert len(track.lyrics) == len(track.notes) > 0  # every onset keeps its syllable


def test_cli_evolve_writes_lineage_and_refuses_a_population_of_one(song_44, tmp_path, capsys):
    folder = _copy(song_44, tmp_path, "cli")
    args = ["produce", "drums", str(folder.root), "-n", "6", "--top", "2", "--seed", "1"]
    assert main([*args, "--evolve", "--generations", "2", "--population", "4"]) == 0
    err = capsys.readouterr().err
    assert "evolve" in err and "2/2" in err
    review = load_review(folder.review_path("drums"), check_files=True)
    assert any(c.details.get("lineage") for c in review.model.candidates)
    assert review.doc["evolve"]["generations"] == 2
    assert main([*args, "--evolve", "--population", "1"]) != 0


def test_breed_from_the_approved_and_starred_writes_children_beside_them(song_44, tmp_path):
    from chromatic.yamlio import round_trip as _yaml

    folder = _copy(song_44, tmp_path, "breed")
    run_drums(folder, n=8, top=3, seed=4)
    path = folder.review_path("drums")
    y = _yaml()
    doc = y.load(path.read_text())
    first = {}
    for c in doc["candidates"]:
        first.setdefault(c["details"]["section"], c)
    sections = list(first)
    first[sections[0]]["status"] = "approved"
    first[sections[1]]["star"] = True
    chosen = {first[sections[0]]["id"], first[sections[1]]["id"]}
    with open(path, "w") as f:
        y.dump(doc, f)
    args = ["produce", "drums", str(folder.root), "-n", "8", "--top", "3", "--seed", "4"]
    assert main([*args, "--breed", "--generations", "2", "--population", "4"]) == 0
    review = load_review(path, check_files=True).model
    ids = {c.id for c in review.candidates}
    assert chosen <= ids  # the parents stay, the starred one too
    for label in sections[:2]:
        here = [c for c in review.candidates if c.details["section"] == label]
        kids = [c for c in here if c.details.get("lineage")]
        assert len(here) == 1 + 3 and len(kids) == 3
        for k in kids:
            assert set(k.details["lineage"]["roots"]) <= chosen
    untouched = [c for c in review.candidates if c.details["section"] == sections[2]]
    assert untouched and not any(c.details.get("lineage") for c in untouched)


def test_compose_passes_evolve_to_every_phase_and_chords_breed(song_44, tmp_path):
    from chromatic.produce.compose.options import ComposeOptions
    from chromatic.produce.compose.search import phase_options
    from chromatic.produce.phases.registry import get

    opts = phase_options("drums", ComposeOptions(evolve=SMALL), 1, None)
    assert opts.evolve is SMALL
    assert all(get(p).breeds for p in ("chords", "drums", "bass", "melody", "harmony"))
    folder = _copy(song_44, tmp_path, "chords")
    run = (
        get("chords")
        .run(folder, phase_options("chords", ComposeOptions(n=6, evolve=SMALL), 1, None))
        .gate(folder)
    )
    text = folder.review_path("chords").read_text()
    assert run.generated > 0 and "evolve:" in text and "lineage:" in text


def test_evolved_backing_vocals_keep_the_lead_syllables(song_44, tmp_path):
    from chromatic.produce.phases.backing import run_harmony
    from tests.produce.conftest import approve

    folder = _copy(song_44, tmp_path, "harm")
    run_melody(folder, n=4, top=2, seed=2)
    approve(folder, "melody")
    run_harmony(folder, n=6, top=5, seed=2, evolve=SMALL)  # room for children
    review = load_review(folder.review_path("harmony"), check_files=True).model
    kids = [c for c in review.candidates if c.details.get("lineage")]
    assert kids
    for c in kids:
        ops = {o.split("@")[0] for o in c.details["lineage"]["operators"]}
        assert ops <= {
            "interval",
            "interval_note",
            "chord_tone",
            "octave",
            "neighbour",
            "side",
            "open",
            "crossover",
        }
        low, high = c.details["singer_range"]
        track = load_score(folder.phase_dir("harmony") / c.midi_file).tracks[0]
        assert len(track.lyrics) == len(track.notes) > 0
        assert all(low <= n.pitch <= high for n in track.notes)


def test_evolve_with_a_model_scores_children_of_every_phase(exported, song_44, tmp_path):
    """With a scorer, children are scored on their section's track (the harmony phase keys its
    lyric events by draw index: a child's track must not be looked up there)."""
    from chromatic.produce.phases.backing import run_harmony
    from chromatic.produce.phases.composite import load_scorer
    from tests.produce.conftest import approve

    _, model, _ = exported
    scorer = load_scorer(model)
    folder = _copy(song_44, tmp_path, "model")
    run_melody(folder, n=4, top=2, seed=2)
    approve(folder, "melody")
    run_harmony(folder, n=6, top=5, seed=2, scorer=scorer, model=str(model), evolve=SMALL)
    review = load_review(folder.review_path("harmony"), check_files=True).model
    kids = [c for c in review.candidates if c.details.get("lineage")]
    assert kids and all(c.scores.chromatic is not None for c in kids)


def test_evolved_chords_with_a_model_score_every_kept_loop_once(exported, song_44, tmp_path):
    """With a scorer the chord phase's children are scored while they breed and their results
    reused: every kept loop, child or generated, carries its chromatic match."""
    from chromatic.produce.evolve.fitness import fused
    from chromatic.produce.phases.chords import run_chords
    from chromatic.produce.phases.composite import load_scorer

    _, model, _ = exported
    scorer = load_scorer(model)
    calls = []
    for s in (scorer, fused(scorer)):  # the phase's scorer and breeding's fused twin

        def counted(cands, _batch=s.score_batch, **kw):
            calls.extend(c["id"] for c in cands)
            return _batch(cands, **kw)

        s.score_batch = counted
    folder = _copy(song_44, tmp_path, "chords-model")
    bigger = Evolve(generations=4, population=8)  # children far enough to be shortlisted
    run = run_chords(folder, n=12, top=6, seed=2, scorer=scorer, model=str(model), evolve=bigger)
    review = load_review(folder.review_path("chords"), check_files=True).model
    new = [c for c in review.candidates if c.id in run.merge.added]  # the approved ones stay
    assert any(c.details.get("lineage") for c in new)
    assert new and all(c.scores.chromatic is not None for c in new)
    assert len(calls) == len(set(calls))  # nothing scored twice
    scored = review.model_extra["evolve"]["sections"]["chords"]["scored"]
    assert len(calls) == scored


def test_breeding_scores_with_the_fused_graph_and_ranking_with_the_files(
    exported, song_44, monkeypatch
):
    """``Evolve.fitness``: the model loaded again with its GELUs fused, once, scoring within a
    float32 rounding of the file's graph; the concept wrapper keeps its vector around the
    twin; ``fuse=False`` is the scorer itself."""
    import chromatic.scoring.scorer as scorer_module
    from chromatic.produce.phases.composite import load_scorer
    from chromatic.produce.phases.concept import ConceptScorer
    from chromatic.produce.phases.parts import TrackSpec, part_song

    _, model, _ = exported
    scorer = load_scorer(model)
    opened = []
    real_open = scorer_module.open_session

    def recorded(path, **kw):
        opened.append(kw.get("fuse"))
        return real_open(path, **kw)

    monkeypatch.setattr(scorer_module, "open_session", recorded)
    twin = Evolve().fitness(scorer)
    assert twin is not scorer and Evolve().fitness(scorer) is twin  # loaded once
    assert opened == [True] and twin.path == scorer.path
    assert Evolve(fuse=False).fitness(scorer) is scorer
    song = load_song(song_44, "drums")
    section = song.sections[0]
    track = TrackSpec("Piano", 0)
    items = [
        {
            "id": str(k),
            "midi": part_song(
                song,
                section,
                track,
                tuple(Note(i * 480, 240, 60 + (i * (k + 2)) % 12, 90) for i in range(8)),
            ),
        }
        for k in range(4)
    ]
    a = {r["id"]: r["match"] for r in scorer.score_batch(items, color="Red")}
    b = {r["id"]: r["match"] for r in twin.score_batch(items, color="Red")}
    assert len(a) == 4 and a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-5 for k in a)
    wrapped = ConceptScorer(scorer, "a concept", np.zeros(4, np.float32))
    inner = Evolve().fitness(wrapped)
    assert isinstance(inner, ConceptScorer) and inner.scorer is twin and inner.text == "a concept"
    assert wrapped.scorer is scorer  # the phase's own scorer is left as it was


def test_a_drum_edit_runs_once_per_groove_and_lands_on_every_bar_but_the_last(song_78):
    """``drums._apply``: bars with the same hits are edited once (the edit is a function of
    them), and every bar but the last carries the edit, as when each bar was edited."""
    from chromatic.produce.evolve.drums import _apply

    section = load_song(song_78, "drums").sections[1]
    assert section.bars > 2
    last = (section.bars - 1) * section.bar_ticks
    for part, grooves in (
        (tuple(n._replace(velocity=80) for n in _drum_part(section, 0)), 1),  # one groove
        (_drum_part(section, 0), section.bars - 1),  # hats' velocities differ bar to bar
    ):
        calls = []

        def edit(rel, _calls=calls):
            _calls.append(tuple(rel))
            return [n._replace(velocity=1) if n.pitch == 38 else n for n in rel]

        out = _apply(part, section, edit)
        assert len(calls) == len(set(calls)) == grooves
        snares = [n.start for n in part if n.pitch == 38 and n.start < last]
        assert sorted(n.start for n in out if n.pitch == 38 and n.velocity == 1) == snares
        assert [n for n in out if n.start >= last] == [n for n in part if n.start >= last]


def test_a_bar_slice_counts_each_bars_notes_as_the_bars_themselves_do():
    """``melody._bar_slice`` counts the notes starting in each bar in one pass: the bars it
    draws from are those with at least ``need`` notes, a note before the first bar or past the
    last counted in none (the same draw as counting bar by bar)."""
    from types import SimpleNamespace

    from chromatic.produce.evolve.melody import _bar_slice

    section = SimpleNamespace(bars=4, bar_ticks=1920)
    notes = tuple(Note(t, 240, 60, 80) for t in (-100, 0, 10, 1920, 5760, 5800, 5900, 7680, 9000))
    seen = set()
    for seed in range(60):
        b, idx = _bar_slice(notes, section, np.random.default_rng(seed), need=2)
        seen.add(b)
        assert idx == [i for i, n in enumerate(notes) if b * 1920 <= n.start < (b + 1) * 1920]
    assert seen == {0, 3}  # bar 1 has one note, bar 2 none; -100 and the ones past bar 4 none
    assert _bar_slice(notes, section, np.random.default_rng(0), need=4) is None
