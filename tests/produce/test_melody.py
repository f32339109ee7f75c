from __future__ import annotations

import shutil

import pytest
import yaml

from chromatic.errors import ProduceError
from chromatic.music.meter import strong_ticks
from chromatic.music.midi import MELISMA, load_score, read_lyrics
from chromatic.produce.folder import ProductionFolder, init_production
from chromatic.produce.melody.lyrics import count_syllables, line_syllables, lyrics_for, parse_sheet
from chromatic.produce.melody.prosody import syllables_of
from chromatic.produce.melody.singers import (
    BUILTIN,
    DEFAULT_SINGER,
    choose_singer,
    parse_pitch,
    registry,
)
from chromatic.produce.phases.chords import run_chords
from chromatic.produce.phases.melody import run_melody
from chromatic.produce.review import load_review
from chromatic.produce.sections import load_song
from chromatic.produce.style import style_for
from tests.produce.conftest import MINOR_7_8, PART_N, PART_TOP, SECTIONS, approve


@pytest.fixture(scope="module")
def melody_78(song_78, tmp_path_factory):
    dst = tmp_path_factory.mktemp("melody78") / song_78.root.name
    shutil.copytree(song_78.root, dst)
    folder = ProductionFolder(dst)
    return folder, run_melody(folder, n=PART_N * 2, top=PART_TOP, seed=4, singer="Shirley")


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1),
        ("fire", 1),
        ("hello", 2),
        ("beautiful", 3),
        ("table", 2),
        ("smile", 1),
        ("jumped", 1),
        ("wanted", 2),
        ("boxes", 2),
        ("makes", 1),
        ("piano", 3),
        ("video", 3),
        ("people", 2),
        ("being", 2),
        ("going", 2),
        ("nation", 2),
        ("radio", 3),
        ("chromatic", 3),
        ("memory", 3),
        ("yellow", 2),
        ("actual", 3),
        ("million", 2),
        ("Don't", 1),
        ("fi-re", 2),
        ("beau-ti-ful", 3),
        ("1999", 0),
    ],
)
def test_syllable_heuristic(word, count):
    assert count_syllables(word) == count


def test_line_syllables_and_sheet_parsing():
    assert line_syllables("The weight of invisible chains") == 8
    text = "first stanza line\nsecond line\n\nanother stanza\n# a comment\n[Chorus]\nsing it loud\n\nand again\n[Verse 2]\nlast words"
    labelled, stanzas = parse_sheet(text)
    assert stanzas == [["first stanza line", "second line"], ["another stanza"]]
    assert labelled == {"chorus": ["sing it loud", "and again"], "verse_2": ["last words"]}


def test_singer_registry_builtins_and_yaml_extension(tmp_path):
    reg = registry()
    assert {s.name: (s.low, s.high) for s in reg.values()} == BUILTIN
    assert (reg["busayo"].low, reg["katherine"].high) == (45, 76)
    assert (
        parse_pitch("C4") == 60
        and parse_pitch("A2") == 45
        and parse_pitch("Bb3") == 58
        and parse_pitch(52) == 52
    )
    folder_file = tmp_path / "singers.yml"
    folder_file.write_text("singers:\n  Nadia: {low: D3, high: A4}\n  Busayo: [43, 62]\n")
    cli_file = tmp_path / "more.yml"
    cli_file.write_text("Busayo: {low: 44, high: 63}\n")
    reg = registry(folder_file, cli_file)
    assert (reg["nadia"].low, reg["nadia"].high) == (50, 69) and reg["nadia"].source == str(
        folder_file
    )
    assert (reg["busayo"].low, reg["busayo"].high) == (44, 63)  # the later file wins
    assert choose_singer(reg, "NADIA", None)[0].name == "Nadia"
    assert choose_singer(reg, None, "shirley")[0].name == "Shirley"
    singer, warning = choose_singer(reg, None, "Marvin")
    assert singer.name == DEFAULT_SINGER and "Marvin" in warning
    assert choose_singer(reg, None, None) == (reg[DEFAULT_SINGER.lower()], None)
    with pytest.raises(ProduceError, match=r"unknown singer 'Marvin'; known: .*Nadia"):
        choose_singer(reg, "Marvin", None)
    bad = tmp_path / "bad.yml"
    bad.write_text("singers:\n  Tiny: {low: 60, high: 62}\n")
    with pytest.raises(ProduceError) as e:
        registry(bad)
    assert e.value.field == "singers.Tiny" and "7 semitones" in str(e.value)
    bad.write_text("singers:\n  X: {low: H2, high: 70}\n")
    with pytest.raises(ProduceError) as e:
        registry(bad)
    assert e.value.field == "singers.X.low"
    for missing in ("missing.yml", "my_singers.yml"):
        with pytest.raises(ProduceError, match="not found"):
            registry(tmp_path / missing)


