"""``chromatic dataset export``."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Export the built segments as a Hugging Face dataset.", no_args_is_help=True)


@app.command()
def export(
    data: Path = typer.Option(
        ..., "--data", help="Data folder holding tracks.parquet, segments.parquet and media/."
    ),
    out: Path = typer.Option(
        ..., "--out", help="Folder for the dataset (one folder per config + README.md)."
    ),
    push: str = typer.Option(
        "", "--push", help="Also upload to this Hugging Face dataset repo (e.g. user/chromatic)."
    ),
    public: bool = typer.Option(
        False, "--public", help="With --push: create the repo public (default: private)."
    ),
    preview_per_color: int = typer.Option(
        20, "--preview-per-color", help="Audio segments per color in the preview config."
    ),
    val_fraction: float = typer.Option(
        0.25, "--val-fraction", help="Songs per color in the validation split (as `train`)."
    ),
    seed: int = typer.Option(
        0, "--seed", min=0, max=2**32 - 1, help="Seed of the song split (as `train`)."
    ),
) -> None:
    """Write configs base_manifest, training_segments, training_full, preview (each with the
    song-grouped train and validation splits of training) and a dataset card."""
    from rich.table import Table

    from chromatic.cli.console import make_console, working
    from chromatic.dataset.card import human_size
    from chromatic.dataset.export import export_dataset
    from chromatic.dataset.hub import hub_preflight, push_dataset

    if push:
        hub_preflight()  # fail before the (long) export, not after it
    with working(f"exporting the dataset to {out} (4 configs, audio included)"):
        result = export_dataset(
            data,
            out,
            preview_per_color=preview_per_color,
            repo=push or None,
            val_fraction=val_fraction,
            seed=seed,
        )
    table = Table(title=f"{out}")
    for name, justify in (
        ("config", "left"),
        ("rows", "right"),
        ("train", "right"),
        ("validation", "right"),
        ("files", "right"),
        ("size", "right"),
    ):
        table.add_column(name, justify=justify)
    for c in result.configs:
        n = dict(c.splits)
        table.add_row(
            c.name,
            str(c.rows),
            str(n.get("train", 0)),
            str(n.get("validation", 0)),
            str(c.files),
            human_size(c.bytes),
        )
    console = make_console()
    console.print(table)
    console.print(f"dataset card: {result.card}")
    if push:
        with working(f"uploading to {push}"):
            url = push_dataset(out, push, private=not public)
        console.print(f"pushed to {url}")


@app.command("import")
def import_(
    source: str = typer.Argument(
        ...,
        help="Folder holding the published dataset (its Hub layout or the original training/data "
        "files), or hf://OWNER/NAME to fetch it when the network allows.",
    ),
    data: Path = typer.Option(..., "--data", help="Data folder to write segments and media into."),
    revision: str = typer.Option("v0.2.0", "--revision", help="With hf://: the tag to fetch."),
    metadata_only: bool = typer.Option(
        False, "--metadata-only", help="Import the rows without the media file (no audio, no MIDI)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace segments already in DATA."),
) -> None:
    """Import the artist's published dataset (earthlyframes/white-training-data, v0.2.0) as
    DATA/segments.parquet and DATA/media/, ready for `chromatic embed` and `chromatic train`."""
    from rich.table import Table

    from chromatic.cli.console import make_console
    from chromatic.dataset.published import import_published
    from chromatic.dataset.published_layout import download

    folder: Path | str = source
    if source.startswith("hf://"):
        folder = download(
            source.removeprefix("hf://"),
            revision,
            data / "published" / "download",
            media=not metadata_only,
        )
    res = import_published(folder, data, metadata_only=metadata_only, overwrite=overwrite)
    from chromatic.dataset.published_layout import CARD_COLORS, card_comparison

    table = Table(title=f"imported {res.rows} segments of {res.songs} songs into {data}")
    for name in (
        "color",
        "segments",
        "audio %",
        "MIDI %",
        "text %",
        "card (seg, audio, MIDI, text)",
    ):
        table.add_column(name, justify="left" if name == "color" else "right")
    for color, c in res.coverage.items():
        card = CARD_COLORS.get(color)
        table.add_row(
            color,
            str(c["segments"]),
            f"{c['audio']:.1f}",
            f"{c['midi']:.1f}",
            f"{c['text']:.1f}",
            f"{card[0]:,}, {card[1]:.1f}, {card[2]:.1f}, {card[3]:.1f}" if card else "-",
        )
    console = make_console()
    console.print(table)
    n = max(res.rows, 1)
    audio, midi = 100 * res.with_audio / n, 100 * res.with_midi / n
    console.print(
        f"audio {audio:.1f} %, MIDI {midi:.1f} % of rows; "
        f"{len(res.problems)} problem(s) in {data / 'import_report.json'}"
    )
    console.print(card_comparison(res.rows, audio, midi, media=not metadata_only))
