"""The scorer hears a candidate as its Song, in memory: the rolls and features it computes from
a Song's note arrays are the ones it computes from the delivered file, and while candidates are
bred and scored none of them is encoded to MIDI bytes (only what is written is)."""

from __future__ import annotations

import shutil

import numpy as np

from chromatic.music import daw
from chromatic.music.midi import load_score
from chromatic.music.song import Song
from chromatic.music.song_midi import read_midi
from chromatic.produce.evolve import Evolve
from chromatic.produce.folder import ProductionFolder
from chromatic.scoring.batch import heard_key, midi_batch

SMALL = Evolve(generations=2, population=6)


def _copy(folder, tmp_path, name: str) -> ProductionFolder:
    dst = tmp_path / name
    shutil.copytree(folder.root, dst)
    return ProductionFolder(dst)


def _counting(monkeypatch) -> list[int]:
    """Count every MIDI file encoded, at the encoder the DAW pass writes every file with."""
    encoded: list[int] = []
    real = daw._saved

    def counted(mf):
        encoded.append(1)
        return real(mf)

    monkeypatch.setattr(daw, "_saved", counted)
    return encoded


def _heard(scorer) -> list:
    """Wrap the scorer's batch call: what reaches it, candidate by candidate."""
    from chromatic.produce.evolve.fitness import fused

    seen: list = []
    for s in (scorer, fused(scorer)):  # the phase's scorer and breeding's fused twin

        def recorded(cands, _batch=s.score_batch, **kw):
            seen.extend(c["midi"] for c in cands)
            return _batch(cands, **kw)

        s.score_batch = recorded
    return seen


def _written(folder: ProductionFolder, phase: str, added) -> int:
    """The MIDI files the run wrote: each new candidate's file and its attachments."""
    files = (folder.phase_dir(phase) / "candidates").glob("*.mid")
    return sum(1 for f in files if any(f.stem == a or f.stem.startswith(f"{a}_") for a in added))


def test_bred_candidates_are_scored_as_songs_and_only_written_ones_are_encoded(
    exported, song_44, tmp_path, monkeypatch
):
    from chromatic.produce.phases.chords import run_chords
    from chromatic.produce.phases.composite import load_scorer
    from chromatic.produce.phases.drums import run_drums

    _, model, _ = exported
    scorer = load_scorer(model)
    seen = _heard(scorer)
    encoded = _counting(monkeypatch)
    folder = _copy(song_44, tmp_path, "mem")
    run = run_chords(folder, n=12, top=6, seed=2, scorer=scorer, model=str(model), evolve=SMALL)
    chord_files = _written(folder, "chords", run.merge.added)
    assert len(seen) > 2 * chord_files > 0  # children bred and scored: more than are kept
    assert all(isinstance(s, Song) for s in seen)
    assert len(encoded) == chord_files  # each written loop (and scratch beat) encoded once
    seen.clear(), encoded.clear()
    run = run_drums(folder, n=6, top=2, seed=2, scorer=scorer, model=str(model), evolve=SMALL)
    drum_files = _written(folder, "drums", run.merge.added)
    assert len(seen) > 2 * drum_files > 0
    assert all(isinstance(s, Song) for s in seen)
    assert len(encoded) == drum_files


def _edge_song() -> Song:
    """A titled two-track song in 7/8 whose last notes run past its end or start after it
    (the file cuts the one and drops the other)."""
    from chromatic.music.notes import Note
    from chromatic.music.song import MeterChange, TempoChange, Track

    bar = 480 * 7 // 2
    bass = (Note(0, bar, 40, 90), Note(bar, 3 * bar, 43, 80), Note(2 * bar, 60, 47, 70))
    kit = tuple(Note(t, 60, 36 + t % 3, 100) for t in range(0, 2 * bar + 480, 240))
    return Song(
        tracks=(Track("Bass", 33, role="bass", notes=bass), Track("Drums", 0, True, "drums", kit)),
        tempos=(TempoChange(0, 72.0),),
        meters=(MeterChange(0, 7, 8),),
        end=2 * bar,
        title="edge",
    )


