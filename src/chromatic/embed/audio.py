"""Audio encoders.

``mir`` (the offline default): a documented MIR feature vector computed with librosa on mono
audio resampled to 22,050 Hz. Layout (``MIR_FEATURES`` names every dimension):

| block | dims | what |
|---|---|---|
| mfcc mean, std | 20 + 20 | timbre (20 MFCCs) |
| chroma mean, std | 12 + 12 | pitch-class energy (STFT chroma) |
| contrast mean, std | 7 + 7 | spectral contrast (6 bands + valley) |
| tonnetz mean, std | 6 + 6 | tonal centroid (harmonic relations) |
| spectral | 4 | centroid, bandwidth, roll-off (kHz) and flatness, means |
| dynamics | 3 | RMS mean, RMS std (dB), zero-crossing rate |
| rhythm | 3 | onset strength mean, std; tempo estimate / 200 |

Each block is on its own natural scale; the model normalises inputs itself (a LayerNorm on the
audio input), so no statistics from a training set are baked into the features.

``clap``: laion/larger_clap_music through transformers, when it is in the local Hugging Face
cache (512-d, input resampled to 48 kHz, L2-normalised audio embedding).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from chromatic.embed.base import EncoderBase, EncoderUnavailable

MIR_SR = 22050
CLAP_SR = 48000
CLAP_ID = "laion/larger_clap_music"
CLAP_CHUNK = 10 * CLAP_SR
MIN_SAMPLES = 2048

MIR_FEATURES: tuple[str, ...] = (
    *(f"mfcc{i}_mean" for i in range(20)),
    *(f"mfcc{i}_std" for i in range(20)),
    *(f"chroma{i}_mean" for i in range(12)),
    *(f"chroma{i}_std" for i in range(12)),
    *(f"contrast{i}_mean" for i in range(7)),
    *(f"contrast{i}_std" for i in range(7)),
    *(f"tonnetz{i}_mean" for i in range(6)),
    *(f"tonnetz{i}_std" for i in range(6)),
    "centroid_khz",
    "bandwidth_khz",
    "rolloff_khz",
    "flatness",
    "rms_db_mean",
    "rms_db_std",
    "zcr",
    "onset_mean",
    "onset_std",
    "tempo_over_200",
)


def to_rate(samples: np.ndarray, sr: int, target: int) -> np.ndarray:
    """Mono float32 at ``target`` Hz (soxr, high quality)."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if sr != target:
        import soxr

        x = soxr.resample(x, sr, target).astype(np.float32)
    return x


class MirAudioEncoder(EncoderBase):
    name = "mir"
    version = "1"
    modality = "audio"
    dim = len(MIR_FEATURES)

    def __init__(self) -> None:
        try:
            import librosa  # noqa: F401
        except ImportError:
            raise EncoderUnavailable(
                "the mir audio encoder needs librosa (pip install 'librosa>=0.10')"
            ) from None

    def features(self, samples: np.ndarray, sr: int) -> np.ndarray:
        import librosa

        y = to_rate(samples, sr, MIR_SR)
        if len(y) < MIN_SAMPLES:
            y = np.pad(y, (0, MIN_SAMPLES - len(y)))
        stft = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
        power = stft**2
        mel = librosa.feature.melspectrogram(S=power, sr=MIR_SR)
        mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=20)
        chroma = librosa.feature.chroma_stft(S=power, sr=MIR_SR, tuning=0.0)
        contrast = librosa.feature.spectral_contrast(S=stft, sr=MIR_SR)
        tonnetz = librosa.feature.tonnetz(sr=MIR_SR, chroma=chroma)  # from the chroma above
        centroid = librosa.feature.spectral_centroid(S=stft, sr=MIR_SR)
        bandwidth = librosa.feature.spectral_bandwidth(S=stft, sr=MIR_SR)
        rolloff = librosa.feature.spectral_rolloff(S=stft, sr=MIR_SR)
        flatness = librosa.feature.spectral_flatness(S=stft)
        rms = librosa.feature.rms(S=stft)
        rms_db = librosa.amplitude_to_db(rms + 1e-10)
        zcr = librosa.feature.zero_crossing_rate(y)
        onset = librosa.onset.onset_strength(y=y, sr=MIR_SR)
        tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset, sr=MIR_SR))[0])

        def ms(a: np.ndarray) -> list[np.ndarray]:
            return [a.mean(axis=1), a.std(axis=1)]

        vec = np.concatenate(
            [
                *ms(mfcc),
                *ms(chroma),
                *ms(contrast),
                *ms(tonnetz),
                [
                    centroid.mean() / 1000,
                    bandwidth.mean() / 1000,
                    rolloff.mean() / 1000,
                    flatness.mean(),
                ],
                [rms_db.mean(), rms_db.std(), zcr.mean()],
                [onset.mean(), onset.std(), tempo / 200.0],
            ]
        ).astype(np.float32)
        return np.nan_to_num(vec, nan=0.0, posinf=0.0, neginf=0.0)

    def encode(self, batch: Sequence[tuple[np.ndarray, int]]) -> np.ndarray:
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.features(x, sr) for x, sr in batch])


