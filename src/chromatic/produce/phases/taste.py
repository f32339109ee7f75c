"""The taste term of the composite: the artist's learned preference (``chromatic taste train``)
scored on each candidate's MIDI, beside theory and the chromatic match.

Loaded lazily like the scorer, so production never needs onnxruntime without ``--taste``. A
taste folder without a model for this phase (too few decisions there when it was trained)
leaves the phase's composite as it was and says so in one line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache

from chromatic.errors import ChromaticError, ProduceError


def load_taste(path: str | os.PathLike):
    """``chromatic.scoring.taste.TasteModel.load(path)``, or a ProduceError saying why not."""
    from chromatic.scoring.taste import TasteModel

    try:
        return TasteModel.load(path)
    except ChromaticError:
        raise
    except Exception as e:
        raise ProduceError(f"cannot load the taste model: {e}", path=path) from None


@lru_cache(maxsize=4)
def cached_taste(path: str):
    """``load_taste`` once per path in a process (compose runs every phase of every branch)."""
    return load_taste(path)


def taste_scores(
    taste, phase: str, midi: Mapping[object, object], key: str, notes: list[str]
) -> dict[object, float]:
    """Taste in [0, 1] by candidate key (each candidate its Song, or MIDI bytes), or {} (with a
    note) when the model has no ``phase``."""
    if taste is None:
        return {}
    if not taste.has(phase):
        notes.append(
            f"taste model {taste.path} has no {phase} model (too few {phase} decisions): "
            "composite without taste"
        )
        return {}
    keys = list(midi)
    values = taste.score(phase, [(midi[k], key) for k in keys])
    return {k: float(v) for k, v in zip(keys, values, strict=True)}


def taste_facts(taste, weight: float) -> dict | None:
    """What review.yml records about the taste term (None without one)."""
    if taste is None:
        return None
    return {"model": str(taste.path), "weight": float(weight)}
