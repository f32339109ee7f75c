"""Writing the taste model: one small ONNX graph per phase plus ``taste.json`` (read back by
``chromatic.scoring.taste.TasteModel``, beside the chromatic scorer).

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
from pathlib import Path

import numpy as np

from chromatic import __version__
from chromatic.fileio import write_bytes_atomic, write_text_atomic
from chromatic.scoring.taste import FORMAT, META_FILE
from chromatic.scoring.taste_features import FEATURE_NAMES, N_FEATURES
from chromatic.taste.learn import LinearTaste


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
