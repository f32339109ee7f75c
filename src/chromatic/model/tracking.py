"""Where a data folder's MLflow runs live, and keeping them movable.

MLflow stores every local artifact location as an absolute path (it resolves relative ones
against the working directory when an experiment or run is created), so a data folder that is
moved, copied to another machine or mounted elsewhere loses every link to its plots and metrics.
The SQLite store here keeps them *relative to the data folder* instead ("mlartifacts/<run>/
artifacts"): MLflow's local artifact repository resolves a relative location against the working
directory, and every reader this project starts (``chromatic runs ui``, :func:`artifact_dir`)
runs from, or resolves against, the data folder. ``relativize`` rewrites a store that holds
absolute paths ending in ``mlartifacts/...`` in place, which also mends a
folder that has been moved.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from chromatic.errors import ChromaticError

DB_FILE = "mlflow.db"
ARTIFACTS = "mlartifacts"
EXPERIMENT = "chromatic"

# (table, id column, location column): every table of MLflow's SQL schema that keeps a location
_LOCATIONS = (
    ("experiments", "experiment_id", "artifact_location"),
    ("runs", "run_uuid", "artifact_uri"),
    ("logged_models", "model_id", "artifact_location"),
)


def store_uri(data_dir: Path) -> str:
    """The SQLite tracking URI of a data folder (absolute: it names the database, not artifacts)."""
    return f"sqlite:///{(Path(data_dir) / DB_FILE).resolve()}"


def relative_location(location: str) -> str | None:
    """``mlartifacts/...`` for a local location inside some data folder's artifact store; None
    for anything else (a remote store, a path outside any ``mlartifacts`` folder, already
    relative)."""
    if not location:
        return None
    parsed = urlparse(location)
    if parsed.scheme not in ("", "file"):
        return None
    path = PurePosixPath(unquote(parsed.path) if parsed.scheme == "file" else location)
    if not path.is_absolute() or ARTIFACTS not in path.parts:
        return None
    parts = path.parts
    last = len(parts) - 1 - parts[::-1].index(ARTIFACTS)
    return str(PurePosixPath(*parts[last:]))


def relativize(data_dir: Path) -> int:
    """Rewrite the absolute artifact locations of ``DATA/mlflow.db`` as paths relative to the
    data folder; returns how many rows changed. A folder without a store changes nothing."""
    db = Path(data_dir) / DB_FILE
    if not db.is_file():
        return 0
    changed = 0
    with sqlite3.connect(db) as con:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        for table, key, column in _LOCATIONS:
            if table not in tables:
                continue
            rows = con.execute(f"select {key}, {column} from {table}").fetchall()
            for ident, loc in rows:
                rel = relative_location(loc or "")
                if rel is not None and rel != loc:
                    con.execute(f"update {table} set {column} = ? where {key} = ?", (rel, ident))
                    changed += 1
    return changed


def set_experiment_location(data_dir: Path, experiment_id: str) -> None:
    """Point one experiment at ``mlartifacts`` relative to the data folder (its runs inherit)."""
    with sqlite3.connect(Path(data_dir) / DB_FILE) as con:
        con.execute(
            "update experiments set artifact_location = ? where experiment_id = ?",
            (ARTIFACTS, int(experiment_id)),
        )


def artifact_dir(data_dir: Path, artifact_uri: str) -> Path:
    """The folder of a run's artifacts: a relative location resolves against the data folder,
    never against wherever the caller happens to run."""
    parsed = urlparse(artifact_uri)
    if parsed.scheme not in ("", "file"):
        raise ChromaticError(f"artifacts are not local ({artifact_uri})", field="artifact_uri")
    raw = unquote(parsed.path) if parsed.scheme == "file" else artifact_uri
    path = Path(raw)
    return path if path.is_absolute() else Path(data_dir) / path
