"""The note record, the tick resolution and the GM tables: one definition each."""

from __future__ import annotations

from fractions import Fraction

from symusic import Note as SymNote

from chromatic.music import gm
from chromatic.music.meter import TPQ, meter_of, strong_onsets, ticks
from chromatic.music.midi import add_track, append_notes, new_score
from chromatic.music.notes import Note


def test_note_is_a_named_four_tuple():
    n = Note(480, 240, 60, 90)
    t, d, p, v = n  # the phases unpack notes like this
    assert (t, d, p, v) == (480, 240, 60, 90) == (n.start, n.duration, n.pitch, n.velocity)
    assert n.end == 720
    assert n.sounds_at(480) and n.sounds_at(719) and not n.sounds_at(720)
    assert n.shifted(-480) == Note(0, 240, 60, 90)
    # ordering is the tuple's: start, then duration, pitch, velocity
    assert sorted([Note(5, 1, 60, 1), Note(0, 9, 61, 1), Note(0, 2, 70, 1)]) == [
        Note(0, 2, 70, 1),
        Note(0, 9, 61, 1),
        Note(5, 1, 60, 1),
    ]


def test_note_round_trips_through_symusic():
    n = Note(960, 120, 38, 100)
    s = n.to_symusic()
    assert isinstance(s, SymNote)
    assert (s.time, s.duration, s.pitch, s.velocity) == (960, 120, 38, 100)
    assert Note.from_symusic(s) == n
    score = new_score(120, "7/8")
    assert score.tpq == TPQ
    track = add_track(score, "t")
    append_notes(track, [n, n.shifted(120)])
    assert [Note.from_symusic(x) for x in track.notes] == [n, n.shifted(120)]


def test_ticks_and_meters():
    assert TPQ == 480
    assert ticks(Fraction(7, 2)) == 1680  # a 7/8 bar
    seven = meter_of("7/8")
    assert seven.groups == (3, 2, 2) and seven.bar == Fraction(7, 2)
    assert meter_of("6/8").compound and not meter_of("4/4").compound
    assert strong_onsets(meter_of("4/4")) == (0, 2)


def test_gm_table():
    assert (gm.KICK, gm.SNARE, gm.HAT_CLOSED, gm.HAT_OPEN, gm.CRASH, gm.RIDE) == (
        36,
        38,
        42,
        46,
        49,
        51,
    )
    assert all(k in gm.GM_DRUM_KEYS for k in gm.VOICES.values())
    assert sorted(gm.KICKS) == [35, 36]
    assert gm.LEVELS == {"X": gm.ACCENT, "x": gm.NORMAL, "o": gm.GHOST}
    # the three kits keep their own levels (byte-identical output); all are valid velocities
    levels = [gm.ACCENT, gm.NORMAL, gm.GHOST, *vars(gm.SCRATCH).values()]
    levels += vars(gm.SYNTH_KIT).values()
    assert all(1 <= v <= 127 for v in levels)
    assert gm.SCRATCH.first_kick > gm.SCRATCH.kick and gm.SYNTH_KIT.hat == gm.GHOST


def test_ticks_truncates_as_the_exact_product():
    from fractions import Fraction

    from chromatic.music.meter import TPQ, ticks

    values = [0, 3, -2, True, 0.3, -0.7, 1e-9, Fraction(1, 3), Fraction(-7, 9), Fraction(5, 2)]
    values += [Fraction(n, d) for n in range(-13, 14) for d in (1, 2, 3, 5, 7, 12, 960, 1920)]
    for q in values:
        assert ticks(q) == int(Fraction(q) * TPQ), q
    assert ticks(Fraction(1, 3)) == 160 and ticks(Fraction(-1, 960)) == 0 and ticks(-2) == -960
