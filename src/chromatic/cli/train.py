"""``chromatic train``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

TASKS = ("fusion", "rebracketing", "rebracketing-type", "modes")


def train(
    data: Path = typer.Option(
        ..., "--data", help="Data folder with segments.parquet and embeddings.parquet."
    ),
    out: Path = typer.Option(..., "--out", help="Run folder (weights, config, metrics, plots)."),
    task: str = typer.Option(
        "fusion", "--task", help="fusion | rebracketing | rebracketing-type | modes"
    ),
    epochs: int = typer.Option(
        30, "--epochs", help="Maximum epochs (early stopping may end sooner)."
    ),
    device: str = typer.Option("cpu", "--device", help="cpu or cuda"),
    resume: bool = typer.Option(False, "--resume", help="Continue from RUN/checkpoint.pt."),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1),
    batch_size: int = typer.Option(32, "--batch-size"),
    lr: float = typer.Option(2e-3, "--lr"),
    patience: int = typer.Option(
        8, "--patience", help="Epochs without improvement before stopping."
    ),
    no_row_split: bool = typer.Option(
        False, "--no-row-split", help="Skip the row-level comparison run."
    ),
    tracking_uri: str = typer.Option(
        "", "--tracking-uri", help="MLflow tracking URI (default: sqlite in DATA)."
    ),
) -> None:
    """Train a model; report song-grouped validation metrics (and the old row-level ones, labelled)."""
    if task not in TASKS:
        raise typer.BadParameter(f"expected one of {', '.join(TASKS)}", param_hint="--task")
    if device not in ("cpu", "cuda"):
        raise typer.BadParameter("expected cpu or cuda", param_hint="--device")
    if task == "fusion":
        from chromatic.model.distributed import launched
        from chromatic.model.fusion import FusionConfig
        from chromatic.model.train import train_fusion

        cfg = FusionConfig(
            epochs=epochs, seed=seed, batch_size=batch_size, lr=lr, patience=patience
        )
        with launched(out, tracking_uri or None, device) as launch:  # torchrun: DDP
            if resume and launch.world_size > 1:
                raise typer.BadParameter("not under torchrun (one process resumes)", "--resume")
            res = train_fusion(
                data,
                launch.run_dir,
                config=cfg,
                device=device,
                resume=resume,
                row_level=not no_row_split,
                tracking_uri=launch.tracking_uri,
                progress=launch.main,
            )
            if launch.world_size > 1 and launch.main:
                from chromatic.fileio import write_text_atomic

                info = {"world_size": launch.world_size, "backend": launch.backend}
                write_text_atomic(out / "distributed.json", json.dumps(info, indent=2))
        if not launch.main:
            return
        m = res.metrics
        v, b = m["validation"], m["baseline_majority_color"]
        sel = m["selection"]
        chose = (
            f"epoch {res.best_epoch} chosen on {len(sel['val_songs'])} selection songs inside "
            f"the training side, of {sel['epochs_run']} run"
            if sel.get("chosen_on_rows", 1)
            else f"{res.best_epoch} epochs: no selection song is of a color the selection fit "
            "trained on, so none chose the epoch"
        )
        typer.echo(
            f"run: {res.run_dir} ({chose}"
            + (f", resumed at {res.resumed_from}" if res.resumed_from else "")
            + f"; re-trained on all {m['songs']['train']} training songs)"
        )
        typer.echo(
            f"song-grouped validation ({m['songs']['val']} songs, {m['rows']['val']} rows; "
            "they chose nothing):"
        )
        for k in (
            "temporal_accuracy",
            "spatial_accuracy",
            "ontological_accuracy",
            "mean_mode_accuracy",
            "album_accuracy",
            "color_accuracy",
        ):
            typer.echo(
                f"  {k:22s} {v[k]:6.1%}   majority baseline {b[k]:6.1%}   ({v[k] - b[k]:+.1%})"
            )
        mo = m["validation_midi_only"]
        if mo.get("n"):
            typer.echo(
                f"  MIDI only: mean mode {mo['mean_mode_accuracy']:.1%}, color "
                f"{mo['color_accuracy']:.1%} ({mo['n']} rows with MIDI)"
            )
        if "row_level_split_for_comparison_only" in m:
            r = m["row_level_split_for_comparison_only"]
            typer.echo(
                f"row-level split (inflated, for comparison with the old figures): mean mode {r['mean_mode_accuracy']:.1%}, "
                f"album {r['album_accuracy']:.1%}, color {r['color_accuracy']:.1%}"
            )
    else:
        from chromatic.model.text_tasks import train_text_task

        res = train_text_task(
            data, out, task=task, epochs=epochs, seed=seed, tracking_uri=tracking_uri or None
        )
        typer.echo(json.dumps(res, indent=2))
