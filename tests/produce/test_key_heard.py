"""The key heard in the whole arranged song, and compose's last choice by it
(``produce.arrange.key_heard``)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from music21 import note, stream
from symusic import Note, Score, Track

from chromatic.produce.arrange import key_heard
from chromatic.produce.arrange.key_heard import MARGIN, heard_choice, heard_lead
from chromatic.produce.chords import heard as chords_heard
from chromatic.produce.compose import heard
from chromatic.produce.compose.run import ComposeOptions, compose_auto
from chromatic.produce.folder import PHASES, ProductionFolder
from chromatic.produce.review import load_review
from tests.produce.conftest import MINOR_7_8

F_SHARP = 6
#: F# minor's Aeolian i-i-VI-VII (F#m F#sus2 Dmaj7 E7), bass doubled, and its i-iv-VI-v twice
AEOLIAN = [42, 42, 69, 73, 78, 42, 42, 68, 73, 78, 38, 38, 69, 73, 78, 40, 40, 68, 74, 76]
WITH_IV_V = [42, 42, 66, 69, 73, 47, 47, 66, 69, 74, 50, 50, 66, 69, 76, 49, 49, 68, 71, 76]
WITH_IV_V += [54, 54, 68, 69, 78, 47, 47, 71, 73, 78, 50, 50, 69, 74, 78, 49, 49, 68, 73, 75]
CLEAR = [*WITH_IV_V, 42, 45, 49, 54]  # and the tonic triad once more


def _score(pitches: list[int], tpq: int = 480, quarters: float = 1.0) -> Score:
    score = Score(tpq)
    track = Track("pad", 0)
    d = round(quarters * tpq)
    for i, p in enumerate(pitches):
        track.notes.append(Note(i * d, d, p, 80))
    score.tracks.append(track)
    drums = Track("drums", 0, True)
    drums.notes.append(Note(0, 40 * tpq, 36, 100))  # drums are not heard for the key
    score.tracks.append(drums)
    return score


def _music21(pitches: list[int]) -> str:
    s = stream.Stream([note.Note(midi=p, quarterLength=1) for p in pitches])
    return s.analyze("key").tonic.name


@pytest.mark.parametrize("pitches", [AEOLIAN, WITH_IV_V, CLEAR])
def test_the_lead_is_what_music21_hears(pitches):
    lead = heard_lead(_score(pitches), F_SHARP)
    assert (lead < 0) == (_music21(pitches) == "F#")
    assert heard_lead(_score(AEOLIAN), F_SHARP) > 0  # heard as B minor
    assert -MARGIN < heard_lead(_score(WITH_IV_V), F_SHARP) < 0  # F# minor, by a hair
    assert heard_lead(_score(CLEAR), F_SHARP) < -MARGIN
    # lengths clipped to 1/8-8 quarters, as the measure reads them: a 64-quarter B drone
    # counts no more than an 8-quarter one
    long = _score([*WITH_IV_V, 35])
    long.tracks[0].notes[-1].duration = 64 * 480
    short = _score([*WITH_IV_V, 35])
    short.tracks[0].notes[-1].duration = 8 * 480
    assert heard_lead(long, F_SHARP) == pytest.approx(heard_lead(short, F_SHARP))


def _choose(reads: list[list[int]], more: list[list[int]] | None = None, tonic=F_SHARP):
    """heard_choice over branches whose songs are ``reads`` (and ``more`` when asked for);
    what it chose, wrote and arranged."""
    held, wrote, arranged = [0], [], []
    reads = list(reads)

    def extend():
        reads.extend(more)
        return len(more)

    def write(i):
        wrote.append(i)
        held[0] = i

    def arrange():
        arranged.append(held[0])
        return ("plan", SimpleNamespace(score=_score(reads[held[0]])))

    got, chosen = heard_choice(len(reads), write, arrange, tonic, extend if more else None)
    assert held[0] == chosen and got[1].score.tracks[0].notes[0].pitch == reads[chosen][0]
    return chosen, wrote, arranged


def test_the_best_branch_that_reads_the_key_costs_nothing_more():
    assert _choose([CLEAR, AEOLIAN]) == (0, [], [0])


def test_a_branch_heard_in_another_key_gives_way_to_the_next_that_reads_it():
    assert _choose([AEOLIAN, CLEAR, CLEAR]) == (1, [1], [0, 1])
    # none by the margin: the first the planned tonic leads at all
    assert _choose([AEOLIAN, WITH_IV_V, AEOLIAN]) == (1, [1, 2, 1], [0, 1, 2, 1])
    assert _choose([AEOLIAN, AEOLIAN, WITH_IV_V]) == (2, [1, 2], [0, 1, 2])
    # none reads it: the best branch, written again
    assert _choose([AEOLIAN, AEOLIAN, AEOLIAN]) == (0, [1, 2, 0], [0, 1, 2, 0])


def test_more_branches_are_asked_for_only_when_none_reads_the_key_by_the_margin():
    assert _choose([CLEAR, AEOLIAN], more=[CLEAR]) == (0, [], [0])
    assert _choose([AEOLIAN, AEOLIAN], more=[AEOLIAN, CLEAR]) == (3, [1, 2, 3], [0, 1, 2, 3])
    # none of them either: the first the planned tonic leads at all
    assert _choose([AEOLIAN, WITH_IV_V], more=[AEOLIAN]) == (1, [1, 2, 1], [0, 1, 2, 1])


def test_compose_keeps_the_branch_heard_in_its_key(tmp_path, monkeypatch):
    # the first song arranged (the best branch) is heard in another key, every other reads it
    leads = iter([0.05])
    monkeypatch.setattr(key_heard, "heard_lead", lambda score, tonic: next(leads, -0.2))
    out = tmp_path / "song"
    opts = ComposeOptions(n=6, beam=2, seed=5, render=False, keep_work=False)
    result = compose_auto(MINOR_7_8, out, opts)
    second = result.finals[1]
    assert result.best is second and result.best is not result.finals[0]
    summary = json.loads((out / "compose_summary.json").read_text())
    folder = ProductionFolder(out)
    for ph in summary["phases"]:
        assert ph["chosen"] == second.choices[ph["phase"]]
        review = load_review(folder.review_path(ph["phase"]))
        approved = {c.id: c.label for c in review.model.candidates if c.status == "approved"}
        assert approved == {cid: section for section, cid in ph["chosen"].items()}
    assert [p["phase"] for p in summary["phases"]] == list(PHASES)
    assert summary["score"] == round(second.score, 4)
    assert any("kept the next kept one" in w for w in summary["warnings"])
    assert (out / "production_plan.yml").is_file() and (out / "arrangement.mid").is_file()
    # a second search that would group the chord sets as the first did is not run
    monkeypatch.setattr(heard, "search", lambda *a, **k: pytest.fail("searched again"))
    monkeypatch.setattr(chords_heard, "holds_key", lambda c: True)
    _, more = heard.key_choices(folder, opts, None, [], [], result.finals)
    assert more() == []


def test_compose_searches_again_with_the_key_first_when_no_kept_branch_reads_it(
    tmp_path, monkeypatch
):
    seen = []

    def lead(score, tonic):  # every kept branch of the first search heard in another key
        seen.append(score)
        return 0.05 if len(seen) <= 2 else -0.2

    monkeypatch.setattr(key_heard, "heard_lead", lead)
    # every other progression holds the key: the key-first order regroups the chord sets
    monkeypatch.setattr(chords_heard, "holds_key", lambda c: c.rank % 2 == 0)
    searched = []
    real = heard.search
    monkeypatch.setattr(heard, "search", lambda *a, **k: searched.append(k) or real(*a, **k))
    out = tmp_path / "song"
    result = compose_auto(MINOR_7_8, out, ComposeOptions(n=6, beam=2, seed=5, render=False))
    assert searched == [{"heard": True}] and len(seen) == 3
    assert all(result.best is not b for b in result.finals)  # from the second search
    assert result.best.choices["chords"] != result.finals[0].choices["chords"]
    summary = json.loads((out / "compose_summary.json").read_text())
    review = load_review(ProductionFolder(out).review_path("chords"))
    approved = {c.label: c.id for c in review.model.candidates if c.status == "approved"}
    assert approved == summary["phases"][0]["chosen"] == result.best.choices["chords"]
    assert any("one from a second search" in w for w in summary["warnings"])


def test_a_song_through_every_key_keeps_its_best_branch(tmp_path, monkeypatch):
    src = tmp_path / "all_keys.yml"
    src.write_text(MINOR_7_8.read_text() + "\nmodulation: all_keys\n")
    monkeypatch.setattr(key_heard, "heard_lead", lambda score, tonic: 0.05)
    searched = []
    real = heard.search
    monkeypatch.setattr(heard, "search", lambda *a, **k: searched.append(k) or real(*a, **k))
    out = tmp_path / "song"
    result = compose_auto(src, out, ComposeOptions(n=6, beam=2, seed=5, render=False))
    assert result.proposal.modulation == "all_keys"
    assert searched == [] and result.best is result.finals[0]
    assert _choose([AEOLIAN, CLEAR], tonic=None) == (0, [], [0])


def test_no_second_search_over_the_artists_own_progressions(tmp_path, monkeypatch):
    monkeypatch.setattr(heard, "search", lambda *a, **k: pytest.fail("searched again"))
    given = SimpleNamespace(root=tmp_path, proposal=lambda: SimpleNamespace(progressions=(1,)))
    _, more = heard.key_choices(given, ComposeOptions(), None, [], [])
    assert more() == []
    free = SimpleNamespace(root=tmp_path, proposal=lambda: SimpleNamespace(progressions=None))
    monkeypatch.setattr(heard, "search", lambda *a, **k: a[-1].append("branch"))
    _, more = heard.key_choices(free, ComposeOptions(), None, [], [])
    assert more() == ["branch"]
