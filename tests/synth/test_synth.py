"""Synthesized media follows the manifests: timing, key, meter, lyrics and track roles."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from chromatic.catalog.manifest import load_manifest
from chromatic.catalog.tracks import build_tracks
from chromatic.catalog.validate import validate_catalog
from chromatic.music.midi import load_score
from chromatic.music.pianoroll import note_arrays
from chromatic.synth.parts import drum_voices, track_role


@pytest.mark.parametrize(
    "description, role",
    [
        ("lead vocals", "vocals"),
        ("Alchemy synth bass", "bass"),
        ("big, over-modulated floor tom", "drums"),
        ("Wurlitzer style home organ", "harmony"),
        ("Galloping sequence synth", "lead"),
        ("electric bass with spring reverb", "bass"),
        ("ungated mic over hi-hat", "drums"),
        ("Flute", "lead"),
    ],
)
def test_roles_from_real_descriptions(description, role):
    assert track_role(description) == role


def test_drum_stems_hear_their_voices():
    assert drum_voices("kick drum close mic") == {36}
    assert drum_voices("big, open room mic") is None


def test_real_songs_synthesized_and_trimmed(synth_real):
    report = validate_catalog(synth_real)
    assert not report.errors, [p.line() for p in report.errors]
    for song in ("01_01", "05_03", "08_01"):
        m = load_manifest(synth_real / song / f"{song}.yml").manifest
        assert m.trt_seconds == pytest.approx(12.0)
        main, sr = sf.read(synth_real / song / m.main_audio_file)
        assert sr == 22050 and len(main) == round(12.0 * sr)
        assert np.abs(main).max() <= 1.0 and np.sqrt(np.mean(main**2)) > 0.01
        for t in m.audio_tracks:
            if t.midi_file:
                score = load_score(synth_real / song / t.midi_file)
                assert score.tempos[0].qpm == pytest.approx(m.bpm, abs=0.01)
                ts = score.time_signatures[0]
                assert f"{ts.numerator}/{ts.denominator}" == m.tempo
                notes = note_arrays(score)
                assert notes["end"].max() <= 12.0 + 1e-3  # nothing past the (trimmed) end
    # 01_01's drum group shares one MIDI, channel 10
    drums = load_score(synth_real / "01_01" / "01_01_drums.mid")
    assert all(t.is_drum for t in drums.tracks) and drums.note_num() > 0


def test_harmony_is_in_key(synth_real):
    m = load_manifest(synth_real / "05_03" / "05_03.yml").manifest  # E minor
    scale = set(m.key_obj.scale_pcs())
    for t in m.audio_tracks:
        if t.midi_file:
            pcs = set(
                int(p) % 12
                for p in note_arrays(load_score(synth_real / "05_03" / t.midi_file))["pitch"]
            )
            assert pcs <= scale


def test_vocals_follow_lyrics(synth_real):
    m = load_manifest(synth_real / "01_01" / "01_01.yml").manifest
    vocal = next(t for t in m.audio_tracks if t.description == "lead vocals")
    audio, _sr = sf.read(synth_real / "01_01" / vocal.audio_file)
    # 01_01's first lyric line is at 15 s, beyond the 12 s cut: the vocal stem is silent
    assert np.abs(audio).max() < 1e-3


@pytest.mark.slow
def test_example_catalog_end_to_end(example_catalog, tmp_path):
    from chromatic.synth.catalog import synth_catalog

    res = synth_catalog(example_catalog, tmp_path / "cat", progress=False)
    assert (
        sorted(res.done) == sorted(f"0{i}_{n}" for i in range(1, 9) for n in (90, 91, 92))
        and not res.failed
    )
    assert not validate_catalog(tmp_path / "cat").errors
    built = build_tracks(tmp_path / "cat", tmp_path / "data", strict=True)
    assert (built.songs, built.colors) == (24, 8)
    for song_dir in sorted((tmp_path / "cat").iterdir()):
        m = load_manifest(song_dir / f"{song_dir.name}.yml").manifest
        assert 45 <= m.trt_seconds <= 90
        info = sf.info(song_dir / m.main_audio_file)
        assert info.duration == pytest.approx(m.trt_seconds, abs=0.01)
