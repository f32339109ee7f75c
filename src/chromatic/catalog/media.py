"""Every media file a manifest names is opened at ``validate``, cheaply: an audio file's
header and frame count (and its last frame read, so a FLAC cut short whose header still
promises every frame is caught), a MIDI file parsed. The main mix must last the song's
running time: a mix cut short (``head -c 100``) is an error naming the file and the field.
Special files (a FIFO, a device) are refused by type before they are opened.
"""

from __future__ import annotations

import os
from pathlib import Path

from chromatic.fileio import special_kind

AUDIO = (".wav", ".flac", ".aif", ".aiff", ".ogg")
MIDI = (".mid", ".midi")
#: The main mix may end this much before the running time (fades, rounding of the TRT).
SHORT_TOLERANCE_S = 2.0


def media_problem(path: Path, *, seconds: float | None = None) -> str | None:
    """Why ``path`` is not usable media (one line), or None. ``seconds``: the length the file
    must reach (the running time, for the main mix)."""
    try:
        kind = special_kind(os.stat(path).st_mode)
    except OSError as e:
        return f"cannot be read: {e.strerror or e}"
    if kind is not None:
        return f"expected an audio or MIDI file, found {kind}"
    suffix = path.suffix.lower()
    if suffix in MIDI:
        return _midi_problem(path)
    if suffix in AUDIO:
        return _audio_problem(path, seconds)
    return None


def _midi_problem(path: Path) -> str | None:
    from symusic import Score

    try:
        Score(str(path))
    except Exception as e:  # symusic raises plain exceptions for a broken file
        return f"cannot be read as MIDI ({' '.join(str(e).split())[:120] or type(e).__name__})"
    return None


def _audio_problem(path: Path, seconds: float | None) -> str | None:
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as f:
            frames, rate = f.frames, f.samplerate
            if frames <= 0 or rate <= 0:
                return "holds no audio (0 frames): truncated or empty"
            f.seek(frames - 1)
            if len(f.read(1)) != 1:
                return f"truncated: its header promises {frames} frames, fewer are there"
    except (RuntimeError, sf.LibsndfileError, OSError) as e:
        return f"cannot be read as audio ({' '.join(str(e).split())[:120]})"
    length = frames / rate
    if seconds is not None and length < seconds - SHORT_TOLERANCE_S:
        return (
            f"lasts {length:.2f} s, shorter than the song's running time ({seconds:.1f} s): "
            "truncated or the wrong file"
        )
    return None
