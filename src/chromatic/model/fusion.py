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
- MIDI is an expert of its own: a roll CNN beside an MLP over named symbolic features
  (``chromatic.music.symbolic``: tonic-relative pitch-class profile, key correlations,
  intervals, chord qualities, rhythm) gives MIDI logits that are *added* to the logits of the
  other modalities (a product of experts). With the concept fixed, only the MIDI logits differ
  between candidates, so the MIDI decides their order. A MIDI-only output (the MIDI logits on
  top of the all-absent context) is trained by its own loss, so the MIDI expert learns even
  where the text alone would fit the training set.
- ``feature_linear`` adds a linear path from the features to the MIDI logits ("wide and
  deep"). Off by default: measured on the example catalog (MIDI-only mean mode accuracy
  0.755 against 0.793 without it, held-out songs) and on the tiny test set it learned
  slower, so it stays an option to compare.
- Symbolic features are standardised with training-set statistics held as buffers, so the
  exported graph applies them itself.
- Temperatures per axis (fused and MIDI-only heads) and a Platt scaling of the confidence are
  buffers fitted after training on a held-out fold (``chromatic.model.calibrate``): they are
  baked into the exported ONNX. The confidence head predicts how close the model's own
  prediction is to the target (exp of minus the summed KL divergence); until calibrated, the
  scorer does not let it multiply the match.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

import torch
from torch import nn
from torch.nn import functional as F

from chromatic.music.symbolic import N_FEATURES

AXES = ("temporal", "spatial", "ontological")
MODALITIES = ("audio", "midi", "concept", "lyric")
CONTEXT = ("audio", "concept", "lyric")  # every modality but MIDI, fused by the MLP


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
    # the MIDI branch
    roll_grid: str = "beat"  # "beat" (sixteenths from ticks) or "seconds" (100 ms steps)
    use_roll: bool = True
    feature_dim: int = N_FEATURES
    feature_hidden: int = 64
    feature_linear: bool = False  # a linear path from the features to the MIDI logits
    midi_aux_weight: float = 1.0  # loss of the MIDI-only output, text masked
    augment_semitones: int = 3  # random transposition within +-this while training
    augment_tempo: float = 0.1  # random tempo factor within +-this (seconds grid only)
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
        if self.roll_grid not in ("beat", "seconds"):
            raise ValueError(f"roll_grid {self.roll_grid!r}: expected 'beat' or 'seconds'")
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


class MidiExpert(nn.Module):
    """Roll CNN + standardised symbolic features -> an embedding and per-axis logits."""

    def __init__(self, cfg: FusionConfig):
        super().__init__()
        self.cfg = cfg
        self.roll_encoder = PianoRollEncoder(cfg) if cfg.use_roll else None
        self.register_buffer("feat_mean", torch.zeros(cfg.feature_dim))
        self.register_buffer("feat_std", torch.ones(cfg.feature_dim))
        self.features = nn.Sequential(
            nn.Linear(cfg.feature_dim, cfg.feature_hidden), nn.GELU(), nn.Dropout(cfg.dropout)
        )
        d_in = cfg.feature_hidden + (cfg.midi_dim if cfg.use_roll else 0)
        self.mix = nn.Sequential(nn.Linear(d_in, cfg.midi_dim), nn.GELU(), nn.Dropout(cfg.dropout))
        self.heads = nn.ModuleDict({a: nn.Linear(cfg.midi_dim, 3) for a in AXES})
        self.linear = (
            nn.ModuleDict({a: nn.Linear(cfg.feature_dim, 3) for a in AXES})
            if cfg.feature_linear
            else None
        )

    def forward(self, roll: torch.Tensor, feats: torch.Tensor) -> tuple[torch.Tensor, dict]:
        z = (feats - self.feat_mean) / self.feat_std
        parts = [self.features(z)]
        if self.roll_encoder is not None:
            parts.append(self.roll_encoder(roll))
        emb = self.mix(torch.cat(parts, dim=-1))
        logits = {a: self.heads[a](emb) for a in AXES}
        if self.linear is not None:  # wide and deep: the linear path learns from few songs
            logits = {a: logits[a] + self.linear[a](z) for a in AXES}
        return emb, logits


