"""``chromatic taste`` and ``chromatic explain`` through the real command line."""

from __future__ import annotations

import re

import numpy as np
import pytest

from chromatic.measure import taste_simulation as simulate
from chromatic.music.midi import load_score
from chromatic.scoring import ChromaticScorer
from chromatic.scoring.explain import occlude
from tests.test_errors_cli import cli, one_error_line


@pytest.fixture(scope="module")
def decided(tmp_path_factory):
    root = tmp_path_factory.mktemp("taste_cli")
    folders = simulate.make_songs(root, 4, seed=11, top=10, n=40)
    rng = np.random.default_rng(0)
    for f in folders[:3]:
        simulate.decide(f.review_path("chords"), simulate.low_and_borrowed, 10, rng)
    return root, folders


def test_collect_then_train_refuses_with_the_counts(decided, tmp_path):
    root, _ = decided
    table = tmp_path / "d.parquet"
    r = cli("taste", "collect", str(root), "--out", str(table))
    assert r.returncode == 0, r.stderr
    assert "30 decisions" in r.stdout and "10 pending left out" in r.stdout
    r = cli("taste", "train", str(table), "--out", str(tmp_path / "taste"), "--min-decisions", "40")
    assert r.returncode == 1
    assert "chords: 30 decisions" in one_error_line(r.stderr) and "need at least 40" in r.stderr
    assert not (tmp_path / "taste").exists()
    r = cli("taste", "train", str(table), "--out", str(tmp_path / "taste"))
    assert r.returncode == 0, r.stderr
    assert (
        "held-out pairwise accuracy" in r.stdout and (tmp_path / "taste" / "chords.onnx").is_file()
    )


def test_collect_with_no_decisions_is_one_line(tmp_path):
    simulate.make_songs(tmp_path / "songs", 1, seed=1, top=3, n=10)
    r = cli("taste", "collect", str(tmp_path / "songs"), "--out", str(tmp_path / "t.parquet"))
    assert r.returncode == 1
    assert "no decided candidates in 1 review file(s)" in one_error_line(r.stderr)
    assert not (tmp_path / "t.parquet").exists()


def test_explain_occludes_bars_and_pitches(exported, decided, tmp_path):
    _, model, _ = exported
    _, folders = decided
    midi = folders[0].candidates_dir("chords") / "chord_001.mid"
    scorer = ChromaticScorer.load(model)
    occ = occlude(scorer, midi, color="Green")
    whole = scorer.score_batch([midi.read_bytes()], color="Green")[0]["match"]
    assert occ.base == pytest.approx(whole, abs=1e-6)
    assert occ.cells.shape == (len(occ.pitches), len(occ.bars))
    assert np.isfinite(occ.cells).sum() > 0 and np.nanmax(np.abs(occ.cells)) > 0
    # each effect is the match lost when exactly those notes are removed, scored independently
    score = load_score(midi)
    bar = score.ticks_per_quarter * 4
    if len(score.time_signatures):
        ts = score.time_signatures[0]
        bar = bar * ts.numerator // ts.denominator
    notes = [(n.pitch, n.time // bar) for t in score.tracks if not t.is_drum for n in t.notes]
    assert {int(p) for p, _ in notes} == {int(p) for p in occ.pitches}
    present = {(int(p), int(b)) for p, b in notes}
    for i, p in enumerate(occ.pitches):
        for b in range(len(occ.bars)):
            assert np.isfinite(occ.cells[i, b]) == ((int(p), b) in present)

    def without(keep) -> bytes:
        s2 = score.copy()
        for t in s2.tracks:
            kept = [n.copy() for n in t.notes if keep(t, n)]
            t.notes.clear()
            t.notes.extend(kept)
        return s2.dumps_midi()

    def lost(keep) -> float:
        m = scorer.score_batch([without(keep)], color="Green")[0]["match"]
        return occ.base - m

    b0 = int(notes[0][1])
    assert occ.bars[b0] == pytest.approx(lost(lambda t, n: n.time // bar != b0), abs=1e-5)
    p0, pb = notes[-1]
    cell = lost(lambda t, n: t.is_drum or n.pitch != p0 or n.time // bar != pb)
    assert occ.cells[list(occ.pitches).index(p0), pb] == pytest.approx(cell, abs=1e-5)
    r = cli("explain", str(model), str(midi), "--color", "G", "--out", str(tmp_path / "why.png"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "why.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    said = re.findall(
        r"bar \d+ (raises|lowers) it most \(hiding it (costs|gains) (\S+)\)", r.stdout
    )
    assert said or "no bar raises or lowers it" in r.stdout, r.stdout
    for verb, effect, amount in said:  # the words agree with the sign: no "raises ... (-0.0006)"
        assert {"raises": "costs", "lowers": "gains"}[verb] == effect and float(amount) > 0
