"""``chromatic taste collect|train`` and ``chromatic explain``: the artist's decisions as data,
a preference model learned from them, and why a file gets its chromatic score."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(
    help="Learn the artist's taste from the decisions in review.yml files.", no_args_is_help=True
)


@app.command("collect")
def collect(
    roots: list[Path] = typer.Argument(
        ..., help="Production roots (folders holding production folders)."
    ),
    out: Path = typer.Option(..., "--out", help="The decisions table to write (.parquet)."),
) -> None:
    """Gather every approved or rejected candidate under ROOTS into one parquet table: phase,
    song facts, MIDI, the scores shown at decision time, status, label, notes and when.
    Pending candidates are left out; a decision seen twice (a regenerated phase, a copied
    folder) counts once, with its last verdict."""
    from collections import Counter

    from chromatic.errors import ChromaticError
    from chromatic.taste.collect import collect as gather
    from chromatic.taste.collect import write_table

    result = gather(roots)
    for p in result.problems:
        typer.secho(f"warning: {p}", err=True, fg="yellow")
    if not result.rows:
        raise ChromaticError(
            f"no decided candidates in {result.reviews} review file(s) under {', '.join(map(str, roots))} "
            "(set status: approved or rejected in a phase's review.yml first)"
        )
    write_table(result.rows, out)
    by = Counter((r["phase"], r["status"]) for r in result.rows)
    phases = sorted({p for p, _ in by})
    typer.echo(
        f"{out}: {len(result.rows)} decisions from {result.reviews} review file(s) "
        f"({result.pending} pending left out, {result.duplicates} seen twice counted once)"
    )
    for phase in phases:
        typer.echo(
            f"  {phase:8s} {by[(phase, 'approved')]:4d} approved  {by[(phase, 'rejected')]:4d} rejected"
        )


@app.command("train")
def train(
    table: Path = typer.Argument(..., help="A decisions table from 'chromatic taste collect'."),
    out: Path = typer.Option(
        ..., "--out", help="The taste folder to write (<phase>.onnx + taste.json)."
    ),
    minimum: int = typer.Option(
        30, "--min-decisions", min=2, help="Refuse a phase with fewer decisions."
    ),
    seed: int = typer.Option(
        0, "--seed", min=0, max=2**32 - 1, help="Seed of the song folds and the bootstrap."
    ),
) -> None:
    """Fit, per phase, a model of approved-over-rejected inside each song on the candidates'
    symbolic MIDI features; report its pairwise accuracy on held-out songs (nested, song-grouped,
    95 % interval over songs) beside the composite the artist saw; export it to ONNX."""
    from chromatic.taste.train import train_taste

    report = train_taste(table, out, seed=seed, minimum=minimum)
    for why in report.refused.values():
        typer.secho(f"skipped: {why}", err=True, fg="yellow")
    for phase, m in report.phases.items():
        acc, iv = m["pairwise_accuracy"], m["interval_95"]
        figure = "n/a" if acc is None else f"{acc:.3f} [{iv[0]:.3f}, {iv[1]:.3f}]"
        base = m["baseline_composite_at_decision"]
        base_text = "n/a" if base is None else f"{base:.3f}"
        typer.echo(
            f"{phase}: {m['decisions']} decisions, {m['songs']} songs; held-out pairwise accuracy "
            f"{figure} (composite at decision {base_text}, chance 0.5)"
        )
        top = ", ".join(f"{n} {w:+.2f}" for n, w in m["top_features"][:4])
        typer.echo(f"  leans on: {top}")
    typer.echo(f"wrote {report.out}")


def explain(
    model: Path = typer.Argument(..., help="An exported fitness model (MODEL or MODEL.onnx)."),
    file: Path = typer.Argument(..., help="The MIDI file to explain."),
    color: str = typer.Option(..., "--color", help="Target color (name or letter, e.g. G)."),
    concept: str = typer.Option("", "--concept", help="Concept text, as the scorer would get it."),
    out: Path | None = typer.Option(
        None, "--out", help="PNG to write (default: FILE.explain.png)."
    ),
) -> None:
    """Write a PNG of which bars and pitches of FILE raise or lower its chromatic match
    (occlusion: each bar, pitch and (bar, pitch) cell silenced in turn and scored again)."""
    import numpy as np

    from chromatic.scoring import ChromaticScorer
    from chromatic.scoring.explain import occlude, save_png
    from chromatic.taxonomy import parse_color

    target = parse_color(color)
    scorer = ChromaticScorer.load(model)
    occ = occlude(scorer, file, color=target.name, concept=concept or None)
    path = save_png(
        occ,
        out or file.with_suffix(".explain.png"),
        title=f"{file.name} vs {target.name}: match {occ.base:.3f}",
    )
    best = int(np.argmax(occ.bars)) if len(occ.bars) else 0
    worst = int(np.argmin(occ.bars)) if len(occ.bars) else 0
    typer.echo(f"{path}: match {occ.base:.3f}; " + _bar_effects(occ.bars, best, worst))


def _bar_effects(bars, best: int, worst: int) -> str:
    """Which bars hold the match up and which pull it down (the match lost when a bar is hidden:
    positive, the bar raises it), in words that agree with their signs."""
    if not len(bars):
        return "no bars to hide"
    parts = []
    if bars[best] > 0:
        parts.append(f"bar {best + 1} raises it most (hiding it costs {bars[best]:.4f})")
    if bars[worst] < 0:
        parts.append(f"bar {worst + 1} lowers it most (hiding it gains {-bars[worst]:.4f})")
    return ", ".join(parts) or "no bar raises or lowers it"
