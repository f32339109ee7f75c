"""Which section plays which progression as the key is heard (``produce.chords.heard``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from music21 import note, stream

from chromatic.produce.chords.heard import key_first
from chromatic.produce.chords.theory import centre_score
from chromatic.produce.compose.search import alternatives
from chromatic.produce.review import Candidate, ReviewFile

FORM = ("intro", "verse", "breakdown", "outro")
#: F# minor's Aeolian i-i-VI-VII (F#m F#sus2 Dmaj7 E7) and its i-iv-VI-v twice (F#m Bm7 Dadd9
#: C#m7 F#madd9 Bsus2 D C#sus2), voiced as the chord phase voiced them for held-out song 05.
AEOLIAN = np.array([[42, 69, 73, 78], [42, 68, 73, 78], [38, 69, 73, 78], [40, 68, 74, 76]])
WITH_IV_V = np.array(
    [
        *([42, 66, 69, 73], [47, 66, 69, 74], [50, 66, 69, 76], [49, 68, 71, 76]),
        *([54, 68, 69, 78], [47, 71, 73, 78], [50, 69, 74, 78], [49, 68, 73, 75]),
    ]
)


def _candidate(rank: int, centre: float) -> Candidate:
    return Candidate(
        id=f"chord_{rank:03d}",
        rank=rank,
        midi_file=f"candidates/chord_{rank:03d}.mid",
        scores={"composite": 1.0 - rank / 100, "theory": {"centre": centre}},
    )


def _chosen(centres: list[float], heard: bool = True) -> list[dict[str, str]]:
    review = ReviewFile.model_construct(
        candidates=[_candidate(i + 1, c) for i, c in enumerate(centres)]
    )
    alts = alternatives("chords", review, Path("r.yml"), FORM, 2, [], heard)
    return [a.choice for a in alts]


def test_the_aeolian_loop_reads_as_the_key_of_its_fourth_and_the_theory_centre_says_so():
    # the case itself, heard by music21's default listener (the bass twice, as the theory's
    # centre and a listener weigh it): the loop played alone is B minor
    def heard(voicing):
        s = stream.Stream()
        for row in voicing:
            for p in (row[0], *row):
                s.append(note.Note(midi=int(p), quarterLength=1))
        return s.analyze("key")

    assert heard(AEOLIAN).tonic.name == "B"
    assert heard(WITH_IV_V).tonic.name == "F#"
    assert centre_score(AEOLIAN, 6, True) < 1.0
    assert centre_score(WITH_IV_V, 6, True) == 1.0


def test_in_a_search_for_the_key_the_section_heard_most_takes_a_progression_that_holds_it():
    # rank 1 is the Aeolian loop (a rival tonic leads it): the verse, heard most, takes rank 2
    first, second = _chosen([0.918, 1.0, 1.0, 0.60, 1.0, 1.0, 1.0, 1.0])
    assert first["verse"] == "chord_002"
    # then the other one that holds it, and the colour progressions, in rank order, to the
    # sections that come last in the priority (outro, then the unranked breakdown)
    assert (first["intro"], first["outro"], first["breakdown"]) == (
        "chord_003",
        "chord_001",
        "chord_004",
    )
    # a set where every progression holds the key keeps the rank order (best to the verse)
    assert second == {
        "verse": "chord_005",
        "intro": "chord_006",
        "outro": "chord_007",
        "breakdown": "chord_008",
    }
    # the ordinary search keeps the rank order: the best progression to the section heard most
    assert _chosen([0.918, 1.0, 1.0, 0.60], heard=False)[0] == {
        "verse": "chord_001",
        "intro": "chord_002",
        "outro": "chord_003",
        "breakdown": "chord_004",
    }


def test_key_first_keeps_the_rank_order_when_none_holds_the_key():
    cands = [_candidate(r, c) for r, c in ((1, 0.9), (2, 0.5), (3, 0.7))]
    assert [c.rank for c in key_first(cands)] == [1, 2, 3]
    cands = [_candidate(r, c) for r, c in ((1, 0.9), (2, 1.0), (3, 0.7), (4, 1.0))]
    assert [c.rank for c in key_first(cands)] == [2, 4, 1, 3]
