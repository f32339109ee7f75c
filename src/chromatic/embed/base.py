"""The base every encoder builds on (a leaf: the registry of named encoders is
``chromatic.embed.registry``).

An encoder declares its ``name``, ``dim`` and ``version``; its ``id`` ("name@version") keys the
embedding cache and is recorded in trained and exported models, so a model is never fed
vectors from another encoder than the one it was trained with. Model input sizes come from
``dim``, never from constants.
"""

from __future__ import annotations

from chromatic.errors import ChromaticError


class EncoderUnavailable(ChromaticError):
    """An encoder whose weights or libraries are not installed here."""


class EncoderBase:
    name = "base"
    dim = 0
    version = "0"
    modality = ""

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def describe(self) -> dict:
        return {
            "name": self.name,
            "id": self.id,
            "dim": self.dim,
            "version": self.version,
            "modality": self.modality,
        }
