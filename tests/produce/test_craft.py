"""Issue #33: the lead on top and in range, one voice, its doubling apart, no rubs."""

from __future__ import annotations

import itertools

import numpy as np

from chromatic.music.ranges import SUNG_LEAD, lead_register, outside, register
from chromatic.produce.arrange.craft import DOUBLE_PHASE, GAP, RUB, VOICE, shape
from chromatic.produce.arrange.perform import one_voice

Q = 480
BAR = 4 * Q
FLUTE, PAD, BASS, CHOIR = 73, 89, 33, 52


def _tracks():
    """A low flute lead (median D4, under the flute's lowest note in places) doubled an octave
    up in its last bar, a pad voiced above it with a minor add9 (C Eb G D) under a sung Eb,
    a choir above the lead, a bass on C."""
    lead = [(i * Q, Q, p, 80) for i, p in enumerate((55, 58, 60, 62, 63, 62, 60, 58))]
    lead += [(t, d, p + 12, 56) for t, d, p, _ in lead[4:]]  # the lifted chorus's doubling
    pad = [(b * BAR, BAR, p, 70) for b in range(2) for p in (60, 63, 67, 74)]
    choir = [(b * BAR, BAR, p, 60) for b in range(2) for p in (72, 75)]
    bass = [(b * BAR, BAR, 36, 90) for b in range(2)]
    return {
        ("chords", PAD, False): pad,
        ("melody", FLUTE, False): lead,
        ("harmony", CHOIR, False): choir,
        ("bass", BASS, False): bass,
        ("drums", 0, True): [(0, 60, 36, 100)],
    }


def test_ranges_table_knows_the_real_instruments():
    flute, whistle, bass = register(FLUTE), register(78), register(BASS)
    assert (flute.low, flute.high) == (60, 96)  # C4-C7
    assert (whistle.low, whistle.high) == (74, 98)  # D5-D7
    assert (bass.low, bass.high) == (28, 67)  # E1-G4
    assert outside([59, 60, 96, 97], FLUTE) == 2
    sung_flute = lead_register(FLUTE, sung=True)  # where a singer and a flute both sit well
    assert (sung_flute.low, sung_flute.high) == (60, 96)
    assert sung_flute.idiom_low >= 60 and sung_flute.idiom_high <= SUNG_LEAD.idiom_high


def test_lead_is_moved_into_range_and_sits_on_top():
    tracks = _tracks()
    shape(tracks, BAR, sung=True)
    lead = tracks[("melody", FLUTE, False)]
    assert outside([p for _, _, p, _ in lead], FLUTE) == 0
    assert [p for _, _, p, _ in lead] == [67, 70, 72, 74, 75, 74, 72, 70]  # the tune, an octave up
    # a tune wider than the sung range still moves as one line (no note folded apart)
    wide = {("melody", FLUTE, False): [(i * Q, Q, p, 80) for i, p in enumerate((50, 55, 62, 69))]}
    shape(wide, BAR, sung=True)
    got = [p for _, _, p, _ in wide[("melody", FLUTE, False)]]
    assert [b - a for a, b in itertools.pairwise(got)] == [5, 7, 7] and min(got) >= 60
    for key in (("chords", PAD, False), ("harmony", CHOIR, False)):
        for t, d, p, _ in tracks[key]:
            sounding = [q for s, e, q, _ in lead if s < t + d and s + e > t]
            assert p <= min(sounding) - GAP, (key, t, p)
    # every part is still inside its instrument
    for (_, program, drum), hits in tracks.items():
        assert outside([p for _, _, p, _ in hits], program, drum) == 0


def test_the_doubling_gets_its_own_track_and_the_lead_is_one_voice():
    tracks = _tracks()
    shape(tracks, BAR, sung=True)
    lead = tracks[("melody", FLUTE, False)]
    double = tracks[(DOUBLE_PHASE, FLUTE, False)]
    assert len(lead) == 8 and len({t for t, *_ in lead}) == 8
    assert all(a[0] + a[1] <= b[0] for a, b in itertools.pairwise(lead))
    assert [(t, p - 12) for t, _, p, _ in double] == [(t, p) for t, _, p, _ in lead[4:]]