def test_notes_stay_in_range_and_strong_beats_are_chord_tones(melody_78):
    import pretty_midi

    from chromatic.produce.melody.tune import core_tones, home_colours, home_triad

    folder, run = melody_78
    song = load_song(folder, "test")
    review = load_review(folder.review_path("melody"))
    assert len(review.model.candidates) == PART_TOP * len(SECTIONS)
    assert not any("singer" in w for w in run.warnings)
    shift = review.doc["style"]["melody_shift"]  # the style's register (dark: lower)
    lo, hi = (p + shift for p in BUILTIN["Shirley"])
    assert review.doc["singer"]["name"] == "Shirley"
    contours = set()
    for c in review.model.candidates:
        section = song.section(c.details["section"])
        path = folder.phase_dir("melody") / c.midi_file
        notes = sorted(load_score(path).tracks[0].notes, key=lambda n: n.time)
        assert notes and all(lo <= n.pitch <= hi for n in notes)
        strong = set(strong_ticks(section.meter, section.bars)) | {
            ch.start for ch in section.chords
        }
        on_strong = [n for n in notes if n.time in strong]
        assert on_strong and all(
            n.pitch % 12 in section.chord_at(n.time).tones for n in on_strong
        ), c.id
        assert (
            notes[0].pitch % 12 in section.chord_at(notes[0].time).tones
        )  # starts on a chord tone
        last = section.chord_at(notes[-1].time)
        # resolves: the most stable degree the chord's frame holds (tonic, fifth, third),
        # else its root (``tune._cadence``)
        key = song.proposal.key
        home = home_triad(key)
        frame = core_tones(last, home_colours(key))
        want = next((t for t in (home[0], home[2], home[1]) if t in frame), last.root)
        assert notes[-1].pitch % 12 == want
        assert c.details["singer"] == "Shirley" and c.details["next_section"] == section.next
        contours.add(c.details["contour"])
        pm = pretty_midi.PrettyMIDI(str(path))
        program = style_for(song.proposal).program("melody", section.role)
        assert pm.instruments[0].program == program and pm.instruments[
            0
        ].name == pretty_midi.program_to_instrument_name(program)
    assert len(contours) >= PART_TOP


