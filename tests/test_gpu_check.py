"""scripts/gpu_check.py: skips cleanly without a GPU; its check runs end to end on the CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "gpu_check.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=600
    )


def test_skips_without_a_gpu():
    out = _run()
    assert out.returncode == 0, out.stderr
    assert "no CUDA device here: skipped" in out.stdout


@pytest.mark.slow
def test_the_check_runs_on_the_cpu(embedded_data):
    out = _run("--device", "cpu", "--data", str(embedded_data), "--epochs", "2")
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout)
    (run,) = report["runs"]
    assert run["device"] == "cpu" and 0.0 <= run["mean_mode_accuracy"] <= 1.0 and run["val_rows"]
