from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chromatic.errors import ProduceError
from chromatic.music import daw
from chromatic.music.key import Key, TimeSignature
from chromatic.music.meter import meter_of, strong_ticks
from chromatic.music.midi import load_score
from chromatic.produce.bass.line import HIGH, LOW, STYLES, BassOption, bass_templates, realize
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases.bass import run_bass
from chromatic.produce.review import load_review
from chromatic.produce.sections import ChordSpan, Section, load_song
from chromatic.produce.style import style_for
from tests.produce.conftest import PART_N, PART_TOP, approve


@pytest.fixture(scope="module")
def bass_34(song_34_drums, tmp_path_factory):
    dst = tmp_path_factory.mktemp("bass34") / song_34_drums.root.name
    shutil.copytree(song_34_drums.root, dst)
    folder = ProductionFolder(dst)
    return folder, run_bass(folder, n=PART_N * 3, top=PART_TOP, seed=2)


def _section(ts: str, chords: list[tuple[int, int, tuple[int, ...], int]], bars: int) -> Section:
    meter = meter_of(ts)
    spans = tuple(ChordSpan(s, e, tones, root) for s, e, tones, root in chords)
    return Section(
        "verse",
        "verse",
        "medium",
        meter,
        TimeSignature.parse(ts),
        100.0,
        bars,
        spans,
        Path("x"),
        "bars",
    )


def test_templates_cover_the_styles_in_every_meter():
    for ts in ("4/4", "3/4", "7/8", "6/8", "5/4", "12/8"):
        meter = meter_of(ts)
        temps = bass_templates(meter)
        assert {t.style for t in temps} == set(STYLES)
        for t in temps:
            assert t.hits[0][0] == 0
            assert all(0 <= o < meter.bar and d > 0 and o + d <= meter.bar for o, d, _ in t.hits), (
                ts,
                t.name,
            )


def test_approach_notes_lead_into_the_next_root():
    # C major for a bar, then G major: a walking line approaches G from a semitone below
    sec = _section("4/4", [(0, 1920, (0, 4, 7), 0), (1920, 3840, (2, 7, 11), 7)], 2)
    walking = next(t for t in bass_templates(sec.meter) if t.name == "walking")
    notes, roots = realize(sec, Key.parse("C major"), BassOption(walking, "low", "chromatic_below"))
    assert [n[2] % 12 for n in notes[:4]] == [0, 4, 7, 6]  # root, third, fifth, F# -> G
    assert notes[4][2] % 12 == 7 and notes[4][0] == 1920
    assert roots[0] % 12 == 0 and 28 <= roots[0] <= 39
    above, _ = realize(sec, Key.parse("C major"), BassOption(walking, "low", "chromatic_above"))
    assert above[3][2] % 12 == 8
    # the last approach of the loop leads back into the first chord
    assert notes[-1][2] % 12 == 11


def test_a_chord_change_inside_a_long_note_gets_its_root():
    sec = _section("4/4", [(0, 960, (0, 4, 7), 0), (960, 1920, (5, 9, 0), 5)], 1)
    whole = next(t for t in bass_templates(sec.meter) if t.name == "root_whole")
    notes, _ = realize(sec, Key.parse("C major"), BassOption(whole, "mid", "diatonic"))
    assert [(n[0], n[1], n[2] % 12) for n in notes] == [(0, 960, 0), (960, 960, 5)]


def test_bass_refuses_without_approved_drums(song_78, capsys):
    from chromatic.cli import main

    with pytest.raises(ProduceError) as e:
        run_bass(song_78)
    msg = str(e.value)
    assert (
        msg.startswith("bass needs approved drums")
        and f"chromatic produce drums {song_78.root}" in msg
    )
    assert f"chromatic promote {song_78.root} drums" in msg
    assert main(["produce", "bass", str(song_78.root)]) == 1
    assert "chromatic produce drums" in capsys.readouterr().err


def test_notes_stay_in_register_and_roots_hold_on_strong_beats(bass_34):
    import music21
    import pretty_midi

    folder, run = bass_34
    song = load_song(folder, "test")
    review = load_review(folder.review_path("bass"))
    assert len(review.model.candidates) == PART_TOP * len(song.sections)
    styles = set()
    for c in review.model.candidates:
        section = song.section(c.details["section"])
        path = folder.phase_dir("bass") / c.midi_file
        notes = load_score(path).tracks[0].notes
        assert notes and all(LOW <= n.pitch <= HIGH for n in notes)
        # recompute the strong-beat root share from the file and the approved chords
        hits = roots = 0
        for t in strong_ticks(section.meter, section.bars):
            sounding = [n for n in notes if n.time <= t < n.end]
            if sounding:
                hits += 1
                roots += sounding[0].pitch % 12 == section.chord_at(t).root
        share = roots / hits if hits else 0.0
        assert share >= c.scores.theory["root_adherence"] - 1e-4, c.id
        assert c.details["kick_source"] == ("scratch" if section.label == "intro" else "drums")
        styles.add(c.details["style"])
        pm = pretty_midi.PrettyMIDI(str(path))
        assert pm.instruments[0].program == review.doc["program"] and not pm.instruments[0].is_drum
    assert len(styles) >= 3  # the kept few are spread over styles
    assert any("scratch beat" in w and "intro" in w for w in run.warnings)
    first = folder.phase_dir("bass") / review.model.candidates[0].midi_file
    assert len(music21.converter.parse(str(first)).flatten().notes) > 0


