"""The arrangement's audio preview and its picture.

Audio: FluidSynth with the General MIDI soundfont (``chromatic.music.render``), cut to the
planned length plus a short faded release, then loudness-normalized. No loudness library is
added for a preview: the level is a gated RMS in the manner of BS.1770 (400 ms blocks, an
absolute gate at -70 dB and a relative gate 10 dB under the gated mean) *without* its
K-weighting filter, brought to ``TARGET_DB`` (-16 dB, the usual streaming preview level) unless
that would push the true peak (estimated on a 4x oversampled signal) above ``CEILING_DB``
(-1 dBFS); then the ceiling wins and the preview is simply quieter. Written as 16-bit WAV or
FLAC, mono, so it never clips.

Picture: a grid of sections (columns as wide as their bars) by instruments (rows), each cell
shaded by note density (notes per bar) and labelled with it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from chromatic.errors import ProduceError
from chromatic.fileio import write_with

TARGET_DB = -16.0
CEILING_DB = -1.0
RELEASE_SECONDS = 0.5  # rendered after the last bar and faded out, so notes do not click off
BLOCK_SECONDS = 0.4
FORMATS = ("wav", "flac")


@dataclass(frozen=True)
class Loudness:
    level_before_db: float
    gain_db: float
    level_db: float
    true_peak_db: float
    ceiling_limited: bool

    def to_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Preview:
    audio: Path
    image: Path
    loudness: Loudness
    seconds: float


def _db(x: float) -> float:
    return float(20.0 * np.log10(max(x, 1e-12)))


def gated_level_db(audio: np.ndarray, sample_rate: int) -> float:
    """Gated RMS level in dB (BS.1770 gating, no K-weighting); -inf-like for silence."""
    n = max(1, int(BLOCK_SECONDS * sample_rate))
    blocks = len(audio) // n
    if blocks == 0:
        ms = (
            np.array([np.mean(np.square(audio, dtype=np.float64))])
            if audio.size
            else np.array([0.0])
        )
    else:
        ms = np.mean(np.square(audio[: blocks * n].astype(np.float64).reshape(blocks, n)), axis=1)
    gated = ms[ms > 10 ** (-70 / 10)]
    if gated.size == 0:
        return -120.0
    rel = np.mean(gated) * 10 ** (-10 / 10)
    kept = gated[gated > rel]
    return float(10 * np.log10(np.mean(kept if kept.size else gated)))


def true_peak(audio: np.ndarray) -> float:
    """Peak of the 4x oversampled signal: inter-sample peaks a DAC would produce."""
    import soxr

    if audio.size == 0:
        return 0.0
    up = soxr.resample(np.ascontiguousarray(audio, dtype=np.float32), 1, 4, quality="HQ")
    return float(max(np.max(np.abs(audio)), np.max(np.abs(up))))


def normalize_loudness(
    audio: np.ndarray,
    sample_rate: int,
    *,
    target_db: float = TARGET_DB,
    ceiling_db: float = CEILING_DB,
) -> tuple[np.ndarray, Loudness]:
    before = gated_level_db(audio, sample_rate)
    if before <= -120.0:
        raise ProduceError(
            "the rendered preview is silent: no notes sounded (check the soundfont and the loops)"
        )
    peak = true_peak(audio)
    gain_db = target_db - before
    limited = _db(peak) + gain_db > ceiling_db
    if limited:
        gain_db = ceiling_db - _db(peak)
    out = (audio * 10 ** (gain_db / 20)).astype(np.float32)
    return out, Loudness(
        float(before),
        float(gain_db),
        float(before + gain_db),
        float(_db(peak) + gain_db),
        bool(limited),
    )


def render_preview(
    arr,
    out_dir: str | os.PathLike,
    *,
    soundfont: str | os.PathLike | None = None,
    audio_format: str = "wav",
    sample_rate: int = 44100,
    title: str = "",
) -> Preview:
    """Render ``arr`` (an ``Arrangement``) to ``arrangement.<format>`` and ``arrangement.png``."""
    import soundfile as sf

    from chromatic.music.render import render_score

    if audio_format not in FORMATS:
        raise ProduceError(f"expected an audio format in {FORMATS}, got {audio_format!r}")
    out_dir = Path(out_dir)
    seconds = arr.seconds + RELEASE_SECONDS
    audio = render_score(arr.score, sample_rate=sample_rate, soundfont=soundfont, duration=seconds)
    fade = int(RELEASE_SECONDS * sample_rate)
    if fade and audio.size > fade:
        audio[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    audio, loud = normalize_loudness(audio, sample_rate)
    audio_path = out_dir / f"arrangement.{audio_format}"
    write_with(
        audio_path,
        lambda tmp: sf.write(
            str(tmp), audio, sample_rate, subtype="PCM_16", format=audio_format.upper()
        ),
    )
    image = out_dir / "arrangement.png"
    write_with(image, lambda tmp: plot_arrangement(arr, tmp, title=title))
    return Preview(audio_path, image, loud, len(audio) / sample_rate)


def plot_arrangement(arr, path: str | os.PathLike, *, title: str = "") -> None:
    """Sections (x, width = bars) by instruments (y), shaded and labelled by notes per bar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [i.name for i in arr.instruments] or ["(empty)"]
    phases = [i.phase for i in arr.instruments]
    total = max(arr.total_bars, 1)
    density = np.zeros((len(rows), len(arr.sections)))
    for j, s in enumerate(arr.sections):
        for i, ph in enumerate(phases):
            share = sum(1 for p in phases if p == ph)  # notes are counted per phase
            density[i, j] = s.notes.get(ph, 0) / share / max(s.total_bars, 1)
    top = max(float(density.max()), 1e-9)
    fig, ax = plt.subplots(figsize=(max(6.0, min(16.0, total / 4)), 1.2 + 0.6 * len(rows)), dpi=100)
    cmap = plt.get_cmap("viridis")
    for j, s in enumerate(arr.sections):
        for i in range(len(rows)):
            d = density[i, j] if arr.instruments else 0.0
            ax.add_patch(
                plt.Rectangle(
                    (s.start_bar, i),
                    s.total_bars,
                    1,
                    facecolor=cmap(d / top) if d else "#eeeeee",
                    edgecolor="white",
                    linewidth=1.5,
                )
            )
            if d:
                ax.text(
                    s.start_bar + s.total_bars / 2,
                    i + 0.5,
                    f"{d:.1f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if d / top < 0.6 else "black",
                )
        label = s.name if s.repeat == 1 else f"{s.name} x{s.repeat}"
        ax.text(
            s.start_bar + s.total_bars / 2,
            len(rows) + 0.1,
            label,
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xlim(0, total)
    ax.set_ylim(0, len(rows) + 0.7)
    ax.set_yticks([i + 0.5 for i in range(len(rows))], rows)
    ax.set_xlabel(f"bars ({total} bars, {arr.seconds:.1f} s); cells: notes per bar")
    ax.set_title(title or "arrangement", fontsize=10, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
