"""The arrangement's audio preview, its stems and its picture.

Audio: FluidSynth or TinySoundFont with the General MIDI soundfont (``chromatic.music.render``),
in stereo (each track's CC7 volume and CC10 pan, written by the performance pass, are played),
cut to the planned length plus a short faded release, given the style's reverb return and an
air shelf (``arrange.space``; the stems stay dry), then brought to -14 LUFS integrated
(ITU-R BS.1770 with pyloudnorm's filters) under a -1 dBTP true-peak ceiling by a limiter
(``arrange.loudness``). Written as 16-bit WAV or FLAC, two channels.

Stems (``stems=True``): each instrument track rendered alone to ``stems/<track>.<format>`` at
the mix's gain (before the limiter), so a DAW user can rebalance them and they sum to the mix.

Picture (``arrange.picture``): a grid of sections (columns as wide as their bars) by instruments
(rows), each cell shaded by note density (notes per bar) and labelled with it.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chromatic.errors import ProduceError
from chromatic.fileio import write_with
from chromatic.paths import within
from chromatic.produce.arrange.loudness import Loudness, normalize_loudness
from chromatic.produce.arrange.mixdown import BLOCK, Mixdown
from chromatic.produce.arrange.picture import plot_arrangement

RELEASE_SECONDS = 0.5  # rendered after the last bar and faded out, so notes do not click off
FORMATS = ("wav", "flac")
STEMS_DIR = "stems"

__all__ = ["FORMATS", "STEMS_DIR", "Loudness", "Preview", "plot_arrangement", "render_preview"]


@dataclass(frozen=True)
class Preview:
    audio: Path
    image: Path
    loudness: Loudness
    seconds: float
    stems: dict[str, Path] = field(default_factory=dict)


def stem_name(track: str) -> str:
    """A file name for a track ("melody", "chords 4" -> "chords_4")."""
    return re.sub(r"[^a-z0-9_]+", "_", track.lower()).strip("_") or "track"


def _fade(sample_rate: int) -> int:
    return int(RELEASE_SECONDS * sample_rate)


def _faded(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    fade = _fade(sample_rate)
    if fade and len(audio) > fade:
        audio[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    return audio


def _solo(score, index: int):
    """A copy of ``score`` with only track ``index`` sounding (the others kept, emptied, so the
    renderer gives it the same channel as in the mix)."""
    solo = score.copy()
    for i, track in enumerate(solo.tracks):
        if i != index:
            track.notes.clear()
    return solo


def _write_audio(path: Path, audio: np.ndarray, sample_rate: int, audio_format: str) -> Path:
    import soundfile as sf

    write_with(
        path,
        lambda tmp: sf.write(
            str(tmp), audio, sample_rate, subtype="PCM_16", format=audio_format.upper()
        ),
    )
    return path


def render_preview(
    arr,
    out_dir: str | os.PathLike,
    *,
    soundfont: str | os.PathLike | None = None,
    audio_format: str = "wav",
    sample_rate: int = 44100,
    title: str = "",
    stems: bool = False,
) -> Preview:
    """Render ``arr`` (an ``Arrangement``) to ``arrangement.<format>`` and ``arrangement.png``
    (and with ``stems`` one file per instrument under ``stems/``)."""
    from chromatic.music.render import prepare, render_score

    if audio_format not in FORMATS:
        raise ProduceError(f"expected an audio format in {FORMATS}, got {audio_format!r}")
    out_dir = Path(out_dir)
    seconds = arr.seconds + RELEASE_SECONDS

    def render(score) -> np.ndarray:
        audio = render_score(
            score, sample_rate=sample_rate, soundfont=soundfont, duration=seconds, stereo=True
        )
        return _faded(audio, sample_rate)

    image = within(out_dir, "arrangement.png")
    family = _family(out_dir)
    prepare()  # the synthesizer set up before the side thread starts (``render.prepare``)
    mixdown = Mixdown(round(seconds * sample_rate), sample_rate, family, _fade(sample_rate))
    # The synthesizers run in C without the GIL: the picture and the loudness stack's imports
    # use the cores meanwhile, and each block of the mix is spaced and measured (``mixdown``)
    # while the synthesizers play the next.
    with ThreadPoolExecutor(max_workers=1) as pool:
        side = pool.submit(_picture_and_imports, arr, image, title)
        render_score(
            arr.score,
            sample_rate=sample_rate,
            soundfont=soundfont,
            duration=seconds,
            stereo=True,
            consume=mixdown,
            block=BLOCK,
        )
        side.result()
    audio_path = within(out_dir, f"arrangement.{audio_format}")
    audio, loud = normalize_loudness(  # written beside the loudness and true peak measurements
        mixdown.mix,
        sample_rate,
        taken=mixdown.taken,
        keep=lambda done: _write_audio(audio_path, done, sample_rate, audio_format),
    )
    written: dict[str, Path] = {}
    if stems:
        gain = float(10 ** (loud.gain_db / 20))
        names = [t.name for t in arr.score.tracks]
        for inst in arr.instruments:
            stem = np.clip(render(_solo(arr.score, names.index(inst.name))) * gain, -1.0, 1.0)
            path = within(out_dir, STEMS_DIR, f"{stem_name(inst.name)}.{audio_format}")
            path.parent.mkdir(parents=True, exist_ok=True)
            written[inst.name] = _write_audio(path, stem, sample_rate, audio_format)
    return Preview(audio_path, image, loud, len(audio) / sample_rate, written)


def _family(out_dir: Path) -> str:
    """The style family of the production folder the preview is written to ("" elsewhere)."""
    from chromatic.produce.arrange.perform import style_of
    from chromatic.produce.folder import open_folder

    try:
        return str(style_of(open_folder(out_dir)).family)
    except (ProduceError, OSError, ValueError):
        return ""


def _picture_and_imports(arr, image: Path, title: str) -> None:
    """What the preview needs besides the synthesizer: the picture, and the modules the
    loudness pass and the writer import (loaded here, beside the synthesizer, not after it)."""
    import soundfile  # noqa: F401
    import soxr  # noqa: F401

    from chromatic.music.render_sos import kernel

    kernel()

    write_with(image, lambda tmp: plot_arrangement(arr, tmp, title=title))