def test_no_semitone_against_the_lead_on_strong_beats():
    tracks = _tracks()
    shape(tracks, BAR, sung=True)
    lead = tracks[("melody", FLUTE, False)]
    rubs = 0
    for s, _d, lp, _ in lead:
        if s % (BAR // 2):
            continue
        for key, hits in tracks.items():
            if key[2] or key[0] in ("melody", DOUBLE_PHASE):
                continue
            rubs += sum(t <= s < t + e and (p - lp) % 12 in RUB for t, e, p, _ in hits)
    assert rubs == 0
    # the add9 (D) under the sung Eb resolved onto the Eb; the chord is still a minor triad
    second_bar = {p % 12 for t, _, p, _ in tracks[("chords", PAD, False)] if t == BAR}
    assert {0, 3, 7} <= second_bar and 2 not in second_bar


def test_humanized_lead_never_overlaps():
    rng = np.random.default_rng(1)
    notes = [(i * 240 + int(rng.integers(-30, 30)), 300, 60 + i % 5, 80) for i in range(40)]
    notes.append((notes[3][0], 200, 50, 70))  # two notes struck together: the higher stays
    out = one_voice(notes)
    assert len(out) == 40 and len({t for t, *_ in out}) == 40
    assert all(a[0] + a[1] <= b[0] for a, b in itertools.pairwise(out))


def test_a_key_change_is_prepared_by_the_new_keys_dominant():
    """C major chords and bass for two bars, the plan moving to G major at bar 2: the half
    bar before it plays D major (G's dominant), the rest is untouched."""
    from chromatic.produce.arrange.craft import prepare_modulation

    tracks = {
        ("chords", PAD, False): [(b * BAR, BAR, p, 70) for b in range(3) for p in (60, 64, 67)],
        ("bass", BASS, False): [(b * BAR, BAR, 36, 90) for b in range(3)],
    }
    assert prepare_modulation(tracks, 2 * BAR, BAR, 7)
    half = 2 * BAR - BAR // 2
    for key, expected in ((("chords", PAD, False), {2, 6, 9}), (("bass", BASS, False), {2})):
        before = {p % 12 for t, d, p, _ in tracks[key] if t <= half - 1 < t + d}
        at = {p % 12 for t, d, p, _ in tracks[key] if t <= half < t + d}
        assert at == expected and before != expected, key
        assert all(t + d <= half or t >= half for t, d, _, _ in tracks[key])  # cut, not overlapped
    assert not prepare_modulation({("chords", PAD, False): []}, 2 * BAR, BAR, 7)


def test_a_sung_line_goes_where_a_singer_sings_it():
    """A sung tune of 17 semitones (G2-C4) under a flute preview: an octave up it is sung
    (G3-C5) with one note under the flute; two octaves up would suit the flute and no singer.
    The flute cannot play the G3, so the preview sings the line with GM Synth Voice."""
    line = [(i * Q, Q, p, 80) for i, p in enumerate((43, 48, 52, 55, 60, 57))]
    tracks = {("melody", FLUTE, False): line}
    notes = shape(tracks, BAR, sung=True)
    assert ("melody", FLUTE, False) not in tracks
    got = [p for _, _, p, _ in tracks[("melody", VOICE, False)]]
    assert got == [p + 12 for _, _, p, _ in line]
    assert all(SUNG_LEAD.playable(p) for p in got) and outside(got, VOICE) == 0
    assert any("Synth Voice" in n for n in notes)
    # a tune the flute plays whole keeps the flute
    inside = {("melody", FLUTE, False): [(i * Q, Q, p, 80) for i, p in enumerate((60, 64, 67))]}
    shape(inside, BAR, sung=True)
    assert list(inside) == [("melody", FLUTE, False)]


def test_a_resolved_rub_and_a_chord_under_the_melody_stay_in_the_instrument():
    """A synth-lead chord part (GM 81, C2 up) with its C2 a semitone over a sung B: the rub
    resolves onto B, an octave up (B1 is under the instrument); the performance pass does not
    push a banjo's chord (G3 up) under its lowest note to get under the tune."""
    from chromatic.produce.arrange.perform import _under_melody

    saw = 81
    tracks = {
        ("chords", saw, False): [(0, BAR, p, 70) for p in (36, 52, 55)],
        ("melody", FLUTE, False): [(0, BAR, 71, 80)],
    }
    shape(tracks, BAR, sung=False)
    chord = [p for _, _, p, _ in tracks[("chords", saw, False)]]
    assert outside(chord, saw) == 0 and 47 in chord and 36 not in chord
    banjo = _under_melody([(0, BAR, 57, 70)], [(0, BAR, 55)], register(105).low)
    assert [p for _, _, p, _ in banjo] == [57] and outside([57], 105) == 0


def test_a_backing_voice_that_cannot_get_under_the_tune_rests_there():
    """A violin backing (G3 up) under a low sung lead (C4-E4): the notes that would sound above
    the tune rest; the ones that fit under it stay; a pad in the same place keeps its notes."""
    violin, pad, voice_lead = 40, 88, 85
    tracks = {
        ("harmony", violin, False): [(0, BAR, 65, 70), (BAR, BAR, 55, 70)],
        ("chords", pad, False): [(0, BAR, 65, 70)],
        ("melody", voice_lead, False): [(0, BAR, 60, 80), (BAR, BAR, 64, 80)],
    }
    shape(tracks, BAR, sung=True)
    lead = tracks[("melody", voice_lead, False)]
    low = min(p for _, _, p, _ in lead)
    backing = tracks[("harmony", violin, False)]
    assert backing and all(p <= low for _, _, p, _ in backing)
    assert outside([p for *_, p in backing], violin) == 0
    assert len(tracks[("chords", pad, False)]) == 1


def test_a_sung_line_keeps_one_octave_across_the_instruments_that_preview_it():
    """Song 01 (seed 1): the verse previewed by a flute, the chorus by a voice lead. Moved
    one by one, the flute's verse went up an octave (the flute's floor is C4) and the chorus
    stayed: the singer's line spanned 20 semitones, the chorus an octave under its verse."""
    verse = [(i * Q, Q, p, 80) for i, p in enumerate((52, 55, 57, 60, 62, 65, 60, 57))]
    chorus = [(BAR * 2 + i * Q, Q, p, 80) for i, p in enumerate((57, 60, 62, 64, 62, 60))]
    voice_lead = 85

    def sung_pitches(sung: bool) -> list[int]:
        tracks = {("melody", FLUTE, False): list(verse), ("melody", voice_lead, False): chorus}
        shape(tracks, BAR, sung=sung)
        lead = sorted(h for k, hits in tracks.items() if k[0] == "melody" for h in hits)
        return [p for _, _, p, _ in lead]

    got = sung_pitches(True)
    want = [p + 12 for _, _, p, _ in verse + chorus]  # the tune, one octave up, as written
    assert got == want
    assert max(got) - min(got) == 13 and all(SUNG_LEAD.playable(p) for p in got)
    # an instrumental lead: each instrument its own performer, each placed where it sits best
    apart = sung_pitches(False)
    assert apart[: len(verse)] == [p + 12 for _, _, p, _ in verse]
    assert apart[len(verse) :] == [p for _, _, p, _ in chorus]


def test_two_sections_a_singer_needs_synth_voice_for_share_its_track():
    """A whistle verse and a piccolo chorus, sung G3-F4: neither instrument plays all of it, so both
    are previewed by Synth Voice, on one track with every note (the second no longer replaces
    the first)."""
    whistle, piccolo = 78, 72
    verse = [(i * Q, Q, p, 80) for i, p in enumerate((55, 57, 59, 60))]
    chorus = [(BAR + i * Q, Q, p, 80) for i, p in enumerate((60, 62, 64, 65))]
    tracks = {("melody", whistle, False): verse, ("melody", piccolo, False): chorus}
    notes = shape(tracks, BAR, sung=True)
    assert [k for k in tracks if k[0] == "melody"] == [("melody", VOICE, False)]
    sung = tracks[("melody", VOICE, False)]
    assert [(t, p) for t, _, p, _ in sung] == [(t, p + 12) for t, _, p, _ in verse + chorus]
    assert sum("Synth Voice" in n for n in notes) == 2


def test_backing_phrases_moved_under_the_tune_keep_the_backing_singers_range():
    """A tenor-sax-previewed backing (singer 53-72) under a lead: its second phrase went down
    an octave under the tune to the saxophone's floor, not the singer's (as seed 2's Green song
    re-voiced a note to 47 under a dip of the tune: 60 -> 47 inside a phrase, 47 under the
    singer). With the singer's low as the floor it stays where she sings it."""
    sax, voice_lead = 66, 85
    first = [(0, Q, 60, 70), (Q, Q, 62, 70), (2 * Q, Q, 62, 70), (3 * Q, Q, 60, 70)]
    second = [(5 * Q + i * Q, Q, p, 70) for i, p in enumerate((59, 65, 67, 65, 65))]
    lead = [(i * Q, Q, p, 80) for i, p in enumerate((67, 69, 69, 67, 66, 64, 67, 69, 67, 67))]

    def backing(low):
        tracks = {("harmony", sax, False): first + second, ("melody", voice_lead, False): lead}
        shape(tracks, BAR, sung=True, backing_low=low)
        return [p for _, _, p, _ in tracks[("harmony", sax, False)]]

    assert min(backing(None)) < 53  # the saxophone's floor alone lets the phrase drop
    sung = backing(53)
    assert sung and min(sung) >= 53
    assert all(abs(b - a) < 12 for a, b in itertools.pairwise(sung))
