"""The TinySoundFont backend of ``chromatic.music.render``: a self-contained wheel, no system
library. Only its offline synthesis is used (``generate_simple``), never live playback, so its
declared dependency pyaudio is not needed (install with ``pip install --no-deps tinysoundfont``).
TinySoundFont has no reverb or chorus, and no randomness: the same events give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chromatic.errors import RenderError

#: Output gain in dB, so that levels land near FluidSynth's (gain 0.4) on the default soundfont.
GAIN_DB = -13.0
MAX_VOICES = 256  # FluidSynth's default polyphony
CHUNK = 65536


class TinySoundFont:
    def __init__(self, sample_rate: int, soundfont: Path):
        import tinysoundfont

        self.soundfont = soundfont
        self.sample_rate = sample_rate
        self.synth = tinysoundfont.Synth(gain=GAIN_DB, samplerate=int(sample_rate))
        try:
            self.sfid = self.synth.sfload(str(soundfont), max_voices=MAX_VOICES)
        except Exception as e:  # the binding raises a bare RuntimeError or OSError
            raise RenderError(
                f"TinySoundFont could not load the soundfont ({e})", path=soundfont
            ) from None

    def _select(self, channel: int, bank: int, program: int, drums: bool) -> None:
        try:
            self.synth.program_select(channel, self.sfid, bank, program, is_drums=drums)
        except RuntimeError as e:
            what = "drum kit" if drums else f"program {program}"
            raise RenderError(
                f"the soundfont has no {what} (bank {bank}): {e}", path=self.soundfont
            ) from None

    def program(self, channel: int, program: int) -> None:
        self._select(channel, 0, program, False)

    def drums(self, channel: int) -> None:
        self._select(channel, 128, 0, True)

    def noteon(self, channel: int, pitch: int, velocity: int) -> None:
        self.synth.noteon(channel, pitch, velocity)

    def noteoff(self, channel: int, pitch: int) -> None:
        self.synth.noteoff(channel, pitch)

    def cc(self, channel: int, number: int, value: int) -> None:
        """A controller (volume 7, pan 10, expression 11, sustain 64: TinySoundFont honours them)."""
        self.synth.control_change(channel, number, value)

    def pull(self, n: int) -> np.ndarray:
        """n stereo frames in [-1, 1], shape (n, 2) (TinySoundFont renders interleaved float32)."""
        chunks = []
        while n > 0:
            k = min(n, CHUNK)
            stereo = np.frombuffer(self.synth.generate_simple(k), dtype=np.float32).reshape(-1, 2)
            chunks.append(np.clip(stereo, -1.0, 1.0))
            n -= k
        return np.concatenate(chunks)

    def close(self) -> None:
        self.synth.soundfonts.clear()
