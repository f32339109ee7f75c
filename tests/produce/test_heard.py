"""The bass follows the harmony it plays under (``produce.bass.harmony``)."""

from __future__ import annotations

from chromatic.music.key import Key
from chromatic.produce.bass.line import BassOption, bass_templates, realize
from chromatic.produce.heard import candidates, chord_scale, heard_key
from chromatic.produce.sections import ChordSpan
from tests.produce.test_bass import _section

A_MINOR = Key.parse("A minor")
BAR = 1920


def _loop(*chords: tuple[tuple[int, ...], int]):
    spans = [(i * BAR, (i + 1) * BAR, tones, root) for i, (tones, root) in enumerate(chords)]
    return _section("4/4", spans, len(chords))


def test_a_chords_own_tones_replace_the_key_degree_they_clash_with():
    base = {9, 11, 0, 2, 4, 5, 7}
    assert chord_scale(ChordSpan(0, BAR, (9, 0, 4), 9), A_MINOR) == base
    # E major: G# for G (harmonic minor); D major: F# for F (dorian sixth)
    assert chord_scale(ChordSpan(0, BAR, (4, 8, 11), 4), A_MINOR) == base - {7} | {8}
    assert chord_scale(ChordSpan(0, BAR, (2, 6, 9), 2), A_MINOR) == base - {5} | {6}
    # Bb major: the tonic A stays, B gives way
    assert chord_scale(ChordSpan(0, BAR, (10, 2, 5), 10), A_MINOR) == base - {11} | {10}


def test_the_heard_key_is_the_proposals_unless_both_listeners_prefer_its_relative_or_parallel():
    assert candidates(A_MINOR) == (A_MINOR, Key("C", "major"), Key("A", "major"))
    assert candidates(Key.parse("E major"))[1:] == (Key("C#", "minor"), Key("E", "minor"))
    in_key = _loop(((9, 0, 4), 9), ((2, 5, 9), 2), ((4, 8, 11), 4), ((9, 0, 4), 9))
    assert heard_key(in_key, A_MINOR) == A_MINOR
    relative = _loop(((0, 4, 7), 0), ((5, 9, 0), 5), ((7, 11, 2), 7), ((0, 4, 7), 0))
    assert heard_key(relative, A_MINOR) == Key("C", "major")
    parallel = _loop(((9, 1, 4), 9), ((2, 6, 9), 2), ((4, 8, 11), 4), ((9, 1, 4), 9))
    assert heard_key(parallel, A_MINOR) == Key("A", "major")


def _line(section, name: str, key: Key = A_MINOR) -> list[int]:
    temps = {t.name: t for t in bass_templates(section.meter)}
    notes, _ = realize(section, key, BassOption(temps[name], "low", "diatonic"))
    return [n.pitch % 12 for n in notes]


def test_passing_notes_under_a_major_dominant_take_its_leading_tone():
    # A minor i - V: the walk under E major passes through G#, never the key's G
    sec = _loop(((9, 0, 4), 9), ((4, 8, 11), 4))
    line = _line(sec, "walking_scalar")
    under_e = line[4:]
    assert under_e[0] == 4 and 8 in under_e and 7 not in under_e


def test_a_loop_in_the_relative_major_pedals_on_its_tonic_not_the_proposals():
    relative = _loop(((0, 4, 7), 0), ((5, 9, 0), 5), ((7, 11, 2), 7), ((0, 4, 7), 0))
    assert set(_line(relative, "pedal_whole")) == {0}
    in_key = _loop(((9, 0, 4), 9), ((2, 5, 9), 2), ((4, 8, 11), 4), ((9, 0, 4), 9))
    assert set(_line(in_key, "pedal_whole")) == {9}


def test_the_candidate_says_when_its_chords_are_heard_in_another_key():
    from types import SimpleNamespace

    from chromatic.produce.phases.bass import Kicks, bass_candidate, bass_options

    song = SimpleNamespace(proposal=SimpleNamespace(key=A_MINOR))
    relative = _loop(((0, 4, 7), 0), ((5, 9, 0), 5), ((7, 11, 2), 7), ((0, 4, 7), 0))
    in_key = _loop(((9, 0, 4), 9), ((2, 5, 9), 2), ((4, 8, 11), 4), ((9, 0, 4), 9))
    kicks = Kicks((0,), "drums")
    got = bass_candidate(song, relative, 0, bass_options(relative)[0], kicks)
    assert got.details["heard_key"] == "C major"
    assert (
        "heard_key" not in bass_candidate(song, in_key, 0, bass_options(in_key)[0], kicks).details
    )


def test_every_key_has_a_relative_and_a_parallel_with_the_right_notes():
    from chromatic.music.key import MODE_STEPS, SHARP_NAMES

    for tonic in SHARP_NAMES:
        for mode in MODE_STEPS:
            key = Key(tonic, mode)
            own, relative, parallel = candidates(key)
            assert own == key and parallel.pc == key.pc
            assert parallel.is_minor != key.is_minor and relative.is_minor != key.is_minor
            assert set(relative.scale_pcs()) == set(key.scale_pcs()), key
