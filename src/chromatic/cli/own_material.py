"""``chromatic produce import``: the artist's own part as an approved loop."""

from __future__ import annotations

from pathlib import Path

import typer


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
    from chromatic.produce.region_chords import regenerate_chords_region

    section, bars = region
    if not section or not bars:
        raise ProduceError("--section and --bars go together (e.g. --section verse --bars 5-8)")
    if phase == "chords":
        return regenerate_chords_region(prod.root, section, bars, options)
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


def reference(
    folder: Path = typer.Argument(..., help="Production folder."),
    midi: Path | None = typer.Argument(None, help="The reference MIDI file (a song, a part)."),
    weight: float = typer.Option(0.5, "--weight", help="The reference's share of the composite."),
    clear: bool = typer.Option(False, "--clear", help="Remove the folder's reference."),
) -> None:
    """Measure a reference track's style (density, register, velocity, timing, syncopation,
    chord rhythm, instruments) into FOLDER/reference.yml: every phase run after is biased by it."""
    from chromatic.errors import ProduceError
    from chromatic.produce.folder import open_folder
    from chromatic.produce.reference.bias import REFERENCE_FILE, changes, set_reference
    from chromatic.produce.style import style_for

    prod = open_folder(folder)
    if clear:
        (prod.root / REFERENCE_FILE).unlink(missing_ok=True)
        typer.echo(f"removed {prod.root / REFERENCE_FILE}")
        return
    if midi is None:
        raise ProduceError("expected a MIDI file (or --clear)")
    data = set_reference(prod, midi, weight)
    typer.echo(
        f"wrote {prod.root / REFERENCE_FILE}: {', '.join(sorted(data['figures']))} from {midi.name}"
    )
    for line in changes(style_for(prod.proposal(), prod.root), data):
        typer.echo(f"  {line}")
