"""``chromatic produce import``: the artist's own part as an approved loop."""

from __future__ import annotations

from pathlib import Path

import typer


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
