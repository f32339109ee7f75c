from __future__ import annotations

import json

import numpy as np
import pytest
from symusic import Note

from chromatic.cli import main
from chromatic.errors import RenderError
from chromatic.music import render
from chromatic.music.midi import add_track, new_score
from chromatic.music.render import ENV, available_renderers, choose_renderer, render_score
from tests.conftest import EXAMPLES

PRESENT = available_renderers()
SR = 16000


def _score():
    s = new_score(120)
    tr = add_track(s, "piano", program=0)
    tr.notes.append(Note(time=960, duration=480, pitch=60, velocity=110))  # 1.0-1.5 s
    drums = add_track(s, "drums", is_drum=True)
    drums.notes.append(Note(time=2880, duration=60, pitch=38, velocity=110))  # 3.0 s
    return s


def _rms(audio, a, b):
    return float(np.sqrt(np.mean(audio[int(a * SR) : int(b * SR)] ** 2)))


@pytest.mark.parametrize("backend", PRESENT)
def test_each_present_renderer_renders_notes_where_they_are(backend):
    audio = render_score(_score(), sample_rate=SR, duration=4.0, renderer=backend)
    assert audio.shape == (64000,) and audio.dtype == np.float32
    assert _rms(audio, 0.0, 0.9) < 1e-4  # silence before the first note
    assert _rms(audio, 1.0, 1.4) > 1e-3
    assert _rms(audio, 3.0, 3.3) > 1e-3  # the drum channel sounds
    assert float(np.max(np.abs(audio))) <= 1.0
    again = render_score(_score(), sample_rate=SR, duration=4.0, renderer=backend)
    np.testing.assert_array_equal(audio, again)  # deterministic: the same bytes twice


def test_tinysoundfont_is_installed_and_forced_by_the_environment(monkeypatch):
    """The wheel-only renderer always runs: no system package is needed for audio."""
    assert "tinysoundfont" in PRESENT, "install it: pip install --no-deps tinysoundfont"
    monkeypatch.setenv(ENV, "tinysoundfont")
    assert choose_renderer() == "tinysoundfont"
    audio = render_score(_score(), sample_rate=SR, duration=4.0)
    np.testing.assert_array_equal(
        audio, render_score(_score(), sample_rate=SR, duration=4.0, renderer="tinysoundfont")
    )
    assert (
        _rms(audio, 0.0, 0.9) < 1e-4
        and _rms(audio, 1.0, 1.4) > 1e-3
        and _rms(audio, 3.0, 3.3) > 1e-3
    )
    if "fluidsynth" in PRESENT:  # forcing really changes the backend
        fs = render_score(_score(), sample_rate=SR, duration=4.0, renderer="fluidsynth")
        assert not np.array_equal(audio, fs)


@pytest.mark.skipif(len(PRESENT) < 2, reason="needs both renderers")
def test_both_renderers_give_comparable_levels():
    s = new_score(100)
    for program, base in ((0, 60), (33, 36), (48, 67)):
        tr = add_track(s, f"p{program}", program=program)
        tr.notes.extend(
            Note(time=i * 240, duration=200, pitch=base + (i * 5) % 12, velocity=70 + i)
            for i in range(32)
        )
    fs, tsf = (render_score(s, sample_rate=SR, renderer=b) for b in ("fluidsynth", "tinysoundfont"))
    assert fs.shape == tsf.shape
    ratio_db = 20 * np.log10(np.sqrt(np.mean(tsf**2)) / np.sqrt(np.mean(fs**2)))
    assert abs(ratio_db) < 3.0


