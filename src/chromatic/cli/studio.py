"""``chromatic studio``: serve the review studio for a production folder (or a folder of them)."""

from __future__ import annotations

from pathlib import Path

import typer


def studio(
    folder: Path = typer.Argument(
        ..., help="A production folder, or a folder whose sub-folders are production folders."
    ),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="Port to listen on."),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind (default: this machine only)."
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Exported fitness model: adds 'why this score' pictures."
    ),
    preview_cache_mb: float = typer.Option(
        256.0,
        "--preview-cache-mb",
        min=1.0,
        max=1_000_000.0,
        help="Most megabytes of previews kept in <song>/.studio/previews (least recently "
        "used removed first).",
    ),
) -> None:
    """Serve the review studio: hear candidates, approve, promote, plan and assemble."""
    import uvicorn

    from chromatic.studio.app import LOOPBACK, Studio, create_app

    _limit_malloc_arenas()
    s = Studio(folder, hosts=(host,), model=model, preview_cache_mb=preview_cache_mb)
    if host not in LOOPBACK:
        typer.secho(
            f"warning: binding {host}: anyone who can reach it can read this folder "
            "(writes still need the token)",
            err=True,
            fg="yellow",
        )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"studio for {s.library.root} at http://{shown}:{port}/?token={s.token}")
    uvicorn.run(create_app(s), host=host, port=port, log_level="warning")


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """At most ``arenas`` glibc malloc arenas for the server's threads (what
    ``MALLOC_ARENA_MAX=2`` does): eight concurrent clients rendering previews left the process
    at 423 MB RSS after 60 s with glibc's default (8 per core), 173 MB with two
    (``benchmarks/studio_load.py``). Nothing happens where the C library is not glibc."""
    import ctypes
    import ctypes.util
    import os

    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass
