"""``chromatic evaluate``: nested song-grouped cross-validation of a run's configuration."""

from __future__ import annotations

from pathlib import Path

import typer


def evaluate(
    source: Path = typer.Argument(
        ..., help="RUN folder (config.json) or MODEL (model.pt, or an exported MODEL.json)."
    ),
    data: Path = typer.Option(
        ..., "--data", help="Data folder with segments.parquet and embeddings.parquet."
    ),
    folds: int = typer.Option(5, "--folds", min=2, help="Outer song-grouped folds (reported)."),
    inner: int = typer.Option(3, "--inner", min=2, help="Inner folds (choose the epoch)."),
    epochs: int = typer.Option(
        12, "--epochs", min=1, help="Maximum epochs per fit (0 keeps the config's)."
    ),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1),
    out: Path = typer.Option(
        None, "--out", help="Report folder (default: SOURCE's folder/evaluation)."
    ),
    ray: str = typer.Option(
        None,
        "--ray",
        metavar="[ADDRESS]",
        help="Run the outer folds as Ray tasks, in parallel: a local cluster on 127.0.0.1 "
        "(bare --ray), or the cluster at ADDRESS (HOST:PORT or auto). Same numbers as without.",
    ),
) -> None:
    """Re-train per fold, report per-axis accuracy with intervals over songs beside baselines,
    modality ablations, calibration and the MIDI-only ranking AUC (Markdown + PNG + JSON)."""
    from chromatic.model.distributed import launched
    from chromatic.model.eval_report import REPORT_MD, REPORT_PNG, evaluate_source

    dest = out or (source if source.is_dir() else source.parent) / "evaluation"
    with launched(dest, None, "cpu") as launch:  # torchrun: every fit is data-parallel (DDP)
        if ray is not None and launch.world_size > 1:
            raise typer.BadParameter("not under torchrun (Ray runs the folds)", param_hint="--ray")
        summary = evaluate_source(
            source,
            data,
            launch.run_dir,
            folds=folds,
            inner=inner,
            epochs=epochs or None,
            seed=seed,
            ray=ray,
        )
    if not launch.main:
        return
    acc = summary["accuracy"]
    cols = [*[g[0] for g in summary["axis_groups"]], "all axes"]
    typer.echo(f"nested song-grouped CV: {summary['songs']} songs, {len(summary['folds'])} folds")
    for name, row in acc.items():
        cells = "  ".join(
            f"{c} {row[c]['value']:5.1%} [{row[c]['low']:.0%},{row[c]['high']:.0%}]" for c in cols
        )
        typer.echo(f"  {name:22s} {cells}")
    for d in summary["dependence"]:
        typer.echo(f"  ({d['identical']} = {d['reported']} for every color: reported once)")
    auc = summary["midi_only_auc"]
    if auc:
        typer.echo(
            f"  MIDI-only target-vs-other AUC {auc['value']:.3f} [{auc['low']:.3f}, {auc['high']:.3f}]"
        )
    typer.echo(f"report: {dest / REPORT_MD}, {dest / REPORT_PNG}")
