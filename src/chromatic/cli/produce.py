"""``chromatic produce proposals|init|chords|drums|bass|melody`` and ``chromatic promote``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from chromatic.cli.phase_options import (
    _BREED,
    _CHROMATIC_W,
    _EVOLVE,
    _GENERATIONS,
    _MODEL,
    _PART_N,
    _PART_TOP,
    _POPULATION,
    _SEED,
    _TASTE,
    _TASTE_W,
    _THEORY_W,
    _TRUST,
    _evolve,
    _scoring,
    model_columns,
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
    typer.secho(
        f"warning: 'produce init --out DIR' as the folder under which <slug>/ is created is "
        f"deprecated and goes in the next release; --out is the production folder itself: "
        f"use --out {out / slug}",
        err=True,
        fg="yellow",
    )
    return init_production(proposal, out, force=force)


@app.command()
def chords(
    folder: Path = typer.Argument(..., help="Production folder (from 'chromatic produce init')."),
    n: int = typer.Option(200, "-n", "--n", min=1, help="Progressions to generate."),
    top: int = typer.Option(10, "--top", min=1, help="Candidates to keep in review.yml."),
    seed: int = typer.Option(
        0, "--seed", min=0, max=2**32 - 1, help="Seed: the same seed gives byte-identical output."
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Exported fitness model; without it, theory only."
    ),
    theory_weight: float = typer.Option(
        0.3, "--theory-weight", min=0.0, help="Composite weight of the theory score (with a model)."
    ),
    chromatic_weight: float = typer.Option(
        0.7,
        "--chromatic-weight",
        min=0.0,
        help="Composite weight of the chromatic match (with a model).",
    ),
    trust_model: bool = _TRUST,
    taste: Path | None = _TASTE,
    taste_weight: float = _TASTE_W,
) -> None:
    """Generate chord candidates, rank them, write candidates/ and merge review.yml."""
    from chromatic.produce.review import read_review

    prod, run = _run_phase(
        "chords",
        folder,
        (n, top, seed),
        (model, theory_weight, chromatic_weight, trust_model, taste, taste_weight),
    )
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


def _run_phase(
    name: str, folder: Path, counts: tuple[int, int, int], scoring: tuple, evolve=None, **extra
):
    """Open the folder, then load the model (a wrong folder fails before a slow load), then run
    the registered phase ``name``: ``counts`` is (n, top, seed), ``scoring`` (model,
    theory_weight, chromatic_weight, trust_model, taste, taste_weight) and ``extra`` the phase's own options."""
    from chromatic.produce.folder import open_folder
    from chromatic.produce.phases import PhaseOptions
    from chromatic.produce.phases.registry import get

    prod = open_folder(folder)
    scorer, weights, model, liked = _scoring(*scoring)
    n, top, seed = counts
    options = PhaseOptions(n, top, seed, scorer, model, weights, extra, taste=liked, evolve=evolve)
    return prod, get(name).run(prod, options)


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


@app.command()
def drums(
    folder: Path = typer.Argument(..., help="Production folder with approved chords."),
    n: int = _PART_N,
    top: int = _PART_TOP,
    seed: int = _SEED,
    humanize: str | None = typer.Option(
        None,
        "--humanize",
        help="Groove template: laid_back, push, swing or shuffle16 (default: none, straight).",
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Exported fitness model; without it, energy fit only."
    ),
    theory_weight: float = typer.Option(
        0.3, "--theory-weight", min=0.0, help="Composite weight of the energy fit (with a model)."
    ),
    chromatic_weight: float = _CHROMATIC_W,
    trust_model: bool = _TRUST,
    taste: Path | None = _TASTE,
    taste_weight: float = _TASTE_W,
    evolve: bool = _EVOLVE,
    generations: int = _GENERATIONS,
    population: int = _POPULATION,
    breed: bool = _BREED,
) -> None:
    """Drum loops per approved chord section, from the template library; merge review.yml."""
    from chromatic.produce.folder import open_folder
    from chromatic.produce.rhythm.humanize import groove

    open_folder(folder)
    if humanize:
        groove(humanize)  # an unknown name fails before anything is loaded
    prod, run = _run_phase(
        "drums",
        folder,
        (n, top, seed),
        (model, theory_weight, chromatic_weight, trust_model, taste, taste_weight),
        evolve=_evolve(evolve, generations, population, breed),
        humanize_with=humanize,
    )
    _report(prod, run, ("template", "family", "fill"))