class ClapAudioEncoder(EncoderBase):
    modality = "audio"

    def __init__(
        self, source: str | Path, *, name: str, local_files_only: bool = True, batch_size: int = 8
    ):
        from transformers import ClapFeatureExtractor, ClapModel

        from chromatic.embed.text import load_pretrained

        self.extractor, self.model, self.version = load_pretrained(
            (ClapFeatureExtractor, ClapModel), source, name, local_files_only, "--audio-encoder mir"
        )
        self.name = name
        self.dim = int(self.model.config.projection_dim)
        self.batch_size = batch_size

    def to_device(self, device: str) -> None:
        """Run on ``device`` (a Ray GPU actor moves its encoder to "cuda")."""
        self.model.to(device)

    def encode(self, batch: Sequence[tuple[np.ndarray, int]]) -> np.ndarray:
        import torch

        # CLAP sees at most 10 s; a longer clip is cut into 10 s chunks whose embeddings are
        # averaged (the one pooling rule, used alike for training data and scoring), so no random
        # crop ever makes an embedding irreproducible.
        chunks, owner = [], []
        for k, (x, sr) in enumerate(batch):
            y = to_rate(x, sr, CLAP_SR)
            pieces = [y[s : s + CLAP_CHUNK] for s in range(0, max(len(y), 1), CLAP_CHUNK)] or [y]
            for piece in pieces:
                if len(piece) >= CLAP_SR // 10 or len(pieces) == 1:
                    chunks.append(piece if len(piece) else np.zeros(CLAP_SR // 10, np.float32))
                    owner.append(k)
        truncation = (
            "fusion"
            if getattr(self.model.config.audio_config, "enable_fusion", False)
            else "rand_trunc"
        )
        embs = []
        for i in range(0, len(chunks), self.batch_size):
            inputs = self.extractor(
                chunks[i : i + self.batch_size],
                sampling_rate=CLAP_SR,
                return_tensors="pt",
                truncation=truncation,
                padding="repeatpad",
            ).to(self.model.device)
            with torch.inference_mode():
                emb = self.model.get_audio_features(**inputs)
            if not isinstance(emb, torch.Tensor):  # newer transformers return an output object
                emb = (
                    emb.pooler_output if getattr(emb, "pooler_output", None) is not None else emb[0]
                )
            embs.append(emb.float().cpu())
        if not embs:
            return np.zeros((0, self.dim), dtype=np.float32)
        allv = torch.cat(embs)
        own = torch.tensor(owner)
        pooled = torch.stack([allv[own == k].mean(0) for k in range(len(batch))])
        return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def clap() -> ClapAudioEncoder:
    enc = ClapAudioEncoder(CLAP_ID, name="clap")
    enc.version = f"larger_clap_music-{enc.version}"
    return enc
