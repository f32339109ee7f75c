"""What a phase reads of the song so far: on disk an approved loop is parsed from its file
(``loops.read_loop``); in a compose branch it is the candidate's own Song as that file would
read (``loops.delivered_loop``), so the search never encodes a loop to parse it back."""

from __future__ import annotations

import pytest

from chromatic.music import midi
from chromatic.music.song import Lyric, Note, Song, TempoChange, Track
from chromatic.music.song_midi import write_midi
from chromatic.produce.compose.branch import HeldSong
from chromatic.produce.compose.run import ComposeOptions, init_at
from chromatic.produce.compose.search import alternatives, approve_choice, search
from chromatic.produce.folder import PHASES
from chromatic.produce.loops import delivered_loop, read_loop, stored_qpm
from chromatic.produce.phases import PhaseOptions
from chromatic.produce.phases.registry import get
from tests.produce.conftest import MAJOR_4_4, MINOR_7_8

FORM = ("verse", "chorus")


def _options(phase: str, seed: int) -> PhaseOptions:
    return PhaseOptions(n=8, top=4 if phase == "chords" else 3, seed=seed)


@pytest.mark.parametrize("source", [MAJOR_4_4, MINOR_7_8])
def test_a_held_loop_reads_as_its_file(tmp_path, source):
    """Every approved loop of every phase, two alternatives deep: the value a later phase reads
    from memory equals what parsing the approved file's bytes gives."""
    root = init_at(source, tmp_path / "mem", force=True).root
    songs = [HeldSong(root)]
    checked = 0
    for phase in PHASES:
        nxt = []
        for i, song in enumerate(songs):
            trial = song.trial()
            get(phase).run(trial, _options(phase, 3 + i)).gate(trial)
            held = trial.outbox[phase]
            for alt in alternatives(phase, held.model, held.path, FORM, 2, [])[:2]:
                child = approve_choice(trial, phase, alt)
                for section in alt.files:
                    memory = child.loop_song(child.approved_dir(phase) / f"{section}.mid")
                    parsed = read_loop(child.held[phase].approved[section])
                    assert memory == parsed, (phase, section)
                    values = [x for t in memory.tracks for n in t.notes for x in n]
                    values += [x.tick for t in memory.tracks for x in t.lyrics]
                    assert {type(x) for x in values} == {int}, (phase, section)  # as parsed
                    checked += 1
                nxt.append(child)
        songs = nxt[:2]
    assert checked >= 2 * len(PHASES) * len(FORM)


def test_the_writers_cuts_and_tempo_are_read_as_the_file_gives_them():
    track = Track(
        "Voice",
        53,
        role="melody",
        notes=(Note(960, 960, 64, 90), Note(0, 480, 62, 80), Note(1800, 500, 60, 70)),
        lyrics=(Lyric(960, "la"), Lyric(0, "do")),
    )
    drums = Track("Drums", 0, True, "drums", (Note(1920, 60, 36, 100),))  # starts at the end
    for bpm in (93.0, 97.5, 133.0):
        song = Song(tracks=(track, drums), tempos=(TempoChange(0, bpm),), end=1920)
        got = delivered_loop(song)
        assert got == read_loop(write_midi(song))
        assert got.tempos[0].qpm == stored_qpm(bpm) and got.end == 1920
        assert [n.duration for n in got.tracks[0].notes] == [480, 960, 120]  # cut at the end
        assert len(got.tracks) == 1  # the drum note past the end is not in the file


def _counting(monkeypatch) -> list[str]:
    """Every ``load_score`` call, wherever the module that calls it imported it."""
    import chromatic.produce.phases.backing as backing
    import chromatic.produce.phases.bass as bass
    import chromatic.produce.sections as sections

    seen: list[str] = []
    real = midi.load_score

    def counted(source, **kw):
        seen.append(kw.get("name") or ("<bytes>" if isinstance(source, bytes) else str(source)))
        return real(source, **kw)

    monkeypatch.setattr(midi, "load_score", counted)
    for module in (bass, backing, sections):
        monkeypatch.setattr(module, "load_score", counted, raising=False)
    return seen