@app.command()
def bass(
    folder: Path = typer.Argument(..., help="Production folder with approved chords and drums."),
    n: int = _PART_N,
    top: int = _PART_TOP,
    seed: int = _SEED,
    model: Path | None = _MODEL,
    theory_weight: float = _THEORY_W,
    chromatic_weight: float = _CHROMATIC_W,
    trust_model: bool = _TRUST,
    taste: Path | None = _TASTE,
    taste_weight: float = _TASTE_W,
    evolve: bool = _EVOLVE,
    generations: int = _GENERATIONS,
    population: int = _POPULATION,
    breed: bool = _BREED,
) -> None:
    """Bass lines per approved chord section, locked to the approved drums; merge review.yml."""
    prod, run = _run_phase(
        "bass",
        folder,
        (n, top, seed),
        (model, theory_weight, chromatic_weight, trust_model, taste, taste_weight),
        evolve=_evolve(evolve, generations, population, breed),
    )
    _report(prod, run, ("template", "register", "approach"))


@app.command()
def melody(
    folder: Path = typer.Argument(..., help="Production folder with approved chords."),
    singer: str | None = typer.Option(
        None, "--singer", help="Who sings it (default: the proposal's singer, else Gabriel)."
    ),
    singers: Path | None = typer.Option(
        None, "--singers", help="YAML file adding or overriding singers and ranges."
    ),
    n: int = _PART_N,
    top: int = _PART_TOP,
    seed: int = _SEED,
    model: Path | None = _MODEL,
    theory_weight: float = _THEORY_W,
    chromatic_weight: float = _CHROMATIC_W,
    trust_model: bool = _TRUST,
    taste: Path | None = _TASTE,
    taste_weight: float = _TASTE_W,
    evolve: bool = _EVOLVE,
    generations: int = _GENERATIONS,
    population: int = _POPULATION,
    breed: bool = _BREED,
) -> None:
    """Melodies per approved chord section inside a singer's range; merge review.yml."""
    prod, run = _run_phase(
        "melody",
        folder,
        (n, top, seed),
        (model, theory_weight, chromatic_weight, trust_model, taste, taste_weight),
        evolve=_evolve(evolve, generations, population, breed),
        singer=singer,
        singers_file=str(singers) if singers else None,
    )
    _report(prod, run, ("singer", "contour", "rhythm"))


@app.command()
def harmony(
    folder: Path = typer.Argument(..., help="Production folder with approved chords and melody."),
    singer: str | None = typer.Option(
        None,
        "--singer",
        help="The backing singer (default: the one other than the lead nearest its register).",
    ),
    singers: Path | None = typer.Option(
        None, "--singers", help="YAML file adding or overriding singers and ranges."
    ),
    n: int = _PART_N,
    top: int = _PART_TOP,
    seed: int = _SEED,
    model: Path | None = _MODEL,
    theory_weight: float = _THEORY_W,
    chromatic_weight: float = _CHROMATIC_W,
    trust_model: bool = _TRUST,
    taste: Path | None = _TASTE,
    taste_weight: float = _TASTE_W,
    evolve: bool = _EVOLVE,
    generations: int = _GENERATIONS,
    population: int = _POPULATION,
    breed: bool = _BREED,
) -> None:
    """Backing vocals per approved melody: a third or sixth on the lead's syllables, or a
    counter-melody in wordless sections, inside a second singer's range; merge review.yml."""
    prod, run = _run_phase(
        "harmony",
        folder,
        (n, top, seed),
        (model, theory_weight, chromatic_weight, trust_model, taste, taste_weight),
        evolve=_evolve(evolve, generations, population, breed),
        singer=singer,
        singers_file=str(singers) if singers else None,
    )
    _report(prod, run, ("singer", "kind", "parallel_fifths_octaves"))


def promote(
    folder: Path = typer.Argument(..., help="Production folder."),
    phase: str = typer.Argument(..., help="Phase: chords, drums, bass, melody or harmony."),
    clean: bool = typer.Option(False, "--clean", help="Empty approved/ before promoting."),
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
