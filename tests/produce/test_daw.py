"""DAW-ready MIDI: loops and arrangement.mid read back with mido, symusic, pretty_midi and
music21 as a DAW or notation program would; the MusicXML score read back with music21."""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import subprocess

import mido
import pytest
from symusic import Note, TextMeta

from chromatic.cli import main
from chromatic.music import daw
from chromatic.music.gm import VOICES
from chromatic.music.midi import add_track, load_score, new_score, score_bytes
from chromatic.produce.arrange.assemble import ARRANGEMENT_FILE, arrange, assemble
from chromatic.produce.arrange.daw import chord_names, transpose_symbol
from chromatic.produce.arrange.musicxml import MUSICXML_FILE, build_score, music21_figure
from chromatic.produce.arrange.plan import write_plan
from chromatic.produce.planfile import load_plan, plan_path
from tests.produce.conftest import approve

BAR_78 = 1680  # 7/8 at 480 ticks per quarter


def _mid(data: bytes) -> mido.MidiFile:
    return mido.MidiFile(file=io.BytesIO(data))


def _length_ticks(mf: mido.MidiFile) -> list[int]:
    return [sum(m.time for m in t) for t in mf.tracks]


def _loop_bytes(notes, *, program=33, drum=False, bars_meta="7/8") -> bytes:
    s = new_score(72, bars_meta, "F# minor")
    tr = add_track(s, "verse", program=program, is_drum=drum)
    for t, d, p in notes:
        tr.notes.append(Note(time=t, duration=d, pitch=p, velocity=80))
    return score_bytes(s)


def test_a_loop_ends_on_its_bar_line_named_by_instrument_on_its_channel():
    # notes end half way through bar 2; one note runs past the 2 bars the loop is
    raw = _loop_bytes([(0, 400, 42), (1680, 400, 45), (3000, 900, 47), (3400, 100, 49)])
    out = daw.finish_loop(raw, "bass", bars=2)
    mf = _mid(out)
    assert _length_ticks(mf) == [2 * BAR_78]  # the end of track on the bar line
    assert [t.name for t in mf.tracks] == ["Electric Bass (finger)"]
    assert daw.part_roles(out) == {"Electric Bass (finger)": "bass"}
    assert {m.channel for t in mf.tracks for m in t if m.type == "note_on"} == {1}
    notes = load_score(out).tracks[0].notes
    assert max(n.end for n in notes) == 2 * BAR_78  # the crossing note cut at the bar line
    assert (
        49 not in {n.pitch for n in notes}
        or min(n.time for n in notes if n.pitch == 49) < 2 * BAR_78
    )
    assert daw.finish_loop(out, "bass", bars=2) == out  # idempotent
    # no length given: the file's own length, rounded up to whole bars
    assert _length_ticks(_mid(daw.finish_loop(raw, "bass")))[0] % BAR_78 == 0


def test_drums_go_to_channel_10_and_chords_carry_their_names():
    drums = daw.finish_loop(_loop_bytes([(0, 60, 36)], drum=True), "drums", bars=1)
    assert {m.channel for t in _mid(drums).tracks for m in t if m.type == "note_on"} == {9}
    assert [t.name for t in _mid(drums).tracks] == ["Drums"]
    chords = daw.finish_loop(
        _loop_bytes([(0, 1680, 54), (1680, 1680, 50)], program=89),
        "chords",
        bars=2,
        chords=[(0, "F#m"), (1680, "D")],
    )
    assert daw.chord_texts(chords) == [(0, "F#m"), (1680, "D")]
    assert {m.channel for t in _mid(chords).tracks for m in t if m.type == "note_on"} == {0}
    again = daw.finish_loop(chords, "chords", bars=2)  # names kept when none are given
    assert daw.chord_texts(again) == [(0, "F#m"), (1680, "D")]


def test_channels_for_gives_each_phase_its_own_and_extra_parts_free_ones():
    assert daw.channels_for([("chords", False), ("drums", True), ("bass", False)]) == [0, 9, 1]
    got = daw.channels_for([("chords", False), ("chords", False), ("melody", False)])
    assert got[0] == 0 and got[2] == 2 and got[1] not in (0, 1, 2, 9)


def test_transposed_chord_names_are_spelled_in_the_key():
    from chromatic.music.key import Key

    assert transpose_symbol("F#m7", 2, Key.parse("G# minor")) == "G#m7"
    assert transpose_symbol("Bbmaj7/D", 2, Key.parse("C major")) == "Cmaj7/E"
    assert transpose_symbol("Eb", 0, Key.parse("C major")) == "Eb"
    assert music21_figure("Bbm7/Eb") == "B-m7/E-"


