"""The Song type and its one MIDI boundary: a file read and written again is the same file,
a song written and read again is the same song, and what the scorer reads from a Song in
memory is what it reads from the file."""

from __future__ import annotations

import io

import numpy as np
import pytest

from chromatic.errors import MidiError
from chromatic.music.midi import load_score
from chromatic.music.notes import Note
from chromatic.music.song import ChordSymbol, Lyric, SectionSpan, Song, TempoChange, Track
from chromatic.music.song_midi import read_midi, to_music21, to_score, write_midi
from chromatic.music.symbolic import midi_features
from chromatic.produce.compose.run import ComposeOptions, compose_auto
from tests.produce.conftest import MINOR_7_8


@pytest.fixture(scope="module")
def composed(tmp_path_factory):
    out = tmp_path_factory.mktemp("song") / "song"
    compose_auto(MINOR_7_8, out, ComposeOptions(n=8, beam=1, seed=3, render=False))
    return out


def test_every_file_compose_writes_reads_and_writes_back_to_the_same_bytes(composed):
    files = sorted(composed.rglob("*.mid"))
    assert (composed / "arrangement.mid") in files and len(files) > 10
    for f in files:
        data = f.read_bytes()
        song = read_midi(data)
        assert write_midi(song) == data, f
        assert read_midi(write_midi(song)) == song, f


def test_the_arrangement_reads_as_parts_with_roles_chords_sections_and_lyrics(composed):
    song = read_midi(composed / "arrangement.mid")
    roles = {t.role for t in song.note_tracks()}
    assert {"chords", "bass", "melody", "drums"} <= roles
    drums = song.track("drums")
    assert drums is not None and drums.is_drum and drums.name == "Drums"
    assert song.title and song.sections and song.sections[0].start == 0
    assert all(a.end == b.start for a, b in zip(song.sections, song.sections[1:], strict=False))
    assert song.chords and song.chord_at(song.chords[0].start) == song.chords[0]
    assert song.end is not None and song.end % song.bar_ticks() == 0
    sung = [t for t in song.note_tracks() if t.lyrics]
    onsets = {n.start for t in sung for n in t.notes}
    assert sung and all(ly.tick in onsets for t in sung for ly in t.lyrics)


def _chorale_midi() -> bytes:
    from music21 import corpus

    score = corpus.parse("bach/bwv66.6")
    mf = score.write("midi")
    with open(mf, "rb") as fh:
        return fh.read()


def test_a_bach_chorale_from_the_music21_corpus_round_trips_as_a_song():
    song = read_midi(_chorale_midi())
    assert len(song.note_tracks()) == 4  # soprano, alto, tenor, bass
    assert sum(len(t.notes) for t in song.tracks) > 150
    again = read_midi(write_midi(song))
    assert again == song
    assert [t.notes for t in again.tracks] == [t.notes for t in song.tracks]


def test_a_song_built_in_memory_round_trips_with_its_chords_sections_and_lyrics():
    bar = 4 * 480
    melody = Track(
        "Flute",
        program=73,
        role="melody",
        notes=(Note(0, 480, 69, 90), Note(480, 960, 72, 80), Note(bar, bar, 64, 70)),
        lyrics=(Lyric(0, "la-"), Lyric(480, "dder"), Lyric(bar, "-")),
    )
    bass = Track("Acoustic Bass", program=32, role="bass", notes=(Note(0, 2 * bar, 45, 100),))
    kit = Track("Drums", is_drum=True, role="drums", notes=(Note(0, 120, 36, 110),))
    song = Song(
        tracks=(melody, bass, kit),
        tempos=(TempoChange(0, 96.0),),
        chords=(ChordSymbol(0, bar, "Am"), ChordSymbol(bar, 2 * bar, "E7")),
        sections=(SectionSpan(0, 2 * bar, "verse"),),
        end=2 * bar,
        title="Test",
    )
    again = read_midi(write_midi(song))
    assert [t.notes for t in again.tracks] == [t.notes for t in song.tracks]
    assert again.chords == song.chords and again.sections == song.sections
    assert again.track("melody").lyrics == melody.lyrics
    assert again.track("drums").is_drum and again.track("bass").program == 32
    assert round(again.tempos[0].qpm) == 96 and again.end == song.end and again.title == "Test"
    # a variant shares every track it did not change
    variant = song.with_track(bass.with_notes([Note(0, bar, 40, 100)]))
    assert variant.tracks[0] is song.tracks[0] and variant.tracks[2] is song.tracks[2]
    assert variant != song and song.track("bass").notes[0].pitch == 45
    with pytest.raises(AttributeError):
        song.end = 0  # type: ignore[misc]


def test_the_scorer_reads_the_same_features_from_a_song_as_from_its_file(composed):
    melodies = sorted((composed / "melody" / "approved").glob("*.mid"))
    for f in [*melodies, composed / "arrangement.mid"]:
        data = f.read_bytes()
        from_file = midi_features(load_score(data))
        in_memory = midi_features(to_score(read_midi(data)))
        np.testing.assert_array_equal(from_file, in_memory)


def test_notation_reads_the_songs_parts_and_words(composed):
    song = read_midi(composed / "melody" / "approved" / "verse.mid")
    m21 = to_music21(song)
    notes = list(m21.recurse().notes)
    assert len(notes) == len(song.note_tracks()[0].notes)
    assert any(n.lyric for n in notes) == bool(song.note_tracks()[0].lyrics)


def test_bad_midi_is_one_error_naming_the_file(tmp_path):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not midi at all")
    with pytest.raises(MidiError, match=r"bad\.mid"):
        read_midi(bad)
    with pytest.raises(MidiError):
        read_midi(io.BytesIO(b"MThd").getvalue())


def test_what_the_model_hears_in_memory_is_what_the_delivered_file_holds():
    from chromatic.music.song import loop
    from chromatic.music.song_midi import heard_score, part

    bar = 480 * 7 // 2  # 7/8
    notes = (Note(0, bar, 50, 90), Note(bar, 3 * bar, 53, 80), Note(2 * bar, 60, 57, 70))
    song = loop(
        part("bass", notes, program=33), bpm=72, time_signature="7/8", key="F# minor", bars=2
    )
    heard = heard_score(song)
    delivered = load_score(write_midi(song))
    assert [(n.time, n.duration, n.pitch) for n in heard.tracks[0].notes] == [
        (0, bar, 50),
        (bar, bar, 53),  # cut at the loop's end, as the file cuts it; the note after it dropped
    ]
    np.testing.assert_array_equal(midi_features(heard), midi_features(delivered))


def test_seconds_follow_the_tempo_map_and_chords_are_found_by_tick():
    song = Song(
        tempos=(TempoChange(0, 120.0), TempoChange(960, 60.0)),
        chords=(ChordSymbol(0, 960, "C"), ChordSymbol(1920, 2400, "G")),
    )
    assert song.seconds(480) == 0.5 and song.seconds(960) == 1.0 and song.seconds(1440) == 2.0
    assert song.chord_at(500).symbol == "C" and song.chord_at(1000) is None
    assert song.chord_at(1920).symbol == "G" and song.chord_at(2400) is None