class FusionModel(nn.Module):
    def __init__(self, cfg: FusionConfig):
        super().__init__()
        self.cfg = cfg
        self.midi = MidiExpert(cfg)
        dims = {"audio": cfg.audio_dim, "concept": cfg.text_dim, "lyric": cfg.text_dim}
        self.proj = nn.ModuleDict(
            {
                m: nn.Sequential(nn.LayerNorm(d), nn.Linear(d, cfg.proj_dim), nn.GELU())
                for m, d in dims.items()
            }
        )
        self.null = nn.ParameterDict(
            {m: nn.Parameter(torch.randn(cfg.proj_dim) * 0.02) for m in CONTEXT}
        )
        layers, d_in = [], cfg.proj_dim * len(CONTEXT)
        for h in cfg.hidden_dims:
            layers += [nn.Linear(d_in, h), nn.GELU(), nn.Dropout(cfg.dropout)]
            d_in = h
        self.fusion = nn.Sequential(*layers)
        self.heads = nn.ModuleDict({a: nn.Linear(d_in, 3) for a in AXES})
        self.confidence = nn.Linear(d_in + cfg.midi_dim, 1)
        # calibration (fitted after training; identity until then)
        self.register_buffer("temperature", torch.ones(len(AXES)))
        self.register_buffer("midi_temperature", torch.ones(len(AXES)))
        self.register_buffer("confidence_scale", torch.tensor([1.0, 0.0]))  # Platt a, b

    def _context(self, inputs: dict) -> torch.Tensor:
        parts = []
        for m in CONTEXT:
            x, mask = inputs[m]
            mask = mask.reshape(-1, 1).to(x.dtype)
            if self.training and self.cfg.modality_dropout > 0:
                keep = (torch.rand_like(mask) >= self.cfg.modality_dropout).to(x.dtype)
                mask = mask * keep
            parts.append(mask * self.proj[m](x) + (1 - mask) * self.null[m])
        return self.fusion(torch.cat(parts, dim=-1))

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
        midi_features: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        """Masks are float [B] in {0, 1}; 0 = absent (the null embedding is used).
        Returns the fused distributions per axis, ``midi_<axis>`` (MIDI with every other
        modality absent) and the confidence."""
        if midi_features is None:
            midi_features = roll.new_zeros(roll.shape[0], self.cfg.feature_dim)
        h = self._context(
            {
                "audio": (audio, audio_mask),
                "concept": (concept, concept_mask),
                "lyric": (lyric, lyric_mask),
            }
        )
        null = torch.cat([self.null[m] for m in CONTEXT])[None]
        h0 = self.fusion(null)  # the context when nothing but MIDI is given
        emb, midi_logits = self.midi(roll, midi_features)
        mm = midi_mask.reshape(-1, 1).to(h.dtype)
        if self.training and self.cfg.modality_dropout > 0:
            mm = mm * (torch.rand_like(mm) >= self.cfg.modality_dropout).to(h.dtype)
        out = {}
        for k, a in enumerate(AXES):
            fused = self.heads[a](h) + mm * midi_logits[a]
            alone = self.heads[a](h0) + midi_logits[a]
            out[f"logits_{a}"], out[f"midi_logits_{a}"] = fused, alone
            out[a] = F.softmax(fused / self.temperature[k], dim=-1)
            out[f"midi_{a}"] = F.softmax(alone / self.midi_temperature[k], dim=-1)
        logit = self.confidence(torch.cat([h, mm * emb], dim=-1)).squeeze(-1)
        out["confidence_logit"] = logit
        out["confidence"] = torch.sigmoid(
            self.confidence_scale[0] * logit + self.confidence_scale[1]
        )
        return out


def _kl(t: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    return (t * (t.clamp_min(1e-7).log() - p.clamp_min(1e-7).log())).sum(-1)


def fusion_loss(
    out: dict[str, torch.Tensor],
    targets: dict[str, torch.Tensor],
    confidence_weight: float,
    midi_weight: float = 0.0,
    midi_mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, dict]:
    """Sum over axes of KL(target || prediction) + weighted MSE of the confidence against
    exp(-KL) (detached: confidence learns to judge the prediction, not to move it) + the
    MIDI-only output's KL on rows with MIDI, weighted by ``midi_weight``."""
    kl_rows = 0.0
    midi_rows = 0.0
    parts = {}
    for a in AXES:
        kl = _kl(targets[a], out[a])
        parts[f"kl_{a}"] = float(kl.detach().mean())
        kl_rows = kl_rows + kl
        if midi_weight > 0:
            midi_rows = midi_rows + _kl(targets[a], out[f"midi_{a}"])
    conf_target = torch.exp(-kl_rows).detach()
    conf_loss = F.mse_loss(out["confidence"], conf_target)
    loss = kl_rows.mean() + confidence_weight * conf_loss
    parts["confidence_mse"] = float(conf_loss.detach())
    if midi_weight > 0 and midi_mask is not None and float(midi_mask.sum()) > 0:
        midi_loss = (midi_rows * midi_mask).sum() / midi_mask.sum()
        loss = loss + midi_weight * midi_loss
        parts["kl_midi_only"] = float(midi_loss.detach())
    return loss, parts


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
