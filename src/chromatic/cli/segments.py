"""``chromatic segments build``."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Cut the catalog into aligned training segments.", no_args_is_help=True)


@app.command()
def build(
    catalog: Path = typer.Argument(
        ..., help="Catalog folder (with media) the tracks table was built from."
    ),
    data: Path = typer.Option(
        ..., "--data", help="Data folder holding tracks.parquet; segments are written there."
    ),
    songs: str = typer.Option("", "--songs", help="Comma-separated song ids (default: all)."),
    workers: int = typer.Option(
        0, "--workers", min=0, help="Worker processes (default: one per core)."
    ),
    max_seconds: float = typer.Option(
        30.0, "--max-seconds", min=0.5, help="Split segments longer than this."
    ),
    overlap: float = typer.Option(
        2.0,
        "--overlap",
        min=0.0,
        help="Overlap of split windows, in seconds (below --max-seconds).",
    ),
    ray: str = typer.Option(
        None,
        "--ray",
        metavar="[ADDRESS]",
        help="Run one Ray task per song: a local cluster on 127.0.0.1 (bare --ray), or the "
        "cluster at ADDRESS (HOST:PORT or auto; DATA and the catalog on a shared file system).",
    ),
    snap: float = typer.Option(
        2.0,
        "--snap",
        min=0.0,
        help="Snap boundaries to a section boundary within this many seconds.",
    ),
) -> None:
    """Write DATA/segments.parquet and DATA/media/*.parquet (parallel, resumable)."""
    from chromatic.segments.build import SegmentSettings, build_segments

    if overlap >= max_seconds:
        raise typer.BadParameter(
            f"expected less than --max-seconds ({max_seconds:g}), got {overlap:g}",
            param_hint="--overlap",
        )

    wanted = [s.strip() for s in songs.split(",") if s.strip()] or None
    res = build_segments(
        catalog,
        data,
        settings=SegmentSettings(
            snap_seconds=snap, max_seconds=max_seconds, overlap_seconds=overlap
        ),
        songs=wanted,
        workers=workers or None,
        ray=ray,
    )
    for p in res.problems:
        typer.secho(
            f"problem: {p['song']} track {p['track_id']}: {p['file']}: {p['message']}",
            err=True,
            fg="yellow",
        )
    for song, err in res.failed.items():
        typer.secho(f"error: {song}: {err}", err=True, fg="red")
    typer.echo(
        f"wrote {res.path}: {res.rows} segment rows over {res.songs} songs "
        f"({len(res.built)} built, {len(res.resumed)} already done; {res.dropped_silent} silent track segments dropped; "
        f"{res.audio_seconds:.0f} s of audio)"
    )
    raise typer.Exit(1 if res.failed else 0)
