""" "Why this score" in the studio: the occlusion picture of a candidate's chromatic match.

Only with ``chromatic studio DIR --model MODEL``: the picture is made by
``chromatic.scoring.explain`` (the same as ``chromatic explain``) against the song's color and
concept, and cached under ``<folder>/.studio/explain/`` by the MIDI's and the model's content
hash, so a candidate is explained once per model.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from chromatic.produce.folder import ProductionFolder
from chromatic.studio.audio import context_of
from chromatic.studio.errors import NotFound

CACHE_DIR = ".studio/explain"
_LOCK = threading.Lock()


class Explainer:
    """The studio's fitness model, loaded on first use (the page works without one)."""

    def __init__(self, model: str | Path | None):
        self.model = Path(model) if model else None
        self._scorer = None
        self._digest = ""

    @property
    def available(self) -> bool:
        return self.model is not None

    def scorer(self):
        if self.model is None:
            raise NotFound("no model: start the studio with --model MODEL to explain scores")
        if self._scorer is None:
            from chromatic.scoring import ChromaticScorer

            self._scorer = ChromaticScorer.load(self.model)
            onnx = Path(self._scorer.path) if hasattr(self._scorer, "path") else self.model
            data = onnx.read_bytes() if onnx.is_file() else str(onnx).encode()
            self._digest = hashlib.sha256(data).hexdigest()[:16]
        return self._scorer

    def picture(self, folder: ProductionFolder, phase: str, cid: str) -> Path:
        """The PNG for one candidate (made once, then read from the cache)."""
        from chromatic.scoring.explain import occlude, save_png

        ctx = context_of(folder, phase, cid)
        proposal = folder.proposal()
        with _LOCK:  # one model, one occlusion at a time
            scorer = self.scorer()
            data = ctx.candidate.read_bytes()
            key = hashlib.sha256(data + self._digest.encode()).hexdigest()[:24]
            out = folder.path(CACHE_DIR, f"{key}.png")  # checked now: no link on the way
            if not out.is_file():
                occ = occlude(scorer, data, color=proposal.color.name, concept=proposal.concept)
                save_png(
                    occ,
                    out,
                    title=f"{cid} vs {proposal.color.name}: match {occ.base:.3f} "
                    "(red raises it, blue lowers it)",
                )
        return out