def test_kick_alignment_rewards_a_line_on_the_kicks(bass_34):
    folder, _ = bass_34
    review = load_review(folder.review_path("bass"))
    verse = [c for c in review.model.candidates if c.details["section"] == "verse"]
    assert all(0.0 <= c.scores.theory["kick_alignment"] <= 1.0 for c in verse)
    assert all(c.details["kicks"] > 0 for c in verse)
    assert review.doc["program"] == style_for(folder.proposal()).program("bass")


def test_same_seed_gives_identical_bass_and_promote_works(song_34_drums, tmp_path):
    def run(name, seed):
        dst = tmp_path / name
        shutil.copytree(song_34_drums.root, dst)
        folder = ProductionFolder(dst)
        run_bass(folder, n=5, top=2, seed=seed)
        root = folder.phase_dir("bass")
        return folder, {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    folder, a = run("a", 4)
    _, b = run("b", 4)
    _, c = run("c", 5)
    assert a == b and a != c
    result = approve(folder, "bass")
    assert {p.label for p in result.promoted} == {s.label for s in load_song(folder, "t").sections}
    verse = folder.approved_dir("bass") / "verse.mid"
    track = load_score(verse).tracks[0]
    name = track.name  # the instrument (the file name says the section)
    # the style's bass program: a bass, or the low voice of a color song without one (#30)
    assert track.program == style_for(folder.proposal()).program("bass", "verse")
    assert daw.part_roles(verse) == {name: "bass"}


def _minor_loop(held: str = "i") -> Section:
    """F# minor i-VI-III-VII, one chord held two bars: i (heard in F# minor), or VII (the loop
    music21 heard in another key; its chords alone are heard in A major by both listeners)."""
    b = 1920
    tones = [((6, 9, 1), 6), ((2, 6, 9), 2), ((9, 1, 4), 9), ((4, 8, 11), 4)]
    lengths = [2, 1, 1, 1] if held == "i" else [1, 1, 1, 2]
    chords, t = [], 0
    for (pcs, root), n in zip(tones, lengths, strict=True):
        chords.append((t, t + n * b, pcs, root))
        t += n * b
    return _section("4/4", chords, 5)


def _line(section: Section, name: str) -> tuple:
    temps = {t.name: t for t in bass_templates(section.meter)}
    notes, _ = realize(section, Key.parse("F# minor"), BassOption(temps[name], "low", "diatonic"))
    return notes


def test_the_anchor_step_holds_the_keys_centre_under_vi_and_iii():
    sec = _minor_loop()
    pcs = [n.pitch % 12 for n in _line(sec, "root_anchor")]
    # beat 1 the root, beat 3 the anchor: F# on i, F# (D/F#) on VI, C# (A/C#) on III, B on VII
    assert pcs[:10] == [6, 6, 6, 6, 2, 6, 9, 1, 4, 11]


def test_a_loop_whose_chords_are_heard_in_the_relative_major_gets_its_pedal_and_anchor():
    from chromatic.produce.heard import heard_key

    sec, key = _minor_loop("VII"), Key.parse("F# minor")
    assert heard_key(sec, key) == Key("A", "major")
    assert heard_key(_minor_loop(), key) == key
    # the pedal is the heard tonic; the anchor answers each root with A (or E under E major)
    assert {n.pitch % 12 for n in _line(sec, "pedal_whole")} == {9}
    assert [n.pitch % 12 for n in _line(sec, "root_anchor")][:8] == [6, 9, 2, 9, 9, 9, 4, 4]


def test_the_bass_centre_ranks_a_line_that_keeps_the_key_above_one_that_leaves_it():
    from music21 import note, stream

    from chromatic.produce.bass.centre import bass_centre

    sec, key = _minor_loop(), Key.parse("F# minor")
    scores = {n: bass_centre(sec, _line(sec, n), key) for n in ("root_strong", "root_anchor")}
    scores["pedal_whole"] = bass_centre(sec, _line(sec, "pedal_whole"), key)
    assert scores["root_strong"] < 0.5 < scores["pedal_whole"] < scores["root_anchor"]
    # chords heard in A major: the centre keeps A major, no longer pulls back to F# minor
    ama = _minor_loop("VII")
    held = {n: bass_centre(ama, _line(ama, n), key) for n in ("root_anchor", "pedal_whole")}
    assert held["root_anchor"] > held["pedal_whole"]

    def heard(name: str) -> str:  # music21's default listener over the chords and this bass
        s = stream.Stream()
        for c in sec.chords:
            for pc in c.tones:
                s.append(note.Note(midi=60 + pc, quarterLength=(c.end - c.start) / 480))
        for n in _line(sec, name):
            s.append(note.Note(midi=36 + n.pitch % 12, quarterLength=2 * n.duration / 480))
        return str(s.analyze("key"))

    assert heard("root_strong") != "f# minor"
    assert heard("pedal_whole") == "f# minor"
