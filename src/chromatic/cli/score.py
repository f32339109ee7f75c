"""``chromatic export`` and ``chromatic score``."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def export(
    run: Path = typer.Argument(..., help="Run folder written by 'chromatic train'."),
    out: Path = typer.Option(
        ...,
        "--out",
        help="Model folder: model.onnx and model.json are written there (pass the folder as "
        "--model). Deprecated for one release: a path ending in .onnx is the old MODEL.onnx.",
    ),
) -> None:
    """Export a trained fusion model to ONNX with self-describing metadata."""
    from chromatic.cli.console import working
    from chromatic.model.export import export_run

    stem = _model_stem(out)
    with working(f"exporting {run} to ONNX, checking it against torch and its sanity gates"):
        onnx_path, json_path = export_run(run, stem)
    typer.echo(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e6:.1f} MB) and {json_path}")
    gates = json.loads(json_path.read_text()).get("gates") or {}
    if gates.get("passed") is True:
        typer.echo("sanity gates: passed" + _gate_figures(gates))
    elif gates.get("passed") is False:
        typer.secho(
            "warning: the model failed its sanity gates (" + "; ".join(gates["failed"]) + "); "
            "produce and compose will use theory only unless given --trust-model",
            err=True,
            fg="yellow",
        )
    elif gates.get("passed") is None:
        typer.echo("sanity gates: not measured (no held-out MIDI in the run's data)")


def _gate_figures(gates: dict) -> str:
    """ " (checked: ...)": the gates the model passed, as the report names them."""
    checked = [
        c if isinstance(c, str) else str(c.get("name", c)) for c in gates.get("checked") or []
    ]
    return f" (checked: {', '.join(checked)})" if checked else ""


MODEL_NAME = "model"  # FOLDER/model.onnx + model.json: what --model FOLDER loads


def _model_stem(out: Path) -> Path:
    """``--out FOLDER`` -> FOLDER/model; the old ``--out MODEL.onnx`` (a file, not the folder
    the command writes) still works for one release, with a deprecation warning."""
    if out.suffix.lower() != ".onnx":
        return out / MODEL_NAME
    typer.secho(
        f"warning: 'export --out MODEL.onnx' is deprecated and goes in the next release; "
        f"--out is the model folder: use --out {out.with_suffix('')} (and --model "
        f"{out.with_suffix('')})",
        err=True,
        fg="yellow",
    )
    return out.with_suffix("")


CANDIDATE_SUFFIXES = (".mid", ".midi", ".wav", ".flac", ".ogg", ".aiff", ".aif")


def _model_and_files(model: Path | None, files: list[Path]) -> tuple[Path, list[Path]]:
    """``--model MODEL FILE...``; the old ``score MODEL FILE...`` (the first argument is not a
    candidate file) still works for one release, with a deprecation warning."""
    if model is None:
        if files and files[0].suffix.lower() not in CANDIDATE_SUFFIXES:
            model, files = files[0], files[1:]
            typer.secho(
                f"warning: 'chromatic score MODEL FILE...' is deprecated and goes in the next release; "
                f"use 'chromatic score FILE... --model {model}'",
                err=True,
                fg="yellow",
            )
        else:
            raise typer.BadParameter(
                "a model is needed: --model MODEL (from 'chromatic export')", param_hint="--model"
            )
    if not files:
        raise typer.BadParameter(
            "no candidate files given: .mid/.midi and/or .wav/.flac", param_hint="FILES"
        )
    return model, files


def _check_color(target: str) -> None:
    """An unknown color is refused before the model loads, naming the valid ones."""
    from chromatic.taxonomy import ColorError, parse_color

    try:
        parse_color(target)
    except ColorError as e:
        raise ColorError(e.detail, field="--color") from None


def score(
    files: list[Path] = typer.Argument(..., help="Candidates: .mid/.midi and/or .wav/.flac files."),
    model: Path | None = typer.Option(
        None,
        "--model",
        help="Model folder from 'chromatic export' (or MODEL.onnx, with .json beside it; the suffix may be omitted).",
    ),
    color: str = typer.Option(
        "", "--color", help="Target color (mnemonic or name); default: the proposal's."
    ),
    concept: str = typer.Option("", "--concept", help="Concept text shared by all candidates."),
    proposal: Path | None = typer.Option(
        None,
        "--proposal",
        help="Song proposal YAML, iteration list or thread folder (its final proposal): concept and color from it.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for programs."),
) -> None:
    """Rank candidates by chromatic match to the target color."""
    from chromatic.scoring import ChromaticScorer

    if concept and proposal:
        raise typer.BadParameter("give --concept or --proposal, not both")
    target, text = color or None, concept or None
    if proposal is not None:
        from chromatic.proposals.threads import read_any_proposal

        p = read_any_proposal(proposal)
        text = p.concept or None
        target = target or p.color.name
    if not target:
        raise typer.BadParameter(
            "a target color is needed: --color G, or --proposal", param_hint="--color"
        )
    _check_color(target)
    model, files = _model_and_files(model, files)
    scorer = ChromaticScorer.load(model)
    cands = []
    for f in files:
        if f.suffix.lower() in (".mid", ".midi"):
            cands.append({"id": str(f), "midi": f})
        elif f.suffix.lower() in (".wav", ".flac", ".ogg", ".aiff", ".aif"):
            cands.append({"id": str(f), "midi": None, "audio": f})
        else:
            cands.append({"id": str(f), "midi": f})  # let the MIDI reader say what is wrong
    ranked = scorer.score_batch(cands, color=target, concept=text)
    if as_json:
        typer.echo(json.dumps({"model": str(model), "color": target, "results": ranked}, indent=2))
    else:
        from rich.table import Table

        from chromatic.cli.console import make_console

        t = Table(title=f"chromatic match to {target}")
        for col in (
            "rank",
            "candidate",
            "match",
            "predicted",
            "target rank",
            "confidence",
            "temporal",
            "spatial",
            "ontological",
        ):
            t.add_column(col)
        from chromatic.taxonomy import MODES

        for r in ranked:
            if r.get("error"):
                t.add_row(
                    "-", Path(r["id"]).name, "[red]error[/red]", r["error"][:60], "", "", "", "", ""
                )
                continue
            modes = [
                MODES[a][max(range(3), key=lambda k, a=a: r[a][k])]
                for a in ("temporal", "spatial", "ontological")
            ]
            t.add_row(
                str(r["rank"]),
                Path(r["id"]).name,
                f"{r['match']:.3f}" + _relative_text(r.get("match_relative")),
                f"{r['predicted_color']} ({r['color_probability']:.0%})",
                f"{r['target_rank'] or '-'} of {r['colors_trained']}"
                + (
                    f" (relative {r['target_rank_relative']})"
                    if r.get("target_rank_relative")
                    else ""
                ),
                "-" if r["confidence"] is None else f"{r['confidence']:.2f}",
                *modes,
            )
        make_console().print(t)
    raise typer.Exit(1 if all(r.get("error") for r in ranked) else 0)


def _relative_text(rel: float | None) -> str:
    """The relative match beside the raw one: sds above the model's held-out mean match."""
    return "" if rel is None else f" ({rel:+.2f} sd)"
