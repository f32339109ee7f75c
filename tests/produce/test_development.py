"""Development (issue #33, item 5): a period whose second half answers its first, a band that
thins on a section's first pass and fills on the next, a descant backing where the style asks
for one, and the benchmark's measures of all three."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

from chromatic.measure.development import half_figures, halves, pass_figures, plan_passes
from chromatic.measure.musicality import Piece, PNote
from chromatic.music.key import Key, TimeSignature
from chromatic.music.meter import TPQ, meter_of
from chromatic.produce.arrange.craft import shape
from chromatic.produce.arrange.variation import Frame, develop
from chromatic.produce.melody.contours import CONTOURS
from chromatic.produce.melody.setting import SungNote
from chromatic.produce.melody.singers import Singer
from chromatic.produce.melody.tune import Line, walk
from chromatic.produce.planfile import Variation
from chromatic.produce.sections import ChordSpan, Section
from chromatic.produce.style.table import load_table

BAR = 4 * TPQ
C_MAJOR = (0, 4, 7)
E_MINOR = (4, 7, 11)


def _section(last_chord: tuple[int, ...]) -> Section:
    chords = [ChordSpan(b * BAR, (b + 1) * BAR, C_MAJOR, 0) for b in range(7)]
    chords.append(ChordSpan(7 * BAR, 8 * BAR, last_chord, last_chord[0]))
    meter = meter_of("4/4")
    return Section(
        "verse", "verse", "medium", meter, TimeSignature.parse("4/4"), 100.0, 8, tuple(chords),
        Path("x"), "bars",
    )  # fmt: skip


def _lines() -> list[Line]:
    """Four two-bar lines, each four quarters and a held note on the next bar's downbeat."""
    out = []
    for i in range(4):
        at = 2 * i * BAR
        notes = [SungNote(at + k * TPQ, at + (k + 1) * TPQ, k) for k in range(4)]
        notes.append(SungNote(at + BAR, at + 2 * BAR, 4))
        out.append(Line(tuple(notes), (2, 0, 2, 0, 2), antecedent=i % 2 == 0 and i < 3))
    return out


def _walk(last_chord):
    key = Key.parse("C major")
    space = lambda contour, tones: tones if contour.space == "chord" else key.scale_pcs()  # noqa: E731
    snap = lambda p, tones, lo, hi, prev, m: min(  # noqa: E731
        (q for q in range(lo, hi + 1) if q % 12 in tones), key=lambda q: abs(q - p)
    )
    singer = Singer("test", 55, 79)
    pitches, *_ = walk(_section(last_chord), key, singer, CONTOURS[0], _lines(), space, snap)
    return pitches


def test_a_periods_first_half_ends_open_and_its_second_half_answers_on_a_stabler_degree():
    pitches = _walk(C_MAJOR)
    ends = [pitches[5 * i + 4] % 12 for i in range(4)]
    assert ends[1] == 7  # the first half's last line: a half close on the fifth, not the tonic
    assert ends[3] == 0  # the period's end: the tonic
    assert ends[0] != 0 and ends[2] != 0  # the inner lines stay open
    melody = [
        PNote(n.start / TPQ, (n.end - n.start) / TPQ, p)
        for n, p in zip([n for line in _lines() for n in line.notes], pitches, strict=True)
    ]
    assert halves(melody, 0.0, 8, 4.0, 0, False)["answer"] == 1.0
    # a period ending on iii lands on the key's fifth (G), not the chord's root (E)
    assert _walk(E_MINOR)[-1] % 12 == 7


