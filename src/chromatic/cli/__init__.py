"""The ``chromatic`` command line: thin Typer commands that parse, call one function, print.

Heavy libraries are imported inside the commands, so ``chromatic --help`` stays instant.
Errors a user can act on (``ChromaticError``, usage errors) are printed as one line, exit code 1;
never a traceback (``main``).
"""

from __future__ import annotations

import sys

import typer

from chromatic.cli import catalog as _catalog
from chromatic.cli import chain as _chain
from chromatic.cli import compose as _compose
from chromatic.cli import dataset as _dataset
from chromatic.cli import embed as _embed
from chromatic.cli import evaluate as _evaluate
from chromatic.cli import produce as _produce
from chromatic.cli import runs as _runs
from chromatic.cli import score as _score
from chromatic.cli import segments as _segments
from chromatic.cli import studio as _studio
from chromatic.cli import style as _style
from chromatic.cli import taste as _taste
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
app.add_typer(_runs.app, name="runs")
app.command("promote")(_produce.promote)
app.command("embed")(_embed.embed)
app.command("train")(_train.train)
app.command("evaluate")(_evaluate.evaluate)
app.command("export")(_score.export)
app.command("score")(_score.score)
app.command("plan")(_compose.plan)
app.command("assemble")(_compose.assemble)
app.command("compose")(_compose.compose)
app.command("style")(_style.style)
app.command("studio")(_studio.studio)
app.add_typer(_taste.app, name="taste")
app.command("explain")(_taste.explain)


@app.command()
def version() -> None:
    """Print the package version."""
    from chromatic import __version__

    typer.echo(__version__)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _command_of(ctx) -> str:
    """'chromatic produce chords' from a click context (whatever the program was called)."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(["chromatic", *reversed(names)])


def _bare_ray(argv: list[str]) -> list[str]:
    """``--ray`` given without an address means a local cluster (``--ray local``)."""
    out = list(argv)
    for i, a in enumerate(out):
        if a == "--ray" and (i + 1 == len(out) or out[i + 1].startswith("-")):
            out.insert(i + 1, "local")
            break
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the command line. Every failure a user can act on is one line on stderr and exit 1:
    a ``ChromaticError``, a usage error (unknown option, a value refused at the option), a file
    the system refused (``OSError``), undecodable bytes, running out of memory. Anything else is
    a bug: one line and exit 70, and ``CHROMATIC_DEBUG=1`` re-raises it with its traceback."""
    import os

    from chromatic.errors import ChromaticError

    argv = _bare_ray(sys.argv[1:] if argv is None else list(argv))
    try:
        rv = app(args=argv, standalone_mode=False)
    except ChromaticError as e:
        typer.secho(f"error: {_one_line(e)}", err=True, fg="red")
        return 1
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        typer.secho("aborted", err=True, fg="red")
        return 130
    except KeyboardInterrupt:
        typer.secho("interrupted", err=True, fg="red")
        return 130
    except Exception as e:
        # usage errors (typer's bundled click): one line naming the command, exit 1
        if hasattr(e, "format_message") and isinstance(getattr(e, "exit_code", None), int):
            if type(e).__name__ == "NoArgsIsHelpError":  # a bare group: its help, as before
                e.show()
                return e.exit_code
            ctx = getattr(e, "ctx", None)
            where = f" (see '{_command_of(ctx)} --help')" if ctx is not None else ""
            typer.secho(f"error: {_one_line(e.format_message())}{where}", err=True, fg="red")
            return 1
        if os.environ.get("CHROMATIC_DEBUG"):
            raise
        if isinstance(e, OSError):  # the system refused a file: its name, the action, why
            from chromatic.errors import describe_os_error

            typer.secho(f"error: {_one_line(describe_os_error(e))}", err=True, fg="red")
            return 1
        if isinstance(e, (UnicodeError, MemoryError)):  # undecodable bytes, no memory
            typer.secho(f"error: {_one_line(e) or type(e).__name__}", err=True, fg="red")
            return 1
        typer.secho(
            f"error: internal error, please report it: {type(e).__name__}: {_one_line(e)} "
            "(CHROMATIC_DEBUG=1 shows the traceback)",
            err=True,
            fg="red",
        )
        return 70
    return rv if isinstance(rv, int) else 0


def run() -> None:  # pragma: no cover - console-script shim
    sys.exit(main())
