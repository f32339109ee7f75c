"""``chromatic produce proposals|init|chords|import|reference`` and ``chromatic promote``; the part
phases' commands (drums, bass, melody, harmony) are in ``cli.part_phases``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

import chromatic.cli.own_material as own
import chromatic.cli.part_phases as part_phases
from chromatic.cli.part_phases import run_phase
from chromatic.cli.phase_options import (
    _PROGRESSION,
    _PROGRESSIONS,
    _VARY,
    MAX_N,
    MAX_TOP,
    PhaseCommand,
    model_columns,
    phase_command,
)

app = typer.Typer(
    help="Production: proposals, production folders and candidate phases.", no_args_is_help=True
)


@app.command()
def proposals(
    chain_dir: Path = typer.Argument(
        ..., help="chain_artifacts folder with one <thread-uuid>/ folder per thread."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not list the warnings."),
) -> None:
    """Load every song proposal (and every thread iteration); report loaded / warned / failed."""
    from chromatic.cli.console import make_console
    from chromatic.proposals.threads import load_all

    report = load_all(chain_dir)
    counts = report.counts()
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        console = make_console(highlight=False, soft_wrap=True)
        for r in report.results:
            if r.proposal is None:
                console.print(f"[red]failed[/red] {r.source}: {r.error}")
            elif r.proposal.warnings and not quiet:
                for w in r.proposal.warnings:
                    console.print(f"[yellow]warned[/yellow] {r.source}: {w}")
        for t in report.threads:
            final = f"[red]{t.error}[/red]" if t.error else t.final
            console.print(f"thread {t.thread_id}: {t.iterations} iteration(s), final: {final}")
        console.print(
            f"{counts['proposals']} proposals in {counts['files']} files, {counts['threads']} threads: "
            f"{counts['loaded']} loaded ({counts['warned']} with warnings), [red]{counts['failed']} failed[/red]"
        )
    raise typer.Exit(1 if counts["failed"] else 0)


@app.command()
def init(
    proposal: Path = typer.Argument(
        ...,
        help="A song_proposal_*.yml, an all_song_proposals_*.yml (its last iteration) or a thread folder.",
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        help="The production folder to write, named by the title's slug (e.g. songs/my-title), "
        "or a production folder already there. Deprecated for one release: any other folder "
        "is read the old way, as the folder under which <slug-of-title>/ is created.",
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace a different proposal already in that folder."
    ),
) -> None:
    """Create the production folder: proposal.yml and <phase>/{candidates,approved}/."""
    folder, written = _init_folder(proposal, out, force)
    p = folder.proposal()
    for w in p.warnings:
        typer.secho(f"warning: {w}", err=True, fg="yellow")
    state = "created" if written else "unchanged"
    typer.echo(
        f"{state} {folder.root}: {p.title!r}, {p.key}, {p.bpm:g} bpm, {p.time_signature}, {p.color.name}"
    )


def _init_folder(proposal: Path, out: Path, force: bool):
    """``--out`` is the production folder when it is one already or is named by the title's
    slug; otherwise (the old meaning) the folder under which ``<slug>/`` is made, with a
    deprecation warning, so scripts written for the old ``--out`` keep working one release."""
    from chromatic.paths import slugify
    from chromatic.produce.folder import PROPOSAL_FILE, init_production
    from chromatic.proposals.threads import read_any_proposal

    slug = slugify(read_any_proposal(proposal.resolve()).title)
    if out.name != slug and (out / PROPOSAL_FILE).is_file():
        from chromatic.produce.compose.run import init_at

        before = (out / PROPOSAL_FILE).read_bytes()
        folder = init_at(proposal, out, force=force)
        return folder, folder.proposal_path.read_bytes() != before
    if out.name == slug:
        return init_production(proposal, out.parent, force=force)
    _refuse_system_parent(out, slug)
    typer.secho(
        f"warning: 'produce init --out DIR' as the folder under which <slug>/ is created is "
        f"deprecated and goes in the next release; --out is the production folder itself: "
        f"use --out {out / slug}",
        err=True,
        fg="yellow",
    )
    return init_production(proposal, out, force=force)


def _refuse_system_parent(out: Path, slug: str) -> None:
    """The old ``--out PARENT`` never creates a song folder in ``/``, a top-level system
    folder (``/etc``, ``/usr``; ``/tmp`` is allowed) or the home folder itself."""
    from chromatic.errors import ProduceError

    where = out.resolve()
    system = where.parent == where or (where.parent == Path(where.anchor) and where.name != "tmp")
    if system or where == Path.home().resolve():
        raise ProduceError(
            f"refusing to create {slug}/ directly in {where}; --out is the production folder "
            f"itself (e.g. --out ./{slug})",
            field="--out",
        )


@app.command()
@phase_command(
    n=typer.Option(200, "-n", "--n", min=1, max=MAX_N, help="Progressions to generate."),
    top=typer.Option(10, "--top", min=1, max=MAX_TOP, help="Candidates to keep in review.yml."),
)
def chords(
    asked: PhaseCommand,
    folder: Path = typer.Argument(..., help="Production folder (from 'chromatic produce init')."),
    progression: list[str] | None = _PROGRESSION,
    progressions: Path | None = _PROGRESSIONS,
    vary: bool = _VARY,
) -> None:
    """Generate chord candidates, rank them, write candidates/ and merge review.yml."""
    from chromatic.produce.review import read_review

    given = own.given_options(progression, progressions, vary)
    prod, run = run_phase("chords", folder, asked, **given)
    review = read_review(run.merge.path, check_files=True)
    typer.echo(
        f"{prod.root.name}: chords, {run.generated} generated, {run.distinct} distinct, kept {len(review.candidates)}"
    )
    typer.echo(
        "rank id         status    score  melody voice variety trans  bars strum      progression"
    )
    for c in sorted(review.candidates, key=lambda c: c.rank):
        t = c.scores.theory
        parts = "  ".join(
            f"{t.get(p, 0):.2f}" for p in ("melody", "voice_leading", "variety", "transition")
        )
        rhythm = c.details.get("harmonic_rhythm") or {}
        typer.echo(
            f"{c.rank:>4} {c.id:<10} {c.status:<9} {c.scores.composite:.3f}  {parts}  "
            f"{rhythm.get('total_bars', ''):>4} {c.details.get('strum', ''):<10} "
            + " ".join(c.details.get("progression", []))
            + (f"  {model_columns(c.scores)}" if model_columns(c.scores) else "")
        )
    typer.echo(f"{run.merge.path}: {run.merge.summary()}")


for _command in (part_phases.drums, part_phases.bass, part_phases.melody, part_phases.harmony):
    app.command()(_command)


def promote(
    folder: Path = typer.Argument(..., help="Production folder."),
    phase: str = typer.Argument(..., help="Phase: chords, drums, bass, melody or harmony."),
    clean: bool = typer.Option(
        False,
        "--clean",
        help="Remove the loops promote wrote before (other files in approved/ stay).",
    ),
) -> None:
    """Copy approved candidates to <phase>/approved/<label>.mid (all or nothing)."""
    from chromatic.produce.promote import promote as run

    result = run(folder, phase, clean=clean)
    for name in result.removed:
        typer.echo(f"removed  {name}")
    for p in result.promoted:
        typer.echo(f"promoted {p.id} -> {p.path}")
    if not result.promoted:
        review = Path(folder) / phase / "review.yml"
        typer.secho(
            f"error: no approved candidates in {review}: set 'status: approved' (and a 'label') "
            f"on the candidates to keep, then run 'chromatic promote {folder} {phase}' again",
            err=True,
            fg="red",
        )
        raise typer.Exit(1)


app.command("import")(own.import_)
app.command("reference")(own.reference)
