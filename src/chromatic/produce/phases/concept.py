"""The proposal's concept embedding, cached on disk, and a scorer that uses it.

Every candidate of a compose run is scored against one concept text, so the text encoder runs
once per run; but building it (torch, transformers, the MiniLM weights) costs about 10 s, most of
a compose run. The vector it gives is therefore kept, as the exact float32 values the encoder
returned, keyed by the model's text-encoder id and the text's SHA-256, in two places:

- the production folder (``.chromatic-cache/concept/``): a rerun, ``compose`` gate by gate and
  the studio reuse it;
- the user's cache (``$CHROMATIC_CACHE``, else ``$XDG_CACHE_HOME/chromatic``, else
  ``~/.cache/chromatic``; ``CHROMATIC_CACHE=off`` turns it off): the same proposal composed into
  another folder, or with another seed.

A cached vector gives the same scores, byte for byte, as encoding the text again. A file that
does not hold a vector of the model's size is ignored (and rewritten). Encoders built from a
local folder (``text:/path``, the tests' tiny random models) are not cached: their id does not
pin their weights.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from chromatic.fileio import user_cache as cache_folder
from chromatic.fileio import write_bytes_atomic

FOLDER_CACHE = ".chromatic-cache/concept"


def user_cache() -> Path | None:
    """The user-level cache folder for concept vectors, or None when turned off."""
    return cache_folder("concept")


def text_encoder_id(scorer: object) -> tuple[str, int] | None:
    """(id, dimension) of the scorer's text encoder as its model declares them; None when the
    scorer does not say, or the encoder is a local folder whose id does not pin its weights."""
    meta = getattr(scorer, "meta", None)
    dim = getattr(scorer, "text_dim", None)
    try:
        enc = meta["encoders"]["text_encoder"]  # type: ignore[index]
        ident, name = str(enc["id"]), str(enc.get("name", ""))
    except (KeyError, TypeError):
        return None
    if not isinstance(dim, int) or "local:" in name or "local:" in ident:
        return None
    return ident, dim


def _key(encoder_id: str, text: str) -> str:
    return hashlib.sha256(f"{encoder_id}\n{text}".encode()).hexdigest()


def _read(path: Path, dim: int) -> np.ndarray | None:
    try:
        vec = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    ok = vec.shape == (dim,) and vec.dtype == np.float32 and np.isfinite(vec).all()
    return vec if ok else None


def _write(path: Path, vec: np.ndarray) -> None:
    buf = io.BytesIO()
    np.save(buf, vec, allow_pickle=False)
    with contextlib.suppress(OSError):  # a read-only cache only costs the next run the encoder
        write_bytes_atomic(path, buf.getvalue())


def concept_vector(scorer: object, text: str, folder: Path | None) -> np.ndarray | None:
    """The concept's embedding by the scorer's own text encoder: from the folder's or the
    user's cache, else encoded now (``scorer.embed_text``) and written to both. None when the
    scorer cannot embed text or its encoder is not cacheable (it then embeds as before)."""
    ident = text_encoder_id(scorer)
    embed = getattr(scorer, "embed_text", None)
    if not text or ident is None or not callable(embed):
        return None
    key = _key(ident[0], text)
    places = [p for p in (folder / FOLDER_CACHE if folder else None, user_cache()) if p]
    found = None
    for place in places:
        found = _read(place / f"{key}.npy", ident[1])
        if found is not None:
            break
    vec = found if found is not None else np.asarray(embed(text), dtype=np.float32)
    for place in places:
        if _read(place / f"{key}.npy", ident[1]) is None:
            _write(place / f"{key}.npy", vec)
    return vec


class ConceptScorer:
    """A scorer that is handed the concept's vector instead of its text (the scorer takes
    either; see ``ChromaticScorer.embed_text``), so the text encoder is never built for it."""

    def __init__(self, scorer, text: str, vector: np.ndarray):
        self.scorer, self.text, self.vector = scorer, text, vector

    def score_batch(self, candidates: Sequence, *, color: str, concept=None) -> list[dict]:
        if isinstance(concept, str) and concept == self.text:
            concept = self.vector
        return self.scorer.score_batch(candidates, color=color, concept=concept)

    def __getattr__(self, name: str):
        return getattr(self.scorer, name)
