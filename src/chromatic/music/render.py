"""Render MIDI to audio with FluidSynth and a General MIDI soundfont.

The embedded default soundfont is ``TimGM6mb.sf2`` from the pretty_midi wheel; pass your own
with ``soundfont=``. Events are played into the synthesizer in time order and the samples
between them are pulled synchronously, so rendering is deterministic and faster than real time.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from symusic import Score

from chromatic.errors import RenderError
from chromatic.music.midi import DRUM_CHANNEL

DEFAULT_SAMPLE_RATE = 22050
TAIL_SECONDS = 1.0  # release tail rendered after the last note-off


def default_soundfont() -> Path:
    try:
        import pretty_midi
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise RenderError("pretty_midi is not installed; it ships the default soundfont") from e
    path = Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"
    if not path.is_file():
        raise RenderError("TimGM6mb.sf2 not found in the pretty_midi package", path=path)
    return path


def _synth(sample_rate: int, soundfont: Path):
    try:
        import fluidsynth
    except (ImportError, OSError) as e:
        raise RenderError(
            f"FluidSynth is not available ({e}); install the Debian package libfluidsynth3 "
            "and the Python package pyfluidsynth"
        ) from None
    synth = fluidsynth.Synth(gain=0.4, samplerate=float(sample_rate))
    synth.setting("synth.reverb.active", 0)  # keep stems dry and deterministic
    synth.setting("synth.chorus.active", 0)
    sfid = synth.sfload(str(soundfont))
    if sfid < 0:
        synth.delete()
        raise RenderError("FluidSynth could not load the soundfont", path=soundfont)
    return synth, sfid


def render_score(
    score: Score,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    soundfont: str | os.PathLike | None = None,
    duration: float | None = None,
) -> np.ndarray:
    """Render a Score to mono float32 audio in [-1, 1].

    ``duration`` fixes the output length in seconds (padding or cutting); by default the
    output runs to the last note-off plus a short release tail.
    """
    sf_path = Path(soundfont) if soundfont else default_soundfont()
    if not sf_path.is_file():
        raise RenderError("soundfont not found", path=sf_path)
    sec = score.to("second")
    events: list[tuple[float, int, int, int, int]] = []  # (time, order, channel, pitch, velocity)
    programs: dict[int, int] = {}
    melodic_channels = [c for c in range(16) if c != DRUM_CHANNEL]
    for i, track in enumerate(sec.tracks):
        if track.is_drum:
            channel = DRUM_CHANNEL
        else:
            channel = melodic_channels[i % len(melodic_channels)]
            programs.setdefault(channel, int(track.program))
        for note in track.notes:
            start = float(note.time)
            end = start + max(float(note.duration), 0.01)
            events.append((start, 1, channel, int(note.pitch), int(note.velocity)))
            events.append((end, 0, channel, int(note.pitch), 0))  # offs before ons at one time
    events.sort()
    last = events[-1][0] + TAIL_SECONDS if events else 0.0
    total = round((duration if duration is not None else last) * sample_rate)
    out = np.zeros(total, dtype=np.float32)
    if not events or total == 0:
        return out
    synth, sfid = _synth(sample_rate, sf_path)
    try:
        for channel, program in programs.items():
            synth.program_select(channel, sfid, 0, program)
        synth.program_select(DRUM_CHANNEL, sfid, 128, 0)
        pos = 0
        for t, is_on, channel, pitch, vel in events:
            target = min(round(t * sample_rate), total)
            if target > pos:
                out[pos:target] = _pull(synth, target - pos)
                pos = target
            if pos >= total:
                break
            if is_on:
                synth.noteon(channel, pitch, vel)
            else:
                synth.noteoff(channel, pitch)
        if pos < total:
            out[pos:] = _pull(synth, total - pos)
    finally:
        synth.delete()
    return out


def _pull(synth, n: int) -> np.ndarray:
    """n mono samples from the synthesizer (it renders interleaved stereo int16)."""
    chunks = []
    while n > 0:
        k = min(n, 65536)
        stereo = np.asarray(synth.get_samples(k), dtype=np.float32).reshape(-1, 2)
        chunks.append(stereo.mean(axis=1) / 32768.0)
        n -= k
    return np.concatenate(chunks)


def peak_normalize(audio: np.ndarray, peak: float = 0.89) -> np.ndarray:
    """Scale so the absolute peak is ``peak`` (about -1 dBFS); silence stays silence."""
    m = float(np.max(np.abs(audio))) if audio.size else 0.0
    return audio if m == 0.0 else (audio * (peak / m)).astype(np.float32)
