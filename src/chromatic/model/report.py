"""Reports of a training run: PNG training curves and confusion matrices, and MLflow tracking
(a local SQLite store inside the data folder by default; a remote URI by option)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from chromatic.model import tracking

EXPERIMENT = tracking.EXPERIMENT


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(history: list[dict], path: Path) -> None:
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ep = [h["epoch"] for h in history]
    for key, label in (("train_loss", "train"), ("val_loss", "validation")):
        ax1.plot(ep, [h[key] for h in history], marker=".", label=label)
    ax1.set(title="loss (KL per axis + confidence)", xlabel="epoch")
    ax1.legend()
    for key in (
        "val_mean_mode_accuracy",
        "val_album_accuracy",
        "val_color_accuracy",
        "train_mean_mode_accuracy",
    ):
        if history and key in history[0]:
            ax2.plot(ep, [h[key] for h in history], marker=".", label=key.replace("_", " "))
    ax2.set(title="accuracy (song-grouped validation)", xlabel="epoch", ylim=(0, 1.02))
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_confusion(conf: dict, path: Path) -> None:
    plt = _plt()
    keys = list(conf)
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 4.2))
    for ax, k in zip(axes, keys, strict=True):
        m = conf[k]["matrix"]
        ax.imshow(m, cmap="Blues")
        ax.set_xticks(
            range(len(conf[k]["cols"])), conf[k]["cols"], rotation=45, ha="right", fontsize=8
        )
        ax.set_yticks(range(len(conf[k]["rows"])), conf[k]["rows"], fontsize=8)
        for i, row in enumerate(m):
            for j, v in enumerate(row):
                if v:
                    ax.text(j, i, str(v), ha="center", va="center", fontsize=8)
        ax.set(title=k, xlabel="predicted", ylabel="true")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, f"{key}."))
        else:
            out[key] = v
    return out


def run_title(run_name: str, task: str, split: str) -> str:
    """The name a run shows in the MLflow UI: what was trained, on which split, in which folder
    (run folders alone, "run1" and "run2", say neither)."""
    return f"{task} · {split} · {run_name}"


def split_of(params: dict) -> str:
    """A short description of the validation split from a run's parameters."""
    vf = params.get("val_fraction")
    seed = params.get("seed")
    words = ["song-grouped"]
    if isinstance(vf, int | float):
        words.append(f"val {vf:g}")
    if seed is not None:
        words.append(f"seed {seed}")
    return " ".join(words)


class Tracker:
    """MLflow logging for one run; a tracking failure is a warning, never a lost training.

    ``task`` and ``split`` name the run (``run_title``) and are tagged ``chromatic.task`` /
    ``chromatic.split``; by default they come from ``params`` (``task``, else "fusion";
    ``val_fraction`` and ``seed``). In the default local store, artifacts go to
    ``DATA/mlartifacts`` and their locations are recorded relative to DATA (``tracking``)."""

    def __init__(
        self,
        data_dir: Path,
        uri: str | None,
        *,
        run_name: str,
        params: dict,
        task: str | None = None,
        split: str | None = None,
    ):
        self.active = False
        self.data_dir = Path(data_dir)
        self.local = uri is None
        try:
            os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
            logging.getLogger("alembic").setLevel(logging.WARNING)
            logging.getLogger("mlflow").setLevel(logging.WARNING)
            import mlflow

            self.mlflow = mlflow
            self.uri = uri or tracking.store_uri(self.data_dir)
            mlflow.set_tracking_uri(self.uri)
            exp = mlflow.get_experiment_by_name(EXPERIMENT)
            if exp is None:
                exp_id = mlflow.create_experiment(
                    EXPERIMENT,
                    artifact_location=(self.data_dir / tracking.ARTIFACTS).resolve().as_uri(),
                )
                if self.local:
                    tracking.set_experiment_location(self.data_dir, exp_id)
            elif self.local:
                tracking.relativize(self.data_dir)
            mlflow.set_experiment(EXPERIMENT)
            task = task or str(params.get("task", "fusion"))
            split = split or split_of(params)
            mlflow.start_run(
                run_name=run_title(run_name, task, split),
                tags={
                    "chromatic.task": task,
                    "chromatic.split": split,
                    "chromatic.run_folder": run_name,
                },
            )
            flat = {k: str(v)[:250] for k, v in _flatten(params).items()}
            mlflow.log_params(flat)
            self.active = True
        except Exception as e:  # tracking must never cost the user a training run
            import warnings

            warnings.warn(f"MLflow tracking disabled: {type(e).__name__}: {e}", stacklevel=2)

    def log_epoch(self, rec: dict) -> None:
        if self.active:
            self.mlflow.log_metrics(
                {k: float(v) for k, v in rec.items() if k != "epoch" and v == v},
                step=int(rec["epoch"]),
            )

    def _log_artifact(self, path: Path) -> None:
        """Through MLflow's own artifact repository; a relative location resolves against the
        data folder, not the working directory of whoever trains."""
        if not self.local:
            self.mlflow.log_artifact(str(path))
            return
        from mlflow.store.artifact.local_artifact_repo import LocalArtifactRepository

        uri = self.mlflow.active_run().info.artifact_uri
        LocalArtifactRepository(str(tracking.artifact_dir(self.data_dir, uri))).log_artifact(
            str(path)
        )

    def finish(self, metrics: dict, artifacts: list[Path]) -> None:
        if not self.active:
            return
        flat = {
            k: float(v)
            for k, v in _flatten(metrics).items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
        self.mlflow.log_metrics({f"final.{k}"[:250]: v for k, v in flat.items()})
        for a in artifacts:
            if a.is_file():
                self._log_artifact(a)
        self.mlflow.end_run()
