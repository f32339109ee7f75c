"""`train` under torchrun: two CPU processes (gloo) started here, on the tiny model data set;
the DDP run's validation metrics fall within the single-process runs' seed spread."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from chromatic.model import distributed
from chromatic.model.fusion import FusionConfig

TINY = {
    "epochs": 4,
    "cnn_channels": (4, 8),
    "midi_dim": 16,
    "proj_dim": 32,
    "hidden_dims": (32,),
    "val_fraction": 0.5,
    "batch_size": 8,
}

SCRIPT = r"""
import json, sys
from pathlib import Path
from chromatic.model.distributed import launched
from chromatic.model.fusion import FusionConfig
from chromatic.model.train import train_fusion
data, run, seed, tiny = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
tiny = {k: tuple(v) if isinstance(v, list) else v for k, v in tiny.items()}
with launched(run, None, "cpu") as launch:
    res = train_fusion(data, launch.run_dir, config=FusionConfig(seed=seed, **tiny),
                       row_level=False, progress=False, tracking_uri=launch.tracking_uri)
    if launch.main:
        (run / "world.json").write_text(json.dumps([launch.world_size, launch.backend]))
"""


def test_hooks_are_identities_in_one_process():
    import torch

    m = torch.nn.Linear(2, 2)
    assert distributed.world_size() == 1 and distributed.wrap(m) is m
    x, y = {"a": torch.ones(4, 2)}, {"t": torch.zeros(4)}
    assert distributed.shard(x, y) == (x, y) and distributed.step_rows() == 2
    assert distributed._cut(torch.arange(5), 2, 1).tolist() == [3, 4]


@pytest.mark.slow
def test_two_process_ddp_within_the_seed_spread(embedded_data, tmp_path):
    from chromatic.model.train import train_fusion

    single = []
    for seed in (0, 1, 2):
        res = train_fusion(
            embedded_data,
            tmp_path / f"s{seed}",
            config=FusionConfig(seed=seed, **TINY),
            row_level=False,
            progress=False,
        )
        single.append(res.metrics["validation"]["mean_mode_accuracy"])
    script = tmp_path / "ddp_train.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "OMP_NUM_THREADS": "1"}
    run = tmp_path / "ddp"
    out = subprocess.run(
        [
            *(sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node"),
            *("2", str(script), str(embedded_data), str(run), "0", json.dumps(TINY)),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads((run / "world.json").read_text()) == [2, "gloo"]
    m = json.loads((run / "metrics.json").read_text())
    split = json.loads((run / "split.json").read_text())
    single_split = json.loads((tmp_path / "s0" / "split.json").read_text())
    assert split["val_songs"] == single_split["val_songs"]  # the same protocol, the same songs
    assert split["selection_val_songs"] == single_split["selection_val_songs"]
    ddp = m["validation"]["mean_mode_accuracy"]
    spread = max(single) - min(single)
    noise = max(spread, 1 / m["rows"]["val"])  # at least one validation row
    assert min(single) - noise <= ddp <= max(single) + noise, (ddp, single)
    assert np.isfinite(m["validation"]["loss"])
    # only rank 0 wrote: one run folder, no stray rank folders beside it
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("chromatic-rank")) == []
