"""The encoder protocol and the registry of named encoders.

An encoder declares its ``name``, ``dim`` and ``version``; its ``id`` ("name@version") keys the
embedding cache and is recorded in trained and exported models, so a model is never fed
vectors from another encoder than the one it was trained with. Model input sizes come from
``dim``, never from constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from chromatic.errors import ChromaticError


class EncoderUnavailable(ChromaticError):
    """An encoder whose weights or libraries are not installed here."""


@runtime_checkable
class Encoder(Protocol):
    name: str
    dim: int
    version: str
    modality: str  # "text" | "audio"

    @property
    def id(self) -> str: ...

    def encode(self, batch: Sequence) -> np.ndarray:
        """A float32 array of shape (len(batch), dim)."""
        ...


class EncoderBase:
    name = "base"
    dim = 0
    version = "0"
    modality = ""

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def describe(self) -> dict:
        return {"name": self.name, "id": self.id, "dim": self.dim, "version": self.version, "modality": self.modality}


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
    choices = TEXT_ENCODERS if modality == "text" else AUDIO_ENCODERS if modality == "audio" else TEXT_ENCODERS + AUDIO_ENCODERS
    raise ChromaticError(f"unknown encoder {name!r}; expected one of {', '.join(choices)}")
