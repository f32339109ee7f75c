"""The fused and cropped scorer graphs kept in the user's cache (``scoring.graph_cache``): the
bytes built without the cache, the same outputs, a fresh process that finds them never imports
onnx, the model's folder untouched, and a half-written entry built again."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from chromatic.scoring import ChromaticScorer
from chromatic.scoring.crop import CroppedSession, cropped_session
from chromatic.scoring.graph import scorer_graph

PROBE = """
import json, sys
import numpy as np
from chromatic.scoring import ChromaticScorer
from chromatic.scoring.crop import CroppedSession, cropped_session
from chromatic.scoring.graph import scorer_graph
model = sys.argv[1]
full = ChromaticScorer.load(model, fuse=True)
crop = cropped_session(full.session, scorer_graph(full.path.with_suffix(".onnx")))
rolls = np.zeros((2, full.roll_config.pitches, full.roll_config.steps), np.float32)
rolls[0, 60:64, 0:40:3] = 0.5
rolls[1, 30:33, 100:160:2] = 0.7
feeds = full._feeds(2, rolls, [None, None], np.load(sys.argv[2]), None)
feeds["midi_features"] = np.load(sys.argv[3])
out = crop.run(full.outputs, feeds)
print(json.dumps({"onnx": "onnx" in sys.modules, "cropped": isinstance(crop, CroppedSession),
                  "out": [o.tolist() for o in out]}))
"""


NPY = ("concept.npy", "features.npy")


def _probe(model, data, tmp_path, cache: str) -> dict:
    from chromatic.model.data import load_dataset

    ds = load_dataset(data)
    np.save(tmp_path / "concept.npy", ds.concept[0])
    np.save(tmp_path / "features.npy", ds.features[np.arange(2) % len(ds)].astype(np.float32))
    env = {**os.environ, "CHROMATIC_CACHE": cache, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(model), *(str(tmp_path / f) for f in NPY)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_process_that_finds_the_graphs_cached_runs_them_without_onnx(
    exported, tmp_path, monkeypatch
):
    _, model, data = exported
    path = model.with_suffix(".onnx")
    folder = sorted(os.listdir(model.parent))
    monkeypatch.setenv("CHROMATIC_CACHE", "off")
    plain = scorer_graph(path)
    cache = tmp_path / "cache"
    monkeypatch.setenv("CHROMATIC_CACHE", str(cache))
    assert scorer_graph(path) == plain  # built, kept
    assert scorer_graph(path) == plain  # read back
    kept = sorted(p.name for p in (cache / "graph").iterdir())
    assert len(kept) == 1 and kept[0].endswith("-fused.onnx")
    first = _probe(model, data, tmp_path, str(cache))  # builds and keeps the cropped graph
    assert first["cropped"] and first["onnx"]
    assert len(list((cache / "graph").iterdir())) == 4
    again = _probe(model, data, tmp_path, str(cache))
    assert again["cropped"] and not again["onnx"]
    off = _probe(model, data, tmp_path, "off")
    assert off["onnx"]
    assert again["out"] == off["out"] == first["out"]  # the same graphs: the same floats
    assert sorted(os.listdir(model.parent)) == folder


def test_a_half_written_entry_is_built_again(exported, tmp_path, monkeypatch):
    _, model, _ = exported
    monkeypatch.setenv("CHROMATIC_CACHE", str(tmp_path))
    full = ChromaticScorer.load(model, fuse=True)
    graph = scorer_graph(model.with_suffix(".onnx"))
    first = cropped_session(full.session, graph)
    meta = next((tmp_path / "graph").glob("*-crop.json"))
    kept = {p.name: p.read_bytes() for p in (tmp_path / "graph").iterdir()}
    for p in (tmp_path / "graph").glob("*-crop*.onnx"):
        p.unlink()
    meta.write_text("[[")  # torn
    second = cropped_session(full.session, graph)
    assert isinstance(first, CroppedSession) and isinstance(second, CroppedSession)
    assert second.cropper.convs == first.cropper.convs
    assert {p.name: p.read_bytes() for p in (tmp_path / "graph").iterdir()} == kept
