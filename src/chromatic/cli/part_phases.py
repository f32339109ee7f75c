"""``chromatic produce drums|bass|melody|harmony``: the part phases' commands, each the shared
option set (``phase_options.phase_command``: counts, scoring, breeding, region) plus its own,
and one runner (``run_phase``) shared with ``produce chords``."""

from __future__ import annotations

from pathlib import Path

import typer

import chromatic.cli.own_material as own
from chromatic.cli.phase_options import (
    PhaseCommand,
    _evolve,
    _scoring,
    model_columns,
    phase_command,
)

_SINGERS_FILE = typer.Option(
    None, "--singers", help="YAML file adding or overriding singers and ranges."
)


def run_phase(name: str, folder: Path, asked: PhaseCommand, **extra):
    """Open the folder, then load the model (a wrong folder fails before a slow load), then run
    the registered phase ``name`` with what the command was ``asked`` and ``extra``, the
    phase's own options."""
    from chromatic.produce.folder import open_folder
    from chromatic.produce.phases import PhaseOptions
    from chromatic.produce.phases.registry import get

    prod = open_folder(folder)
    scorer, weights, model, liked = _scoring(
        asked.model,
        asked.theory_weight,
        asked.chromatic_weight,
        asked.trust_model,
        asked.taste,
        asked.taste_weight,
    )
    evolve = _evolve(asked.evolve, asked.generations, asked.population, asked.breed)
    options = PhaseOptions(
        asked.n, asked.top, asked.seed, scorer, model, weights, extra, taste=liked, evolve=evolve
    )
    region = (asked.section, asked.bars)
    if any(region):  # --section S --bars 5-8: only those bars regenerated
        return prod, own.run_region(prod, name, region, options)
    return prod, get(name).run(prod, options).gate(prod)  # the human's review.yml


def _report(prod, run, columns: tuple[str, ...]) -> None:
    """One block per section: rank, id, status, composite, theory parts and a few details."""
    from chromatic.produce.review import read_review

    review = read_review(run.merge.path, check_files=True)
    for w in run.warnings:
        if "no model given" not in w:
            typer.secho(f"warning: {w}", err=True, fg="yellow")
    kept = review.candidates
    typer.echo(
        f"{prod.root.name}: {run.phase}, {run.generated} generated over "
        f"{len(run.by_section)} section(s), kept {len(kept)}"
    )
    for section in run.by_section:
        rows = sorted(
            (c for c in kept if c.details.get("section") == section), key=lambda c: c.rank
        )
        if not rows:
            continue
        d0 = rows[0].details
        typer.echo(
            f"[{section}] energy {d0.get('energy')}, next: {d0.get('next_section') or '(end)'}"
        )
        for c in rows:
            parts = " ".join(f"{k}={v:.2f}" for k, v in c.scores.theory.items() if k != "total")
            extra = " ".join(str(c.details.get(k, "")) for k in columns)
            typer.echo(
                f"  {c.rank:>2} {c.id:<22} {c.status:<9} {c.scores.composite:.3f}  {parts}  "
                f"{model_columns(c.scores)}  {extra}".rstrip()
            )
    typer.echo(f"{run.merge.path}: {run.merge.summary()}")


@phase_command(
    model=typer.Option(
        None, "--model", help="Exported fitness model; without it, energy fit only."
    ),
    theory_weight=typer.Option(
        0.3, "--theory-weight", min=0.0, help="Composite weight of the energy fit (with a model)."
    ),
)
def drums(
    asked: PhaseCommand,
    folder: Path = typer.Argument(..., help="Production folder with approved chords."),
    humanize: str | None = typer.Option(
        None,
        "--humanize",
        help="Groove template: laid_back, push, swing or shuffle16 (default: none, straight).",
    ),
) -> None:
    """Drum loops per approved chord section, from the template library; merge review.yml."""
    from chromatic.produce.folder import open_folder
    from chromatic.produce.rhythm.humanize import groove

    open_folder(folder)
    if humanize:
        groove(humanize)  # an unknown name fails before anything is loaded
    prod, run = run_phase("drums", folder, asked, humanize_with=humanize)
    _report(prod, run, ("template", "family", "fill"))


@phase_command()
def bass(
    asked: PhaseCommand,
    folder: Path = typer.Argument(..., help="Production folder with approved chords and drums."),
) -> None:
    """Bass lines per approved chord section, locked to the approved drums; merge review.yml."""
    prod, run = run_phase("bass", folder, asked)
    _report(prod, run, ("template", "register", "approach"))


@phase_command()
def melody(
    asked: PhaseCommand,
    folder: Path = typer.Argument(..., help="Production folder with approved chords."),
    singer: str | None = typer.Option(
        None, "--singer", help="Who sings it (default: the proposal's singer, else Gabriel)."
    ),
    singers: Path | None = _SINGERS_FILE,
) -> None:
    """Melodies per approved chord section inside a singer's range; merge review.yml."""
    prod, run = run_phase(
        "melody", folder, asked, singer=singer, singers_file=str(singers) if singers else None
    )
    _report(prod, run, ("singer", "contour", "rhythm"))


@phase_command()
def harmony(
    asked: PhaseCommand,
    folder: Path = typer.Argument(..., help="Production folder with approved chords and melody."),
    singer: str | None = typer.Option(
        None,
        "--singer",
        help="The backing singer (default: the one other than the lead nearest its register).",
    ),
    singers: Path | None = _SINGERS_FILE,
) -> None:
    """Backing vocals per approved melody: a third or sixth on the lead's syllables, or a
    counter-melody in wordless sections, inside a second singer's range; merge review.yml."""
    prod, run = run_phase(
        "harmony", folder, asked, singer=singer, singers_file=str(singers) if singers else None
    )
    _report(prod, run, ("singer", "kind", "parallel_fifths_octaves"))
