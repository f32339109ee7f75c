"""The example catalog's parts are the composer's own (synth/composed.py), synth plays them."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from symusic import Score

from chromatic.catalog.manifest import load_manifest
from chromatic.music.key import Key
from chromatic.synth.composed import PARTS, compose_song, part_scores, proposal_of, rewrite_song
from chromatic.synth.parts import track_role
from chromatic.taxonomy import parse_color
from tests.conftest import EXAMPLES


def _notes(path) -> list[tuple[int, int, int]]:
    s = Score(str(path))
    scale = 480 / s.tpq
    return sorted(
        (round(n.time * scale), int(n.pitch), int(n.velocity)) for t in s.tracks for n in t.notes
    )


def test_every_example_track_plays_a_midi_file_the_song_holds_and_colors_mix_modes():
    modes: dict[str, Counter] = {}
    for path in sorted((EXAMPLES / "catalog").glob("*/*.yml")):
        m = load_manifest(path).manifest
        assert m.audio_tracks, path
        for t in m.audio_tracks:
            assert t.midi_file and (path.parent / t.midi_file).is_file(), (path, t.id)
            drum = any(tr.is_drum for tr in Score(str(path.parent / t.midi_file)).tracks)
            assert drum == (track_role(t.description) == "drums"), (path, t.description)
        modes.setdefault(parse_color(m.rainbow_color).name, Counter())[Key.parse(m.key).mode] += 1
    # as in the artist's catalog (minor share 0.42-0.92 a color): both modes in every color
    # but Red (0.92 minor: all three of its example songs)
    assert {c for c, k in modes.items() if len(k) == 1} == {"Red"}
    assert modes["Red"] == Counter(minor=3) and modes["Violet"] == Counter(major=2, minor=1)


def test_synth_plays_the_catalogs_own_midi_cut_at_the_songs_end(tmp_path):
    from chromatic.synth.catalog import synth_catalog

    res = synth_catalog(
        EXAMPLES / "catalog",
        tmp_path,
        songs=["05_91", "07_91"],
        max_seconds=20.0,
        workers=1,
        progress=False,
        audio=False,
    )
    assert sorted(res.done) == ["05_91", "07_91"] and not res.failed
    for song in res.done:
        m = load_manifest(EXAMPLES / "catalog" / song / f"{song}.yml").manifest
        stop = 20.0 * m.bpm / 60 * 480
        heard = 0
        for t in m.audio_tracks:
            given = [n for n in _notes(EXAMPLES / "catalog" / song / t.midi_file) if n[0] < stop]
            assert _notes(tmp_path / song / t.midi_file) == given, (song, t.midi_file)
            heard += len(given)
        assert heard > 100, song


def test_a_song_rewritten_is_the_composers_parts_of_its_manifest(tmp_path):
    song = tmp_path / "05_91"
    src = EXAMPLES / "catalog" / "05_91"
    song.mkdir()
    for f in ("05_91.yml", "05_91.lrc"):
        shutil.copy(src / f, song / f)
    parts = rewrite_song(song / "05_91.yml", seed=3)
    m = load_manifest(song / "05_91.yml").manifest
    assert [t.midi_file for t in m.audio_tracks] == [f"05_91_{p}.mid" for p in parts]
    assert set(parts) <= set(PARTS) and {"melody", "chords", "bass"} <= set(parts)
    assert sorted(p.name for p in song.glob("*.mid")) == sorted(f"05_91_{p}.mid" for p in parts)
    # the files are the composer's arrangement of the same proposal, excerpted
    score, phases = compose_song(proposal_of(song / "05_91.yml"), tmp_path / "again", seed=3)
    expected = part_scores(score, phases, m.trt_seconds)
    for p in parts:
        got = Score(str(song / f"05_91_{p}.mid"))
        assert got.note_num() == expected[p].note_num() > 0, p
        assert float(got.to("second").end()) <= m.trt_seconds + 1.0
    assert proposal_of(song / "05_91.yml")["rainbow_color"] == "Green"


@pytest.mark.parametrize("song", ["05_90", "07_90"])
def test_a_song_without_vocals_is_composed_instrumental(song):
    assert "instrumental" in proposal_of(EXAMPLES / "catalog" / song / f"{song}.yml")["genres"]
