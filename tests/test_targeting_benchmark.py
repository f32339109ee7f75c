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


def _chord_matches(out: Path, key: str = "match") -> dict[str, float]:
    review = yaml.safe_load((out / "chords" / "review.yml").read_text())
    return {c["midi_file"]: c["scores"]["chromatic"][key] for c in review["candidates"]}


def test_the_model_scores_against_the_target_and_nothing_else_differs(exported, tmp_path):
    import pytest

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
    # review.yml shows the relative match (sd above the target's held-out mean) beside it
    rel = _chord_matches(out, "match_relative")
    by_rel = {r["id"]: r["match_relative"] for r in rows}
    assert [rel[f] for f in files] == [round(by_rel[f], 4) for f in files]
    mu, sd = scorer.baseline[target]
    assert [rel[f] for f in files] == pytest.approx([(by[f] - mu) / sd for f in files], abs=1e-3)
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


def test_intervals_resample_whole_proposals():
    import numpy as np
    import pytest

    keys = [(k, s, c) for k in range(6) for s in range(2) for c in ("Red", "Blue")]
    target = np.array([c == "Red" for *_, c in keys])
    # every Red twin judged more major: both intervals are the point 1.0
    p = np.where(target, 0.6, 0.4) + np.array([k for k, *_ in keys]) * 0.01
    by = dict(zip(keys, p, strict=True))
    ci = targeting.proposal_intervals(keys, target, p, by, draws=300)
    assert ci["lr_ci"] == pytest.approx((1.0, 1.0)) and ci["paired_ci"] == pytest.approx((1, 1))
    # one proposal whose twins are reversed: the paired share's interval reaches below 1
    q = np.where([(k == 0) == t for (k, *_), t in zip(keys, target, strict=True)], 0.4, 0.6)
    by = dict(zip(keys, q, strict=True))
    ci = targeting.proposal_intervals(keys, target, q, by, draws=300)
    assert ci["paired_ci"][0] < 5 / 6 < ci["paired_ci"][1] <= 1.0


def _sounding_at_once(score) -> int:
    """The most notes sounding at one onset (1 for a single line)."""
    import numpy as np

    notes = [tr.notes.numpy() for tr in score.tracks if len(tr.notes)]
    start = np.concatenate([n["time"] for n in notes])
    end = start + np.concatenate([n["duration"] for n in notes])
    return int(max(((start <= t) & (t < end)).sum() for t in np.unique(start)))


def test_the_chorale_catalog_holds_harmony_labelled_by_its_analysed_mode():
    from music21 import corpus

    from targeting_catalog import catalog_tunes

    works = catalog_tunes("chorales", 1)
    assert [mode for *_, mode in works] == ["major", "minor"]
    for name, score, mode in works:
        assert name.startswith("chorale-")
        # the label is music21's key analysis of the chorale itself, not a cached guess
        assert corpus.parse(name.removeprefix("chorale-")).analyze("key").mode == mode
        assert _sounding_at_once(score) >= 3  # four parts: chords, not one line


def test_the_mixed_catalog_holds_both_corpora_and_refuses_an_unknown_one():
    import pytest

    from targeting_catalog import catalog_tunes

    works = catalog_tunes("both", 2)  # one chorale and one Essen tune a mode
    assert [mode for *_, mode in works] == ["major", "major", "minor", "minor"]
    assert sorted(name.startswith("chorale-") for name, *_ in works) == [False, False, True, True]
    assert all(_sounding_at_once(s) == 1 for name, s, _ in works if "chorale" not in name)
    with pytest.raises(ValueError, match="corpus: expected one of essen, chorales, both"):
        catalog_tunes("madrigals", 1)


def test_steer_lets_only_the_named_phases_hear_the_model(exported, tmp_path):
    _, model, _ = exported
    out = targeting.compose(
        MAJOR_4_4, tmp_path / "s", model, 1, 4, 0.7, trust=True, target="Red", steer=("bass",)
    )
    heard = {}
    for phase in ("chords", "bass", "melody"):
        review = yaml.safe_load((out.parent / phase / "review.yml").read_text())
        heard[phase] = any(c["scores"].get("chromatic") for c in review["candidates"])
    assert heard == {"chords": False, "bass": True, "melody": False}


def test_parts_are_the_arrangements_tracks_by_role(exported, tmp_path):
    from symusic import Score

    import targeting_parts

    _, model, _ = exported
    out = targeting.compose(MAJOR_4_4, tmp_path / "p", model, 1, 4, 0.7, trust=True)
    score = Score(str(out))
    roles = {t.name: targeting_parts.role_of(t) for t in score.tracks if len(t.notes)}
    assert {r for r in roles.values() if r} == set(targeting_parts.ROLES)
    pitch = {}
    for t in score.tracks:
        if len(t.notes) and targeting_parts.role_of(t):
            pitch.setdefault(targeting_parts.role_of(t), []).extend(n.pitch for n in t.notes)
    mean = {r: sum(p) / len(p) for r, p in pitch.items()}
    assert mean["bass"] < mean["chords"] < mean["melody"]  # the roles are not mislabelled
    bass = targeting_parts.view(score, lambda r: r == "bass")
    assert [targeting_parts.role_of(t) for t in bass.tracks] == ["bass"] * len(bass.tracks)
    assert len(bass.tracks) >= 1 and len(score.tracks) > len(bass.tracks)


def test_the_held_out_judge_trains_on_tunes_no_catalog_holds():
    from essen_corpus import essen_tunes
    from targeting_judge import held_out_tunes

    catalog = {name for name, _, _ in essen_tunes(3, "mode")}
    held = held_out_tunes(3, 4)
    assert [lab for _, _, lab in held] == ["major"] * 4 + ["minor"] * 4
    assert not catalog & {name for name, _, _ in held}
    assert len({name for name, _, _ in held}) == 8


def test_a_verdict_reads_the_targets_and_the_twins():
    import numpy as np

    from targeting_judge import verdict

    keys = [(k, 0, c) for k in range(4) for c in ("Blue", "Red")]
    right = np.array([0.2 + 0.1 * k + (0.05 if c == "Red" else 0.0) for k, _, c in keys])
    r = verdict(keys, right)
    assert r["paired"] == 1.0 and 0.5 < r["auc"] < 1.0  # twins right, proposals overlap
    wrong = verdict(keys, 1 - right)
    assert wrong["paired"] == 0.0 and wrong["auc"] == 1 - r["auc"]


def test_the_key_profile_judge_hears_mode_in_any_key():
    from essen_corpus import essen_tunes
    from targeting_judge import key_margin

    tunes = essen_tunes(3, "mode")
    major = [key_margin(s) for _, s, lab in tunes if lab == "major"]
    minor = [key_margin(s) for _, s, lab in tunes if lab == "minor"]
    assert min(major) > max(minor)
    score = tunes[0][1]
    up = score.shift_pitch(5)  # the same tune a fourth higher: the same margin
    assert abs(key_margin(up) - key_margin(score)) < 1e-9


def test_the_pools_benchmark_reads_the_key_profile_judge_by_default():
    from essen_corpus import essen_tunes
    from targeting_judge import key_margin
    from targeting_pools import make_judge

    tunes = essen_tunes(3, "mode")
    scores = [s for _, s, _ in tunes]
    name, judge = make_judge()
    assert name == "key margin"
    got = judge(scores)
    assert list(got) == [key_margin(s) for s in scores]
    major = [m for m, (_, _, lab) in zip(got, tunes, strict=True) if lab == "major"]
    minor = [m for m, (_, _, lab) in zip(got, tunes, strict=True) if lab == "minor"]
    assert min(major) > 0 > max(minor)
