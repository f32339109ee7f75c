"""benchmarks/targeting.py composes one proposal for both targets and changes only the fitness
model's target: the review's matches are the model's match to the target, not to the
proposal's color, and without the chromatic weight the two targets give the same bytes."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from tests.produce.conftest import MAJOR_4_4

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import targeting


def _chord_matches(out: Path) -> dict[str, float]:
    review = yaml.safe_load((out / "chords" / "review.yml").read_text())
    return {c["midi_file"]: c["scores"]["chromatic"]["match"] for c in review["candidates"]}


def test_the_model_scores_against_the_target_and_nothing_else_differs(exported, tmp_path):
    from chromatic.scoring import ChromaticScorer
    from chromatic.taxonomy import parse_color

    _, model, _ = exported
    proposal_color = parse_color(yaml.safe_load(MAJOR_4_4.read_text())["rainbow_color"]).name
    target = "Blue" if proposal_color != "Blue" else "Red"
    out = tmp_path / "target"
    targeting.compose(MAJOR_4_4, out, model, 1, 4, 0.7, trust=True, target=target)
    scorer = ChromaticScorer.load(model)
    got = _chord_matches(out)
    files = sorted(got)
    rows = scorer.score_batch(
        [{"id": f, "midi": (out / "chords" / f).read_bytes()} for f in files], color=target
    )
    by = {r["id"]: r["match"] for r in rows}
    assert [got[f] for f in files] == [round(by[f], 4) for f in files]
    own = {
        r["id"]: r["match"]
        for r in scorer.score_batch(
            [{"id": f, "midi": (out / "chords" / f).read_bytes()} for f in files],
            color=proposal_color,
        )
    }
    assert [got[f] for f in files] != [round(own[f], 4) for f in files]  # not the proposal's

    same = [
        targeting.compose(MAJOR_4_4, tmp_path / c, model, 1, 4, 0.0, trust=True, target=c)
        for c in ("Red", "Blue")
    ]
    assert same[0].read_bytes() == same[1].read_bytes()