def test_the_search_parses_no_approved_loop(tmp_path, monkeypatch):
    """Bass reads the drums' kicks, the backing vocals the lead and its words, every part the
    chords, from the branch's Songs: a beam-2 search parses no MIDI at all (on disk, the same
    phase parses the approved files, as ``produce <phase>`` must)."""
    root = init_at(MAJOR_4_4, tmp_path / "song", force=True).root
    seen = _counting(monkeypatch)
    opts = ComposeOptions(n=10, beam=2, seed=5, render=False, form=FORM)
    best, reports = search(root, opts, None, [get(p) for p in PHASES], lambda _m: None, [])
    assert [r.phase for r in reports] == list(PHASES) and set(best.song.held) == set(PHASES)
    assert seen == []
    from chromatic.produce.compose.branch import write_song
    from chromatic.produce.folder import ProductionFolder

    folder = ProductionFolder(root)
    write_song(folder, best.song.held)
    get("harmony").run(folder, _options("harmony", 1)).gate(folder)
    assert any("melody/approved" in s for s in seen) and any("chords/approved" in s for s in seen)


@pytest.mark.parametrize("source", [MAJOR_4_4, MINOR_7_8])
def test_the_chords_a_branch_builds_on_are_what_its_files_read(tmp_path, source, monkeypatch):
    """The part phases' song of a held chord set (sections, chord spans with their symbols and
    harmonic rhythm, tempo, meter) equals the song read from the files the branch writes; it is
    made without reading the review back (no YAML text, no second validation)."""
    from chromatic.produce import sections
    from chromatic.produce.compose import branch
    from chromatic.produce.compose.branch import write_song
    from chromatic.produce.folder import ProductionFolder

    root = init_at(source, tmp_path / "mem", force=True).root
    trial = HeldSong(root).trial()
    get("chords").run(trial, _options("chords", 2)).gate(trial)
    held = trial.outbox["chords"]
    child = approve_choice(
        trial, "chords", alternatives("chords", held.model, held.path, FORM, 1, [])[0]
    )
    read_back: list[int] = []
    real = branch.HeldPhase._pending
    monkeypatch.setattr(branch.HeldPhase, "_pending", lambda h: read_back.append(1) or real(h))
    memory = sections._read_song(child, "drums")
    assert read_back == []
    write_song(ProductionFolder(root), child.held)
    disk = sections._read_song(ProductionFolder(root), "drums")
    assert memory == disk
    assert {s.timing for s in disk.sections} == {"harmonic_rhythm"}
    assert all(c.symbol for s in disk.sections for c in s.chords)


def test_a_given_progression_is_read_from_its_song(tmp_path):
    """The artist's progression (given chords, merged beside generated ones in one run): the
    approved loop a part reads in memory is the one its file gives."""
    from chromatic.yamlio import dump_yaml, load_plain

    data = load_plain(MAJOR_4_4)
    data["progressions"] = {"verse": "I | V | vi | IV"}
    src = tmp_path / "p.yml"
    src.write_text(dump_yaml(data))
    root = init_at(src, tmp_path / "mem", force=True).root
    trial = HeldSong(root).trial()
    get("chords").run(trial, PhaseOptions(n=8, top=4, seed=3)).gate(trial)
    held = trial.outbox["chords"]
    alt = alternatives("chords", held.model, held.path, FORM, 1, [])[0]
    child = approve_choice(trial, "chords", alt)
    assert set(child.held["chords"].read) == set(FORM)  # both loops held as Songs
    for section in FORM:
        memory = child.loop_song(child.approved_dir("chords") / f"{section}.mid")
        assert memory == read_loop(child.held["chords"].approved[section])
