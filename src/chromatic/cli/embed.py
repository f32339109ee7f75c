"""``chromatic embed``."""

from __future__ import annotations

from pathlib import Path

import typer


def embed(
    data: Path = typer.Option(
        ..., "--data", help="Data folder holding segments.parquet and media/."
    ),
    text_encoder: str = typer.Option(
        "minilm", "--text-encoder", help="minilm (offline default), deberta, or text:PATH."
    ),
    audio_encoder: str = typer.Option(
        "mir", "--audio-encoder", help="mir (offline default), clap, or clap:PATH."
    ),
    batch_size: int = typer.Option(32, "--batch-size", help="Items per encoder call."),
    ray: str = typer.Option(
        None,
        "--ray",
        metavar="[ADDRESS]",
        help="Encode on Ray actors holding the encoders (one GPU each when the cluster has "
        "GPUs): a local cluster on 127.0.0.1 (bare --ray), or the cluster at ADDRESS.",
    ),
    workers: int = typer.Option(
        0, "--workers", min=0, help="With --ray: encoder actors (default: one per GPU, else CPU)."
    ),
) -> None:
    """Concept, lyric and audio embeddings per segment (cached by content hash, resumable)."""
    from chromatic.embed.run import embed_segments

    res = embed_segments(
        data,
        text_encoder=text_encoder,
        audio_encoder=audio_encoder,
        batch_size=batch_size,
        ray=ray,
        workers=workers or None,
    )
    typer.echo(
        f"wrote {res.path}: {res.rows} rows; text {res.text_encoder['id']} ({res.text_encoder['dim']}-d): "
        f"{res.encoded['text']} encoded, {res.cached['text']} cached; audio {res.audio_encoder['id']} "
        f"({res.audio_encoder['dim']}-d): {res.encoded['audio']} encoded, {res.cached['audio']} cached; "
        f"{res.instrumental} instrumental rows (no lyric embedding), {res.without_audio} rows without audio"
    )