def test_lyrics_give_one_note_per_syllable_per_line(tmp_path):
    """A proposal carrying a singer and lyrics (sectioned and not), plus an approved lyrics file."""
    data = yaml.safe_load((MINOR_7_8).read_text())
    data["singer"] = "Katherine"
    data["lyrics"] = (
        "iron in the water\nrust along the rail\n\nsecond stanza sings\n"
        "[chorus]\nwe carry what we cannot see\nchains of light"
    )
    source = tmp_path / "song_proposal_lyrics.yml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True))
    folder, _ = init_production(source, tmp_path / "out")
    assert "chains of light" in folder.proposal().lyrics
    run_chords(folder, n=30, top=6, seed=7)
    approve(folder, "chords", dict(enumerate(SECTIONS)))
    folder.lyrics_dir.mkdir(parents=True)
    (folder.lyrics_dir / "bridge.txt").write_text(
        "# the bridge, as approved\nhold me\n\nlet the beautiful fire go\n"
    )

    song = load_song(folder, "t")
    found = lyrics_for(folder, song.sections, folder.proposal().lyrics)
    assert found["verse"].source == "proposal (stanza)" and found["verse"].syllables == [6, 5]
    assert found["verse_2"].source == "proposal (stanza)" and found["verse_2"].syllables == [5]
    assert found["chorus"].source == "proposal [chorus]" and found["chorus"].syllables == [8, 3]
    assert found["bridge"].source == "lyrics/approved/bridge.txt" and found["bridge"].syllables == [
        2,
        7,
    ]
    assert "intro" not in found and "outro" not in found

    run = run_melody(folder, n=6, top=2, seed=1)
    review = load_review(folder.review_path("melody"))
    assert review.doc["singer"]["name"] == "Katherine" and not any(
        "singer" in w for w in run.warnings
    )
    shift = review.doc["style"]["melody_shift"]  # the style moves the register
    for c in review.model.candidates:
        section = c.details["section"]
        notes = load_score(folder.phase_dir("melody") / c.midi_file).tracks[0].notes
        assert all(57 + shift <= n.pitch <= 76 + shift for n in notes)
        lyrics = [
            t
            for _, t in read_lyrics(load_score(folder.phase_dir("melody") / c.midi_file).tracks[0])
        ]
        assert len(lyrics) == len(notes)  # one lyric event per sung note
        if section in found:
            sung = [syllables_of(line) for line in c.details["lines"]]
            assert c.details["syllables"] == [len(s) for s in sung]
            # a melisma adds notes, never syllables: the words come back in order
            assert [t for t in lyrics if t != MELISMA] == [x.lyric for s in sung for x in s]
            assert all(
                n >= k
                for n, k in zip(c.details["notes_per_line"], c.details["syllables"], strict=True)
            )
            assert c.details["lines"] == [line.text for line in found[section].lines]
        else:
            assert "syllables" not in c.details and set(lyrics) <= {"oo", MELISMA}


def test_melody_refuses_without_approved_chords(tmp_path):
    folder, _ = init_production(MINOR_7_8, tmp_path)
    with pytest.raises(ProduceError) as e:
        run_melody(folder)
    assert str(e.value).startswith("melody needs approved chords") and "chromatic promote" in str(
        e.value
    )


def test_same_seed_gives_identical_melodies(song_78, tmp_path):
    def run(name, seed):
        dst = tmp_path / name
        shutil.copytree(song_78.root, dst)
        folder = ProductionFolder(dst)
        run_melody(folder, n=5, top=2, seed=seed, singer="Robbie")
        root = folder.phase_dir("melody")
        return folder, {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    folder, a = run("a", 3)
    assert a == run("b", 3)[1] and a != run("c", 4)[1]
    result = approve(folder, "melody", skip=("intro", "outro"))
    assert {p.label for p in result.promoted} == {"verse", "chorus", "verse_2", "bridge"}


def test_the_folders_singers_file_extends_the_registry(song_78, tmp_path, capsys):
    from chromatic.cli import main

    folder = ProductionFolder(tmp_path / song_78.root.name)
    shutil.copytree(song_78.root, folder.root)
    folder.singers_path.write_text("singers:\n  Nadia: {low: D3, high: A4}\n")
    more = tmp_path / "more_singers.yml"
    more.write_text("Nadia: [52, 70]\n")
    assert (
        main(
            [
                "produce",
                "melody",
                str(folder.root),
                "--singer",
                "nadia",
                "--singers",
                str(more),
                "-n",
                "3",
                "--top",
                "1",
            ]
        )
        == 0
    )
    review = load_review(folder.review_path("melody"))
    assert review.doc["singer"]["name"] == "Nadia" and (
        review.doc["singer"]["low"],
        review.doc["singer"]["high"],
    ) == (52, 70)
    shift = review.doc["style"]["melody_shift"]
    for c in review.model.candidates:
        assert all(
            52 + shift <= n.pitch <= 70 + shift
            for n in load_score(folder.phase_dir("melody") / c.midi_file).tracks[0].notes
        )
    run_melody(folder, n=3, top=1, singer="Nadia")  # the folder's file alone
    assert load_review(folder.review_path("melody")).doc["singer"]["high"] == 69
    capsys.readouterr()
    assert main(["produce", "melody", str(folder.root), "--singer", "Marvin"]) == 1
    assert "unknown singer 'Marvin'" in capsys.readouterr().err
