"""The registry of named encoders: which names exist, the defaults, and ``get_encoder``.

It sits above ``base`` (the protocol) and the encoder modules, so that none of them imports
it back. The transformer and librosa stacks load only when an encoder of theirs is built.
"""

from __future__ import annotations

from chromatic.embed.base import EncoderBase
from chromatic.errors import ChromaticError

TEXT_ENCODERS = ("minilm", "deberta")
AUDIO_ENCODERS = ("mir", "clap")
DEFAULT_TEXT = "minilm"
DEFAULT_AUDIO = "mir"


def get_encoder(name: str, *, modality: str | None = None) -> EncoderBase:
    """Build a named encoder: minilm, deberta (text); mir, clap (audio); or a local model
    folder ("text:/path" / "audio:/path") with the same loaders (tests use tiny random ones)."""
    from chromatic.embed import audio, text

    kind, _, path = name.partition(":")
    if path:
        if kind == "text":
            return text.TransformerTextEncoder(path, name=f"text-local:{path}")
        if kind == "clap":
            return audio.ClapAudioEncoder(path, name=f"clap-local:{path}")
        raise ChromaticError(f"unknown encoder spec {name!r}; expected text:PATH or clap:PATH")
    if name == "minilm":
        return text.minilm()
    if name == "deberta":
        return text.deberta()
    if name == "mir":
        return audio.MirAudioEncoder()
    if name == "clap":
        return audio.clap()
    choices = (
        TEXT_ENCODERS
        if modality == "text"
        else AUDIO_ENCODERS
        if modality == "audio"
        else TEXT_ENCODERS + AUDIO_ENCODERS
    )
    raise ChromaticError(f"unknown encoder {name!r}; expected one of {', '.join(choices)}")
