from __future__ import annotations

import shutil

import pytest

from chromatic.errors import ChromaticError, ProduceError, ReviewError
from chromatic.produce.phases.composite import ChromaticResult, Weights, composite, load_scorer
from chromatic.produce.review import load_review
from chromatic.taxonomy import chromatic_match
from chromatic.yamlio import round_trip as _yaml


@pytest.fixture
def review_copy(minor_34, tmp_path):
    """A writable copy of a generated chords phase."""
    dst = tmp_path / "chords"
    shutil.copytree(minor_34.phase_dir("chords"), dst)
    return dst / "review.yml"


def _edit(path, fn):
    y = _yaml()
    doc = y.load(path.read_text())
    fn(doc)
    with open(path, "w") as f:
        y.dump(doc, f)


def test_generated_review_has_the_documented_fields(review_copy):
    r = load_review(review_copy)
    m = r.model
    assert m.schema_version == 1 and m.phase == "chords"
    assert m.song.title and m.song.proposal == "../proposal.yml"
    assert m.scoring.weights == {"theory": 1.0, "chromatic": 0.0} and m.scoring.model is None
    assert any("no model given" in w for w in r.doc["warnings"])
    c = m.candidates[0]
    assert c.id == "chord_001" and c.rank >= 1 and c.status == "pending" and c.label is None
    assert set(c.scores.theory) == {
        "melody",
        "voice_leading",
        "variety",
        "transition",
        "style",
        "centre",
        "total",
    }
    assert c.scores.chromatic is None
    assert {
        "progression",
        "chords",
        "kinds",
        "harmonic_rhythm",
        "strum",
        "scratch_beat",
        "voicing",
    } <= set(c.details)
    assert "label: null" in review_copy.read_text()


@pytest.mark.parametrize(
    ("edit", "field", "fragment"),
    [
        (
            lambda d: d["candidates"][1].__setitem__("status", "aproved"),
            "candidates[1].status",
            "aproved",
        ),
        (
            lambda d: d["candidates"][2].__setitem__("id", d["candidates"][0]["id"]),
            "candidates[2].id",
            "duplicate",
        ),
        (
            lambda d: d["candidates"][0].__setitem__("midi_file", "candidates/gone.mid"),
            "candidates[0].midi_file",
            "not found",
        ),
        (
            lambda d: d.__setitem__("schema_version", 2),
            "schema_version",
            "expected schema_version 1",
        ),
        (
            lambda d: d["candidates"][0].__setitem__("label", ["a", "list"]),
            "candidates[0].label",
            "string",
        ),
        (lambda d: d.__delitem__("song"), "song", "Field required"),
    ],
)
def test_validation_names_the_field(review_copy, edit, field, fragment):
    _edit(review_copy, edit)
    with pytest.raises(ReviewError) as e:
        load_review(review_copy)
    assert e.value.field == field and fragment in str(e.value) and "\n" not in str(e.value)


def test_status_is_read_leniently(review_copy):
    _edit(review_copy, lambda d: d["candidates"][0].__setitem__("status", " Approved "))
    assert load_review(review_copy).model.candidates[0].status == "approved"


def test_composite_arithmetic():
    assert composite(0.62, None) == 0.62
    assert composite(0.5, 0.8) == pytest.approx(0.3 * 0.5 + 0.7 * 0.8)
    assert composite(0.5, 0.8, Weights(1, 1)) == pytest.approx(0.65)
    assert composite(0.5, 0.8, Weights(0, 2)) == pytest.approx(0.8)
    with pytest.raises(ProduceError):
        Weights(-1, 1)
    with pytest.raises(ProduceError):
        Weights(0, 0)


def test_chromatic_result_from_a_scorer_row():
    row = {
        "id": "a",
        "temporal": [0.7, 0.2, 0.1],
        "spatial": [0.6, 0.2, 0.2],
        "ontological": [0.1, 0.1, 0.8],
        "confidence": 0.5,
    }
    r = ChromaticResult.from_scorer(row, "Red")
    assert r.match == pytest.approx(
        chromatic_match(
            {
                "temporal": row["temporal"],
                "spatial": row["spatial"],
                "ontological": row["ontological"],
            },
            "Red",
            0.5,
        )
    )
    assert ChromaticResult.from_scorer({**row, "match": 0.42}, "Red").match == 0.42
    with pytest.raises(ProduceError, match="unexpected row"):
        ChromaticResult.from_scorer({"id": "b", "temporal": [1, 0, 0]}, "Red")


def test_load_scorer_fails_clearly(tmp_path):
    # the scorer names what is missing itself (ScorerError); the CLI prints any ChromaticError as one line
    with pytest.raises(ChromaticError) as e:
        load_scorer(tmp_path / "missing.onnx")
    assert "\n" not in str(e.value)
