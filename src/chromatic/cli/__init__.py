"""The ``chromatic`` command line: thin Typer commands that parse, call one function, print.

Heavy libraries are imported inside the commands, so ``chromatic --help`` stays instant.
Errors a user can act on (``ChromaticError``) are printed as one line, exit code 1.
"""

from __future__ import annotations

import sys

import typer

from chromatic.cli import catalog as _catalog
from chromatic.cli import chain as _chain
from chromatic.cli import compose as _compose
from chromatic.cli import dataset as _dataset
from chromatic.cli import embed as _embed
from chromatic.cli import produce as _produce
from chromatic.cli import score as _score
from chromatic.cli import segments as _segments
from chromatic.cli import train as _train
from chromatic.cli import verify as _verify

app = typer.Typer(
    name="chromatic",
    help="Train the chromatic fitness model on a catalog and compose songs with it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(_catalog.app, name="catalog")
app.add_typer(_chain.app, name="chain")
app.add_typer(_dataset.app, name="dataset")
app.command("verify")(_verify.verify)
app.add_typer(_segments.app, name="segments")
app.add_typer(_produce.app, name="produce")
app.command("promote")(_produce.promote)
app.command("embed")(_embed.embed)
app.command("train")(_train.train)
app.command("export")(_score.export)
app.command("score")(_score.score)
app.command("plan")(_compose.plan)
app.command("assemble")(_compose.assemble)
app.command("compose")(_compose.compose)


@app.command()
def version() -> None:
    """Print the package version."""
    from chromatic import __version__

    typer.echo(__version__)


def main(argv: list[str] | None = None) -> int:
    from chromatic.errors import ChromaticError

    try:
        rv = app(args=argv, standalone_mode=False)
    except ChromaticError as e:
        typer.secho(f"error: {e}", err=True, fg="red")
        return 1
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        typer.secho("aborted", err=True, fg="red")
        return 130
    except KeyboardInterrupt:
        typer.secho("interrupted", err=True, fg="red")
        return 130
    except Exception as e:  # usage errors (typer's bundled click) carry their own exit code
        if hasattr(e, "show") and isinstance(getattr(e, "exit_code", None), int):
            e.show()
            return e.exit_code
        raise
    return rv if isinstance(rv, int) else 0


def run() -> None:  # pragma: no cover - console-script shim
    sys.exit(main())
