"""The musicality measures on hand-built pieces and on a real Bach chorale."""

from __future__ import annotations

import pytest

from chromatic.measure.musicality import (
    Piece,
    PNote,
    chord_sequence,
    distinct_bars,
    drums_end_with_music,
    is_chord_tone,
    measure,
    melody_line,
    melody_ngrams,
    overlap,
    pc_entropy,
    percentile,
    repeated_note_share,
    tonic_ending,
)


def _scale_melody(bars: int = 4) -> list[PNote]:
    pitches = [60, 62, 64, 65, 67, 65, 64, 62]
    return [PNote(i * 0.5, 0.5, pitches[i % 8]) for i in range(bars * 8)]


def _c_chord(at: float, dur: float = 4.0) -> list[PNote]:
    return [PNote(at, dur, p) for p in (48, 52, 55)]


def test_melody_line_keeps_the_highest_note_per_onset():
    line = melody_line([PNote(0, 1, 60), PNote(0, 1, 67), PNote(1, 1, 62)])
    assert [n.pitch for n in line] == [67, 62]


def test_entropy_and_repeats():
    assert pc_entropy([PNote(0, 1, 60)] * 4) == 0.0
    assert pc_entropy([PNote(i, 1, 60 + i) for i in range(12)]) == pytest.approx(3.585, abs=1e-3)
    mel = [PNote(0, 1, 60), PNote(1, 1, 60), PNote(2, 1, 62), PNote(3, 1, 62)]
    assert repeated_note_share(mel) == pytest.approx(2 / 3)


def test_a_loop_has_few_distinct_bars():
    loop = _scale_melody(16)  # the same bar sixteen times
    assert distinct_bars(loop, 4.0) == (pytest.approx(1 / 16), pytest.approx(1 / 16))
    varied = [
        PNote(b * 4 + i * (0.5 + 0.5 * (b % 2)), 0.5, 60 + b) for b in range(16) for i in range(4)
    ]
    d, r = distinct_bars(varied, 4.0)
    assert d == 1.0 and r == pytest.approx(2 / 16)


def test_chord_tone_completes_a_triad():
    assert is_chord_tone(4, {0, 7})  # E over C and G: a C major triad
    assert not is_chord_tone(1, {0, 4, 7})  # C# over C major


def test_a_note_completing_a_suspended_chord_is_its_chord_tone():
    """Song 10 (seed 1): G# sung over a C#sus2 voiced C# D# is the chord's fifth; a chorale's
    open dyad F C under a soprano G, F in the bass, stays the F chord's ninth."""
    assert is_chord_tone(8, {1, 3}, bass=1)  # G# over C# D#: C#sus2
    assert is_chord_tone(9, {2, 7}, bass=2)  # A over D G: Dsus4
    assert not is_chord_tone(8, {1, 3})  # without the bass: no reading
    assert not is_chord_tone(7, {5, 0}, bass=5)  # G over F C: the F chord's ninth
    assert not is_chord_tone(3, {1, 8}, bass=1)  # D# over C# G#: not the fifth
    assert is_chord_tone(4, {0, 7}, bass=0) and not is_chord_tone(6, {0, 4, 7}, bass=0)


def test_tonic_ending_needs_bass_and_chord_on_the_tonic():
    chords = _c_chord(0) + [PNote(4, 4, p) for p in (55, 59, 62)]  # ends on G major
    bass = [PNote(0, 4, 36), PNote(4, 4, 43)]
    p = Piece("x", 0, False, 4.0, _scale_melody(2), bass=bass, chords=chords)
    assert not tonic_ending(p)
    p.chords = _c_chord(0) + _c_chord(4)
    p.bass = [PNote(0, 4, 36), PNote(4, 4, 36)]
    assert tonic_ending(p)


def test_drums_that_stop_mid_groove_are_caught():
    melody = _scale_melody(2)
    groove = [b * 4 + i * 0.5 for b in range(2) for i in range(8)]
    p = Piece("x", 0, False, 4.0, melody, drums=groove)
    assert drums_end_with_music(p) is False
    p.drums = [t for t in groove if t < 4] + [4.0]  # a final hit on the last downbeat
    assert drums_end_with_music(p) is True
    p.drums = []
    assert drums_end_with_music(p) is None


def test_overlap_and_chord_sequence():
    a = melody_ngrams(_scale_melody(2))
    assert overlap(a, a) == 1.0
    b = melody_ngrams([PNote(i, 1, 60 + (i * 5) % 12) for i in range(16)])
    assert overlap(a, b) == 0.0
    p = Piece("x", 0, False, 4.0, [], chords=_c_chord(0) + _c_chord(4) + [PNote(8, 4, 53)])
    assert chord_sequence(p) == [(0, 4, 7), (5,)]


def test_percentile_matches_numpy():
    np = pytest.importorskip("numpy")
    xs = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6]
    for q in (5, 50, 90):
        assert percentile(xs, q) == pytest.approx(float(np.percentile(xs, q)))


def test_a_bach_chorale_measures_like_bach():
    """A real chorale from music21's corpus: the reference the benchmark compares against."""
    corpus = pytest.importorskip("music21.corpus")
    s = corpus.parse("bach/bwv66.6")
    parts = list(s.parts)
    key = s.analyze("key")

    def notes(part):
        return [
            PNote(float(n.offset), float(n.quarterLength), p.midi)
            for n in part.flatten().notes
            for p in n.pitches
        ]

    piece = Piece(
        "bwv66.6",
        key.tonic.pitchClass,
        key.mode == "minor",
        4.0,
        melody_line(notes(parts[0])),
        bass=notes(parts[-1]),
        chords=[n for p in parts[1:-1] for n in notes(p)],
    )
    m = measure(piece)
    assert m["in_key"] > 0.85
    assert m["chord_tones"] > 0.8
    assert 2.5 < m["pc_entropy"] < 3.4
    assert m["largest_leap"] <= 12


def test_humanized_bars_played_from_one_rhythm_count_as_one():
    from chromatic.measure.musicality import PNote, distinct_bars, on_grid

    assert on_grid(0.97) == on_grid(1.0) and on_grid(0.35) == on_grid(1 / 3)
    rhythm = (0.0, 0.5, 1.5, 2.0)
    jitter = (0.0, 0.03, -0.04, 0.02, -0.02, 0.04)
    bars = [
        PNote(b * 4 + t + jitter[(b + i) % len(jitter)], 0.5, 60 + i)
        for b in range(4)
        for i, t in enumerate(rhythm)
    ]
    assert distinct_bars(bars, 4.0) == (0.25, 0.25)
    other = [*bars, PNote(16.0, 1.0, 60), PNote(17.25, 1.0, 62)]
    assert distinct_bars(other, 4.0) == (0.4, 0.4)
