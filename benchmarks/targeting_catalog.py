"""The targeting benchmark's two-color catalogs (issue #31), from music21's corpus (offline):
major -> Red, minor -> Blue.

- ``essen``: Essen folk tunes (one line each; ``essen_corpus.essen_tunes``).
- ``chorales``: Bach chorales (four parts: harmony). The mode is music21's key analysis of the
  whole chorale (``analyze("key")``, as for the Essen tunes), not the file's key signature,
  which names no mode.
- ``both``: half of each (rounded up for the chorales) a color.

``catalog_tunes(corpus, n)`` gives ``n`` works a color as (name, symusic Score, "major" or
"minor"), the majors first; the chorales are drawn in a seeded order and their MIDI and mode are
cached by name in the benchmarks' cache (``essen_corpus.corpus_midi``).
"""

from __future__ import annotations

import numpy as np
from symusic import Score

from essen_corpus import corpus_midi as chorale
from essen_corpus import essen_tunes

CORPORA = ("essen", "chorales", "both")


def chorale_tunes(n_per_class: int, seed: int = 0) -> list[tuple[str, Score, str]]:
    """``n_per_class`` major and ``n_per_class`` minor chorales (fewer if the corpus runs out),
    in a seeded order; a chorale music21 cannot parse is skipped."""
    from music21 import corpus

    names = sorted(set(corpus.chorales.Iterator(returnType="filename")))
    got: dict[str, list] = {"major": [], "minor": []}
    for i in np.random.default_rng(seed).permutation(len(names)):
        try:
            s, mode = chorale(names[i])
        except Exception:
            continue
        if mode in got and len(got[mode]) < n_per_class and s.note_num() >= 16:
            got[mode].append((f"chorale-{names[i]}", s, mode))
        if all(len(v) >= n_per_class for v in got.values()):
            break
    return got["major"] + got["minor"]


def catalog_tunes(corpus: str, n_per_class: int) -> list[tuple[str, Score, str]]:
    """The catalog's works, majors first: (name, Score, "major" or "minor")."""
    if corpus == "essen":
        return essen_tunes(n_per_class, "mode")
    if corpus == "chorales":
        return chorale_tunes(n_per_class)
    if corpus != "both":
        raise ValueError(f"corpus: expected one of {', '.join(CORPORA)}, got {corpus!r}")
    bach = chorale_tunes((n_per_class + 1) // 2)
    folk = essen_tunes(n_per_class // 2, "mode")
    return [t for mode in ("major", "minor") for t in bach + folk if t[2] == mode]
