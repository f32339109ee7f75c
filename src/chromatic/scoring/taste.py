"""The taste scorer: a taste folder (``chromatic taste train``) loaded for onnxruntime, beside
the chromatic scorer. ``score(phase, items)`` gives each candidate the probability that the
artist would prefer it over the average candidate the model was trained on."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chromatic.errors import TasteError
from chromatic.scoring.taste_features import FEATURE_NAMES, N_FEATURES, feature_matrix

META_FILE = "taste.json"
FORMAT = "chromatic-taste/1"


@dataclass
class TasteModel:
    """A loaded taste folder: ``score(phase, items)`` for (MIDI bytes, key) pairs."""

    path: Path
    meta: dict
    sessions: dict

    @classmethod
    def load(cls, path: str | os.PathLike) -> TasteModel:
        import onnxruntime as ort

        folder = Path(path)
        meta_path = folder / META_FILE
        if not meta_path.is_file():
            raise TasteError(
                f"{folder}: {META_FILE} not found (expected a folder from 'chromatic taste train')"
            )
        meta = json.loads(meta_path.read_text())
        if meta.get("format") != FORMAT or meta.get("features") != list(FEATURE_NAMES):
            raise TasteError(
                f"{meta_path}: format {meta.get('format')!r} with {len(meta.get('features', []))} features; "
                f"expected {FORMAT} with this version's {N_FEATURES}: retrain with 'chromatic taste train'"
            )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        sessions = {}
        for phase, info in meta["phases"].items():
            onnx_path = folder / Path(info["file"]).name  # a name, never a path out of the folder
            sessions[phase] = ort.InferenceSession(
                str(onnx_path), opts, providers=["CPUExecutionProvider"]
            )
        return cls(folder, meta, sessions)

    def has(self, phase: str) -> bool:
        return phase in self.sessions

    def score_features(self, phase: str, x: np.ndarray) -> np.ndarray:
        out = self.sessions[phase].run(["taste"], {"features": x.astype(np.float32)})[0]
        return np.asarray(out, dtype=np.float64)

    def score(self, phase: str, items: list[tuple[object, str]]) -> np.ndarray:
        """Taste in [0, 1] per (MIDI bytes or ``music.song.Song``, key) of ``phase``."""
        if not items:
            return np.zeros(0)
        return self.score_features(phase, feature_matrix(items))
