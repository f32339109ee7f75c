"""Meter and rhythm features: a waltz and a march built from the same notes, no time signature."""

from __future__ import annotations

import numpy as np
import pytest
from symusic import Note, Score, Track

from chromatic.music.meter_features import METER_FEATURE_NAMES
from chromatic.music.symbolic import FEATURE_NAMES, midi_features, midi_features_batch


def tune(bar: int, bars: int = 16, tpq: int = 480, shift: int = 0) -> Score:
    """A long note on each downbeat, then quarter notes: ``bar`` beats a bar, no time
    signature event (so only the notes carry the meter)."""
    s = Score(tpq)
    tr = Track(program=0)
    pitches = [60, 64, 67, 72, 67, 64]
    k = 0
    for b in range(bars):
        t0 = b * bar * tpq + shift
        tr.notes.append(Note(t0, 2 * tpq, pitches[k % 6], 90))  # a half note on the downbeat
        k += 1
        for q in range(2, bar):
            tr.notes.append(Note(t0 + q * tpq, tpq, pitches[k % 6], 70))
            k += 1
    s.tracks.append(tr)
    return s


def m(feats: np.ndarray, name: str) -> float:
    return float(feats[FEATURE_NAMES.index(name)])


def test_a_waltz_and_a_march_differ_where_their_bars_repeat():
    waltz, march = midi_features(tune(3)), midi_features(tune(4))
    assert m(waltz, "onset_autocorr_6") > m(march, "onset_autocorr_6")  # a 3/4 bar: 6 eighths
    assert m(march, "onset_autocorr_8") > m(waltz, "onset_autocorr_8")  # a 4/4 bar: 8 eighths
    assert m(waltz, "meter_strength_6") > m(waltz, "meter_strength_4")
    assert m(march, "meter_strength_8") > m(march, "meter_strength_6")
    # inter-onset intervals: a waltz is 2 + 1 beats, a march 2 + 1 + 1
    assert m(waltz, "ioi_2_beats") == pytest.approx(0.5, abs=0.05)
    assert m(march, "ioi_beat") == pytest.approx(2 / 3, abs=0.05)


def test_meter_features_ignore_tempo_resolution_and_a_shift():
    base = midi_features(tune(3))
    idx = [FEATURE_NAMES.index(n) for n in METER_FEATURE_NAMES]
    for other in (tune(3, tpq=96), tune(3, shift=240)):  # another tpq; a half-beat later
        np.testing.assert_allclose(midi_features(other)[idx], base[idx], atol=0.03)


def test_batch_equals_one_at_a_time():
    scores = [tune(3), tune(4), Score(480), tune(2)]
    batch = midi_features_batch(scores)
    for s, row in zip(scores, batch, strict=True):
        np.testing.assert_allclose(row, midi_features(s), atol=1e-6)
    assert not batch[2].any()  # an empty score: zeros
