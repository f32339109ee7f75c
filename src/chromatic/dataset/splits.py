"""The Hub conventions of an exported dataset: named splits and the ``datasets`` Audio feature.

Splits: the song-grouped, color-stratified split that training uses
(``chromatic.model.data.song_split``, with the training defaults), so a user of the Hub dataset
validates on the same songs the project's model never saw. Every config is split by song the
same way: a song is in ``train`` or in ``validation``, in every config.

Audio: a column ``audio`` of Arrow type ``struct<bytes: binary, path: string>`` with the
``huggingface`` schema metadata that makes ``datasets`` read it as ``Audio()`` (the other columns
keep the features ``datasets`` derives from their Arrow types).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from chromatic.model.data import song_split

TRAIN, VALIDATION = "train", "validation"
SPLITS = (TRAIN, VALIDATION)
#: the training defaults (``FusionConfig.val_fraction`` and ``seed``; a test keeps them equal)
VAL_FRACTION = 0.25
SEED = 0

AUDIO_TYPE = pa.struct([pa.field("bytes", pa.binary()), pa.field("path", pa.string())])
AUDIO_FIELD = pa.field("audio", AUDIO_TYPE)
MIDI_FIELD = pa.field("midi", pa.binary())
MEDIA_FIELDS = (AUDIO_FIELD, MIDI_FIELD)
_FEATURES_META = {b"huggingface": json.dumps({"info": {"features": {"audio": {"_type": "Audio"}}}})}


@dataclass(frozen=True)
class SongSplit:
    """Which split each song is in, and how it was drawn."""

    val_songs: frozenset[str]
    train_songs: frozenset[str]
    val_fraction: float
    seed: int
    unvalidated_colors: tuple[str, ...]

    def of(self, song: str) -> str:
        return VALIDATION if song in self.val_songs else TRAIN

    def to_json(self) -> dict:
        return {
            "function": "chromatic.model.data.song_split",
            "val_fraction": self.val_fraction,
            "seed": self.seed,
            "train_songs": sorted(self.train_songs),
            "validation_songs": sorted(self.val_songs),
            "unvalidated_colors": list(self.unvalidated_colors),
        }


def split_songs(
    pairs: Iterable[tuple[str, str]], *, val_fraction: float = VAL_FRACTION, seed: int = SEED
) -> SongSplit:
    """The training split of the (song, color) pairs of the segment rows."""
    pairs = list(pairs)
    songs = np.array([s for s, _ in pairs], dtype=object)
    colors = np.array([c for _, c in pairs], dtype=object)
    s = song_split(songs, colors, val_fraction, seed)
    return SongSplit(
        frozenset(s.val_songs),
        frozenset(s.train_songs),
        val_fraction,
        seed,
        tuple(s.unvalidated_colors),
    )


def with_audio_feature(schema: pa.Schema) -> pa.Schema:
    """``schema`` with the metadata that declares ``audio`` an Audio feature to ``datasets``."""
    return schema.with_metadata({**(schema.metadata or {}), **_FEATURES_META})


def audio_array(segment_ids: list[str], flac: list[bytes | None]) -> pa.Array:
    """The Audio column: FLAC bytes with a file name (``<segment_id>.flac``: ``datasets`` and
    decoders read the format from it), null where the row has no audio."""
    return pa.array(
        [
            {"bytes": b, "path": f"{sid}.flac"} if b is not None else None
            for sid, b in zip(segment_ids, flac, strict=True)
        ],
        AUDIO_TYPE,
    )
