"""``chromatic verify``: coverage per color and media fidelity of the built segments."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _coverage_table(cov):
    from rich.table import Table

    table = Table(title="coverage per color (segment rows)")
    for name, justify in (
        ("color", "left"),
        ("songs", "right"),
        ("segments", "right"),
        ("audio %", "right"),
        ("MIDI %", "right"),
        ("lyric %", "right"),
    ):
        table.add_column(name, justify=justify)
    for c in [*cov.colors, cov.total]:
        label = f"[{c.hex}]■[/] {c.color} ({c.mnemonic})" if c.hex else "[bold]all[/bold]"
        table.add_row(
            label,
            str(c.songs),
            str(c.segments),
            _pct(c.audio_pct),
            _pct(c.midi_pct),
            _pct(c.lyric_pct),
        )
    return table


def _print_report(report) -> None:
    from rich.markup import escape

    from chromatic.cli.console import make_console
    from chromatic.dataset.coverage import MIN_SEGMENTS_PER_SONG

    console = make_console()
    console.print(_coverage_table(report.coverage))
    short = report.coverage.short_songs
    if short:
        listed = ", ".join(f"{s.song_id} ({s.segments})" for s in short)
        console.print(
            f"[yellow]{len(short)} song(s) with fewer than {MIN_SEGMENTS_PER_SONG} segments:[/yellow] {listed}"
        )
    fid = report.fidelity
    scope = (
        f"{fid.selected} of {fid.of} segment rows (random sample, seed {fid.seed}; --all checks every row)"
        if fid.sampled
        else f"all {fid.of} segment rows"
    )
    tempo = (
        f"; tempo against the catalog's MIDI for {fid.tempo_from_source}, against the recorded tempo for {fid.tempo_from_row}"
        if fid.midi_checked
        else ""
    )
    console.print(
        f"fidelity: checked {scope}: {fid.audio_checked} audio, {fid.midi_checked} MIDI{tempo}"
    )
    console.print(
        f"fidelity: [green]{fid.passed} passed[/green]"
        + (f", [red]{fid.failed_segments} failed[/red]" if fid.failures else "")
    )
    for f in fid.failures:
        console.print(f"  [red]{f.check}[/red] {f.segment_id}: {escape(f.reason)}")
    if report.chart:
        console.print(f"chart: {report.chart}")
    if report.extract_dir:
        console.print(f"extracted {report.extracted} segment(s) to {report.extract_dir}")


def verify(
    data: Path = typer.Option(
        ..., "--data", help="Data folder holding segments.parquet and media/."
    ),
    color: str = typer.Option(
        "", "--color", help="Only this color (mnemonic or name, e.g. G or green)."
    ),
    song: str = typer.Option("", "--song", help="Only this song (e.g. 02_01)."),
    random_n: int | None = typer.Option(
        None,
        "--random",
        help="Check N rows drawn at random (default: all when at most 200, else 200).",
    ),
    seed: int = typer.Option(
        0,
        "--seed",
        min=0,
        max=2**32 - 1,
        help="Seed of the random sample (the same seed checks the same rows).",
    ),
    all_rows: bool = typer.Option(False, "--all", help="Check every selected row, however many."),
    catalog: Path | None = typer.Option(
        None,
        "--catalog",
        help="Catalog with the source MIDI (default: the one the tracks table was built from).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    extract: Path | None = typer.Option(
        None, "--extract", help="Write WAV + MID + JSON of each checked segment here, to listen to."
    ),
) -> None:
    """Coverage per color and audio/MIDI fidelity of the segments; exit 1 if any check fails.

    Always writes a chart to DATA/verify/coverage.png.
    """
    from chromatic.cli.console import working
    from chromatic.dataset.verify import verify as run_verify

    with working(f"verifying the segments of {data} (coverage, audio and MIDI fidelity)"):
        report = run_verify(
            data,
            color=color or None,
            song=song or None,
            random_n=random_n,
            seed=seed,
            all_rows=all_rows,
            catalog=catalog,
            extract=extract,
        )
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print_report(report)
    raise typer.Exit(0 if report.ok else 1)
