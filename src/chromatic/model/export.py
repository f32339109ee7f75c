"""``chromatic export``: a trained run -> ``MODEL.onnx`` + ``MODEL.json``.

The ONNX graph has named inputs (``chromatic.scoring.contract.INPUTS``: each modality and its
mask, then ``midi_features``), named outputs (``temporal``, ``spatial``, ``ontological``,
``confidence`` and the MIDI-only ``midi_<axis>``) and a dynamic batch axis; its weights,
feature standardisation and calibration (temperatures, confidence scaling) are stored inside
the file. The JSON beside it makes the model describe itself: encoder ids and dimensions,
taxonomy version, class order of every output, piano-roll settings, feature spec, the training
data hash, the run's metrics, calibration, sanity figures and gates, the package version and
the ONNX file's SHA-256. The same description (without the hash, which cannot sit inside the
file it hashes) is in the ONNX ``metadata_props`` under ``chromatic``, with producer name and
version and a model version, so the ONNX file describes itself alone. The scorer refuses a
model whose description does not match what is installed.
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
from chromatic.music.pianoroll import roll_config
from chromatic.music.symbolic import feature_spec
from chromatic.scoring.contract import ALL_OUTPUTS, INPUTS, META_KEY
from chromatic.taxonomy import COLORS, MODES, TAXONOMY_VERSION

OPSET = 18
FORMAT = 2
MODEL_VERSION = 2  # the graph's interface version (2: symbolic features, MIDI-only outputs)


class _OnnxWrapper(torch.nn.Module):
    """Positional inputs and a tuple of outputs, the shape torch.export wants."""

    def __init__(self, model: FusionModel):
        super().__init__()
        self.model = model

    def forward(
        self,
        audio,
        audio_mask,
        roll,
        midi_mask,
        concept,
        concept_mask,
        lyric,
        lyric_mask,
        midi_features,
    ):
        out = self.model(
            audio,
            audio_mask,
            roll,
            midi_mask,
            concept,
            concept_mask,
            lyric,
            lyric_mask,
            midi_features,
        )
        return tuple(out[k] for k in ALL_OUTPUTS)


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
        torch.rand(batch, c.feature_dim, generator=g),
    )


def model_paths(out: str | Path) -> tuple[Path, Path]:
    """MODEL -> (MODEL.onnx, MODEL.json); a name ending in .onnx is accepted too."""
    out = Path(out)
    stem = out.with_suffix("") if out.suffix == ".onnx" else out
    return stem.with_name(stem.name + ".onnx"), stem.with_name(stem.name + ".json")


def export_run(
    run_dir: str | Path, out: str | Path, *, data_dir: str | Path | None = None
) -> tuple[Path, Path]:
    """Export RUN to MODEL.onnx + MODEL.json; sanity figures are measured on the run's
    validation songs in ``data_dir`` (default: the data the run trained on, when it exists)."""
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
                output_names=list(ALL_OUTPUTS),
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
    metrics = ck.get("metrics") or {}
    meta = {
        "format": FORMAT,
        "chromatic_version": __version__,
        "taxonomy_version": TAXONOMY_VERSION,
        "onnx_file": onnx_path.name,
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
            "midi_features": [None, cfg.feature_dim],
        },
        "outputs": {a: [None, 3] for a in AXES}
        | {"confidence": [None]}
        | {f"midi_{a}": [None, 3] for a in AXES},
        "class_order": {a: list(MODES[a]) for a in AXES}
        | {f"midi_{a}": list(MODES[a]) for a in AXES},
        "model_version": MODEL_VERSION,
        "encoders": cfg.encoders,
        "piano_roll": {
            **roll_config(cfg.roll_grid).to_dict(),
            "pitches": cfg.roll_pitches,
            "steps": cfg.roll_steps,
        },
        "midi_features": feature_spec(),
        "calibration": getattr(model, "calibration", {"calibrated": False}),
        "colors": {
            "trained": metrics.get("colors") or [c.name for c in COLORS],
            "note": "the scorer's predicted color is among the trained colors",
        },
        "training": {
            "run": str(run.resolve()),
            "data_hash": metrics.get("data_hash"),
            "metrics": _metrics_summary(metrics),
            "config": cfg.to_dict(),
        },
    }
    sanity = measure_sanity(onnx_path, meta, run, data_dir or metrics.get("data_dir"))
    meta["sanity"] = sanity
    meta["gates"] = sanity.get("gates") or {"passed": None, "failed": [], "checked": []}
    embed_metadata(onnx_path, meta)
    meta["onnx_sha256"] = sha256_file(onnx_path)
    write_text_atomic(json_path, json.dumps(meta, indent=2, default=str))
    return onnx_path, json_path


def embed_metadata(onnx_path: Path, meta: dict) -> None:
    """Write ``meta`` into the ONNX file's metadata_props (and producer, model version)."""
    import onnx

    proto = onnx.load(str(onnx_path))
    proto.producer_name = "chromatic"
    proto.producer_version = __version__
    proto.model_version = MODEL_VERSION
    proto.doc_string = "chromatic fitness model: per-axis chromatic mode distributions"
    flat = {k: v for k, v in meta.items() if k not in ("onnx_sha256",)}
    props = {
        META_KEY: json.dumps(flat, default=str, sort_keys=True),
        "taxonomy_version": str(TAXONOMY_VERSION),
        "chromatic_version": __version__,
        "feature_version": meta["midi_features"]["version"],
        "roll_grid": meta["piano_roll"]["grid"],
        "gates_passed": str(meta["gates"].get("passed")),
    }
    del proto.metadata_props[:]
    for k, v in props.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, v
    with atomic_path(onnx_path) as tmp:
        onnx.save(proto, str(tmp))


