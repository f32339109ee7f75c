"""The artist's own material: a given chord progression and a part played in a MIDI file
(issue #35), end to end on real proposals and real MIDI from music21's corpus."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from chromatic.cli import main
from chromatic.errors import ProduceError
from chromatic.music import daw
from chromatic.music.key import Key
from chromatic.music.meter import meter_of, strong_ticks
from chromatic.music.midi import load_score
from chromatic.produce.chords.given import parse_progression
from chromatic.produce.folder import ProductionFolder, init_production
from chromatic.produce.imported import import_part
from chromatic.produce.phases.bass import run_bass
from chromatic.produce.phases.drums import run_drums
from chromatic.produce.phases.melody import run_melody
from chromatic.produce.review import read_review
from tests.produce.conftest import MAJOR_4_4, approve, halewyn_midi

VERSE = "F#maj7 | D#m7 | B/D# | C#7"
CHORUS = "I V | vi iii | IV V | IV V"  # Roman numerals in F# major, two chords a bar


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".lock" not in p.name
    }


# --- the progression ------------------------------------------------------------------------------


def test_parse_symbols_numerals_and_bar_lines():
    key, meter = Key("A", "minor"), meter_of("4/4")
    p = parse_progression("Am7 | Fmaj7 | C/E | G", key, meter, "verse")
    assert [c.text for c in p.chords] == ["Am7", "Fmaj7", "C/E", "G"]
    assert p.bars == (1, 1, 1, 1)
    assert p.chords[2].bass == 4 and p.chords[2].pcs(key) == (0, 4, 7)  # C/E: E in the bass
    r = parse_progression("i VI III VII", key, meter, "chorus")  # no bar lines: a bar each
    assert [c.text for c in r.chords] == ["Am", "F", "C", "G"] and r.total_bars == 4
    two = parse_progression("C G | Am F | % | V7/V", Key("C"), meter, "x")
    assert two.bars == (Fraction(1, 2),) * 4 + (1, 1)
    assert [c.text for c in two.chords][-2:] == ["F", "D7"]  # % repeats, V7/V of C is D7
    three = parse_progression("Gm - D | Gm", Key("G", "minor"), meter_of("3/4"), "x")
    assert three.bars == (Fraction(2, 3), Fraction(1, 3), 1)
    seven = parse_progression("A D E", Key("A"), meter_of("7/8"), "x")  # no bar lines
    assert seven.bars == (1, 1, 1)
    groups = parse_progression("A D E |", Key("A"), meter_of("7/8"), "x")  # a chord a beat group
    assert groups.bars == tuple(Fraction(g, 7) for g in meter_of("7/8").groups)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Am | Hm7 | C", "bar 2: unknown chord 'Hm7'"),
        ("Am | | C", "bar 2 is empty"),
        ("% | C", "% in the first bar"),
        ("Am Fmaj7 | C", "2 chords do not divide a bar of 7/8"),
        ("- Am D | C", "- in the first bar"),
        ("", "got nothing"),
    ],
)
def test_bad_progressions_are_one_line_naming_the_symbol(text, expected):
    with pytest.raises(ProduceError) as e:
        parse_progression(text, Key("A", "minor"), meter_of("7/8"), "verse")
    assert expected in str(e.value) and "'verse'" in str(e.value)
    assert "\n" not in str(e.value)


@pytest.fixture(scope="module")
def given_song(tmp_path_factory):
    """F# major, 4/4: verse and chorus chords given on the command line, approved, promoted;
    drums and bass generated on them and approved."""
    root = tmp_path_factory.mktemp("given")
    folder, _ = init_production(MAJOR_4_4, root)
    args = ["produce", "chords", str(folder.root), "--top", "3", "--seed", "1"]
    assert (
        main([*args, "--progression", f"verse={VERSE}", "--progression", f"chorus={CHORUS}"]) == 0
    )
    approve(folder, "chords")  # the first of each section, label from details.section
    run_drums(folder, n=6, top=2, seed=1)
    approve(folder, "drums")
    run_bass(folder, n=12, top=2, seed=1)
    approve(folder, "bass")
    return folder


def test_given_progression_is_the_chord_loop_note_for_note(given_song):
    folder = given_song
    review = read_review(folder.review_path("chords"))
    assert {c.details["section"] for c in review.candidates} == {"verse", "chorus"}
    assert all(c.details["given"]["source"] == "given" for c in review.candidates)
    verse = daw.chord_texts(folder.approved_dir("chords") / "verse.mid")
    assert [name for _, name in verse] == VERSE.replace("|", " ").split()
    assert [t for t, _ in verse] == [0, 1920, 3840, 5760]
    chorus = daw.chord_texts(folder.approved_dir("chords") / "chorus.mid")
    assert [name for _, name in chorus] == ["F#", "C#", "D#m", "A#m", "B", "C#", "B", "C#"]
    assert [t for t, _ in chorus] == [i * 960 for i in range(8)]  # two chords a bar
    # the slash chord's bass sounds lowest: B/D# has D# (pc 3) under it in bar 3
    score = load_score(folder.approved_dir("chords") / "verse.mid")
    bar3 = [n.pitch for t in score.tracks for n in t.notes if 3840 <= n.time < 5760]
    assert min(bar3) % 12 == 3


def test_bass_plays_the_given_bass_notes_at_each_chord(given_song):
    """Each chord of the given verse starts on its written bass note (B/D#: D#, not B); the
    other strong beats may take the chord's fifth or the key's anchor (``bass.line``)."""
    folder = given_song
    spans = {0: 6, 1: 3, 2: 3, 3: 1}  # F#, D#m7, B/D# (bass D#), C#7: bass pcs bar by bar
    score = load_score(folder.approved_dir("bass") / "verse.mid")
    notes = [n for t in score.tracks for n in t.notes]
    starts = {bar: [n.pitch % 12 for n in notes if n.time == bar * 1920] for bar in spans}
    assert starts == {bar: [pc] for bar, pc in spans.items()}
    strong = set(strong_ticks(meter_of("4/4"), 4))
    chord_tones = {0: {6, 10, 1}, 1: {3, 6, 10, 1}, 2: {11, 3, 6}, 3: {1, 5, 8, 11}}
    hits = [n for n in notes if n.time in strong]
    assert hits and all(n.pitch % 12 in chord_tones[n.time // 1920] for n in hits)


def test_a_bad_progression_writes_nothing(given_song, tmp_path, capsys):
    dst = tmp_path / given_song.root.name
    shutil.copytree(given_song.root, dst)
    before = _tree(dst)
    code = main(["produce", "chords", str(dst), "--progression", "verse=F# | Xmaj7 | B"])
    err = capsys.readouterr().err
    assert code != 0 and "unknown chord 'Xmaj7'" in err and "'verse'" in err
    assert len([line for line in err.splitlines() if line.startswith("error")]) == 1
    assert _tree(dst) == before


def test_proposal_progressions_field_round_trips(tmp_path):
    from chromatic.yamlio import dump_yaml, load_plain

    data = load_plain(MAJOR_4_4)
    data["progressions"] = {"verse": VERSE}
    src = tmp_path / "p.yml"
    src.write_text(dump_yaml(data))
    folder, _ = init_production(src, tmp_path / "out")
    assert dict(folder.proposal().progressions) == {"verse": VERSE}
    assert main(["produce", "chords", str(folder.root), "--top", "2"]) == 0
    review = read_review(folder.review_path("chords"))
    # the proposal's verse is given; the sections it does not give get generated progressions
    assert {c.details.get("section") for c in review.candidates} == {"verse", None}
    given = [c for c in review.candidates if c.details.get("section")]
    assert all(c.details["chords"] == VERSE.replace("|", " ").split() for c in given)


# --- a part the artist played -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def chorale_midi(tmp_path_factory) -> Path:
    from music21 import corpus

    path = tmp_path_factory.mktemp("bach") / "bwv66.6.mid"
    corpus.parse("bach/bwv66.6").write("midi", fp=str(path))
    return path


@pytest.fixture(scope="module")
def folk_3_4(tmp_path_factory) -> Path:
    """Halewyn (Essen, altdeu10): a 3/4 tune, one tune parsed from the corpus file."""
    return halewyn_midi(tmp_path_factory.mktemp("essen"))


def test_import_a_chorale_voice_as_the_melody_keeps_every_note(given_song, chorale_midi, tmp_path):
    dst = tmp_path / given_song.root.name
    shutil.copytree(given_song.root, dst)
    result = import_part(dst, "melody", "verse", chorale_midi, track="Soprano", transpose=0)
    src = load_score(chorale_midi)
    soprano = next(t for t in src.tracks if t.name == "Soprano")
    scale = 480 / src.tpq
    want = sorted(
        (round(n.time * scale), round(n.duration * scale), n.pitch, n.velocity)
        for n in soprano.notes
    )
    want = [w for w in want if w[0] < 4 * 1920]  # trimmed to the verse's 4 bars
    got = load_score(dst / "melody" / "approved" / "verse.mid")
    notes = sorted((n.time, n.duration, n.pitch, n.velocity) for t in got.tracks for n in t.notes)
    end = 4 * 1920
    assert [n for n in notes if n[0] + n[1] <= end] == [w for w in want if w[0] + w[1] <= end]
    assert [n[:1] + n[2:] for n in notes if n[0] + n[1] > end] == [
        w[:1] + w[2:] for w in want if w[0] + w[1] > end
    ]  # a note over the section's end is cut there
    assert len(notes) == len(want) and all(n[0] + n[1] <= end for n in notes)
    assert any("trimmed" in w for w in result.warnings)
    review = read_review(dst / "melody" / "review.yml")
    (entry,) = [c for c in review.candidates if c.status == "approved"]
    assert (
        entry.id == "melody_verse_import" and entry.details["imported"]["track_name"] == "Soprano"
    )


def test_imported_part_survives_to_the_arrangement(given_song, chorale_midi, tmp_path):
    dst = tmp_path / given_song.root.name
    shutil.copytree(given_song.root, dst)
    import_part(dst, "bass", "verse", chorale_midi, track="4", transpose=0)  # the chorale's bass
    run_melody(ProductionFolder(dst), n=4, top=1, seed=1)
    approve(ProductionFolder(dst), "melody")
    assert main(["plan", str(dst)]) == 0
    assert main(["assemble", str(dst), "--quantized"]) == 0
    loop = load_score(dst / "bass" / "approved" / "verse.mid")
    played = {(n.time, n.duration, n.pitch) for t in loop.tracks for n in t.notes}
    arr = dst / "arrangement.mid"
    roles = daw.part_roles(arr)
    score = load_score(arr)
    bass = {
        (n.time, n.duration, n.pitch)
        for t in score.tracks
        if roles.get(t.name) == "bass"
        for n in t.notes
    }
    mf = daw.read_midi(arr)
    t, starts = 0, []
    for m in mf.tracks[0]:
        t += m.time
        if m.type == "marker" and m.text.split()[0] == "verse":
            starts.append(t)
    assert starts
    for start in starts:  # every pass of the verse plays the imported notes
        kept = sum((a + start, d, p) in bass for a, d, p in played)
        assert kept / len(played) >= 0.95, (start, kept, len(played))


def test_fit_bars_loops_a_short_part_and_trims_a_long_one():
    from chromatic.music.notes import Note
    from chromatic.produce.imported import fit_bars

    notes = [Note(0, 480, 60, 90), Note(1800, 240, 62, 80)]  # the second runs over bar 1
    looped, note = fit_bars(notes, 1, 3, 1920)
    assert note == "looped 1 bar(s) to the section's 3"
    assert [(n.start, n.duration) for n in looped] == [
        (0, 480),
        (1800, 240),
        (1920, 480),
        (3720, 240),
        (3840, 480),
        (5640, 120),
    ]
    trimmed, note = fit_bars([*notes, Note(3840, 480, 64, 70)], 3, 1, 1920)
    assert note == "trimmed 3 bar(s) to the section's 1"
    assert [(n.start, n.duration) for n in trimmed] == [(0, 480), (1800, 120)]


def test_import_in_the_wrong_meter_is_refused(folk_3_4, tmp_path):
    dst = tmp_path / "short"
    init_production(MAJOR_4_4, dst)
    (folder_root,) = [p for p in dst.iterdir() if p.is_dir()]
    with pytest.raises(ProduceError, match=r"is in 3/4; section 'verse' is in 4/4"):
        import_part(folder_root, "chords", "verse", folk_3_4)
    assert not (folder_root / "chords" / "review.yml").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--section", "verse", "--track", "9"], "no track 9"),
        (["--section", "verse", "--track", "Tuba"], "no track named 'Tuba'"),
        (["--section", "bridge"], "no approved chord section 'bridge'"),
        (["--section", "Verse"], "expected a section label"),
    ],
)
def test_bad_imports_are_one_line_and_write_nothing(
    given_song, chorale_midi, tmp_path, capsys, args, expected
):
    dst = tmp_path / given_song.root.name
    shutil.copytree(given_song.root, dst)
    before = _tree(dst)
    code = main(["produce", "import", str(dst), "melody", "--midi", str(chorale_midi), *args])
    err = capsys.readouterr().err
    assert code != 0 and expected in err, err
    assert len(err.strip().splitlines()) == 1
    assert _tree(dst) == before


def test_a_midi_with_no_notes_is_refused(given_song, tmp_path, capsys):
    import mido

    empty = tmp_path / "empty.mid"
    mf = mido.MidiFile()
    mf.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="nothing")]))
    mf.save(empty)
    dst = tmp_path / given_song.root.name
    shutil.copytree(given_song.root, dst)
    before = _tree(dst)
    code = main(["produce", "import", str(dst), "bass", "--section", "verse", "--midi", str(empty)])
    err = capsys.readouterr().err
    assert code != 0 and "holds no notes" in err and "empty.mid" in err
    assert _tree(dst) == before


def test_import_from_dropped_bytes_and_a_bad_file(given_song, chorale_midi, tmp_path):
    dst = tmp_path / given_song.root.name
    shutil.copytree(given_song.root, dst)
    before = _tree(dst)
    with pytest.raises(ProduceError, match=r"dropped\.mid.*Standard MIDI File"):
        import_part(dst, "melody", "verse", b"not a midi file at all")
    assert _tree(dst) == before
    result = import_part(dst, "melody", "chorus", chorale_midi.read_bytes(), track="Alto")
    assert result.candidate == "melody_chorus_import" and result.bars == 4


def test_vary_keeps_the_given_and_one_chord_swapped(tmp_path):
    folder, _ = init_production(MAJOR_4_4, tmp_path)
    args = ["produce", "chords", str(folder.root), "--top", "8", "--vary"]
    assert main([*args, "--progression", "verse=I | vi | IV | V"]) == 0
    cands = read_review(folder.review_path("chords")).candidates
    given = ["F#", "D#m", "B", "C#"]
    varied = [c for c in cands if c.details["given"].get("variation")]
    assert len([c for c in cands if c.details["chords"] == given]) == 4  # top // 2 renderings
    assert len(varied) == 4 and len({tuple(c.details["chords"]) for c in varied}) == 4
    for c in varied:
        assert sum(a != b for a, b in zip(c.details["chords"], given, strict=True)) == 1


def test_imported_chords_define_a_new_section(given_song, chorale_midi, tmp_path):
    from chromatic.produce.sections import load_song

    dst = tmp_path / given_song.root.name
    shutil.copytree(given_song.root, dst)
    result = import_part(dst, "chords", "bridge", chorale_midi)  # the first track: 9 bars
    assert result.bars == 9 and any("4 tracks with notes" in w for w in result.warnings)
    song = load_song(ProductionFolder(dst), "test")
    bridge = song.section("bridge")
    assert bridge.bars == 9 and bridge.time_signature == given_song.proposal().time_signature
    assert daw.part_roles(dst / "chords" / "approved" / "bridge.mid")


@pytest.mark.parametrize("outside", ["relative", "absolute"])
def test_a_scratch_beat_named_outside_the_folder_is_never_read(tmp_path, capsys, outside):
    """A hand edit of a generated candidate's ``scratch_beat`` to a file outside the folder: a
    run on given progressions (which keeps the generated candidates) refuses in one line
    naming the review and the field, writes nothing and copies nothing in."""
    secret = tmp_path / "secret.mid"
    secret.write_bytes(b"MThd secret")
    folder, _ = init_production(MAJOR_4_4, tmp_path / "out")
    assert main(["produce", "chords", str(folder.root), "--top", "2", "-n", "8"]) == 0
    path = folder.review_path("chords")
    text = path.read_text(encoding="utf-8")
    name = os.path.relpath(secret, path.parent) if outside == "relative" else str(secret)
    edited = re.sub(r"scratch_beat: \S+", f"scratch_beat: {name}", text, count=1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    before = _tree(folder.root)
    code = main(["produce", "chords", str(folder.root), "--progression", f"verse={VERSE}"])
    err = capsys.readouterr().err
    assert code != 0 and "scratch_beat" in err and "review.yml" in err
    assert len([line for line in err.splitlines() if line.startswith("error")]) == 1
    assert _tree(folder.root) == before
