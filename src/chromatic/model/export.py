"""``chromatic export``: a trained run -> ``MODEL.onnx`` + ``MODEL.json``.

The ONNX graph has named inputs (``audio``, ``audio_mask``, ``roll``, ``midi_mask``, ``concept``,
``concept_mask``, ``lyric``, ``lyric_mask``), named outputs (``temporal``, ``spatial``,
``ontological``, ``confidence``) and a dynamic batch axis; its weights are stored inside the
file. The JSON beside it makes the model describe itself: encoder ids and dimensions, taxonomy
version, piano-roll settings, the training data hash, the run's metrics, the package version
and the ONNX file's SHA-256. The scorer refuses a model whose description does not match what
is installed.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import torch

from chromatic import __version__
from chromatic.errors import ChromaticError
from chromatic.fileio import atomic_path, sha256_file, write_text_atomic
from chromatic.model.fusion import AXES, FusionModel
from chromatic.model.train import load_model
from chromatic.scoring.contract import INPUTS, OUTPUTS
from chromatic.taxonomy import TAXONOMY_VERSION

OPSET = 18
FORMAT = 1


class _OnnxWrapper(torch.nn.Module):
    """Positional inputs and a tuple of outputs, the shape torch.export wants."""

    def __init__(self, model: FusionModel):
        super().__init__()
        self.model = model

    def forward(self, audio, audio_mask, roll, midi_mask, concept, concept_mask, lyric, lyric_mask):
        out = self.model(
            audio, audio_mask, roll, midi_mask, concept, concept_mask, lyric, lyric_mask
        )
        return out["temporal"], out["spatial"], out["ontological"], out["confidence"]


def example_inputs(model: FusionModel, batch: int = 2) -> tuple[torch.Tensor, ...]:
    c = model.cfg
    g = torch.Generator().manual_seed(0)
    return (
        torch.randn(batch, c.audio_dim, generator=g),
        torch.ones(batch),
        (torch.rand(batch, c.roll_pitches, c.roll_steps, generator=g) < 0.03).float(),
        torch.ones(batch),
        torch.randn(batch, c.text_dim, generator=g),
        torch.ones(batch),
        torch.randn(batch, c.text_dim, generator=g),
        torch.ones(batch),
    )


def model_paths(out: str | Path) -> tuple[Path, Path]:
    """MODEL -> (MODEL.onnx, MODEL.json); a name ending in .onnx is accepted too."""
    out = Path(out)
    stem = out.with_suffix("") if out.suffix == ".onnx" else out
    return stem.with_name(stem.name + ".onnx"), stem.with_name(stem.name + ".json")


def export_run(run_dir: str | Path, out: str | Path) -> tuple[Path, Path]:
    run = Path(run_dir)
    model, ck = load_model(run)
    onnx_path, json_path = model_paths(out)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    wrapper = _OnnxWrapper(model).eval()
    batch = torch.export.Dim("batch", min=1, max=65536)
    with atomic_path(onnx_path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tmp_onnx = tmp.with_suffix(".onnx")
        try:
            torch.onnx.export(
                wrapper,
                example_inputs(model),
                str(tmp_onnx),
                input_names=list(INPUTS),
                output_names=list(OUTPUTS),
                dynamic_shapes={n: {0: batch} for n in INPUTS},
                dynamo=True,
                opset_version=OPSET,
                external_data=False,
                verbose=False,
            )
        except Exception as e:
            raise ChromaticError(
                f"ONNX export of {run} failed: {type(e).__name__}: {str(e).splitlines()[0]}"
            ) from None
        tmp_onnx.replace(tmp)
    cfg = model.cfg
    meta = {
        "format": FORMAT,
        "chromatic_version": __version__,
        "taxonomy_version": TAXONOMY_VERSION,
        "onnx_file": onnx_path.name,
        "onnx_sha256": sha256_file(onnx_path),
        "opset": OPSET,
        "inputs": {
            "audio": [None, cfg.audio_dim],
            "audio_mask": [None],
            "roll": [None, cfg.roll_pitches, cfg.roll_steps],
            "midi_mask": [None],
            "concept": [None, cfg.text_dim],
            "concept_mask": [None],
            "lyric": [None, cfg.text_dim],
            "lyric_mask": [None],
        },
        "outputs": {a: [None, 3] for a in AXES} | {"confidence": [None]},
        "encoders": cfg.encoders,
        "piano_roll": {
            "pitches": cfg.roll_pitches,
            "steps": cfg.roll_steps,
            "step_seconds": 0.1,
            "include_drums": True,
        },
        "training": {
            "run": str(run.resolve()),
            "data_hash": (ck.get("metrics") or {}).get("data_hash"),
            "metrics": _metrics_summary(ck.get("metrics") or {}),
            "config": cfg.to_dict(),
        },
    }
    write_text_atomic(json_path, json.dumps(meta, indent=2, default=str))
    return onnx_path, json_path


def _metrics_summary(m: dict) -> dict:
    keep = ("split", "rows", "songs", "best_epoch", "validation", "baseline_majority_color")
    return {k: m[k] for k in keep if k in m}


def parity(run_dir: str | Path, onnx_path: str | Path, inputs: tuple[np.ndarray, ...]) -> float:
    """Largest absolute difference between PyTorch and onnxruntime outputs on ``inputs``."""
    import onnxruntime as ort

    model, _ = load_model(run_dir)
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    feeds = {
        n: np.ascontiguousarray(x, dtype=np.float32) for n, x in zip(INPUTS, inputs, strict=True)
    }
    got = sess.run(list(OUTPUTS), feeds)
    with torch.no_grad():
        ref = _OnnxWrapper(model).eval()(*(torch.from_numpy(feeds[n]) for n in INPUTS))
    return max(float(np.abs(g - r.numpy()).max()) for g, r in zip(got, ref, strict=True))
