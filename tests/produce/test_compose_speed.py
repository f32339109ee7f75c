"""What compose does to be fast must not change what it writes: the search's line-edit approval
gives review.approve's bytes, and a cached concept vector gives the encoder's scores exactly."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from chromatic.produce.compose.search import approved_text
from chromatic.produce.phases.concept import (
    FOLDER_CACHE,
    ConceptScorer,
    concept_vector,
    text_encoder_id,
)
from chromatic.produce.review import approve, read_review

from .conftest import MAJOR_4_4, MINOR_7_8, make_folder


@pytest.mark.parametrize("source", [MINOR_7_8, MAJOR_4_4])
def test_the_line_edit_approval_gives_review_approves_bytes(source, tmp_path):
    folder = make_folder(source, tmp_path / "song", n=20, top=8)
    path = folder.review_path("chords")
    cands = sorted(read_review(path).candidates, key=lambda c: c.rank)
    label_of = {cands[0].id: "chorus", cands[3].id: "verse", cands[5].id: "final_chorus"}
    fast = approved_text(path.read_text(encoding="utf-8"), label_of)
    approve(path, label_of)
    assert fast is not None and fast == path.read_text(encoding="utf-8")


def test_the_line_edit_approval_leaves_edited_or_unusual_files_to_review_approve(tmp_path):
    folder = make_folder(MINOR_7_8, tmp_path / "song", n=20, top=8)
    path = folder.review_path("chords")
    text = path.read_text(encoding="utf-8")
    first = sorted(read_review(path).candidates, key=lambda c: c.rank)[0].id
    assert approved_text(text, {first: "verse"}) is not None
    assert approved_text(text, {first: "yes"}) is None  # a label YAML would quote
    assert approved_text(text, {"chord_999": "verse"}) is None  # no such candidate
    approve(path, {first: "verse"})  # a file already approved (by hand or not) is not fresh
    assert approved_text(path.read_text(encoding="utf-8"), {first: "chorus"}) is None


def test_a_cached_concept_vector_scores_exactly_as_the_encoder(exported, tmp_path, monkeypatch):
    from chromatic.scoring import ChromaticScorer

    monkeypatch.setenv("CHROMATIC_CACHE", str(tmp_path / "user"))
    _, model, _ = exported
    concept = "a cooling tower hums under a choir of starlings"
    first = ChromaticScorer.load(model)
    if text_encoder_id(first) is None:
        pytest.skip("the test model's text encoder is a local folder: not cached by design")
    vec = concept_vector(first, concept, tmp_path / "song")
    assert np.array_equal(vec, first.embed_text(concept))
    cached = list((tmp_path / "song" / FOLDER_CACHE).glob("*.npy"))
    assert len(cached) == 1 and len(list((tmp_path / "user" / "concept").glob("*.npy"))) == 1

    shutil.rmtree(tmp_path / "user")  # the folder's copy alone is enough, and is reused
    again = concept_vector(ChromaticScorer.load(model), concept, tmp_path / "song")
    assert np.array_equal(again, vec)
    cached[0].write_bytes(b"not a vector")  # a damaged file is ignored and rewritten
    assert np.array_equal(concept_vector(first, concept, tmp_path / "song"), vec)
    assert np.array_equal(np.load(cached[0]), vec)

    rolls = [{"id": "a", "midi": folder_midi(tmp_path)}]
    plain = first.score_batch(rolls, color="Green", concept=concept)
    fast = ConceptScorer(ChromaticScorer.load(model), concept, again).score_batch(
        rolls, color="Green", concept=concept
    )
    assert plain == fast


def folder_midi(tmp_path) -> bytes:
    """A real chord candidate's bytes to score."""
    folder = make_folder(MAJOR_4_4, tmp_path / "midi", n=6, top=2)
    first = sorted(read_review(folder.review_path("chords")).candidates, key=lambda c: c.rank)[0]
    return (folder.phase_dir("chords") / first.midi_file).read_bytes()