def test_a_loop_ending_on_a_chord_without_tonic_or_fifth_still_answers_its_first_half():
    # song 05's case: the section ends on vi-sus2 (A E: the key's third is its firmest tone), so
    # a half close on the fifth (G, over the V chord of bar 4) would be firmer than the end
    key, g_major, a_sus2 = Key.parse("C major"), (7, 11, 2), (9, 11, 4)
    sec = _section(a_sus2)
    chords = list(sec.chords)
    chords[3] = ChordSpan(3 * BAR, 4 * BAR, g_major, 7)
    sec = Section(
        "verse", "verse", "medium", sec.meter, sec.time_signature, 100.0, 8, tuple(chords),
        Path("x"), "bars",
    )  # fmt: skip
    space = lambda contour, tones: key.scale_pcs()  # noqa: E731
    snap = lambda p, tones, lo, hi, prev, m: min(  # noqa: E731
        (q for q in range(lo, hi + 1) if q % 12 in tones), key=lambda q: abs(q - p)
    )
    pitches, *_ = walk(sec, key, Singer("test", 55, 79), CONTOURS[0], _lines(), space, snap)
    ends = [pitches[5 * i + 4] % 12 for i in range(4)]
    assert ends[3] == 4  # the end: the third, the firmest degree A-sus2's frame holds
    assert ends[1] in (2, 11)  # the half close: the second or seventh of G, not its fifth
    melody = [
        PNote(n.start / TPQ, (n.end - n.start) / TPQ, p)
        for n, p in zip([n for line in _lines() for n in line.notes], pitches, strict=True)
    ]
    assert halves(melody, 0.0, 8, 4.0, 0, False)["answer"] == 1.0


def test_the_halves_measure_tells_a_repeat_from_an_answer():
    first = [PNote(float(q), 1.0, p) for q, p in enumerate((60, 62, 64, 62, 67, 65, 64, 62))]
    repeat = first + [PNote(n.onset + 8, 1.0, n.pitch) for n in first]
    answer = first + [PNote(n.onset + 8, 1.0, p) for n, p in zip(first, (64, 62, 60, 62, 64, 65, 62, 60), strict=True)]  # fmt: skip
    r = halves(repeat, 0.0, 4, 4.0, 0, False)
    assert r["half_same"] == 1.0 and r["half_sim"] == 1.0 and r["answer"] == 0.0
    a = halves(answer, 0.0, 4, 4.0, 0, False)
    assert a["half_rhythm"] == 1.0 and a["half_same"] < 0.5 and a["answer"] == 1.0
    piece = Piece("x", 0, False, 4.0, answer)
    assert half_figures(piece, [("verse", 4, 1)])["answer"] == 1.0


