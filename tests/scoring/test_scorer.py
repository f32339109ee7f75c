"""Export parity, the scorer's ranking, lazy imports, bad input and metadata checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from chromatic.model.data import load_dataset
from chromatic.model.export import parity
from chromatic.model.rank_eval import pairwise_rank_rate, rank_rate_on_segments
from chromatic.scoring import ChromaticScorer, ScorerError
from tests.scoring.loops import loop


@pytest.mark.parametrize("absent", [None, "audio", "midi", "concept", "lyric", "all"])
def test_onnx_matches_pytorch_on_real_inputs(exported, absent):
    run, model, data = exported
    ds = load_dataset(data)
    idx = np.arange(min(len(ds), 24))
    inputs = [
        ds.audio[idx],
        ds.audio_mask[idx],
        ds.roll_batch(idx),
        ds.midi_mask[idx],
        ds.concept[idx],
        ds.concept_mask[idx],
        ds.lyric[idx],
        ds.lyric_mask[idx],
        ds.features[idx],
    ]
    names = [
        "audio",
        "audio_mask",
        "roll",
        "midi_mask",
        "concept",
        "concept_mask",
        "lyric",
        "lyric_mask",
        "midi_features",
    ]
    for i, n in enumerate(names):
        if n.endswith("_mask") and (absent == "all" or n.startswith(str(absent))):
            inputs[i] = np.zeros_like(inputs[i])
    assert ds.midi_mask[idx].any() and ds.audio_mask[idx].any()
    assert parity(run, model.with_suffix(".onnx"), tuple(inputs)) < 1e-4


def test_metadata_describes_the_model(exported):
    _, model, _ = exported
    meta = json.loads(model.with_suffix(".json").read_text())
    assert meta["encoders"]["text_encoder"]["dim"] == 384 and meta["inputs"]["concept"] == [
        None,
        384,
    ]
    assert meta["piano_roll"] == {
        "pitches": 128,
        "steps": 256,
        "step_seconds": 0.1,
        "include_drums": True,
        "grid": "beat",
        "steps_per_beat": 4,
    }
    assert meta["training"]["data_hash"] and meta["chromatic_version"] and meta["taxonomy_version"]
    assert "validation" in meta["training"]["metrics"]
    assert meta["class_order"]["temporal"] == ["past", "present", "future"]
    assert meta["inputs"]["midi_features"] == [None, len(meta["midi_features"]["names"])]
    assert "calibration" in meta and "gates" in meta and "sanity" in meta


def test_onnx_describes_itself_in_metadata_props(exported, tmp_path):
    """Plain onnxruntime reads the description back from the ONNX file alone, and the scorer
    loads an ONNX file that travelled without its JSON."""
    import onnxruntime as ort

    _, model, _ = exported
    sess = ort.InferenceSession(str(model.with_suffix(".onnx")), providers=["CPUExecutionProvider"])
    mm = sess.get_modelmeta()
    assert mm.producer_name == "chromatic" and mm.version == 2
    props = mm.custom_metadata_map
    inner = json.loads(props["chromatic"])
    beside = json.loads(model.with_suffix(".json").read_text())
    assert inner["encoders"] == beside["encoders"] and inner["piano_roll"] == beside["piano_roll"]
    assert inner["midi_features"]["names"] == beside["midi_features"]["names"]
    assert props["roll_grid"] == "beat" and props["taxonomy_version"] == beside["taxonomy_version"]
    assert {o.name for o in sess.get_outputs()} >= {"temporal", "midi_temporal", "confidence"}
    shutil.copy(model.with_suffix(".onnx"), tmp_path / "alone.onnx")
    alone = ChromaticScorer.load(tmp_path / "alone")
    assert alone.meta["encoders"] == beside["encoders"]


def test_ranked_by_match_not_confidence_and_stable(exported):
    _, model, _ = exported
    scorer = ChromaticScorer.load(model)
    cands = [{"id": f"c{i}", "midi": loop([57 + i, 60 + i, 64 + i, 67])} for i in range(6)]
    cands.insert(3, {"id": "dup", "midi": cands[0]["midi"]})  # an exact tie with c0
    ranked = scorer.score_batch(
        cands, color="Red", concept="an old radio I remember from years ago"
    )
    matches = [r["match"] for r in ranked]
    assert matches == sorted(matches, reverse=True)
    assert [r["rank"] for r in ranked] == list(range(1, 8))
    ids = [r["id"] for r in ranked]
    assert ids.index("c0") < ids.index("dup")  # ties keep the input order
    from scipy.spatial.distance import jensenshannon

    for r in ranked:
        assert r["match_method"] == "js" and r["head"] == "midi"
        js = sum(
            1 - jensenshannon(r[a], t, base=2)
            for a, t in zip(
                ("temporal", "spatial", "ontological"),
                ([0.8, 0.1, 0.1], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8]),
                strict=True,
            )
        )
        scale = (0.5 + 0.5 * r["confidence"]) if r["confidence_weighted"] else 1.0
        assert r["match"] == pytest.approx(js / 3 * scale, rel=1e-5)


def test_white_candidates_get_different_chromatic_scores(exported):
    """A White (uniform) target: the old dot product gave every candidate 1/3; the JS match
    orders them."""
    _, model, _ = exported
    cands = [{"id": f"c{i}", "midi": loop([48 + 3 * i, 55 + 2 * i, 64 + i, 70])} for i in range(8)]
    js = ChromaticScorer.load(model).score_batch(cands, color="White", concept="a white room")
    assert len({round(r["match"], 6) for r in js}) > 1
    dot = ChromaticScorer.load(model, match="dot").score_batch(cands, color="White")
    if not dot[0]["confidence_weighted"]:
        assert {round(r["match"], 9) for r in dot} == {round(1 / 3, 9)}


def test_corrupt_midi_gets_an_error_entry(exported):
    _, model, _ = exported
    scorer = ChromaticScorer.load(model)
    good = loop([60, 64, 67, 72])
    ranked = scorer.score_batch(
        [
            {"id": "a", "midi": good},
            {"id": "bad", "midi": b"MThd\x00\x00garbage"},
            {"id": "b", "midi": good},
        ],
        color="G",
    )
    assert [r["id"] for r in ranked] == ["a", "b", "bad"]
    assert ranked[2]["error"] and ranked[2]["rank"] is None
    assert ranked[0]["rank"] == 1 and ranked[1]["rank"] == 2


def test_single_score_with_all_modalities(exported):
    import copy

    _, model, _ = exported
    scorer = ChromaticScorer.load(model)
    sr = 22050
    audio = (0.3 * np.sin(2 * np.pi * 220 * np.arange(sr * 2) / sr)).astype(np.float32)
    c, ly = "a coat left at a station", "I will be there tomorrow"
    r = scorer.score(midi=loop([60, 63, 67, 70]), audio=(audio, sr), concept=c, lyric=ly, color="Y")
    for a in ("temporal", "spatial", "ontological"):
        assert sum(getattr(r, a)) == pytest.approx(1.0, abs=1e-5)
    assert 0 <= r.match <= 1 and r.predicted_color
    from chromatic.taxonomy import chromatic_match, color_likelihoods, predict_color

    dist = {a: getattr(r, a) for a in ("temporal", "spatial", "ontological")}
    # the vectorised scorer agrees with the taxonomy module, among the colors it was trained on
    assert scorer.colors == scorer.meta["colors"]["trained"]
    best, prob = predict_color(dist, candidates=scorer.colors)
    # without the baseline the predicted color is the KL reading's (with it: test_windows)
    kl = copy.copy(scorer)
    kl.baseline = None
    k = kl.score(midi=loop([60, 63, 67, 70]), audio=(audio, sr), concept=c, lyric=ly, color="Y")
    assert (best.name, prob) == (k.predicted_color, pytest.approx(k.color_probability, rel=1e-6))
    likes = color_likelihoods(dist)
    if "Yellow" in scorer.colors:  # the target's rank among the trained colors
        assert r.extra["target_rank"] == 1 + sum(likes[c] > likes["Yellow"] for c in scorer.colors)
    else:
        assert r.extra["target_rank"] is None
    assert r.extra["colors_trained"] == len(scorer.colors)
    conf = r.confidence if r.confidence_weighted else None  # only a calibrated one scales it
    assert r.match == pytest.approx(chromatic_match(dist, "Y", conf), rel=1e-6)
    fused = ChromaticScorer.load(model, head="fused").score(
        midi=loop([60, 63, 67, 70]), concept="a coat left at a station", color="Y"
    )
    assert fused.head == "fused" and r.head == "midi"
    assert scorer.score(color="Y").match is not None  # nothing at all: the null embeddings


def test_midi_only_scoring_never_imports_torch(exported):
    _, model, _ = exported
    code = (
        "import sys\n"
        "from chromatic.scoring import ChromaticScorer\n"
        "from tests.scoring.loops import loop\n"
        f"s = ChromaticScorer.load({str(model)!r})\n"
        "r = s.score_batch([loop([60, 64, 67, 71]), loop([57, 60, 64, 67])], color='V')\n"
        "assert r[0]['rank'] == 1\n"
        "print(sorted(m for m in ('torch', 'transformers', 'librosa', 'sentence_transformers') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_mismatched_metadata_refuses_to_load(exported, tmp_path):
    _, model, _ = exported
    shutil.copy(model.with_suffix(".onnx"), tmp_path / "m.onnx")
    meta = json.loads(model.with_suffix(".json").read_text())
    meta["encoders"]["text_encoder"]["id"] = "minilm@all-MiniLM-L6-v2-9.9.9"
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(
        ScorerError, match=r"text encoder minilm@all-MiniLM-L6-v2-9\.9\.9.*installed"
    ):
        ChromaticScorer.load(tmp_path / "m")
    meta = json.loads(model.with_suffix(".json").read_text())
    meta["encoders"]["audio_encoder"]["dim"] = 7
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(ScorerError, match="audio_encoder"):
        ChromaticScorer.load(tmp_path / "m")
    with pytest.raises(ScorerError, match="not found"):
        ChromaticScorer.load(tmp_path / "nothing")


def test_pairwise_rank_rate():
    assert (
        pairwise_rank_rate(np.array([3.0, 4.0, 1.0, 2.0]), np.array([True, True, False, False]))
        == 1.0
    )
    assert (
        pairwise_rank_rate(np.array([1.0, 2.0, 3.0, 4.0]), np.array([True, True, False, False]))
        == 0.0
    )
    assert pairwise_rank_rate(np.array([1.0, 1.0]), np.array([True, False])) == 0.5


def test_rank_rate_runs_on_segments(exported):
    _, model, data = exported
    r = rank_rate_on_segments(model, data)
    assert set(r["per_color"]) == {"Red", "Green"}
    # the tiny model was trained on these segments: it ranks each color's own segments above
    # the other color's (0.71 when measured; chance 0.5; a random or inverted scorer fails)
    assert r["mean"] > 0.6 and min(r["per_color"].values()) > 0.55, r
    one = rank_rate_on_segments(model, data, songs=r["songs"][:1] + r["songs"][-1:])
    assert len(one["songs"]) == 2 and one["rows"] < r["rows"]


def test_score_cli_json(exported, tmp_path):
    _, model, _ = exported
    (tmp_path / "a.mid").write_bytes(loop([60, 64, 67, 72]))
    (tmp_path / "b.mid").write_bytes(b"not midi")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "chromatic",
            "score",
            str(tmp_path / "a.mid"),
            str(tmp_path / "b.mid"),
            "--model",
            str(model),
            "--color",
            "B",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)["results"]
    assert res[0]["rank"] == 1 and res[1]["error"]
    # the relative match against the model's held-out baseline (stored by export)
    mu, sd = json.loads(model.with_suffix(".json").read_text())["sanity"]["match_baseline"]["Blue"]
    assert res[0]["match_relative"] == pytest.approx((res[0]["match"] - mu) / sd)
    cmd = [sys.executable, "-m", "chromatic", "score", str(tmp_path / "a.mid"), "--model"]
    table = subprocess.run(
        [*cmd, str(model), "--color", "B"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert f"{res[0]['match']:.3f} ({res[0]['match_relative']:+.2f} sd)" in table.stdout


def test_empty_midi_gets_an_error_entry_not_a_score(exported):
    import struct

    _, model, _ = exported
    scorer = ChromaticScorer.load(model)
    good = loop([60, 64, 67, 72])
    header_only = b"MThd" + struct.pack(">IHHH", 6, 0, 0, 96)
    no_notes = (
        header_only[:-4]
        + struct.pack(">HH", 1, 96)
        + b"MTrk"
        + struct.pack(">I", 4)
        + b"\x00\xff\x2f\x00"
    )
    ranked = scorer.score_batch(
        [
            {"id": "empty", "midi": header_only},
            {"id": "a", "midi": good},
            {"id": "silent", "midi": no_notes},
        ],
        color="G",
    )
    assert [r["id"] for r in ranked] == ["a", "empty", "silent"]
    for r in ranked[1:]:
        assert r["rank"] is None and r["match"] is None and "no notes" in r["error"]
