"""``chromatic chain shrinkwrap|feedback``: tidy concept-agent threads and feed diversity back."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(
    help="Shrinkwrap concept-agent threads and compute diversity feedback.", no_args_is_help=True
)

_STYLE = {"written": "green", "updated": "cyan", "unchanged": "dim", "skipped": "yellow"}


@app.command()
def shrinkwrap(
    chain_dir: Path = typer.Argument(
        ..., help="chain_artifacts folder with one <thread-uuid>/ folder per thread."
    ),
    out: Path = typer.Option(
        ..., "--out", help="Folder for <color>-<title>/ thread folders and index.yml."
    ),
    archive: bool = typer.Option(
        False,
        "--archive",
        help="Copy dropped intermediates to <thread>/.debug/ instead of leaving them out.",
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Do not list the notes (unparsed values, color warnings)."
    ),
) -> None:
    """Keep each thread's final proposal and the files worth keeping; write index.yml. Idempotent."""
    from rich.markup import escape

    from chromatic.chain.shrinkwrap import shrinkwrap as run
    from chromatic.cli.console import make_console

    console = make_console(highlight=False)
    result = run(chain_dir, out, archive=archive)
    for t in result.threads:
        style = _STYLE.get(t.status, "")
        if t.status == "skipped":
            console.print(
                f"[{style}]skipped[/{style}] {escape(t.thread_id)}: {escape(str(t.reason))}"
            )
            continue
        console.print(
            f"[{style}]{t.status:9}[/{style}] {t.dir_name}  ({t.kept} kept, {t.dropped} dropped)",
            soft_wrap=True,
        )
        if not quiet:
            for note in t.notes:
                console.print(f"          [yellow]note[/yellow] {escape(note)}", soft_wrap=True)
    for name in result.removed:
        console.print(f"[cyan]removed  [/cyan] {name} (the thread moved to its new title)")
    console.print(
        f"{len(result.threads) - result.count('skipped')} thread(s) into {out}: {result.count('written')} written, "
        f"{result.count('updated')} updated, {result.count('unchanged')} unchanged, {result.count('skipped')} skipped; "
        f"index.yml {'written' if result.index_changed else 'unchanged'} ({result.indexed} threads)",
        soft_wrap=True,
    )


def _constraints_file(out: Path | None) -> Path | None:
    """``--out FOLDER`` -> FOLDER/negative_constraints.yml; the old ``--out FILE.yml`` still
    works for one release, with a deprecation warning."""
    from chromatic.chain.constraints import DEFAULT_NAME

    if out is None:
        return None
    if out.suffix.lower() not in (".yml", ".yaml"):
        return out / DEFAULT_NAME
    typer.secho(
        f"warning: 'chain feedback --out FILE.yml' is deprecated and goes in the next release; "
        f"--out is the folder written to: use --out {out.parent}"
        + ("" if out.name == DEFAULT_NAME else f" (the file is then named {DEFAULT_NAME})"),
        err=True,
        fg="yellow",
    )
    return out


@app.command()
def feedback(
    folder: Path = typer.Argument(..., help="Shrinkwrapped folder (output of 'chain shrinkwrap')."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for negative_constraints.yml (and .md); default: FOLDER. Deprecated for "
        "one release: a path ending in .yml/.yaml is the old constraints file itself.",
    ),
    markdown: bool = typer.Option(
        False, "--markdown", help="Also write the Markdown block beside it (.md) and print it."
    ),
) -> None:
    """Key/BPM/phrase diversity of the threads and the rules that follow; keeps the manual: section."""
    from chromatic.chain.constraints import write_feedback
    from chromatic.cli.console import make_console

    result = write_feedback(folder, _constraints_file(out), markdown=markdown)
    d = result.diversity
    console = make_console(stderr=markdown, highlight=False)
    keys = ", ".join(f"{k} {n}" for k, n in d.key_counts.items())
    console.print(
        f"{d.thread_count} threads; keys: {keys}; entropy {d.key_entropy_bits:.2f} bits",
        soft_wrap=True,
    )
    if d.bpm_mean is not None:
        console.print(f"BPM mean {d.bpm_mean:.2f}, std {d.bpm_std:.2f} (population)")
    console.print(
        f"{len(result.rules.avoid_phrases)} phrase(s) to avoid, {len(result.rules.exclude_titles)} prior title(s) excluded"
    )
    for w in d.warnings:
        console.print(f"[yellow]warning[/yellow] {w}", soft_wrap=True)
    console.print(f"{result.path} {'written' if result.changed else 'unchanged'}")
    if markdown:
        console.print(f"{result.markdown_path} written")
        typer.echo(result.markdown, nl=False)