def _block():
    eighths = [(b * BAR + k * TPQ // 2, TPQ // 2, 60 + k % 2 * 4, 70) for b in range(4) for k in range(8)]  # fmt: skip
    return {
        ("harmony", 53, False): [(b * BAR, BAR, 64, 70) for b in range(4)],
        ("chords", 4, False): list(eighths),
        ("drums", 0, True): [(t, d, 42, v) for t, d, _, v in eighths],
    }


def test_a_verse_heard_twice_thins_its_first_pass_and_fills_the_next():
    """The first of a verse's two occurrences: no backing, chords on the strong beats, drums on
    the beats; its second occurrence (and a verse heard once) plays the loops whole."""
    frame = Frame(0, 4 * BAR, BAR, meter_of("4/4"), 4, (0, 2, 4, 5, 7, 9, 11))
    sec = SimpleNamespace(name="verse", repeat=1, bars=4, transpose=0, variation=Variation())
    first, passes = _block(), {}
    develop(first, sec, frame, passes, total=2)
    assert first[("harmony", 53, False)] == []
    assert {t % BAR for t, *_ in first[("chords", 4, False)]} == {0, 2 * TPQ}
    assert {t % BAR for t, *_ in first[("drums", 0, True)]} == {0, TPQ, 2 * TPQ, 3 * TPQ}
    second = _block()
    develop(second, sec, frame, passes, total=2)
    assert second == _block()
    once = _block()
    develop(once, sec, frame, {}, total=1)
    assert once == _block()
    # the benchmark's pass figures: the second pass differs and has more notes
    notes = lambda hits, off: [PNote((t + off) / TPQ, d / TPQ, p) for t, d, p, _ in hits]  # noqa: E731
    piece = Piece(
        "x", 0, False, 4.0, [],
        chords=notes(first[("chords", 4, False)], 0) + notes(second[("chords", 4, False)], 4 * BAR),
        drum_hits=[(t / TPQ, 42) for t, *_ in first[("drums", 0, True)]]
        + [(t / TPQ + 16, 42) for t, *_ in second[("drums", 0, True)]],
    )  # fmt: skip
    figs = pass_figures(piece, [("verse", 4, 1), ("verse", 4, 1)])
    assert figs["acc_differ"] == 1.0 and figs["acc_grow"] == (32 + 32) / (8 + 16)
    assert plan_passes({"sections": [{"name": "Verse", "bars": 4, "repeat": 2}]}) == [
        ("verse", 4, 2)
    ]


def test_a_descant_style_sings_its_backing_above_the_lead():
    table = load_table()
    assert table.families["folk"].variation.descant
    assert not table.families["pop"].variation.descant
    lead = [(b * BAR, BAR, 67, 90) for b in range(4)]
    backing = [(b * BAR, BAR, 64, 70) for b in range(4)]
    for descant in (False, True):
        tracks = {("melody", 53, False): list(lead), ("harmony", 52, False): list(backing)}
        shape(tracks, BAR, sung=True, descant=descant)
        lead_top = max(p for *_, p, _ in tracks[("melody", 53, False)])
        sung = [p for _, _, p, _ in tracks[("harmony", 52, False)]]
        assert all(p > lead_top for p in sung) if descant else all(p < lead_top for p in sung)
        assert {p % 12 for p in sung} == {4}  # the same notes, moved by octaves


def test_a_descant_phrase_moves_as_one_and_never_leaps_an_octave_inside():
    from chromatic.produce.arrange.descant import above

    # the lead climbs from C4 to A4 under one legato backing phrase (E4 D4 C4 B3), then a
    # second phrase after a bar's rest over a low lead; one note at a time the first phrase
    # would go E5 D5 C6 B5 (an octave leap inside it)
    lead = [(0, TPQ, 60), (TPQ, 2 * TPQ, 62), (2 * TPQ, 3 * TPQ, 69), (3 * TPQ, 4 * TPQ, 67)]
    lead += [(2 * BAR, 3 * BAR, 55)]
    phrase = [(i * TPQ, TPQ, p, 70) for i, p in enumerate((64, 62, 60, 59))]
    later = [(2 * BAR, BAR, 60, 70)]
    out = above(phrase + later, lead, 84)
    first = [p for t, _, p, _ in out if t < BAR]
    assert first == [76, 74, 72, 71]  # one shift (+12): over the lead's top (A4) where it sounds
    assert all(abs(b - a) < 12 for a, b in itertools.pairwise(first))
    assert all(p > q for (t, _, p, _), (_, _, q) in zip(out[:4], lead[:4], strict=True))
    assert [p for t, _, p, _ in out if t >= 2 * BAR] == [60]  # its own phrase: already above
    # under a ceiling the phrase cannot clear, it stays and the notes under the lead take the
    # nearest chord tone over it (C major sounding: G over D4's lead, C over A4, B over G4)
    c_major = [(0, 2 * BAR, 48), (0, 2 * BAR, 52), (0, 2 * BAR, 55)]
    assert [p for t, _, p, _ in above(phrase, lead, 74, c_major)] == [64, 67, 72, 71]
    # a phrase mostly over the lead stays where it is: only its one note under is re-voiced
    # (not the whole phrase an octave up to clear one high note)
    low = [(i * TPQ, (i + 1) * TPQ, 55) for i in range(4)] + [(4 * TPQ, 5 * TPQ, 67)]
    ooh = [(i * TPQ, TPQ, 64, 70) for i in range(5)]
    assert [p for _, _, p, _ in above(ooh, low, 84, c_major)] == [64, 64, 64, 64, 72]


def test_a_backing_phrase_under_the_lead_keeps_its_register_where_the_tune_dips():
    from chromatic.produce.arrange.craft import under
    from chromatic.produce.arrange.descant import below

    # the lead sings G4 A4 then dips to E4 for one beat; the backing holds a legato C4 D4 E4 C4
    # note by note the E4 under the dip would drop to E3 (an octave leap inside the phrase)
    lead = [(0, TPQ, 67), (TPQ, 2 * TPQ, 69), (2 * TPQ, 3 * TPQ, 64), (3 * TPQ, 4 * TPQ, 67)]
    ooh = [(i * TPQ, TPQ, p, 70) for i, p in enumerate((60, 62, 64, 60))]
    c_major = [(0, BAR, 48), (0, BAR, 52), (0, BAR, 55)]
    old = [p for *_, p, _ in under(ooh, lead, 41)]
    assert old == [60, 62, 52, 60]  # the leap this replaces
    new = [p for *_, p, _ in below(ooh, lead, 41, c_major)]
    assert new == [60, 62, 60, 60]  # the dip's note takes C4, the chord tone under E4 - 3
    assert all(abs(b - a) < 12 for a, b in itertools.pairwise(new))
    # nothing fits under the tune over the floor: that note rests (it never crosses above)
    assert [p for *_, p, _ in below(ooh, lead, 61, c_major)] == [60, 62, 60]


def test_a_sung_strong_beat_takes_a_coloured_chords_frame_not_its_colour():
    from chromatic.produce.melody.tune import core_tones

    assert core_tones(ChordSpan(0, BAR, (5, 9, 0, 7), 5)) == (5, 9, 0)  # Fadd9: no G
    assert core_tones(ChordSpan(0, BAR, (0, 5, 7), 0)) == (0, 7)  # Csus4: no F
    assert core_tones(ChordSpan(0, BAR, (0, 4, 7, 11), 0)) == (0, 4, 7, 11)  # Cmaj7 whole
    # over Cadd9/Csus2 bars no downbeat of the tune sings D, the colour
    key = Key.parse("C major")
    for tones in ((0, 4, 7, 2), (0, 2, 7)):
        chords = tuple(ChordSpan(b * BAR, (b + 1) * BAR, tones, 0) for b in range(8))
        sec = Section(
            "verse", "verse", "medium", meter_of("4/4"), TimeSignature.parse("4/4"), 100.0, 8,
            chords, Path("x"), "bars",
        )  # fmt: skip
        space = lambda contour, t, scale=key.scale_pcs(): scale  # noqa: E731
        snap = lambda p, t, lo, hi, prev, m: min(  # noqa: E731
            (q for q in range(lo, hi + 1) if q % 12 in t), key=lambda q: abs(q - p)
        )
        for contour in CONTOURS:
            pitches, *_ = walk(sec, key, Singer("t", 55, 79), contour, _lines(), space, snap)
            flat = [n for line in _lines() for n in line.notes]
            down = [p for n, p in zip(flat, pitches, strict=True) if n.start % (2 * TPQ) == 0]
            assert all(p % 12 != 2 for p in down), (contour.name, tones)


def test_the_backing_figures_count_a_descant_and_its_octave_leaps():
    from chromatic.measure.craft import backing_figures

    melody = [PNote(float(q), 1.0, 67) for q in range(8)]
    smooth = [(float(q), 1.0, 71 + q % 2) for q in range(4)]  # over the lead, stepwise
    leaping = [(float(q), 1.0, 71 if q % 2 else 59) for q in range(4, 8)]  # B4 / B3 / B4 ...
    r = backing_figures([("harmony", 52, False, smooth + leaping, [])], melody)
    assert r["backing_above"] == 0.75 and r["backing_leaps"] == 4  # C5-B3, then 3 more
    under = [(float(q), 1.0, 60) for q in range(8)]
    assert backing_figures([("harmony", 52, False, under, [])], melody) == {
        "backing_above": 0.0,
        "backing_leaps": 0.0,
    }