def _bar_aligned(path) -> bool:
    mf = mido.MidiFile(str(path))
    ts = next(m for t in mf.tracks for m in t if m.type == "time_signature")
    bar = mf.ticks_per_beat * 4 * ts.numerator // ts.denominator
    return all(n % bar == 0 for n in _length_ticks(mf))


def test_phases_write_daw_ready_loops_and_promote_keeps_them(major_44, tmp_path):
    """The real chord and drum phases: candidates and approved loops alike."""
    from chromatic.produce.phases.drums import run_drums

    folder = type(major_44)(shutil.copytree(major_44.root, tmp_path / major_44.root.name))
    approve(folder, "chords", {0: "verse", 1: "chorus"})
    run_drums(folder, n=4, top=2, seed=1)
    approve(folder, "drums")
    for phase in ("chords", "drums"):
        files = sorted(folder.approved_dir(phase).glob("*.mid"))
        assert files
        for p in files:
            assert _bar_aligned(p), p
            roles = daw.part_roles(p)
            assert list(roles.values()) == [phase]
            mf = mido.MidiFile(str(p))
            chans = {m.channel for t in mf.tracks for m in t if m.type == "note_on"}
            assert chans == {daw.PHASE_CHANNELS[phase]}
    for p in folder.approved_dir("chords").glob("*.mid"):
        names = daw.chord_texts(p)
        score = load_score(p)
        onsets = {n.time for n in score.tracks[0].notes}
        assert names and names[0][0] == 0 and all(t in onsets for t, _ in names)
    drum_keys = {
        n.pitch
        for p in folder.approved_dir("drums").glob("*.mid")
        for n in load_score(p).tracks[0].notes
    }
    assert drum_keys <= set(VOICES.values())  # the project's one GM drum map


@pytest.fixture
def arranged(sectioned):
    """The 7/8 folder's approved chords with a drum and a melody loop, planned."""
    for ph in ("drums", "melody"):
        sectioned.approved_dir(ph).mkdir(parents=True, exist_ok=True)
    for label in ("intro", "verse", "chorus", "outro"):
        for ph, notes, program, drum in (
            ("drums", [(0, 60, 36), (840, 60, 38)], 0, True),
            ("melody", [(0, 400, 66), (420, 400, 69)], 73, False),
        ):
            s = new_score(72, "7/8", "F# minor")
            tr = add_track(s, label, program=program, is_drum=drum)
            for t, d, p in notes:
                tr.notes.append(Note(time=t, duration=d, pitch=p, velocity=80))
            (sectioned.approved_dir(ph) / f"{label}.mid").write_bytes(score_bytes(s))
    write_plan(sectioned.root)
    return sectioned


def test_arrangement_names_chords_at_every_change_and_keeps_track_0_clean(arranged):
    result = assemble(arranged.root, quantized=True)
    path = arranged.root / ARRANGEMENT_FILE
    mf = mido.MidiFile(str(path))
    assert not [m for m in mf.tracks[0] if not m.is_meta]  # no program change in the conductor
    roles = daw.part_roles(path)
    # a lifted chorus's octave doubling plays on its own track (issue #33)
    assert set(roles.values()) - {"double"} == {"chords", "drums", "melody"}
    assert "Drums" in roles and "Flute" in roles
    names = daw.chord_texts(path)
    assert len(names) >= len(result.arrangement.sections)
    assert all(a[1] != b[1] for a, b in itertools.pairwise(names))  # changes only
    # the chords may sit on a track per program (a color's section programs, issue #30)
    chords = [t for t in load_score(path).tracks if roles.get(t.name) == "chords"]
    onsets = {n.time for t in chords for n in t.notes}
    assert all(t in onsets for t, _ in names), "a chord name where no chord is struck"
    # a section starts on its first chord's name
    for span in result.arrangement.sections:
        assert any(t == span.start_bar * BAR_78 for t, _ in names), span.name
    # the ending's cadence: the last two bars' names
    total = result.arrangement.total_bars * BAR_78
    assert [t for t, _ in names[-2:]] == [total - 2 * BAR_78, total - BAR_78]
    assert names[-1][1] == "F#m"  # the tonic of F# minor
    assert all(n % BAR_78 == 0 for n in _length_ticks(mf))
    import music21

    assert len(music21.converter.parse(str(path)).parts) == len(roles)


