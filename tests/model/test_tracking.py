"""MLflow tracking of a data folder: run names that say task and split, artifact locations
relative to the folder (a moved folder keeps its links), and the UI server serving them."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("mlflow")

from chromatic.cli.runs import runs_rows, server_command
from chromatic.model import tracking
from chromatic.model.report import Tracker


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _track(data: Path, tmp_path: Path, name: str = "run1", **kw) -> str:
    art = tmp_path / f"{name}-metrics.json"
    art.write_text(json.dumps({"color_accuracy": 0.5, "run": name}))
    t = Tracker(data, None, run_name=name, params={"seed": 3, "val_fraction": 0.25}, **kw)
    assert t.active
    t.log_epoch({"epoch": 1, "val_loss": 1.0})
    rid = t.mlflow.active_run().info.run_id
    t.finish({"validation": {"color_accuracy": 0.5}}, [art])
    return rid


def _locations(data: Path) -> list[str]:
    with sqlite3.connect(data / tracking.DB_FILE) as con:
        return [r[0] for r in con.execute("select artifact_uri from runs")] + [
            r[0]
            for r in con.execute(
                "select artifact_location from experiments where name=?", ("chromatic",)
            )
        ]


def test_run_names_say_task_and_split(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _track(data, tmp_path, "run1")
    _track(data, tmp_path, "run2", task="modes", split="song-grouped val 0.2 seed 0")
    rows = {r["name"]: r for r in runs_rows(data)}
    assert set(rows) == {
        "fusion · song-grouped val 0.25 seed 3 · run1",
        "modes · song-grouped val 0.2 seed 0 · run2",
    }
    assert rows["modes · song-grouped val 0.2 seed 0 · run2"]["task"] == "modes"
    assert all(r["color_accuracy"] == 0.5 for r in rows.values())


def test_moved_folder_keeps_its_artifacts(tmp_path, monkeypatch):
    import mlflow

    data = tmp_path / "data"
    data.mkdir()
    rid = _track(data, tmp_path)
    locs = _locations(data)
    assert locs and all(not Path(x).is_absolute() and x.startswith("mlartifacts") for x in locs), (
        locs
    )
    moved = tmp_path / "elsewhere" / "moved"
    moved.parent.mkdir()
    shutil.move(str(data), moved)
    assert not data.exists()
    # a plain MLflow client, run from the moved folder, reads the artifact back
    monkeypatch.chdir(moved)
    got = mlflow.artifacts.download_artifacts(
        run_id=rid,
        artifact_path="run1-metrics.json",
        tracking_uri=tracking.store_uri(moved),
        dst_path=str(tmp_path / "dl"),
    )
    assert json.loads(Path(got).read_text())["run"] == "run1"


def test_relativize_mends_an_old_absolute_store(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _track(data, tmp_path)
    old = "file:///old/place/data/mlartifacts"
    with sqlite3.connect(data / tracking.DB_FILE) as con:  # as the old Tracker wrote it
        con.execute("update experiments set artifact_location=? where name='chromatic'", (old,))
        con.execute("update runs set artifact_uri = '/old/place/data/' || artifact_uri")
    assert all(x.startswith(("/old", "file:")) for x in _locations(data))
    assert tracking.relativize(data) == 2
    assert all(x.startswith("mlartifacts") for x in _locations(data))
    assert tracking.relativize(data) == 0  # idempotent
    assert tracking.relative_location("s3://bucket/mlartifacts/x") is None
    assert tracking.relative_location("/srv/data/elsewhere") is None


def test_runs_commands_refuse_a_folder_without_a_store(tmp_path, capsys):
    from chromatic.cli import main

    assert main(["runs", "ui", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "mlflow.db" in err and "chromatic train" in err


@pytest.mark.slow
def test_ui_server_lists_runs_and_serves_artifacts(tmp_path, unused_port):
    from chromatic.cli.runs import ui_missing

    if ui_missing():
        pytest.skip(ui_missing())
    data = tmp_path / "data"
    data.mkdir()
    rid = _track(data, tmp_path)
    moved = tmp_path / "moved"
    shutil.move(str(data), moved)
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    proc = subprocess.Popen(
        server_command(moved, unused_port),
        cwd=moved,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{unused_port}"
    try:
        body = None
        for _ in range(240):  # the server imports for a while; no wall clock is asserted
            try:
                req = urllib.request.Request(
                    f"{base}/ajax-api/2.0/mlflow/runs/search",
                    data=json.dumps({"experiment_ids": ["1"]}).encode(),
                    headers={"Content-Type": "application/json"},
                )
                body = json.loads(urllib.request.urlopen(req, timeout=5).read())
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stderr.read().decode()[-2000:])
                time.sleep(0.5)
        assert body is not None, "server did not answer"
        assert [r["info"]["run_id"] for r in body["runs"]] == [rid]
        art = urllib.request.urlopen(
            f"{base}/get-artifact?path=run1-metrics.json&run_uuid={rid}", timeout=10
        ).read()
        assert json.loads(art)["run"] == "run1"
        page = urllib.request.urlopen(base + "/", timeout=10).read()
        assert b"<html" in page.lower()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _descendants(pid: int) -> set[int]:
    """Every live process under ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_runs_ui_opens_on_the_metrics_and_sigterm_ends_its_children(tmp_path, unused_port):
    import signal
    import sys

    import mlflow

    from chromatic.cli.runs import EXPERIMENT_KIND, MODEL_TRAINING, ui_missing

    if ui_missing():
        pytest.skip(ui_missing())
    data = tmp_path / "data"
    data.mkdir()
    rid = _track(data, tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "chromatic", "runs", "ui", str(data), "--port", str(unused_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert f"/runs/{rid}/model-metrics" in line, line
        client = mlflow.MlflowClient(tracking_uri=tracking.store_uri(data))
        exp = client.get_run(rid).info.experiment_id
        assert client.get_experiment(exp).tags[EXPERIMENT_KIND] == MODEL_TRAINING
        for _ in range(240):  # until the server answers (it imports for a while)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{unused_port}/health", timeout=5)
                break
            except OSError:
                assert proc.poll() is None, "runs ui exited"
                time.sleep(0.5)
        children = _descendants(proc.pid)
        assert children  # mlflow server and its workers
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        for _ in range(100):
            if not any(_alive(c) for c in children):
                break
            time.sleep(0.1)
        assert not [c for c in children if _alive(c)]
    finally:
        if proc.poll() is None:
            proc.kill()
