"""``evaluate --ray``: the nested protocol's outer folds as Ray tasks on a local cluster started
here (127.0.0.1, two CPUs) give the local run's numbers: the same folds, predictions,
confidences, decisions and report figures (the real fusion model, tiny)."""

from __future__ import annotations

import os

import numpy as np
import pytest

ray = pytest.importorskip("ray")

from chromatic.errors import ChromaticError  # noqa: E402
from chromatic.model.evaluate import nested_cv, summarize  # noqa: E402
from tests.model.test_model import cfg, tiny_dataset  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    assert not ray.is_initialized()
    ray.init(
        address="local",
        num_cpus=2,
        _node_ip_address="127.0.0.1",
        include_dashboard=False,
        log_to_driver=False,
    )
    yield
    ray.shutdown()


def test_folds_on_ray_give_the_local_numbers(cluster):
    ds = tiny_dataset(n_songs_per_color=3, rows_per_song=5)
    c = cfg(epochs=4, patience=4, lr=5e-3)
    local = nested_cv(ds, c, folds=3, inner=2, seed=1)
    on_ray = nested_cv(ds, c, folds=3, inner=2, seed=1, ray="local")  # the connected driver
    assert np.array_equal(local.fold_of, on_ray.fold_of)
    assert set(local.predictions) == set(on_ray.predictions) and "MIDI head" in on_ray.predictions
    for a in local.predictions:
        np.testing.assert_array_equal(local.predictions[a], on_ray.predictions[a], err_msg=a)
        np.testing.assert_array_equal(local.confidence[a], on_ray.confidence[a], err_msg=a)
    np.testing.assert_array_equal(local.majority, on_ray.majority)
    assert local.decisions == on_ray.decisions and local.folds == on_ray.folds
    assert summarize(ds, local, seed=1) == summarize(ds, on_ray, seed=1)
    other = nested_cv(ds, c, folds=3, inner=2, seed=2, ray="local")  # the seed matters
    assert not np.array_equal(local.predictions["all inputs"], other.predictions["all inputs"])


def _broken_fit(ds, split, c, **kw):
    raise ChromaticError(f"this fit cannot run (process {os.getpid()})", field="fit")


def test_a_failing_fold_on_ray_is_the_runs_one_line_error(cluster):
    ds = tiny_dataset(n_songs_per_color=3, rows_per_song=5)
    with pytest.raises(ChromaticError, match="this fit cannot run") as e:
        nested_cv(ds, cfg(epochs=2), folds=2, inner=2, seed=0, fit_fn=_broken_fit, ray="local")
    assert f"(process {os.getpid()})" not in str(e.value)  # it ran in a Ray worker
    assert "\n" not in str(e.value)


def test_cli_evaluate_ray_writes_the_local_report(cluster, exported, tmp_path, capsys):
    import json

    from chromatic.cli import main

    run, _model, data = exported
    args = ["evaluate", str(run), "--data", str(data), "--folds", "2", "--inner", "2"]
    args += ["--epochs", "1"]
    assert main([*args, "--out", str(tmp_path / "local")]) == 0
    assert main([*args, "--out", str(tmp_path / "ray"), "--ray"]) == 0  # bare: local/connected
    local = json.loads((tmp_path / "local" / "evaluation.json").read_text())
    on_ray = json.loads((tmp_path / "ray" / "evaluation.json").read_text())
    assert local == on_ray and local["folds"]
    out = capsys.readouterr().out
    assert out.count("nested song-grouped CV") == 2
