"""``chromatic catalog validate|build|synth``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(
    help="Validate and build the catalog; synthesize media for it.", no_args_is_help=True
)


def _problem_table(problems, title: str):
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("severity")
    table.add_column("song")
    table.add_column("file")
    table.add_column("field")
    table.add_column("problem", overflow="fold")
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        table.add_row(
            f"[{style}]{p.severity}[/{style}]",
            escape(p.song),
            escape(Path(p.path).name),
            escape(p.field),
            escape(p.message),
        )
    return table


@app.command()
def validate(
    catalog: Path = typer.Argument(..., help="Catalog folder with one AA_TT/ folder per song."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    no_media: bool = typer.Option(
        False, "--no-media", help="Do not check that referenced audio/MIDI exist."
    ),
) -> None:
    """Report every problem of every manifest and LRC file. Exit 1 if any is an error."""
    from rich.markup import escape

    from chromatic.catalog.validate import validate_catalog
    from chromatic.cli.console import make_console

    report = validate_catalog(catalog, check_media=not no_media)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, default=str))
    else:
        console = make_console()
        problems = list(report.all_problems())
        if problems:
            console.print(_problem_table(problems, escape(f"{catalog}: problems")))
        summary = report.to_json()
        console.print(
            f"{summary['manifests']} manifests ({summary['loaded']} loaded), {summary['lrc_files']} LRC files, "
            f"{summary['tracks']} tracks: [red]{summary['errors']} error(s)[/red], "
            f"[yellow]{summary['warnings']} warning(s)[/yellow]"
        )
    raise typer.Exit(1 if report.errors else 0)


def _data_folder(data: Path | None, old_out: Path | None) -> Path:
    """``--data DATA``; the old ``--out DATA`` still works for one release, with a warning."""
    if data is not None and old_out is not None:
        raise typer.BadParameter(
            "give --data only (--out is its deprecated spelling)", param_hint="--data"
        )
    if old_out is not None:
        typer.secho(
            f"warning: 'catalog build --out' is deprecated and goes in the next release; "
            f"use --data {old_out}",
            err=True,
            fg="yellow",
        )
        return old_out
    if data is None:
        raise typer.BadParameter("the data folder is needed: --data DATA", param_hint="--data")
    return data


@app.command()
def build(
    catalog: Path = typer.Argument(..., help="Catalog folder."),
    data: Path | None = typer.Option(
        None, "--data", help="Data folder (required); tracks.parquet is written there."
    ),
    old_out: Path | None = typer.Option(
        None, "--out", hidden=True, help="Deprecated spelling of --data."
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse to write anything if any error is found."
    ),
    no_media: bool = typer.Option(
        False, "--no-media", help="Do not check that referenced media exist."
    ),
) -> None:
    """Write DATA/tracks.parquet: one row per audio track (atomic; refuses duplicate keys)."""
    from rich.markup import escape

    from chromatic.catalog.tracks import build_tracks
    from chromatic.cli.console import make_console

    out = _data_folder(data, old_out)
    console = make_console(stderr=True)
    result = build_tracks(catalog, out, strict=strict, check_media=not no_media)
    errors = result.report.errors
    if errors:
        console.print(
            _problem_table(errors, "errors (songs with load errors or duplicate keys are left out)")
        )
    if result.skipped:
        console.print(
            f"[red]left out {len(result.skipped)} song(s):[/red] {escape(', '.join(result.skipped))}"
        )
    if result.changed_since_last:
        console.print(
            f"manifests changed since the previous build: {escape(', '.join(result.changed_since_last))}"
        )
    typer.echo(
        f"wrote {result.path}: {result.rows} track rows, {result.songs} songs, {result.colors} colors "
        f"({len(result.report.warnings)} warning(s); run 'chromatic catalog validate' for details)"
    )


@app.command()
def synth(
    catalog: Path = typer.Argument(..., help="Catalog folder whose manifests to follow."),
    out: Path = typer.Option(
        ..., "--out", help="Folder for the synthesized catalog (manifests, LRC, MIDI, WAV)."
    ),
    songs: str = typer.Option("", "--songs", help="Comma-separated song ids (default: all)."),
    max_seconds: float = typer.Option(
        0.0, "--max-seconds", min=0.0, help="Trim each song to this length (0: full length)."
    ),
    sample_rate: int = typer.Option(
        22050, "--sample-rate", min=8000, max=192000, help="Audio sample rate in Hz (8000-192000)."
    ),
    soundfont: Path | None = typer.Option(
        None, "--soundfont", help="General MIDI soundfont (default: TimGM6mb.sf2)."
    ),
    seed: int = typer.Option(
        0, "--seed", min=0, max=2**32 - 1, help="Seed for the generated parts."
    ),
    no_audio: bool = typer.Option(False, "--no-audio", help="Write MIDI only (no rendering)."),
) -> None:
    """Write MIDI and audio (main mix + stems) that follow each manifest, rendered with FluidSynth or TinySoundFont."""
    from chromatic.synth.catalog import synth_catalog

    if not no_audio:  # say so once, before any work, rather than once per failed song
        from chromatic.errors import RenderError
        from chromatic.music.render import renderer_unavailable

        if why := renderer_unavailable():
            raise RenderError(f"cannot render audio: {why} (or pass --no-audio for MIDI only)")
    wanted = [s.strip() for s in songs.split(",") if s.strip()] or None
    result = synth_catalog(
        catalog,
        out,
        songs=wanted,
        max_seconds=max_seconds or None,
        sample_rate=sample_rate,
        soundfont=soundfont,
        seed=seed,
        audio=not no_audio,
    )
    for song, err in result.failed.items():
        typer.secho(f"error: {song}: {err}", err=True, fg="red")
    typer.echo(
        f"synthesized {len(result.done)} song(s) into {out}: {result.midi_files} MIDI files, "
        f"{result.audio_files} audio files, {result.audio_seconds:.0f} s of audio"
        + (f"; {len(result.failed)} failed" if result.failed else "")
    )
    raise typer.Exit(1 if result.failed else 0)
