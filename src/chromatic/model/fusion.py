"""The multimodal fitness model: piano-roll CNN + per-modality projections + fusion MLP, with
temporal / spatial / ontological heads (3-way distributions) and a confidence head.

Why it is shaped this way:

- Every modality may be absent (no MIDI for most audio stems, no lyric for instrumentals, no
  audio for MIDI-only candidates at scoring time). An absent modality is replaced by a learned
  null embedding, not zeros, so "absent" is a state the fusion layers can recognise. Modality
  dropout (replacing a present modality by its null embedding with probability p during
  training) makes predictions robust when, at scoring time, only MIDI is given.
- Input sizes come from the encoders' metadata (``FusionConfig.text_dim`` / ``audio_dim``),
  recorded with the run and the exported model.
- Inputs are LayerNorm-ed per modality, so encoders on different scales (MIR features, unit
  sentence embeddings) need no dataset statistics at inference.
- The confidence head predicts how close the model's own prediction is to the target
  (exp of minus the summed KL divergence), a calibrated self-assessment used by the chromatic
  match (0.5 + 0.5 x confidence).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

import torch
from torch import nn
from torch.nn import functional as F

AXES = ("temporal", "spatial", "ontological")
MODALITIES = ("audio", "midi", "concept", "lyric")


@dataclass
class FusionConfig:
    """Every hyperparameter of the fusion model and its training, in one place."""

    text_dim: int = 384
    audio_dim: int = 100
    roll_pitches: int = 128
    roll_steps: int = 256
    cnn_channels: tuple[int, ...] = (16, 32, 64, 128)
    midi_dim: int = 128
    proj_dim: int = 128
    hidden_dims: tuple[int, ...] = (256, 128)
    dropout: float = 0.1
    modality_dropout: float = 0.15
    # training
    lr: float = 2e-3
    weight_decay: float = 1e-4
    batch_size: int = 32
    epochs: int = 30
    patience: int = 8
    confidence_weight: float = 0.5
    val_fraction: float = 0.25
    seed: int = 0
    encoders: dict = field(default_factory=dict)  # encoder descriptions (ids, dims) from embed

    def __post_init__(self) -> None:
        self.cnn_channels = tuple(self.cnn_channels)
        self.hidden_dims = tuple(self.hidden_dims)
        if self.text_dim <= 0 or self.audio_dim <= 0:
            raise ValueError("text_dim and audio_dim come from the encoders and must be positive")
        if not 0.0 <= self.modality_dropout < 1.0 or not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout probabilities must be in [0, 1)")
        if not 0.0 < self.val_fraction < 1.0:
            raise ValueError("val_fraction must be in (0, 1)")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["cnn_channels"] = list(self.cnn_channels)
        d["hidden_dims"] = list(self.hidden_dims)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict) -> FusionConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


class PianoRollEncoder(nn.Module):
    """Strided 2-D convolutions over (pitch, time), global average pool, linear."""

    def __init__(self, cfg: FusionConfig):
        super().__init__()
        layers, c_in = [], 1
        for i, c in enumerate(cfg.cnn_channels):
            k = 5 if i == 0 else 3
            layers += [
                nn.Conv2d(c_in, c, k, stride=2, padding=k // 2),
                nn.BatchNorm2d(c),
                nn.GELU(),
            ]
            c_in = c
        self.conv = nn.Sequential(*layers)
        self.out = nn.Linear(c_in, cfg.midi_dim)

    def forward(self, roll: torch.Tensor) -> torch.Tensor:  # [B, P, T] in [0, 1]
        h = self.conv(roll.unsqueeze(1))
        return self.out(h.mean(dim=(2, 3)))


class FusionModel(nn.Module):
    def __init__(self, cfg: FusionConfig):
        super().__init__()
        self.cfg = cfg
        self.roll_encoder = PianoRollEncoder(cfg)
        dims = {
            "audio": cfg.audio_dim,
            "midi": cfg.midi_dim,
            "concept": cfg.text_dim,
            "lyric": cfg.text_dim,
        }
        self.proj = nn.ModuleDict(
            {
                m: nn.Sequential(nn.LayerNorm(d), nn.Linear(d, cfg.proj_dim), nn.GELU())
                for m, d in dims.items()
            }
        )
        self.null = nn.ParameterDict(
            {m: nn.Parameter(torch.randn(cfg.proj_dim) * 0.02) for m in MODALITIES}
        )
        layers, d_in = [], cfg.proj_dim * len(MODALITIES)
        for h in cfg.hidden_dims:
            layers += [nn.Linear(d_in, h), nn.GELU(), nn.Dropout(cfg.dropout)]
            d_in = h
        self.fusion = nn.Sequential(*layers)
        self.heads = nn.ModuleDict({a: nn.Linear(d_in, 3) for a in AXES})
        self.confidence = nn.Linear(d_in, 1)

    def forward(
        self,
        audio: torch.Tensor,
        audio_mask: torch.Tensor,
        roll: torch.Tensor,
        midi_mask: torch.Tensor,
        concept: torch.Tensor,
        concept_mask: torch.Tensor,
        lyric: torch.Tensor,
        lyric_mask: torch.Tensor,
    ) -> dict[str, torch.Tensor]:
        """Masks are float [B] in {0, 1}; 0 = absent (the null embedding is used)."""
        inputs = {
            "audio": (audio, audio_mask),
            "midi": (self.roll_encoder(roll), midi_mask),
            "concept": (concept, concept_mask),
            "lyric": (lyric, lyric_mask),
        }
        parts = []
        for m in MODALITIES:
            x, mask = inputs[m]
            mask = mask.reshape(-1, 1).to(x.dtype)
            if self.training and self.cfg.modality_dropout > 0:
                keep = (torch.rand_like(mask) >= self.cfg.modality_dropout).to(x.dtype)
                mask = mask * keep
            parts.append(mask * self.proj[m](x) + (1 - mask) * self.null[m])
        h = self.fusion(torch.cat(parts, dim=-1))
        out = {a: F.softmax(self.heads[a](h), dim=-1) for a in AXES}
        out["confidence"] = torch.sigmoid(self.confidence(h)).squeeze(-1)
        return out


def fusion_loss(
    out: dict[str, torch.Tensor], targets: dict[str, torch.Tensor], confidence_weight: float
) -> tuple[torch.Tensor, dict]:
    """Sum over axes of KL(target || prediction) + weighted MSE of the confidence against
    exp(-KL) (detached: confidence learns to judge the prediction, not to move it)."""
    kl_rows = 0.0
    parts = {}
    for a in AXES:
        p = out[a].clamp_min(1e-7)
        t = targets[a]
        kl = (t * (t.clamp_min(1e-7).log() - p.log())).sum(-1)
        parts[f"kl_{a}"] = float(kl.detach().mean())
        kl_rows = kl_rows + kl
    conf_target = torch.exp(-kl_rows).detach()
    conf_loss = F.mse_loss(out["confidence"], conf_target)
    loss = kl_rows.mean() + confidence_weight * conf_loss
    parts["confidence_mse"] = float(conf_loss.detach())
    return loss, parts


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
