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
