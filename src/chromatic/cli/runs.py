"""``chromatic runs ui|list``: the training runs tracked in a data folder's MLflow store."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import typer

from chromatic.errors import ChromaticError

app = typer.Typer(help="The training runs tracked in a data folder (MLflow).", no_args_is_help=True)


def _store(data: Path) -> Path:
    from chromatic.model import tracking

    db = data / tracking.DB_FILE
    if not db.is_file():
        raise ChromaticError(
            "no MLflow store here: `chromatic train --data DATA` creates it", path=db
        )
    return db


def server_command(data: Path, port: int) -> list[str]:
    """The ``mlflow server`` of the project's environment, bound to 127.0.0.1 only (the runs
    stay on this machine), on the data folder's SQLite store."""
    from chromatic.model import tracking

    return [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        tracking.store_uri(data),
        "--artifacts-destination",
        str((data / tracking.ARTIFACTS).resolve()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]


def ui_missing() -> str | None:
    """What the MLflow server lacks in this environment (None: it can start)."""
    for module in ("flask", "flask_cors", "graphene", "aiohttp"):
        if importlib.util.find_spec(module) is None:
            return f"module {module} is not installed (pip install -e '.[ml]')"
    spec = importlib.util.find_spec("mlflow")
    root = Path(spec.origin).parent if spec and spec.origin else None
    if root is None or not (root / "server" / "js" / "build" / "index.html").is_file():
        return (
            "the UI's files are not installed (`make setup` installs them: "
            "pip install --no-deps mlflow==<the version of mlflow-skinny>)"
        )
    return None


@app.command("ui")
def ui(
    data: Path = typer.Argument(..., help="Data folder holding mlflow.db (where `train` ran)."),
    port: int = typer.Option(5000, "--port", min=1, max=65535, help="Port on 127.0.0.1."),
) -> None:
    """Serve the MLflow UI on http://127.0.0.1:PORT for DATA's runs (Ctrl-C stops it)."""
    from chromatic.model import tracking

    _store(data)
    missing = ui_missing()
    if missing:
        raise ChromaticError(f"the MLflow UI cannot start: {missing}", field="mlflow")
    fixed = tracking.relativize(data)
    if fixed:
        typer.echo(f"{fixed} artifact location(s) made relative to {data}")
    page = metrics_page(data)
    typer.echo(f"MLflow UI for {data} on http://127.0.0.1:{port}/{page} (Ctrl-C stops it)")
    # the server's working directory is DATA: relative artifact locations resolve there
    # job execution runs GenAI scorer jobs (huey): nothing here uses it
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    rc = serve(server_command(data, port), cwd=data, env=env)
    if rc:
        raise typer.Exit(rc)


STOP_WAIT_S = 10.0


def serve(command: list[str], **popen) -> int:
    """Run ``command`` (the MLflow server) in a process group of its own until it exits or this
    process gets SIGINT / SIGTERM; then the whole group (mlflow server, its uvicorn and
    workers) is ended: SIGTERM, and SIGKILL for what is left after ``STOP_WAIT_S``."""
    import signal

    proc = subprocess.Popen(command, start_new_session=True, **popen)
    stopping: list[int] = []

    def stop(signum, _frame) -> None:
        stopping.append(signum)
        _end_group(proc)

    old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        rc = proc.wait()
    finally:
        _end_group(proc)
        for s, handler in old.items():
            signal.signal(s, handler)
    return 0 if stopping else rc


def _end_group(proc: subprocess.Popen) -> None:
    import signal

    for sig, wait in ((signal.SIGTERM, STOP_WAIT_S), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return  # the group is gone: nothing left to end
        if wait:
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            try:  # the leader is gone; its children may still be ending
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return


def metrics_page(data: Path) -> str:
    """The URL fragment of the newest run's metric charts, its experiment marked as model
    training (not the GenAI page MLflow 3 opens by default); "" when there is no run."""
    import mlflow

    from chromatic.model import tracking

    client = mlflow.MlflowClient(tracking_uri=tracking.store_uri(data))
    exps = [e.experiment_id for e in client.search_experiments()]
    runs = client.search_runs(exps, order_by=["attributes.start_time DESC"], max_results=1)
    if not runs:
        return ""
    run = runs[0].info
    client.set_experiment_tag(run.experiment_id, EXPERIMENT_KIND, MODEL_TRAINING)
    return f"#/experiments/{run.experiment_id}/runs/{run.run_id}/model-metrics"


EXPERIMENT_KIND, MODEL_TRAINING = "mlflow.experimentKind", "custom_model_development"


def runs_rows(data: Path) -> list[dict]:
    """One row per run of DATA's store, newest first: name, status, task, split, metrics."""
    import mlflow

    from chromatic.model import tracking

    client = mlflow.MlflowClient(tracking_uri=tracking.store_uri(data))
    exps = [e.experiment_id for e in client.search_experiments()]
    rows = []
    for r in client.search_runs(exps, order_by=["attributes.start_time DESC"]):
        m = r.data.metrics
        rows.append(
            {
                "run_id": r.info.run_id,
                "name": r.info.run_name,
                "status": r.info.status,
                "task": r.data.tags.get("chromatic.task", ""),
                "split": r.data.tags.get("chromatic.split", ""),
                "artifacts": r.info.artifact_uri,
                "color_accuracy": m.get("final.validation.color_accuracy"),
                "mean_mode_accuracy": m.get("final.validation.mean_mode_accuracy"),
            }
        )
    return rows


@app.command("list")
def list_runs(
    data: Path = typer.Argument(..., help="Data folder holding mlflow.db."),
) -> None:
    """A table of DATA's runs: name (task · split · folder), status, validation accuracies."""
    from rich.table import Table

    from chromatic.cli.console import make_console

    _store(data)
    table = Table("run", "status", "color acc", "mean mode acc", "artifacts", title=str(data))

    def fmt(v: float | None) -> str:
        return "" if v is None else f"{v:.3f}"

    for r in runs_rows(data):
        table.add_row(
            r["name"],
            r["status"],
            fmt(r["color_accuracy"]),
            fmt(r["mean_mode_accuracy"]),
            r["artifacts"],
        )
    make_console(highlight=False).print(table)
