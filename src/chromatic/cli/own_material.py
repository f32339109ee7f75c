"""``chromatic produce import``: the artist's own part as an approved loop."""

from __future__ import annotations

from pathlib import Path

import typer

_SECTION = typer.Option(
    None, "--section", help="With --bars: the section whose approved part keeps all but those bars."
)
_BARS = typer.Option(
    None, "--bars", help="Regenerate only these bars (5-8) of --section's approved part."
)


def given_options(progression, progressions, vary: bool) -> dict:
    """The chord phase's own options for the artist's progressions (none: generated chords)."""
    given: dict = {"progression": progression} if progression else {}
    if progressions is not None:
        given["progression_file"] = str(progressions)
    if given or vary:
        given["vary"] = vary
    return given


def run_region(prod, phase: str, region: tuple, options):
    """``--section S --bars 5-8``: candidates that differ from S's approved part only there."""
    from chromatic.errors import ProduceError
    from chromatic.produce.region import regenerate_region

    section, bars = region
    if not section or not bars:
        raise ProduceError("--section and --bars go together (e.g. --section verse --bars 5-8)")
    return regenerate_region(prod.root, phase, section, bars, options)


def import_(
    folder: Path = typer.Argument(..., help="Production folder."),
    phase: str = typer.Argument(..., help="Phase: chords, drums, bass, melody or harmony."),
    section: str = typer.Option(..., "--section", help="The section it plays (verse, chorus ...)."),
    midi: Path = typer.Option(..., "--midi", help="The MIDI file the artist played."),
    track: str | None = typer.Option(
        None,
        "--track",
        help="Track to import, by name or 1-based number (default: the first with notes).",
    ),
    transpose: int = typer.Option(0, "--transpose", help="Semitones to transpose (not drums)."),
) -> None:
    """Import one track of a MIDI file as the approved loop of PHASE for --section (fitted to
    the section's bars, with a warning; every note otherwise kept)."""
    from chromatic.produce.imported import import_part

    result = import_part(folder, phase, section, midi, track=track, transpose=transpose)
    for w in result.warnings:
        typer.secho(f"warning: {w}", err=True, fg="yellow")
    typer.echo(
        f"imported {result.notes} notes ({result.bars} bars) as {result.candidate} -> {result.approved}"
    )
