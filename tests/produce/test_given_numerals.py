"""Roman numerals in a given progression (issue #35): figured-bass inversions (I6, I64, V65,
V6/5, V43, V42), sevenths (ii7, viiø7, vii°7), secondary chords (V7/V, vii°7/V, V65/iv), borrowed
and lowered chords (iv and bVII in major, bII6); each turned into the chord symbol the loop
carries and the bass note it plays, and a bad one named with its bar and section."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from chromatic.cli import main
from chromatic.errors import ProduceError
from chromatic.music.key import Key
from chromatic.music.meter import meter_of
from chromatic.music.midi import load_score
from chromatic.produce.chords.given import parse_progression
from chromatic.produce.folder import init_production
from chromatic.produce.review import read_review
from tests.produce.conftest import MAJOR_4_4

C, A_MINOR = Key("C"), Key("A", "minor")


@pytest.mark.parametrize(
    ("key", "numeral", "symbol", "bass"),
    [
        (C, "I6", "C/E", "E"),
        (C, "I64", "C/G", "G"),
        (C, "V6/4", "G/D", "D"),
        (C, "V7", "G7", "G"),
        (C, "V65", "G7/B", "B"),
        (C, "V6/5", "G7/B", "B"),
        (C, "V43", "G7/D", "D"),
        (C, "V4/3", "G7/D", "D"),
        (C, "V42", "G7/F", "F"),
        (C, "V2", "G7/F", "F"),
        (C, "ii7", "Dm7", "D"),
        (C, "ii65", "Dm7/F", "F"),
        (C, "iiø43", "Dm7b5/Ab", "Ab"),
        (C, "vii°6", "Bdim/D", "D"),
        (C, "V7/V", "D7", "D"),
        (C, "V65/V", "D7/F#", "F#"),
        (C, "vii°7/V", "F#dim7", "F#"),
        (C, "V/vi", "E", "E"),
        (C, "IV/IV", "Bb", "Bb"),
        (C, "bVII", "Bb", "Bb"),
        (C, "iv", "Fm", "F"),
        (C, "iv6", "Fm/Ab", "Ab"),
        (C, "bVI", "Ab", "Ab"),
        (C, "bII6", "Db/F", "F"),
        (C, "IVmaj7", "Fmaj7", "F"),
        (C, "IVM65", "Fmaj7/A", "A"),
        (C, "Iadd6", "C6", "C"),
        (C, "Vsus4", "Gsus4", "G"),
        (A_MINOR, "i64", "Am/E", "E"),
        (A_MINOR, "V7", "E7", "E"),
        (A_MINOR, "vii°7", "G#dim7", "G#"),
        (A_MINOR, "V65/iv", "A7/C#", "C#"),
        (A_MINOR, "VI", "F", "F"),
        (A_MINOR, "III+", "Caug", "C"),
    ],
)
def test_numerals_become_symbols_and_bass_notes(key, numeral, symbol, bass):
    (chord,) = parse_progression(numeral, key, meter_of("4/4"), "verse").chords
    assert chord.text == symbol and chord.numeral == numeral
    assert chord.bass == Key(bass).pc
    assert chord.pcs(key)[0] == (key.pc + chord.root) % 12
    assert chord.bass in chord.pcs(key)


def test_kinds_of_borrowed_and_secondary_chords():
    chords = parse_progression("I | iv | bVII | V7/V", C, meter_of("4/4"), "x").chords
    assert [c.kind for c in chords] == ["diatonic", "borrowed", "borrowed", "chromatic"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I | V+7 | I", "bar 2: unknown chord 'V+7': an augmented triad has no seventh"),
        ("I | IV | Imaj", "bar 3: unknown chord 'Imaj': maj needs a seventh figure"),
        ("I V | I6/X", "bar 2: unknown chord 'I6/X': 'X' after the slash is no numeral"),
        ("I | V63", "bar 2: unknown chord 'V63'"),
        ("I | Vsus465", "bar 2: unknown chord 'Vsus465'"),
    ],
)
def test_bad_numerals_name_the_symbol_bar_and_section(text, expected):
    with pytest.raises(ProduceError) as e:
        parse_progression(text, C, meter_of("4/4"), "bridge")
    message = str(e.value)
    assert message.startswith("progression for section 'bridge': ") and expected in message
    assert "\n" not in message


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".lock" not in p.name
    }


def test_inversions_are_the_chord_loop_and_its_lowest_note(tmp_path, capsys):
    folder, _ = init_production(MAJOR_4_4, tmp_path)  # F# major, 4/4
    given = "I | V6 | vi | IV64 | ii65 | V7/V | bVII | V43"
    args = ["produce", "chords", str(folder.root), "--top", "2", "--seed", "1"]
    assert main([*args, "--progression", f"verse={given}"]) == 0
    review = read_review(folder.review_path("chords")).candidates
    assert review
    want = ["F#", "C#/E#", "D#m", "B/F#", "G#m7/B", "G#7", "E", "C#7/G#"]
    bass = [6, 5, 3, 6, 11, 8, 4, 8]  # the pitch class under each bar
    for c in review:
        assert c.details["chords"] == want
        path = folder.root / "chords" / c.midi_file
        score = load_score(path)
        bar = 4 * score.tpq
        for i, pc in enumerate(bass):
            sounding = [
                n.pitch for t in score.tracks for n in t.notes if i * bar <= n.time < (i + 1) * bar
            ]
            assert min(sounding) % 12 == pc, (path.name, i, sounding)
    before = _tree(folder.root)
    capsys.readouterr()
    code = main([*args, "--progression", "verse=I | V6 | vi | IV+7"])
    err = capsys.readouterr().err
    assert code != 0 and "bar 4: unknown chord 'IV+7'" in err and "'verse'" in err
    assert len([line for line in err.splitlines() if line.startswith("error")]) == 1
    assert _tree(folder.root) == before


def test_later_phases_read_the_root_the_symbol_names_not_the_lowest_note(tmp_path):
    from chromatic.produce.promote import promote
    from chromatic.produce.review import approve
    from chromatic.produce.sections import load_song

    folder, _ = init_production(MAJOR_4_4, tmp_path)  # F# major, 4/4
    given = "I | V6 | vi | IV64 | ii65 | V7/V | bVII | V43"
    args = ["produce", "chords", str(folder.root), "--top", "1", "--seed", "1"]
    assert main([*args, "--progression", f"verse={given}"]) == 0
    (first,) = read_review(folder.review_path("chords")).candidates
    approve(folder.review_path("chords"), {first.id: "verse"})
    promote(folder.root, "chords")
    (verse,) = load_song(folder, "drums").sections
    assert verse.timing == "harmonic_rhythm"
    # F#, C#/E#, D#m, B/F#, G#m7/B, G#7, E, C#7/G#: the roots, where the bass plays
    # 6, 5, 3, 6, 11, 8, 4, 8 (the root read from the lowest note was wrong on 4 of 8 chords)
    assert [c.root for c in verse.chords] == [6, 1, 3, 11, 8, 8, 4, 1]
    assert [c.symbol for c in verse.chords][:2] == ["F#", "C#/E#"]
    assert verse.chords[1].third == 4 and verse.chords[3].fifth == 7  # E# over C#, F# over B
    assert [c.bass for c in verse.chords] == [6, 5, 3, 6, 11, 8, 4, 8]
    # the bass plays the written bass note on its "root" steps: E# under C#/E#
    from chromatic.produce.bass.line import BassOption, bass_templates, realize

    whole = next(t for t in bass_templates(verse.meter) if t.name == "root_whole")
    notes, _ = realize(verse, folder.proposal().key, BassOption(whole, "low", "diatonic"))
    assert [n.pitch % 12 for n in notes] == [6, 5, 3, 6, 11, 8, 4, 8]


def test_a_sus_chord_voiced_over_its_second_keeps_its_root(tmp_path):
    from chromatic.music.notes import Note
    from chromatic.music.song import loop
    from chromatic.music.song_midi import part, write_midi
    from chromatic.produce.sections import _read_section

    folder, _ = init_production(MAJOR_4_4, tmp_path)
    path = tmp_path / "verse.mid"  # Bbsus2 as the chord phase voiced it in a real song: C lowest
    chord = part("chords", [Note(0, 1920, p, 70) for p in (48, 53, 58)])
    path.write_bytes(write_midi(loop(chord, bpm=100.0, time_signature="4/4", bars=1)))
    entry = {"harmonic_rhythm": {"bars": [1]}, "chords": ["Bbsus2"]}
    (sus,) = _read_section("verse", path, entry, folder.proposal(), [], folder).chords
    assert (sus.root, sus.bass, sus.tones) == (10, 10, (0, 5, 10))
    assert sus.fifth == 7  # F: the bass's fifth step is a chord tone (from C it found none)
    (bare,) = _read_section("verse", path, None, folder.proposal(), [], folder).chords
    assert (bare.root, bare.symbol) == (0, None)  # no symbol: the lowest note, as before