def test_a_song_scores_exactly_as_its_delivered_file(exported, song_44, tmp_path):
    """Every loop, candidate and approved part of a production folder (drums, chords with their
    symbols, a sung melody) and a titled song cut at its end: the rolls and features from the
    Song equal the file's to the bit, and so do the model's results."""
    from chromatic.music.song_midi import write_midi
    from chromatic.produce.phases.composite import load_scorer
    from chromatic.produce.phases.drums import run_drums
    from chromatic.produce.phases.melody import run_melody
    from chromatic.scoring.taste_features import feature_matrix

    _, model, _ = exported
    scorer = load_scorer(model)
    folder = _copy(song_44, tmp_path, "parts")
    run_drums(folder, n=3, top=2, seed=1)
    run_melody(folder, n=3, top=2, seed=1)
    data = [f.read_bytes() for f in sorted(folder.root.rglob("*.mid"))]
    songs = [read_midi(d) for d in data] + [_edge_song()]
    data.append(write_midi(songs[-1]))
    assert len(songs) > 20
    assert any(t.is_drum for s in songs for t in s.tracks)
    assert any(t.lyrics for s in songs for t in s.tracks) and any(s.chords for s in songs)
    from_file = midi_batch(scorer, [load_score(d) for d in data])
    from_song = midi_batch(scorer, songs)
    np.testing.assert_array_equal(from_file[0], from_song[0])
    np.testing.assert_array_equal(from_file[1], from_song[1])
    taste_inputs = [feature_matrix([(x, "F# minor") for x in xs]) for xs in (data, songs)]
    np.testing.assert_array_equal(*taste_inputs)  # the taste model reads the same numbers too
    items = [{"id": str(i), "midi": d} for i, d in enumerate(data)]
    by_file = scorer.score_batch(items, color="Green", concept="x")
    by_song = scorer.score_batch(
        [{"id": str(i), "midi": s} for i, s in enumerate(songs)], color="Green", concept="x"
    )
    assert [(r["id"], r["match"], r["temporal"]) for r in by_file] == [
        (r["id"], r["match"], r["temporal"]) for r in by_song
    ]


def test_a_song_heard_before_is_not_inferred_again_and_scores_the_same(exported, song_44):
    """The scorer keeps a Song's model outputs by content: the same part met again (another
    branch, a duplicate in the batch) costs no inference and gets exactly the fresh numbers."""
    from chromatic.music.song_midi import write_midi
    from chromatic.produce.phases.composite import load_scorer

    _, model, _ = exported
    by_content = {}
    for f in sorted(song_44.root.rglob("*.mid")):  # an approved loop is also a candidate file
        song = read_midi(f.read_bytes())
        by_content.setdefault(heard_key(song), song)
    songs = list(by_content.values())[:9]
    assert len(songs) == 9
    fresh = load_scorer(model)
    scorer = load_scorer(model)
    inferred: list[int] = []
    infer = scorer.infer

    def counted(feeds):
        inferred.append(len(feeds["roll"]))
        return infer(feeds)

    scorer.infer = counted

    def rows(s, batch, concept="x"):
        """Ranked rows; the fresh scorer reads each song's delivered file (nothing kept)."""
        if s is fresh:
            batch = [write_midi(x) for x in batch]
        got = s.score_batch(
            [{"id": str(i), "midi": x} for i, x in enumerate(batch)], color="Green", concept=concept
        )
        return [(r["id"], r["rank"], r["match"], r["temporal"], r["confidence"]) for r in got]

    first = rows(scorer, songs[:6])
    assert sum(inferred) == 6
    mixed = [songs[3], songs[6], songs[3], songs[0], songs[8], songs[6]]
    again = rows(scorer, mixed)
    assert sum(inferred) == 6 + 2  # songs 6 and 8 are new; 6 twice in the batch, once inferred
    assert first == rows(fresh, songs[:6])
    assert again == rows(fresh, mixed)
    other = rows(scorer, songs[:2], "y")  # another concept is another input: inferred again
    assert other == rows(fresh, songs[:2], "y") and sum(inferred) == 10
