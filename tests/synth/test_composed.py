"""A catalog whose parts the composer wrote (synth/composed.py), and synth playing them."""

from __future__ import annotations

import pytest
from symusic import Score

from chromatic.catalog.manifest import load_manifest
from chromatic.music.key import Key
from chromatic.synth.composed import (
    MODES,
    PARTS,
    compose_song,
    composed_catalog,
    part_scores,
    proposal_of,
)
from chromatic.synth.parts import track_role
from chromatic.yamlio import read_yaml
from tests.conftest import EXAMPLES

SONGS = ["02_91", "05_90", "05_91"]


@pytest.fixture(scope="module")
def composed(tmp_path_factory):
    out = tmp_path_factory.mktemp("composed") / "catalog"
    return out, composed_catalog(EXAMPLES / "catalog", out, seed=3, songs=SONGS)


def _notes(path) -> list[tuple[int, int, int]]:
    s = Score(str(path))
    scale = 480 / s.tpq
    return sorted(
        (round(n.time * scale), int(n.pitch), int(n.velocity)) for t in s.tracks for n in t.notes
    )


def test_every_track_plays_a_composed_part_the_song_holds(composed):
    out, parts = composed
    assert sorted(parts) == SONGS
    for song in SONGS:
        path = out / song / f"{song}.yml"
        m = load_manifest(path).manifest
        assert [t.midi_file for t in m.audio_tracks] == [f"{song}_{p}.mid" for p in parts[song]]
        assert set(parts[song]) <= set(PARTS) and {"melody", "chords", "bass"} <= set(parts[song])
        for t in m.audio_tracks:
            drum = any(tr.is_drum for tr in Score(str(path.parent / t.midi_file)).tracks)
            assert drum == (track_role(t.description) == "drums"), (song, t.description)
        # the mode of MODES on the manifest's tonic; the genres and moods of the color's song 90
        src = read_yaml(EXAMPLES / "catalog" / song / f"{song}.yml", ValueError)
        first = read_yaml(
            EXAMPLES / "catalog" / f"{song[:2]}_90" / f"{song[:2]}_90.yml", ValueError
        )
        assert Key.parse(m.key).mode == MODES[song[:2]][int(song[3:]) - 90]
        assert m.key.split()[0] == str(src["key"]).split()[0]
        assert list(m.genres) == first["genres"] and list(m.mood) == first["mood"]
    # Green (no drums in most of the artist's Green songs) is composed without a drum kit
    assert "drums" in parts["02_91"] and "drums" not in parts["05_90"]
    assert "instrumental" in proposal_of(out / "05_90" / "05_90.yml")["genres"]


def test_the_parts_are_the_composers_arrangement_excerpted(composed, tmp_path):
    out, parts = composed
    path = out / "05_91" / "05_91.yml"
    seconds = load_manifest(path).manifest.trt_seconds
    from zlib import crc32

    score, phases = compose_song(proposal_of(path), tmp_path, seed=3 + crc32(b"05_91") % 10_000)
    expected = part_scores(score, phases, seconds)
    assert list(expected) == parts["05_91"]
    for p in parts["05_91"]:
        got = _notes(out / "05_91" / f"05_91_{p}.mid")
        assert got == _notes_of(expected[p]) and got, p


def _notes_of(score: Score) -> list[tuple[int, int, int]]:
    scale = 480 / score.tpq
    return sorted(
        (round(n.time * scale), int(n.pitch), int(n.velocity))
        for t in score.tracks
        for n in t.notes
    )


def test_synth_plays_the_catalogs_own_midi_cut_at_the_songs_end(composed, tmp_path):
    from chromatic.synth.catalog import synth_catalog

    out, _ = composed
    res = synth_catalog(out, tmp_path, max_seconds=20.0, workers=1, progress=False, audio=False)
    assert sorted(res.done) == SONGS and not res.failed
    for song in SONGS:
        m = load_manifest(out / song / f"{song}.yml").manifest
        stop = 20.0 * m.bpm / 60 * 480
        heard = 0
        for t in m.audio_tracks:
            given = [n for n in _notes(out / song / t.midi_file) if n[0] < stop]
            assert _notes(tmp_path / song / t.midi_file) == given, (song, t.midi_file)
            heard += len(given)
        assert heard > 50, song


def test_a_composed_catalog_is_written_only_into_a_new_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        composed_catalog(EXAMPLES / "catalog", tmp_path / "x", songs=["05_90"])
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["keep.txt"]
