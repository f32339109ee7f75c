"""The FluidSynth backend of ``chromatic.music.render`` (pyfluidsynth over the system library).

Reverb and chorus are off (stems stay dry, renders deterministic). FluidSynth renders 16-bit
stereo: ``write_into`` has it write straight into a caller's int16 array (no copy, no
conversion per pull, and the library runs without the GIL meanwhile); ``pull`` returns float
frames as the protocol asks.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
from pathlib import Path

import numpy as np

from chromatic.errors import RenderError

CHUNK = 65536  # frames per library call


_STARTED: list[bool] = []


def first_synth() -> None:
    """Make the process's first FluidSynth synthesizer with the C library's ``rand`` seeded as
    a fresh process has it (``srand(1)``). FluidSynth fills its dither-noise table from
    ``rand()`` when its first synthesizer is made: a ``rand()`` call anywhere before (a library
    loading in another thread, a race) changed every sample it renders in that process. The
    caller holds ``render``'s load lock."""
    if _STARTED:
        return
    _STARTED.append(True)
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None).srand(1)
    with contextlib.redirect_stdout(io.StringIO()):  # see FluidSynth.__init__
        import fluidsynth

    fluidsynth.Synth().delete()


class FluidSynth:
    def __init__(self, sample_rate: int, soundfont: Path):
        with contextlib.redirect_stdout(io.StringIO()):  # pyfluidsynth prints where it found
            import fluidsynth  # the library when $CI is set, on the user's stdout

        self._write = fluidsynth.fluid_synth_write_s16
        self.sample_rate = sample_rate
        self.synth = fluidsynth.Synth(gain=0.4, samplerate=float(sample_rate))
        self.synth.setting("synth.reverb.active", 0)  # keep stems dry and deterministic
        self.synth.setting("synth.chorus.active", 0)
        self.sfid = self.synth.sfload(str(soundfont))
        if self.sfid < 0:
            self.synth.delete()
            raise RenderError("FluidSynth could not load the soundfont", path=soundfont)

    def program(self, channel: int, program: int) -> None:
        self.synth.program_select(channel, self.sfid, 0, program)

    def drums(self, channel: int) -> None:
        self.synth.program_select(channel, self.sfid, 128, 0)

    def noteon(self, channel: int, pitch: int, velocity: int) -> None:
        self.synth.noteon(channel, pitch, velocity)

    def noteoff(self, channel: int, pitch: int) -> None:
        self.synth.noteoff(channel, pitch)

    def cc(self, channel: int, number: int, value: int) -> None:
        self.synth.cc(channel, number, value)

    def write_into(self, frames: np.ndarray) -> None:
        """Synthesize ``len(frames)`` stereo frames into ``frames``, a C-contiguous int16 array
        of shape (n, 2): the calls ``get_samples`` makes, without its buffers."""
        if frames.dtype != np.int16 or frames.ndim != 2 or not frames.flags.c_contiguous:
            raise ValueError("expected a C-contiguous int16 array of shape (n, 2)")
        n, address = len(frames), frames.ctypes.data
        while n > 0:
            k = min(n, CHUNK)
            self._write(self.synth.synth, k, address, 0, 2, address, 1, 2)
            address += 4 * k
            n -= k

    def pull(self, n: int) -> np.ndarray:
        """n stereo frames in [-1, 1), shape (n, 2) float32 (the 16-bit samples / 32768)."""
        frames = np.empty((n, 2), dtype=np.int16)
        self.write_into(frames)
        return frames / np.float32(32768.0)

    def close(self) -> None:
        self.synth.delete()
