"""``--taste`` in production: the phases and compose add the learned taste to the composite."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.measure import taste_simulation as simulate
from chromatic.produce.review import read_review
from chromatic.taste.collect import collect, write_table
from chromatic.taste.train import train_taste
from tests.test_errors_cli import cli

REPO_EXAMPLE = "examples/proposals/song_proposal_indigo_two_keys_one_lock_v1.yml"
SLUG = "two-keys-to-the-same-lock"  # --out names the production folder by the title's slug


@pytest.fixture(scope="module")
def taste_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("taste_prod")
    folders = simulate.make_songs(root / "songs", 6, seed=21, top=10, n=40)
    rng = np.random.default_rng(0)
    for f in folders:
        simulate.decide(f.review_path("chords"), simulate.low_and_borrowed, 10, rng)
    table = write_table(collect([root / "songs"]).rows, root / "d.parquet")
    train_taste(table, root / "taste")
    return root / "taste"


def test_produce_chords_with_taste_records_and_uses_it(taste_model, tmp_path):
    r = cli("produce", "init", REPO_EXAMPLE, "--out", str(tmp_path / SLUG))
    assert r.returncode == 0, r.stderr
    song = tmp_path / SLUG
    r = cli("produce", "chords", str(song), "-n", "40", "--top", "6", "--taste", str(taste_model))
    assert r.returncode == 0, r.stderr
    assert "taste=" in r.stdout
    m = read_review(song / "chords" / "review.yml")
    assert m.scoring.weights["taste"] == pytest.approx(0.3)
    assert m.scoring.model_extra["taste"]["model"] == str(taste_model)
    tastes = [c.scores.model_extra["taste"] for c in m.candidates]
    # a probability, rounded to 4 decimals in review.yml: a confident one reads 1.0
    assert len(set(tastes)) > 1 and all(0 <= t <= 1 for t in tastes)
    for c in m.candidates:  # theory only + taste: (1 * theory + 0.3 * taste) / 1.3
        want = (c.scores.theory["total"] + 0.3 * c.scores.model_extra["taste"]) / 1.3
        assert c.scores.composite == pytest.approx(want, abs=2e-4)


def test_a_taste_folder_that_is_not_one_is_one_line(tmp_path):
    r = cli("produce", "init", REPO_EXAMPLE, "--out", str(tmp_path / SLUG))
    r = cli("produce", "chords", str(tmp_path / SLUG), "--taste", str(tmp_path))
    assert r.returncode == 1 and "taste.json not found" in r.stderr
    assert not (tmp_path / SLUG / "chords" / "review.yml").exists()
