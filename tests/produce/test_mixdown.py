"""The preview made block by block while the synthesizers play: the same samples as the
whole-song calls, bit for bit, and the render's blocks handed on in order."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from symusic import Note

from chromatic.music import render
from chromatic.music.midi import add_track, new_score
from chromatic.music.render import available_renderers, render_score
from chromatic.produce.arrange.loudness import (
    PEAK_CHUNK,
    PeakStream,
    _peak_envelope,
    _power_of,
    k_weighted,
    normalize_loudness,
)
from chromatic.produce.arrange.mixdown import BLOCK, Mixdown
from chromatic.produce.arrange.preview import _fade, _faded
from chromatic.produce.arrange.space import Space, add_space, available

SR = 22050


def _song(seconds: float = 9.0) -> np.ndarray:
    """Stereo float32 with hits and a decaying chord: more than two blocks and a part one."""
    t = np.arange(int(seconds * SR)) / SR
    x = 0.1 * np.sin(2 * np.pi * 220 * t) * np.exp(-(t % 1.0))
    x += np.random.default_rng(3).normal(0, 0.01, t.size)
    for k in range(0, len(x), SR // 3):
        x[k : k + 200] += 0.6 * np.exp(-np.arange(min(200, len(x) - k)) / 40)
    return np.stack([x, 0.8 * x], axis=1).astype(np.float32)


def _blocks(audio: np.ndarray, mixdown: Mixdown, block: int = BLOCK) -> None:
    out = audio.copy()
    for lo in range(0, len(out), block):
        mixdown(lo, min(lo + block, len(out)), out)


@pytest.mark.parametrize("family", ["", "ambient"])
def test_the_blocks_give_the_whole_songs_samples(family):
    audio = _song()
    assert len(audio) % BLOCK and len(audio) > 2 * BLOCK  # whole blocks and a part one
    mixdown = Mixdown(len(audio), SR, family, _fade(SR))
    _blocks(audio, mixdown)
    whole = add_space(_faded(audio.copy(), SR), SR, family)
    a = np.asarray(whole, dtype=np.float32)
    np.testing.assert_array_equal(mixdown.mix, a)
    weighted, power, peaks = mixdown.taken
    want = k_weighted(a, SR)
    np.testing.assert_array_equal(weighted, want)
    np.testing.assert_array_equal(power, _power_of(want))
    np.testing.assert_array_equal(peaks, _peak_envelope(a))
    out, loud = normalize_loudness(mixdown.mix, SR, taken=mixdown.taken)
    out2, loud2 = normalize_loudness(whole, SR)
    np.testing.assert_array_equal(out, out2)
    assert loud == loud2 and loud.ceiling_limited
    if available():
        assert not np.array_equal(mixdown.mix, _faded(audio.copy(), SR))  # space did something


def test_space_in_blocks_is_one_call():
    audio = _song(3.0)
    space = Space(SR, "jazz")
    got = np.concatenate([space.process(audio[s : s + 4000]) for s in range(0, len(audio), 4000)])
    np.testing.assert_array_equal(got, add_space(audio, SR, "jazz").astype(np.float32))


def test_blocks_out_of_order_or_off_the_peak_chunks_are_refused():
    audio = _song(4.0)
    mixdown = Mixdown(len(audio), SR)
    with pytest.raises(ValueError, match="block starting at frame 0"):
        mixdown(BLOCK, 2 * BLOCK, audio)
    with pytest.raises(ValueError, match="the mix has 0 of"):
        _ = mixdown.taken
    with pytest.raises(ValueError, match="frame bounds"):
        PeakStream(len(audio), 2).add(audio[:1000], 0)
    PeakStream(len(audio), 2).add(audio[:PEAK_CHUNK], 0)


def test_pedalboard_is_loaded_at_the_first_block_not_before():
    """Loading pedalboard changes the floating-point mode of the loading thread and the threads
    it starts later: the synthesizers must start before it loads, or the render changes."""
    code = (
        "import sys, numpy as np\n"
        "from chromatic.produce.arrange.mixdown import Mixdown\n"
        "m = Mixdown(70000, 22050, 'rock', 100)\n"
        "print('pedalboard' in sys.modules)\n"
        "m(0, 65536, np.zeros((70000, 2), np.float32))\n"
        "print('pedalboard' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", str(available())]


def _score():
    s = new_score(110)
    for program, base, step in ((0, 60, 240), (33, 36, 480), (48, 67, 960)):
        tr = add_track(s, f"p{program}", program=program)
        tr.notes.extend(
            Note(time=i * step, duration=step - 20, pitch=base + (i * 7) % 12, velocity=90)
            for i in range(40)
        )
    drums = add_track(s, "drums", is_drum=True)
    drums.notes.extend(Note(time=i * 480, duration=60, pitch=36, velocity=110) for i in range(40))
    return s


@pytest.mark.parametrize("backend", available_renderers())
def test_the_render_hands_on_every_block_in_order_as_it_ends(backend, monkeypatch):
    monkeypatch.setattr(render, "SYNTH_THREADS", 2)
    seen: list[tuple[int, int, np.ndarray]] = []

    def consume(lo, hi, out):
        seen.append((lo, hi, out[lo:hi].copy()))

    audio = render_score(
        _score(),
        sample_rate=SR,
        duration=10.0,
        stereo=True,
        renderer=backend,
        consume=consume,
        block=30000,
    )
    assert [(lo, hi) for lo, hi, _ in seen] == [
        (lo, min(lo + 30000, len(audio))) for lo in range(0, len(audio), 30000)
    ]
    np.testing.assert_array_equal(np.concatenate([b for _, _, b in seen]), audio)
    assert float(np.abs(audio).max()) > 0.01
    plain = render_score(_score(), sample_rate=SR, duration=10.0, stereo=True, renderer=backend)
    np.testing.assert_array_equal(audio, plain)


def test_sixteen_bit_parts_sum_to_the_sum_of_their_float_values():
    rng = np.random.default_rng(1)
    parts = [rng.integers(-32768, 32768, (5000, 2)).astype(np.int16) for _ in range(2)]
    out = np.empty((5000, 2), np.float32)
    render._mix_into(out, parts)
    want = np.zeros((5000, 2), np.float32)
    for p in parts:
        want += p.astype(np.float32) / np.float32(32768.0)
    np.testing.assert_array_equal(out, want)
    render._mix_into(out, parts[:1])
    np.testing.assert_array_equal(out, parts[0].astype(np.float32) / 32768.0)


@pytest.mark.skipif("fluidsynth" not in available_renderers(), reason="needs FluidSynth")
def test_fluidsynth_writes_into_an_array_the_samples_it_pulls():
    from chromatic.music.render import default_soundfont
    from chromatic.music.render_fluid import FluidSynth

    frames = []
    for how in ("pull", "write_into"):
        synth = FluidSynth(SR, default_soundfont())
        synth.program(0, 0)
        synth.noteon(0, 60, 100)
        if how == "pull":
            got = synth.pull(70000)
        else:
            buf = np.zeros((70000, 2), np.int16)
            synth.write_into(buf)
            got = buf / np.float32(32768.0)
        synth.close()
        frames.append(got)
    np.testing.assert_array_equal(frames[0], frames[1])
    assert float(np.abs(frames[0]).max()) > 0.01
    synth = FluidSynth(SR, default_soundfont())
    try:
        with pytest.raises(ValueError, match="int16"):
            synth.write_into(np.zeros((10, 2), np.float32))
    finally:
        synth.close()


def test_a_synthesizer_failing_midway_raises_its_error_and_does_not_hang(monkeypatch):
    """One synthesizer thread fails after some blocks: the render raises that error (the
    blocks it never wrote are not handed on) instead of waiting for it forever."""
    from chromatic.errors import RenderError

    class Failing:
        sample_rate = SR

        def __init__(self, fail: bool):
            self.fail, self.pulled = fail, 0

        def program(self, channel, program): ...
        def drums(self, channel): ...
        def noteon(self, channel, pitch, velocity): ...
        def noteoff(self, channel, pitch): ...
        def cc(self, channel, number, value): ...
        def close(self): ...

        def pull(self, n):
            self.pulled += n
            if self.fail and self.pulled > 3 * SR:
                raise RenderError("the synthesizer broke")
            return np.full((n, 2), 0.01, np.float32)

    made = iter([Failing(False), Failing(True)])
    monkeypatch.setattr(render, "SYNTH_THREADS", 2)
    monkeypatch.setattr(render, "choose_renderer", lambda r=None: "fluidsynth")
    monkeypatch.setattr(render, "_backend", lambda *a: next(made))
    seen = []
    with pytest.raises(RenderError, match="the synthesizer broke"):
        render_score(
            _score(),
            sample_rate=SR,
            duration=10.0,
            stereo=True,
            consume=lambda lo, hi, out: seen.append(hi),
            block=SR // 2,
        )
    assert not seen or max(seen) <= 4 * SR  # nothing past what the failing one wrote
