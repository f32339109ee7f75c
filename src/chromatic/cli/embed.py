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
) -> None:
    """Concept, lyric and audio embeddings per segment (cached by content hash, resumable)."""
    from chromatic.embed.run import embed_segments

    res = embed_segments(
        data, text_encoder=text_encoder, audio_encoder=audio_encoder, batch_size=batch_size
    )
    typer.echo(
        f"wrote {res.path}: {res.rows} rows; text {res.text_encoder['id']} ({res.text_encoder['dim']}-d): "
        f"{res.encoded['text']} encoded, {res.cached['text']} cached; audio {res.audio_encoder['id']} "
        f"({res.audio_encoder['dim']}-d): {res.encoded['audio']} encoded, {res.cached['audio']} cached; "
        f"{res.instrumental} instrumental rows (no lyric embedding), {res.without_audio} rows without audio"
    )
