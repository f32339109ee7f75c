"""Symbolic features on real music (Bach chorales from music21's corpus, written to MIDI and
parsed by symusic): key, invariances, and the beat-grid roll."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.music.midi import load_score
from chromatic.music.pianoroll import BEAT_CONFIG, SECONDS_CONFIG, piano_roll
from chromatic.music.symbolic import (
    FEATURE_NAMES,
    N_FEATURES,
    REGISTER_FEATURES,
    key_profile,
    midi_features,
    transpose_features,
)

music21 = pytest.importorskip("music21")

# bwv66.6 is in F# minor, bwv269 in C major (music21's own key analysis agrees)
CHORALES = {"bach/bwv66.6": "minor", "bach/bwv269": "major"}


@pytest.fixture(scope="module")
def chorales(tmp_path_factory) -> dict:
    out = {}
    root = tmp_path_factory.mktemp("chorales")
    for name, mode in CHORALES.items():
        path = root / (name.replace("/", "_") + ".mid")
        music21.corpus.parse(name).write("midi", fp=str(path))
        out[name] = (load_score(path), mode)
    return out


def f(name: str) -> int:
    return FEATURE_NAMES.index(name)


def test_key_and_mode_of_real_chorales(chorales):
    for score, mode in chorales.values():
        x = midi_features(score)
        assert x.shape == (N_FEATURES,) and np.isfinite(x).all()
        major_minus_minor = x[f("key_major_minus_minor")]
        assert (major_minus_minor > 0) == (mode == "major")
        # rotated to the tonic: the tonic is the profile's strongest or second strongest class
        assert x[f("pc_rel_0")] >= np.sort(x[:12])[-2]
        third = x[f("pc_rel_4")] - x[f("pc_rel_3")]  # major third minus minor third
        assert (third > 0) == (mode == "major")
        assert x[:12].sum() == pytest.approx(1.0, abs=1e-5)
        assert x[f("chord_major")] + x[f("chord_minor")] > 0.5  # chorales are triads


def test_transposition_changes_only_register(chorales):
    score, _ = chorales["bach/bwv66.6"]
    base = midi_features(score)
    for k in (-5, -1, 1, 7):
        moved = midi_features(score.shift_pitch(k))
        reg = [f(n) for n in REGISTER_FEATURES]
        rest = np.setdiff1d(np.arange(N_FEATURES), reg)
        np.testing.assert_allclose(moved[rest], base[rest], atol=1e-5)
        np.testing.assert_allclose(moved[reg], base[reg] + k / 128, atol=1e-5)
        np.testing.assert_allclose(transpose_features(base, k), moved, atol=2e-3)


def test_tempo_changes_neither_features_nor_beat_roll(chorales):
    score, _ = chorales["bach/bwv269"]
    slow = score.copy()
    for t in slow.tempos:
        t.qpm = float(t.qpm) * 0.8
    np.testing.assert_array_equal(midi_features(slow), midi_features(score))
    np.testing.assert_array_equal(piano_roll(slow, config=BEAT_CONFIG), piano_roll(score))
    assert not np.array_equal(
        piano_roll(slow, config=SECONDS_CONFIG), piano_roll(score, config=SECONDS_CONFIG)
    )


def test_beat_roll_is_sixteenths_from_ticks(chorales):
    score, _ = chorales["bach/bwv269"]
    roll = piano_roll(score)
    first = min(int(t.notes[0].time) for t in score.tracks if len(t.notes))
    col = round(first / score.tpq * 4)
    assert roll[:, col].max() > 0 and (col == 0 or roll[:, :col].max() == 0)


def test_key_profile_of_a_scale():
    c_major = np.zeros(12)
    c_major[[0, 2, 4, 5, 7, 9, 11]] = 1
    c_major[[0, 4, 7]] += 1
    tonic, rmaj, rmin = key_profile(np.roll(c_major, 3))  # E-flat major
    assert tonic == 3 and rmaj > rmin


def test_empty_score_gives_zeros():
    from symusic import Score

    assert not midi_features(Score(480)).any()


def test_the_bass_root_tells_modes_with_the_same_notes_apart():
    """C major, D dorian and G mixolydian share their notes; only the bass's root differs, and
    the features see it (the key profile alone cannot)."""
    from symusic import Note, Score, Track

    def tune(root: int) -> np.ndarray:
        s = Score(480)
        upper, bass = Track(program=0), Track(program=33)
        scale = [60, 62, 64, 65, 67, 69, 71, 72]
        for k in range(32):
            upper.notes.append(Note(k * 240, 240, scale[(k * 3) % 8], 80))
        for k in range(8):
            bass.notes.append(Note(k * 960, 960, 36 + root, 90))
        s.tracks.extend([upper, bass])
        return midi_features(s)

    b = FEATURE_NAMES.index("pc_bass_rel_0")
    seen = {name: tune(r)[b : b + 12] for name, r in (("C", 0), ("D", 2), ("G", 7))}
    assert seen["C"][4] > 0 and seen["C"][3] == 0  # from C: a major third
    assert seen["D"][3] > 0 and seen["D"][4] == 0  # from D: a minor third (dorian)
    assert seen["G"][4] > 0 and seen["G"][10] > 0 and seen["G"][11] == 0  # mixolydian b7
    r = FEATURE_NAMES.index("bass_root_above_tonic_0")
    for name in seen:
        assert tune({"C": 0, "D": 2, "G": 7}[name])[r : r + 12].sum() == 1.0  # one-hot
