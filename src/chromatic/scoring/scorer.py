"""ChromaticScorer: load an exported model, score candidates, rank them by chromatic match.

Ranking is by chromatic match to the target color (``chromatic.scoring.match``: by default
the mean over axes of 1 - Jensen-Shannon distance, defined for every color; ``match="dot"``
is the mean dot product), never by confidence alone (a confident model of the wrong color must
not win). The
confidence multiplies the match (0.5 + 0.5 x confidence) only when the model's metadata says
it was calibrated on a held-out fold. Candidates that carry MIDI are judged by the model's
MIDI-only output (``head="midi"``, the default): every candidate of one proposal shares its
concept, so the MIDI is what must decide. Ties keep the input order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from chromatic.fileio import check_regular
from chromatic.music.pianoroll import PianoRollConfig, grid_notes, roll_from_notes
from chromatic.music.symbolic import N_FEATURES, midi_features
from chromatic.scoring.batch import _notes_and_bars, _with_notes, infer_memo, midi_batch
from chromatic.scoring.contract import ALL_OUTPUTS, INPUTS, MIDI_OUTPUTS
from chromatic.scoring.graph import open_session
from chromatic.scoring.match import (
    color_probabilities,
    confidence_of,
    match_scores,
    relative_ranks,
    relative_table,
)
from chromatic.scoring.meta import ScorerError, check_meta, read_meta
from chromatic.scoring.windows import expand, fold_outputs, windowed
from chromatic.taxonomy import AXES, COLORS, DEFAULT_MATCH, MATCH_METHODS, parse_color

HEADS = ("midi", "fused")

#: Rows a session.run: 16 costs about 20 % less CPU a candidate than 64 (cache-sized maps).
BATCH = 16


@dataclass
class ScoreResult:
    temporal: list[float]
    spatial: list[float]
    ontological: list[float]
    confidence: float | None  # None: the model has no calibrated confidence for this head
    predicted_color: str
    color_probability: float
    match: float | None = None
    id: str | None = None
    rank: int | None = None
    error: str | None = None
    match_method: str = DEFAULT_MATCH
    head: str = "fused"  # which output the match was computed from
    confidence_weighted: bool = False  # did the (calibrated) confidence scale the match
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
    "match_method",
    "head",
    "confidence_weighted",
)


class ChromaticScorer:
    def __init__(
        self, session, meta: dict, path: Path, *, match: str = DEFAULT_MATCH, head: str = "midi"
    ):
        if match not in MATCH_METHODS:
            raise ScorerError(f"match {match!r}: expected one of {', '.join(MATCH_METHODS)}")
        if head not in HEADS:
            raise ScorerError(f"head {head!r}: expected one of {', '.join(HEADS)}")
        self.session = session
        self.meta = meta
        self.path = path
        self.match_method = match
        self.roll_config = PianoRollConfig.from_dict(meta["piano_roll"])
        self.outputs = [o.name for o in session.get_outputs() if o.name in ALL_OUTPUTS]
        self.head = head if all(m in self.outputs for m in MIDI_OUTPUTS) else "fused"
        cal = meta.get("calibration") or {}
        self.confidence_weighted = bool(cal.get("confidence_calibrated"))
        self.midi_platt = (
            cal.get("midi_confidence_platt") if cal.get("midi_confidence_calibrated") else None
        )
        trained = (meta.get("colors") or {}).get("trained") or [c.name for c in COLORS]
        self.color_index = [i for i, c in enumerate(COLORS) if c.name in set(trained)]
        self.colors = [COLORS[i].name for i in self.color_index]
        self.gates = meta.get("gates") or {"passed": None, "failed": [], "checked": []}
        # each color's match on the model's held-out segments (``match.relative_match``)
        self.baseline = (meta.get("sanity") or {}).get("match_baseline")
        self.text_dim = int(meta["inputs"]["concept"][1])
        self.audio_dim = int(meta["inputs"]["audio"][1])
        self._text = None
        self._audio = None
        self._text_cache: dict[str, np.ndarray] = {}
        self._pool = None  # one thread running onnxruntime while the next inputs are built

    # --- loading ---------------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        model: str | os.PathLike,
        *,
        threads: int | None = None,
        match: str = DEFAULT_MATCH,
        head: str = "midi",
        fuse: bool = False,
    ) -> ChromaticScorer:
        """Load ``MODEL.onnx`` (described by ``MODEL.json`` beside it, or by its own
        metadata_props); ``model`` may omit the suffix, or be the folder ``chromatic export
        --out`` wrote (``model.onnx`` inside). ``fuse``: run each GELU as one node
        (``scoring.graph``: about 25 % less CPU, outputs within 1e-7 instead of identical)."""
        p = Path(model)
        if p.is_dir():
            p = p / "model"
        onnx_path = p if p.suffix == ".onnx" else p.with_name(p.name + ".onnx")
        if not onnx_path.is_file():
            if onnx_path.exists():  # a FIFO, a device or a folder: say what it is
                check_regular(onnx_path, ScorerError)
            raise ScorerError(
                "not found; expected MODEL.onnx with MODEL.json beside it ('chromatic export')",
                path=onnx_path,
            )
        sess = open_session(onnx_path, threads=threads, fuse=fuse)
        meta, meta_path = read_meta(sess, onnx_path)
        check_meta(meta, meta_path)
        names = {i.name for i in sess.get_inputs()}
        if names != set(INPUTS):
            raise ScorerError(
                f"inputs {sorted(names)} are not the fusion model's {list(INPUTS)}; "
                "re-export it with this version's 'chromatic export'",
                path=onnx_path,
            )
        return cls(sess, meta, onnx_path, match=match, head=head)

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
        """Piano roll of MIDI bytes, a path, a symusic Score or a ``music.song.Song`` (raises
        MidiError when corrupt)."""
        return self.midi_inputs(midi)[0]

    def midi_inputs(self, midi) -> tuple[np.ndarray, np.ndarray]:
        """(piano roll, symbolic features) of MIDI bytes, a path, a symusic Score or a Song
        (read from its note arrays, no Score built: ``scoring.batch.midi_batch``)."""
        from symusic import Score

        from chromatic.music.midi import load_score
        from chromatic.music.song import Song

        if isinstance(midi, Song):
            rolls, feats = midi_batch(self, [midi])
            return rolls[0], feats[0]
        score = midi if isinstance(midi, Score) else load_score(midi)
        return self._roll_of(score), midi_features(
            score, include_drums=self.roll_config.include_drums
        )

    def _roll_of(self, score) -> np.ndarray:
        n = grid_notes(score, self.roll_config)
        return roll_from_notes(
            n["start"], n["end"], n["pitch"], n["velocity"], config=self.roll_config
        )

    def _midi_batch(self, scores: list) -> tuple[np.ndarray, np.ndarray]:
        """Rolls [B, P, T] and features [B, F] of Scores (``scoring.batch.midi_batch``)."""
        return midi_batch(self, scores)

    def _worker(self):
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(1, thread_name_prefix="chromatic-onnx")
        return self._pool

    # --- inference ------------------------------------------------------------------------------
    def infer(self, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Raw model outputs for a batch of inputs (numpy, named as the ONNX inputs)."""
        n = len(feeds["roll"])
        if "midi_features" not in feeds:
            feeds = {**feeds, "midi_features": np.zeros((n, N_FEATURES), np.float32)}
        outs: dict[str, list] = {k: [] for k in self.outputs}
        for s in range(0, n, BATCH):
            part = {
                k: np.ascontiguousarray(v[s : s + BATCH], dtype=np.float32)
                for k, v in feeds.items()
            }
            for k, v in zip(self.outputs, self.session.run(self.outputs, part), strict=True):
                outs[k].append(v)
        return {k: np.concatenate(v) if v else np.zeros((0,)) for k, v in outs.items()}

    def _feeds(
        self,
        n: int,
        rolls: np.ndarray | None,
        audio: list[np.ndarray | None],
        concept,
        lyric,
        feats: np.ndarray | None = None,
    ) -> dict:
        feeds = {
            "midi_features": feats if feats is not None else np.zeros((n, N_FEATURES), np.float32),
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

    def _results(self, out: dict, color, has_midi: np.ndarray | None = None) -> list[ScoreResult]:
        """Vectorised over the batch: match, most likely color and its probability. Rows with
        MIDI read the MIDI-only output when the scorer's head is "midi"."""
        pred = np.stack([out[a] for a in AXES], axis=1).astype(np.float64)  # [N, 3, 3]
        heads = np.full(len(pred), "fused", dtype=object)
        if self.head == "midi" and has_midi is not None and has_midi.any():
            midi = np.stack([out[f"midi_{a}"] for a in AXES], axis=1).astype(np.float64)
            pred = np.where(has_midi[:, None, None], midi, pred)
            heads[has_midi] = "midi"
        pred /= pred.sum(axis=2, keepdims=True)
        # probabilities of the colors the model was trained on (softmax of minus the summed KL)
        prob = color_probabilities(pred, self.color_index)
        top = prob.max(axis=1)
        conf = confidence_of(out["confidence"], top, heads == "midi", self)
        # the predicted color: the best relative match when the model has its baseline, else
        # the most likely by KL (first maximum: table order on ties, as predict_color)
        table = relative_table(pred, self) if self.baseline else None
        best = (table if table is not None else prob).argmax(axis=1)
        match = rel = rel_rank = None
        if color is not None:
            match = match_scores(pred, color, self.match_method)
            rel, rel_rank = relative_ranks(match, color, self, table)
            if self.confidence_weighted:
                match = match * (0.5 + 0.5 * np.nan_to_num(conf, nan=1.0))
        # the target's rank among the trained colors (1: the most likely); None when untrained
        ranks = None
        if color is not None and parse_color(color).name in self.colors:
            j = self.colors.index(parse_color(color).name)
            ranks = 1 + (prob > prob[:, j : j + 1]).sum(axis=1)
        res = []
        for i in range(len(conf)):
            res.append(
                ScoreResult(
                    temporal=pred[i, 0].tolist(),
                    spatial=pred[i, 1].tolist(),
                    ontological=pred[i, 2].tolist(),
                    confidence=None if np.isnan(conf[i]) else float(conf[i]),
                    predicted_color=self.colors[int(best[i])],
                    color_probability=float(prob[i, best[i]]),
                    match=float(match[i]) if match is not None else None,
                    match_method=self.match_method,
                    head=str(heads[i]),
                    confidence_weighted=self.confidence_weighted,
                    extra={
                        "target_rank": None if ranks is None else int(ranks[i]),
                        "colors_trained": len(self.colors),
                        "predicted_by": "kl" if table is None else "relative",
                        "match_relative": None if rel is None else float(rel[i]),
                        "target_rank_relative": None if rel_rank is None else int(rel_rank[i]),
                    },
                )
            )
        return res

    def score(self, *, midi=None, audio=None, concept=None, lyric=None, color=None) -> ScoreResult:
        """Score one input (any subset of modalities; an absent one uses the model's null).
        MIDI is read as ``score_batch`` reads it (``scoring.windows``: a song longer than the
        roll heard in windows, each stem alone), so one input scores the same numbers alone or
        in a batch; MIDI without notes is refused (``MidiError``), as in a batch."""
        cvec, lvec, a = self.embed_text(concept), self.embed_text(lyric), self.embed_audio(audio)
        if midi is None:
            feeds = self._feeds(1, None, [a], cvec, lvec)
            return self._results(self.infer(feeds), color, np.array([False]))[0]
        parsed = [_with_notes(midi)]
        rolls, feats = midi_batch(self, parsed)
        rolls, feats, fold = windowed(self, parsed, rolls, feats, _notes_and_bars)
        feeds = self._feeds(len(rolls), rolls, expand(fold, [a]), cvec, lvec, feats)
        out = fold_outputs(self.infer(feeds), fold)
        return self._results(out, color, np.array([True]))[0]

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
        out, ok, errors = infer_memo(self, items, cvec, lvec)
        scored: list[dict] = []
        if ok:
            midi_mask = np.array([items[i].get("midi") is not None for i in ok], np.float32)
            res = self._results(out, color, midi_mask > 0)
            for i, r in zip(ok, res, strict=True):
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
