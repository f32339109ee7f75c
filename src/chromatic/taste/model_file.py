"""The exported taste model: one small ONNX graph per phase plus ``taste.json``.

Each graph maps the taste features [N, F] to a score [N]: ``sigmoid(w · (x - mean) / scale)``,
the probability that the candidate would be preferred over the average candidate it was
trained on (the Bradley-Terry score's logistic), so it sits in [0, 1] beside the theory score
and the chromatic match. The graph is built with onnx.helper — a standardise, a MatMul and a
Sigmoid need no training framework — and carries its own metadata (feature names, phase,
version, metrics) in ``metadata_props``, so plain onnxruntime users can read it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chromatic import __version__
from chromatic.fileio import write_bytes_atomic, write_text_atomic
from chromatic.taste.collect import TasteError
from chromatic.taste.features import FEATURE_NAMES, N_FEATURES, feature_matrix
from chromatic.taste.learn import LinearTaste

META_FILE = "taste.json"
FORMAT = "chromatic-taste/1"


def graph_bytes(model: LinearTaste, phase: str, metrics: dict) -> bytes:
    """The ONNX model of one phase's taste score."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits = [
        numpy_helper.from_array(model.mean.reshape(1, -1).astype(np.float32), "mean"),
        numpy_helper.from_array(model.scale.reshape(1, -1).astype(np.float32), "scale"),
        numpy_helper.from_array(model.weights.reshape(-1, 1).astype(np.float32), "weights"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "flat"),
    ]
    nodes = [
        helper.make_node("Sub", ["features", "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "scale"], ["z"]),
        helper.make_node("MatMul", ["z", "weights"], ["logit2d"]),
        helper.make_node("Reshape", ["logit2d", "flat"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["taste"]),
    ]
    graph = helper.make_graph(
        nodes,
        f"taste_{phase}",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", N_FEATURES])],
        [
            helper.make_tensor_value_info("taste", TensorProto.FLOAT, ["N"]),
            helper.make_tensor_value_info("logit", TensorProto.FLOAT, ["N"]),
        ],
        inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    m.producer_name, m.producer_version = "chromatic", __version__
    m.model_version = 1
    m.doc_string = (
        f"chromatic taste model for the {phase} phase: P(preferred over the average candidate)"
    )
    props = {
        "format": FORMAT,
        "phase": phase,
        "features": json.dumps(list(FEATURE_NAMES)),
        "metrics": json.dumps(metrics, default=float),
        "package_version": __version__,
    }
    helper.set_model_props(m, props)
    onnx.checker.check_model(m)
    return m.SerializeToString()


def save(out: str | os.PathLike, models: dict[str, tuple[LinearTaste, dict]], meta: dict) -> Path:
    """``out/<phase>.onnx`` per phase and ``out/taste.json`` (written last: a folder with a
    taste.json is complete)."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    phases = {}
    for phase, (model, metrics) in models.items():
        write_bytes_atomic(folder / f"{phase}.onnx", graph_bytes(model, phase, metrics))
        phases[phase] = {"file": f"{phase}.onnx", "c": model.c, "metrics": metrics}
    doc = {
        "format": FORMAT,
        "version": __version__,
        "features": list(FEATURE_NAMES),
        "phases": phases,
        **meta,
    }
    write_text_atomic(folder / META_FILE, json.dumps(doc, indent=2, default=float))
    return folder


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

    def score(self, phase: str, items: list[tuple[bytes, str]]) -> np.ndarray:
        """Taste in [0, 1] per (MIDI bytes, key) of ``phase``."""
        if not items:
            return np.zeros(0)
        return self.score_features(phase, feature_matrix(items))