def test_default_prefers_fluidsynth_when_it_loads(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert choose_renderer() == PRESENT[0]
    assert PRESENT[0] == ("fluidsynth" if "fluidsynth" in PRESENT else "tinysoundfont")


def test_unknown_renderer_name_is_refused(monkeypatch):
    monkeypatch.setenv(ENV, "timidity")
    with pytest.raises(
        RenderError, match=r"CHROMATIC_RENDERER.*fluidsynth, tinysoundfont.*'timidity'"
    ):
        render_score(_score(), sample_rate=SR)


def test_renderer_none_turns_audio_off_but_empty_scores_need_no_renderer(monkeypatch):
    monkeypatch.setenv(ENV, "none")
    with pytest.raises(RenderError, match="turned off"):
        render_score(_score(), sample_rate=SR)
    silent = render_score(new_score(120), sample_rate=SR, duration=1.0)
    assert silent.shape == (SR,) and not silent.any()


def test_without_any_renderer_the_error_says_how_to_get_audio(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(render, "_probe", lambda name: f"{name} missing here")
    with pytest.raises(RenderError) as e:
        render_score(_score(), sample_rate=SR)
    msg = str(e.value)
    assert "fluidsynth missing here" in msg and "tinysoundfont missing here" in msg
    assert (
        "libfluidsynth3" in msg and "pip install --no-deps tinysoundfont" in msg and "\n" not in msg
    )
    monkeypatch.setenv(ENV, "fluidsynth")
    with pytest.raises(RenderError, match="the fluidsynth renderer is not available"):
        render_score(_score(), sample_rate=SR)


def test_tinysoundfont_refuses_a_broken_soundfont(tmp_path):
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(b"not a soundfont")
    with pytest.raises(RenderError, match="TinySoundFont could not load the soundfont") as e:
        render_score(_score(), sample_rate=SR, soundfont=bad, renderer="tinysoundfont")
    assert str(bad) in str(e.value)


# --- without any renderer the commands still write everything and say how to get audio -------


def test_compose_auto_without_a_renderer_writes_every_output_and_one_hint(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv(ENV, "none")
    source = sorted((EXAMPLES / "proposals").glob("*.yml"))[0]
    out = tmp_path / "song"
    assert (
        main(["compose", str(source), "--out", str(out), "--auto", "-n", "8", "--beam", "1"]) == 0
    )
    err = capsys.readouterr().err
    hints = [line for line in err.splitlines() if "no audio preview" in line]
    assert len(hints) == 1 and "--no-render" in hints[0] and ENV in hints[0]
    summary = json.loads((out / "compose_summary.json").read_text())
    assert set(summary["outputs"]) == {"plan", "manifest", "arrangement", "summary", "summary_json"}
    for rel in summary["outputs"].values():
        assert (out / rel).is_file()
    assert any("no audio preview" in w for w in summary["warnings"])
    assert not (out / "arrangement.wav").exists()


def test_catalog_synth_without_a_renderer_suggests_no_audio(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(ENV, "none")
    out = tmp_path / "cat"
    args = [
        "catalog",
        "synth",
        str(EXAMPLES / "catalog"),
        "--out",
        str(out),
        "--songs",
        "01_90",
        "--max-seconds",
        "4",
    ]
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--no-audio" in err[0] and not out.exists()
    assert main([*args, "--no-audio"]) == 0
    assert list((out / "01_90").glob("*.mid"))


def _panned(pan: int, volume: int):
    from symusic import ControlChange

    s = new_score(120)
    tr = add_track(s, "chords", program=0)
    tr.controls.append(ControlChange(time=0, number=7, value=volume))
    tr.controls.append(ControlChange(time=0, number=10, value=pan))
    tr.notes.append(Note(time=0, duration=960, pitch=60, velocity=100))
    return s


@pytest.mark.parametrize("backend", PRESENT)
def test_each_renderer_plays_stereo_with_cc10_pan_and_cc7_volume(backend):
    def level(pan: int, volume: int = 127):
        a = render_score(
            _panned(pan, volume), sample_rate=SR, duration=1.0, renderer=backend, stereo=True
        )
        assert a.shape == (SR, 2)
        return 20 * np.log10(np.sqrt(np.mean(a**2, axis=0)) + 1e-12)

    left, centre, right = level(0), level(64), level(127)
    assert left[0] - left[1] > 10 and right[1] - right[0] > 10
    assert abs(centre[0] - centre[1]) < 1
    assert level(64, 40)[0] < centre[0] - 10  # CC7 lowers the track


@pytest.mark.skipif("fluidsynth" not in PRESENT, reason="needs FluidSynth")
def test_fluidsynth_renders_the_same_samples_whatever_called_rand_before():
    """FluidSynth fills its dither table from the C library's rand() at its first synthesizer:
    a rand() call before it (another thread's library loading: a race) must not change the
    samples (``render_fluid.first_synth`` seeds rand as a fresh process has it)."""
    import subprocess
    import sys

    code = (
        "import ctypes, hashlib, sys\n"
        "if sys.argv[1] == 'rand':\n"
        "    [ctypes.CDLL(None).rand() for _ in range(3)]\n"
        "from tests.music.test_render import _score\n"
        "from chromatic.music.render import render_score\n"
        "a = render_score(_score(), sample_rate=16000, duration=4.0, renderer='fluidsynth')\n"
        "print(hashlib.sha256(a.tobytes()).hexdigest())\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, how], capture_output=True, text=True, check=True
        ).stdout
        for how in ("fresh", "rand")
    ]
    assert runs[0] == runs[1] and len(runs[0].strip()) == 64
