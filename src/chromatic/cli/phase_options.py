"""The options the phase commands share, defined once (typer builds a fresh parameter from each
use): ``phase_command`` gives a command the whole set and hands it one ``PhaseCommand``; and how
they become a scorer, weights, a taste model and breeding."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import get_type_hints

import typer

_TRUST = typer.Option(
    False, "--trust-model", help="Use the model even when it failed its sanity gates."
)
_TASTE = typer.Option(
    None, "--taste", help="Taste model from 'chromatic taste train': adds a taste term."
)
_TASTE_W = typer.Option(0.3, "--taste-weight", min=0.0, help="Composite weight of the taste.")

# bounds where the numbers are parsed: a huge -n asked numpy for terabytes before
MAX_N = 5000
MAX_TOP = 500
MAX_BEAM = 32
MAX_SEED = 2**32 - 1

_N_HELP = "Candidates to generate per section (the same default as compose's -n)."
_TOP_HELP = "Candidates to keep per section in review.yml."
# options shared by the part phases (typer builds a fresh parameter from each use)
_PART_N = typer.Option(50, "-n", "--n", min=1, max=MAX_N, help=_N_HELP)
_PART_TOP = typer.Option(5, "--top", min=1, max=MAX_TOP, help=_TOP_HELP)
_SEED = typer.Option(
    0, "--seed", min=0, max=2**32 - 1, help="Seed: the same seed gives byte-identical output."
)
_MODEL = typer.Option(None, "--model", help="Exported fitness model; without it, theory only.")
_THEORY_W = typer.Option(
    0.3, "--theory-weight", min=0.0, help="Composite weight of the theory score (with a model)."
)
_CHROMATIC_W = typer.Option(
    0.7,
    "--chromatic-weight",
    min=0.0,
    help="Composite weight of the chromatic match (with a model).",
)

# the artist's own chords (``produce chords``)
_PROGRESSION = typer.Option(
    None,
    "--progression",
    help='A section\'s chords: "verse=Am7 | Fmaj7 | C/E | G" or "chorus=i VI III VII" (repeatable).',
)
_PROGRESSIONS = typer.Option(
    None, "--progressions", help="YAML file of section: chords (as --progression)."
)
_VARY = typer.Option(
    False, "--vary", help="Also vary the given progressions (one chord swapped by function)."
)


def _scoring(
    model: Path | None,
    theory_weight: float,
    chromatic_weight: float,
    trust_model: bool = False,
    taste: Path | None = None,
    taste_weight: float = 0.0,
):
    from chromatic.produce.phases.composite import NO_MODEL_WARNING, Weights, gate, load_scorer
    from chromatic.produce.phases.taste import load_taste

    weights = Weights(theory_weight, chromatic_weight, taste_weight if taste else 0.0)
    liked = load_taste(taste) if taste else None
    scorer = load_scorer(model) if model else None
    if scorer is None:
        typer.secho(f"warning: {NO_MODEL_WARNING}", err=True, fg="yellow")
    else:
        scorer, note = gate(scorer, trust_model=trust_model)
        if note:
            typer.secho(f"warning: {note}", err=True, fg="yellow")
        if scorer is None:
            model = None
    return scorer, weights, str(model) if model else None, liked


_EVOLVE = typer.Option(
    False,
    "--evolve",
    help="Breed the candidates (crossover and mutation, the composite as fitness) and keep "
    "the best of distinct niches.",
)
_GENERATIONS = typer.Option(6, "--generations", min=1, help="Generations to breed (--evolve).")
_POPULATION = typer.Option(24, "--population", min=2, help="Children per generation (--evolve).")
_BREED = typer.Option(
    False,
    "--breed",
    help="Breed from the candidates approved or starred (star: true) in review.yml; the "
    "children are added beside them.",
)


def _evolve(evolve: bool, generations: int, population: int, breed: bool = False):
    """The breeding a phase command asked for (None without --evolve), with a progress bar
    per generation on stderr."""
    if not (evolve or breed):
        return None
    import sys

    from chromatic.produce.evolve import Evolve

    live = sys.stderr.isatty()

    def progress(section: str, gen: int, total: int, best: float) -> None:
        if live or gen == total:  # a log gets one line per section, a terminal a live bar
            bar = "#" * gen + "." * (total - gen)
            line = f"  evolve {section:<10} [{bar}] {gen}/{total} best {best:.3f}"
            typer.echo(f"\r{line}" if live else line, nl=gen == total or not live, err=True)

    return Evolve(
        generations=generations, population=population, progress=progress, from_review=breed
    )


def model_columns(scores) -> str:
    """The chromatic match and the taste score of one candidate, where the run has them."""
    out = []
    if scores.chromatic is not None:
        out.append(f"chromatic={scores.chromatic.match:.3f}")
    taste = (scores.model_extra or {}).get("taste")
    if taste is not None:
        out.append(f"taste={float(taste):.3f}")
    return " ".join(out)


_SECTION = typer.Option(
    None, "--section", help="With --bars: the section whose approved part keeps all but those bars."
)
_BARS = typer.Option(
    None, "--bars", help="Regenerate only these bars (5-8) of --section's approved part."
)


@dataclass(frozen=True)
class PhaseCommand:
    """What every phase command is asked, whatever the phase: counts, scoring, the region to
    regenerate and breeding (the phase's own options stay the command's parameters)."""

    n: int
    top: int
    seed: int
    model: Path | None
    theory_weight: float
    chromatic_weight: float
    trust_model: bool
    taste: Path | None
    taste_weight: float
    section: str | None
    bars: str | None
    evolve: bool = False
    generations: int = 6
    population: int = 24
    breed: bool = False


# each shared parameter's default: the option (the commands' order in --help)
SHARED: dict[str, object] = {
    "n": _PART_N,
    "top": _PART_TOP,
    "seed": _SEED,
    "model": _MODEL,
    "theory_weight": _THEORY_W,
    "chromatic_weight": _CHROMATIC_W,
    "trust_model": _TRUST,
    "taste": _TASTE,
    "taste_weight": _TASTE_W,
    "section": _SECTION,
    "bars": _BARS,
    "evolve": _EVOLVE,
    "generations": _GENERATIONS,
    "population": _POPULATION,
    "breed": _BREED,
}
BREEDING = ("evolve", "generations", "population", "breed")


def phase_command(*, breeding: bool = True, **options: object) -> Callable:
    """A phase command with the shared option set: the decorated function declares its own
    parameters and ``asked: PhaseCommand``; the command typer sees has its own parameters, then
    every shared option (``options`` replaces one, by name, where a phase words it its own way;
    ``breeding=False`` leaves out --evolve, --generations, --population and --breed)."""
    unknown = set(options) - set(SHARED)
    if unknown:
        raise TypeError(f"no shared phase option {', '.join(sorted(unknown))}")
    kinds = get_type_hints(PhaseCommand)
    names = [k for k in SHARED if breeding or k not in BREEDING]

    def wrap(fn: Callable) -> Callable:
        own = [p for p in inspect.signature(fn, eval_str=True).parameters.values()]
        own = [p for p in own if p.name != "asked"]
        shared = [
            inspect.Parameter(
                k,
                inspect.Parameter.KEYWORD_ONLY,
                default=options.get(k, SHARED[k]),
                annotation=kinds[k],
            )
            for k in names
        ]

        @functools.wraps(fn)
        def command(**given):
            asked = PhaseCommand(**{k: given.pop(k) for k in names})
            return fn(**given, asked=asked)

        params = [*own, *shared]
        del command.__wrapped__  # typer reads the signature below, not the function's
        command.__signature__ = inspect.Signature(params, return_annotation=None)
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return wrap
