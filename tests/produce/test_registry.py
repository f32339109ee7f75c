"""The phase registry: one entry per phase of the folder layout, dependencies first, and one
``run(folder, PhaseOptions) -> PhaseResult`` for every phase."""

from __future__ import annotations

import pytest

from chromatic.errors import ProduceError
from chromatic.music.midi import load_score
from chromatic.produce.folder import PHASES as LAYOUT
from chromatic.produce.phases import PhaseOptions, PhaseResult
from chromatic.produce.phases.registry import PHASES, get
from chromatic.produce.regenerate import GROUP_KEY
from chromatic.produce.review import load_review
from tests.produce.conftest import MINOR_7_8, make_song


def test_the_registry_lists_the_folder_phases_in_order_with_dependencies_first():
    assert [p.name for p in PHASES] == list(LAYOUT)
    for i, phase in enumerate(PHASES):
        assert set(phase.depends_on) <= {p.name for p in PHASES[:i]}


def test_an_unknown_phase_or_option_is_a_produce_error(song_78):
    with pytest.raises(ProduceError, match="unknown phase 'harmonica'"):
        get("harmonica")
    with pytest.raises(ProduceError, match="no option 'singer'"):
        get("drums").run(song_78, PhaseOptions(n=2, top=1, extra={"singer": "Shirley"})).gate(
            song_78
        )


def test_phase_options_from_keywords_take_the_phases_own_and_refuse_others():
    from chromatic.produce.phases import drums, melody

    opts = PhaseOptions.of(drums.OWN, n=3, seed=2, humanize_with="swing")
    assert (opts.n, opts.top, opts.seed, dict(opts.extra)) == (3, 5, 2, {"humanize_with": "swing"})
    with pytest.raises(TypeError, match="singer"):
        PhaseOptions.of(drums.OWN, singer="Shirley")
    assert {p.name: p.own for p in PHASES}["melody"] == melody.OWN == ("singer", "singers_file")
    assert opts.ranking() == {
        "top": 5,
        "seed": 2,
        "scorer": None,
        "model": None,
        "weights": opts.weights,
        "taste": None,
        "evolve": None,
    }


def test_every_phase_returns_one_result_type(tmp_path):
    song = make_song(MINOR_7_8, tmp_path / "song")
    chords = get("chords").run(song, PhaseOptions(n=12, top=4, seed=1)).gate(song)
    assert isinstance(chords, PhaseResult) and chords.phase == "chords"
    assert chords.generated == 12 and chords.by_section == {} and chords.distinct <= 12
    melody = (
        get("melody").run(song, PhaseOptions(n=2, top=1, extra={"singer": "Shirley"})).gate(song)
    )
    assert isinstance(melody, PhaseResult) and melody.phase == "melody"
    assert melody.generated == sum(melody.by_section.values()) == melody.distinct > 0
    # what each run reports is what its review.yml holds: the candidates it kept, replaced and
    # added, each a readable MIDI file, ranked by composite (rank 1 the highest), with theory
    for result in (chords, melody):
        review = load_review(result.merge.path).model
        ids = [c.id for c in review.candidates]
        m = result.merge
        assert ids and {*m.kept, *m.replaced, *m.added} == set(ids)
        for c in review.candidates:
            assert c.scores.theory and load_score(m.path.parent / c.midi_file).note_num() > 0
    # the melody phase ran fresh: everything it lists it added, for its sections, ranked within
    # each generation group by composite (the approved chords were kept as reviewed, ranks too)
    review = load_review(melody.merge.path).model
    assert {c.id for c in review.candidates} == set(melody.merge.added)
    assert {c.details["section"] for c in review.candidates} == set(melody.by_section)
    groups: dict = {}
    for c in review.candidates:
        groups.setdefault(c.details.get(GROUP_KEY), []).append(c)
    for group in groups.values():
        ranked = sorted(group, key=lambda c: c.rank)
        assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))
        composites = [c.scores.composite for c in ranked]
        assert composites == sorted(composites, reverse=True)