def test_musicxml_has_chord_symbols_rehearsal_marks_and_lyrics(arranged, tmp_path):
    import music21
    from music21 import expressions, harmony

    assert main(["assemble", str(arranged.root), "--musicxml"]) == 0
    xml = arranged.root / MUSICXML_FILE
    score = music21.converter.parse(str(xml))
    marks = [m.content for m in score.recurse().getElementsByClass(expressions.RehearsalMark)]
    plan = load_plan(plan_path(arranged.root))
    assert marks == [s.name.replace("_", " ").title() for s in plan.sections if s.repeat > 0]

    def sound(c) -> tuple[str, tuple[int, ...]]:  # a symbol read back may be spelled anew
        return c.root().name, tuple(sorted(set(c.pitchClasses)))

    arr = arrange(arranged, plan)
    key = arranged.proposal().key
    want = [
        sound(harmony.ChordSymbol(music21_figure(n)))
        for _, n in chord_names(arr, arranged.root, key)
    ]
    for part in score.parts[:2]:  # over the melody and over the comping staff
        assert [sound(c) for c in part.recurse().getElementsByClass(harmony.ChordSymbol)] == want
    names = [p.partName for p in score.parts]
    assert names[0] == "Flute" and names[-1] == "Drums"  # melody first, drums last
    assert not [n.lyric for n in score.recurse().notes if n.lyric]  # no lyric events, no lyrics
    # lyric events on the melody track become lyrics under its notes
    melody = next(t for t in arr.score.tracks if t.name == "melody")
    first = sorted(n.time for n in melody.notes)[:3]
    for t, word in zip(first, ("la", "lu", "li"), strict=True):
        melody.lyrics.append(TextMeta(time=t, text=word))
    with_lyrics = build_score(arr, arranged.root, key)
    assert [n.lyric for n in with_lyrics.parts[0].recurse().notes if n.lyric] == ["la", "lu", "li"]


def test_musicxml_reads_as_a_score(arranged, capsys, monkeypatch):
    """Spelled in F# minor, the melody on its clef, the chords as slashes under their symbols,
    tempo and rehearsal marks above the system."""
    import music21
    from music21 import clef, harmony, tempo

    from chromatic.cli import console

    monkeypatch.setattr(console, "PROGRESS_AFTER_S", 0.0)  # every step says what it does

    assert main(["assemble", str(arranged.root), "--musicxml"]) == 0
    assert "writing the score (music21)…" in capsys.readouterr().err  # the long step, said
    xml = arranged.root / MUSICXML_FILE
    text = xml.read_text(encoding="utf-8")
    assert '<direction placement="above">' in text
    above = re.findall(r'<direction placement="above">\s*<direction-type>\s*<rehearsal', text)
    assert len(above) == text.count("<rehearsal") > 0
    score = music21.converter.parse(str(xml))
    melody, comp = score.parts[0], score.parts[1]
    names = {
        p.name
        for n in melody.recurse().notes
        if not isinstance(n, harmony.ChordSymbol)
        for p in n.pitches
    }
    assert names == {"F#", "A"}  # 66 and 69 in F# minor: never G-flat
    marks = list(melody.recurse().getElementsByClass(tempo.MetronomeMark))
    assert [m.number for m in marks] == [72]
    heads = {n.notehead for n in comp.recurse().notes if not isinstance(n, harmony.ChordSymbol)}
    assert heads == {"slash"}
    assert isinstance(next(iter(melody.recurse().getElementsByClass(clef.Clef))), clef.TrebleClef)


MUSESCORE = shutil.which("mscore3") or shutil.which("musescore3") or shutil.which("mscore")


@pytest.mark.skipif(not MUSESCORE, reason="needs MuseScore 3 (apt-get install musescore3)")
def test_musescore_renders_the_musicxml_without_a_warning(arranged, tmp_path):
    assert main(["assemble", str(arranged.root), "--musicxml"]) == 0
    out = tmp_path / "score.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run(
        [MUSESCORE, "-o", str(out), str(arranged.root / MUSICXML_FILE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    pages = sorted(tmp_path.glob("score*.png"))
    assert pages and all(p.stat().st_size > 10_000 for p in pages), log
    assert "warning" not in log.lower() and "error" not in log.lower(), log
    if os.environ.get("CHROMATIC_NOTATION_PNG"):
        shutil.copy(pages[0], os.environ["CHROMATIC_NOTATION_PNG"])