def measure_sanity(onnx_path: Path, meta: dict, run: Path, data_dir) -> dict:
    """Sanity figures (``chromatic.scoring.sanity``) on the run's validation songs, through
    the exported graph; {"available": False, "why": ...} when the data is not at hand."""
    from chromatic.scoring.sanity import sanity_figures
    from chromatic.scoring.scorer import ChromaticScorer

    if data_dir is None or not Path(data_dir).is_dir():
        return {"available": False, "why": f"training data not found ({data_dir})"}
    split_path = run / "split.json"
    val_songs = (
        json.loads(split_path.read_text()).get("val_songs", []) if split_path.is_file() else []
    )
    scores, colors, songs = heldout_midi(Path(data_dir), val_songs)
    if len(scores) < 4:
        return {"available": False, "why": f"{len(scores)} held-out MIDI segments (need 4)"}
    import onnxruntime as ort

    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    scorer = ChromaticScorer(sess, meta, onnx_path)
    return {
        "available": True,
        "songs_from": "validation split of the run",
        **sanity_figures(scorer, scores, colors, songs),
    }


def heldout_midi(data: Path, songs: list[str]) -> tuple[list, list[str], list[str]]:
    """The MIDI slices (Scores), colors and songs of ``songs``' segments in DATA."""
    import pyarrow.parquet as pq

    from chromatic.music.midi import load_score
    from chromatic.segments.build import SEGMENTS_FILE, read_media

    seg = data / SEGMENTS_FILE
    if not seg.is_file() or not songs:
        return [], [], []
    rows = [
        r
        for r in pq.read_table(
            seg, columns=["segment_id", "song_id", "color", "has_midi"]
        ).to_pylist()
        if r["has_midi"] and r["song_id"] in set(songs)
    ]
    scores, colors, out_songs = [], [], []
    for song in sorted({r["song_id"] for r in rows}):
        ids = [r["segment_id"] for r in rows if r["song_id"] == song]
        media = read_media(data, song, ids)
        for r in (r for r in rows if r["song_id"] == song):
            sc = load_score(media[r["segment_id"]]["midi"], name=r["segment_id"])
            if sc.note_num():
                scores.append(sc)
                colors.append(r["color"])
                out_songs.append(song)
    return scores, colors, out_songs


def _metrics_summary(m: dict) -> dict:
    keep = (
        "split",
        "rows",
        "songs",
        "best_epoch",
        "validation",
        "validation_midi_only",
        "baseline_majority_color",
    )
    return {k: m[k] for k in keep if k in m}


def parity(run_dir: str | Path, onnx_path: str | Path, inputs: tuple[np.ndarray, ...]) -> float:
    """Largest absolute difference between PyTorch and onnxruntime outputs on ``inputs``."""
    import onnxruntime as ort

    model, _ = load_model(run_dir)
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    feeds = {
        n: np.ascontiguousarray(x, dtype=np.float32) for n, x in zip(INPUTS, inputs, strict=True)
    }
    got = sess.run(list(ALL_OUTPUTS), feeds)
    with torch.no_grad():
        ref = _OnnxWrapper(model).eval()(*(torch.from_numpy(feeds[n]) for n in INPUTS))
    return max(float(np.abs(g - r.numpy()).max()) for g, r in zip(got, ref, strict=True))
