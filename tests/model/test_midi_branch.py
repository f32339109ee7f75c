"""The MIDI expert, calibration and augmentation, with tiny models (no training loop)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chromatic.model.augment import stretch_rolls, transpose_rolls
from chromatic.model.calibrate import ece, fit_platt, fit_temperature
from chromatic.model.fusion import AXES, FusionConfig, FusionModel, fusion_loss
from chromatic.music.symbolic import N_FEATURES


def tiny() -> FusionModel:
    torch.manual_seed(0)
    cfg = FusionConfig(
        text_dim=8, audio_dim=6, roll_pitches=16, roll_steps=32, cnn_channels=(4,), midi_dim=8,
        proj_dim=8, hidden_dims=(8,), feature_hidden=8,
    )  # fmt: skip
    return FusionModel(cfg).eval()


def inputs(model: FusionModel, b: int, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    c = model.cfg
    concept = torch.randn(1, c.text_dim, generator=g).repeat(b, 1)  # one concept for all
    return {
        "audio": torch.zeros(b, c.audio_dim),
        "audio_mask": torch.zeros(b),
        "roll": (torch.rand(b, c.roll_pitches, c.roll_steps, generator=g) < 0.1).float(),
        "midi_mask": torch.ones(b),
        "concept": concept,
        "concept_mask": torch.ones(b),
        "lyric": torch.zeros(b, c.text_dim),
        "lyric_mask": torch.zeros(b),
        "midi_features": torch.rand(b, N_FEATURES, generator=g),
    }


def test_with_the_concept_fixed_only_the_midi_logits_differ():
    """Product of experts: two candidates sharing a concept differ in fused logits by exactly
    their MIDI logits' difference, and the MIDI-only output ignores the concept."""
    model = tiny()
    x = inputs(model, 4)
    with torch.no_grad():
        out = model(**x)
        _, midi_logits = model.midi(x["roll"], x["midi_features"])
        other = model(**{**x, "concept": torch.randn_like(x["concept"])})
    for a in AXES:
        d_fused = out[f"logits_{a}"] - out[f"logits_{a}"][:1]
        d_midi = midi_logits[a] - midi_logits[a][:1]
        torch.testing.assert_close(d_fused, d_midi, atol=1e-5, rtol=0)
        torch.testing.assert_close(other[f"midi_{a}"], out[f"midi_{a}"])
        assert not torch.allclose(other[a], out[a])  # the fused output does hear the concept
    assert out["midi_temporal"].std(dim=0).sum() > 0  # different MIDI, different predictions


def test_midi_only_loss_is_added_on_rows_with_midi():
    model = tiny()
    x = inputs(model, 3)
    out = model(**x)
    t = {a: torch.tensor([[0.8, 0.1, 0.1]] * 3) for a in AXES}
    base, _ = fusion_loss(out, t, 0.5)
    with_midi, parts = fusion_loss(out, t, 0.5, 1.0, torch.ones(3))
    assert float(with_midi) > float(base) and parts["kl_midi_only"] > 0
    none, _ = fusion_loss(out, t, 0.5, 1.0, torch.zeros(3))
    assert float(none) == pytest.approx(float(base))


def test_temperature_recovers_the_scale_of_soft_targets():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(400, 3)) * 3
    target = np.exp(z / 2.5)
    target /= target.sum(axis=1, keepdims=True)
    assert fit_temperature(z, target) == pytest.approx(2.5, rel=0.05)


def test_platt_scaling_lowers_the_ece_of_an_overconfident_score():
    rng = np.random.default_rng(1)
    logit = rng.normal(size=2000) * 2 + 3  # sigmoid mostly > 0.9
    y = (rng.random(2000) < 1 / (1 + np.exp(-(0.4 * logit - 1.0)))).astype(float)
    raw = ece(1 / (1 + np.exp(-logit)), y)
    a, b = fit_platt(logit, y)
    fitted = ece(1 / (1 + np.exp(-(a * logit + b))), y)
    assert raw > 0.15 and fitted < 0.05
    assert a == pytest.approx(0.4, abs=0.1) and b == pytest.approx(-1.0, abs=0.3)
    assert fit_platt(logit, np.ones(2000)) is None  # nothing to calibrate against


def test_calibration_buffers_change_the_outputs():
    model = tiny()
    x = inputs(model, 2)
    with torch.no_grad():
        before = model(**x)
        model.temperature.fill_(4.0)
        after = model(**x)
    assert after["temporal"].max() < before["temporal"].max()  # softer
    torch.testing.assert_close(after["midi_temporal"], before["midi_temporal"])


def test_transposition_and_tempo_augmentation():
    roll = np.zeros((1, 16, 8), np.float32)
    roll[0, 5, 2] = 1.0
    up = transpose_rolls(roll, np.array([3]))
    assert up[0, 8, 2] == 1.0 and up.sum() == 1.0
    assert transpose_rolls(roll, np.array([-6])).sum() == 0.0  # pushed off the bottom
    slow = stretch_rolls(roll, np.array([2.0]))
    assert slow[0, 5, 4] == 1.0 and slow[0, 5, 5] == 1.0 and slow[0, 5, 2] == 0.0


def _held_out(n: int = 200, seed: int = 0, pattern=("Red", "Blue", "Black", "Black")):
    """Held-out outputs of a model that hears Red and Blue (logits = 2 x log target, the
    right color 80 % of the time) and guesses confidently on Black (a uniform target)."""
    from chromatic.taxonomy import parse_color

    rng = np.random.default_rng(seed)
    colors = np.array(list(pattern) * (n // len(pattern)))
    targets = np.array([[parse_color(c).target(a) for a in AXES] for c in colors])
    raw = {}
    heard = np.array(
        [
            c if c == "Black" or rng.random() < 0.8 else {"Red": "Blue", "Blue": "Red"}[c]
            for c in colors
        ]
    )
    for a in AXES:
        z = np.array([np.log(parse_color(h).target(a)) * 2.0 for h in heard])
        z[colors == "Black"] = rng.normal(0, 4, (int((colors == "Black").sum()), 3))
        raw[a] = raw[f"midi_{a}"] = z + rng.normal(0, 0.1, z.shape)
    raw["confidence_logit"] = rng.normal(0, 1, n)
    return raw, targets, colors, heard


def test_uniform_targets_do_not_push_the_temperature_to_its_cap():
    from chromatic.model.calibrate import TEMPERATURES, calibrate

    raw, targets, colors, _ = _held_out()
    info = calibrate(tiny(), raw, targets, colors)
    for head in ("temperature", "midi_temperature"):
        for a in AXES:  # the committed rows alone set it: about 2 (their logits are 2 x log)
            assert 1.2 < info[head][a] < 6.0, (head, a, info[head][a])
    # the old fit (every row, uniform targets included) ran to the cap
    from chromatic.model.calibrate import fit_temperature

    assert fit_temperature(raw["temporal"], targets[:, 0]) > TEMPERATURES[-1] / 2


def test_midi_confidence_orders_right_above_wrong():
    from chromatic.model.calibrate import calibrate

    raw, targets, colors, heard = _held_out(pattern=("Red", "Blue"))
    # the MIDI head is surer where it heard the right color
    right = heard == colors
    for a in AXES:
        raw[f"midi_{a}"] = raw[f"midi_{a}"] * np.where(right, 2.0, 0.5)[:, None]
    info = calibrate(tiny(), raw, targets, colors)
    assert info["confidence_head"] == "midi" and info["midi_confidence_calibrated"]
    assert info["confidence_auroc"] > 0.75 and len(info["midi_confidence_platt"]) == 2
    ok = np.flatnonzero(right)  # only rows it got right: no right-vs-wrong to calibrate
    info = calibrate(tiny(), {k: v[ok] for k, v in raw.items()}, targets[ok], colors[ok])
    assert info["midi_confidence_calibrated"] is False
    assert "all right" in info["midi_confidence_why_not"] and "confidence_auroc" not in info
