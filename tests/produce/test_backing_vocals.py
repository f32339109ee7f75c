"""The harmony phase (backing vocals) on a real production folder: the example proposal with
lyrics composed end to end by ``chromatic compose --auto``, its MIDI read back with symusic and
music21."""

from __future__ import annotations

import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from music21 import converter

from chromatic.cli import main
from chromatic.errors import ProduceError
from chromatic.music.midi import MELISMA, load_score, read_lyrics
from chromatic.music.notes import Note
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases.backing import is_sung, read_lead, run_harmony
from chromatic.produce.vocals import theory
from chromatic.produce.vocals.lines import ParallelOption, parallel_line
from chromatic.yamlio import load_plain

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "examples/proposals/song_proposal_green_cooling_tower_choir_v1.yml"
)


@pytest.fixture(scope="module")
def song(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("choir") / "song"
    argv = ["compose", str(EXAMPLE), "--out", str(out), "--auto", "--no-render"]
    try:
        rc = main([*argv, "-n", "8", "--beam", "1", "--seed", "2"])
    except SystemExit as e:
        rc = int(e.code or 0)
    assert rc in (0, None)
    return out


def _pairs(root: Path):
    for path in sorted((root / "harmony/approved").glob("*.mid")):
        yield path, read_lead(root / "melody/approved" / path.name), read_lead(path)


def test_every_melody_section_gets_backing_vocals_by_a_second_singer(song):
    melodies = {p.stem for p in (song / "melody/approved").glob("*.mid")}
    assert {p.stem for p in (song / "harmony/approved").glob("*.mid")} == melodies
    review = load_plain(song / "harmony/review.yml")
    singer = review["singer"]
    assert (
        singer["name"] != singer["lead"] == load_plain(song / "melody/review.yml")["singer"]["name"]
    )
    kinds = {c["details"]["texture"] for c in review["candidates"]}
    assert kinds == {"parallel", "counter"}  # sung sections and wordless ones


def test_no_parallel_fifths_or_octaves_and_every_note_in_range(song):
    singer = load_plain(song / "harmony/review.yml")["singer"]
    for path, (lead, _), (line, _) in _pairs(song):
        assert line, path
        assert theory.parallel_perfects(lead, line) == 0, path
        assert all(singer["low"] <= n.pitch <= singer["high"] for n in line), path


def test_sung_sections_carry_the_leads_syllables_as_music21_reads_them(song):
    sung = 0
    for path, (lead, words), (line, backing) in _pairs(song):
        if not is_sung(words):
            assert set(backing.values()) == {"oo"}, path  # a counter-melody's vocalise
            continue
        sung += 1
        assert [n.start for n in line] == [n.start for n in lead]
        m21 = converter.parse(str(path)).parts[0].flatten().notes
        # a note crossing a bar line is read as tied notes: the tie's continuation sings on
        m21 = [n for n in m21 if n.tie is None or n.tie.type == "start"]
        got = [n.lyrics[0].rawText if n.lyrics else None for n in m21]
        # music21 reads a lone "-" (a melisma) as an empty middle syllable, rawText "--"
        got = [MELISMA if x == "--" else x for x in got]
        assert got == [words.get(n.start, MELISMA) for n in lead], path
        assert any(x not in ("oo", MELISMA) for x in got)
    assert sung >= 2  # the example sings a verse and a chorus


def test_the_arrangement_has_a_harmony_track_with_its_own_lyrics(song):
    from chromatic.music.daw import part_roles

    score = load_score(song / "arrangement.mid")
    roles = part_roles(song / "arrangement.mid")  # tracks are named by instrument
    names = [n for n, r in roles.items() if r == "harmony"]
    tracks = {t.name: t for t in score.tracks}
    assert all(len(tracks[n].notes) for n in names)
    # the words as written in the tracks (a style may give the backing line a section's own
    # program, issue #30: its sections then sit on two tracks, each with its lyrics)
    sung = sorted(e for n in names for e in read_lyrics(tracks[n]))
    assert "Moss on the lad- der rust on the rail" in " ".join(x for _, x in sung)
    s = converter.parse(str(song / "arrangement.mid"))  # and music21 reads the parts' words
    notes = sorted(
        (float(n.offset), n.lyrics[0].rawText)
        for p in s.parts
        if p.partName in names
        for n in p.flatten().notes
        if n.lyrics
    )
    text = " ".join(x for _, x in notes)
    assert (
        text.startswith("Moss") and "lad- der rust on the rail" in text and len(text.split()) > 20
    )


def test_parallels_measure_fails_on_parallel_fifths_and_the_line_avoids_them():
    lead = [Note(i * 480, 480, p, 90) for i, p in enumerate((60, 62, 64, 65, 67))]
    fifths = [Note(n.start, n.duration, n.pitch + 7, 80) for n in lead]
    assert theory.parallel_perfects(lead, fifths) == 4
    line = parallel_line(
        lead,
        ParallelOption("third", "above", "diatonic"),
        55,
        74,
        (0, 2, 4, 5, 7, 9, 11),
        lambda t: (0, 4, 7),
        set(),
    )
    assert theory.parallel_perfects(lead, line) == 0
    assert all((b.pitch - a.pitch) in (3, 4) for a, b in zip(lead, line, strict=True))


def test_harmony_without_an_approved_melody_names_the_commands(song, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(song, copy)
    shutil.rmtree(copy / "melody/approved")
    with pytest.raises(ProduceError, match="chromatic produce melody"):
        run_harmony(ProductionFolder(copy), n=2, top=1)


def test_sung_figures_read_the_melody_from_the_written_arrangement(song):
    """On disk the tracks are named by instrument: the measure finds the melody by its part."""
    from chromatic.measure.melody import sung_figures

    fig = sung_figures(song)
    assert fig.sung_notes > 0 and fig.with_lyric == fig.sung_notes
    assert fig.wrapped == 0 and fig.lines_once == 1.0
    assert fig.stressed_on_strong is not None and fig.stressed_on_strong >= 0.8


def test_vertical_pairs_sweep_equals_a_lookup_per_onset():
    """The one-pass sweep (notes in onset order) finds, at every onset, the note a lookup
    finds: overlaps, rests, zero-length and out-of-order voices included."""
    import numpy as np

    from chromatic.produce.vocals.theory import sounding, vertical_pairs

    rng = np.random.default_rng(0)
    for case in range(300):
        voices = []
        for _ in range(2):
            starts = np.sort(rng.integers(0, 40, size=int(rng.integers(0, 12))))
            notes = [
                Note(int(s), int(rng.integers(0, 9)), int(rng.integers(50, 80)), 90) for s in starts
            ]
            if case % 5 == 0:
                rng.shuffle(notes)
            voices.append(notes)
        lead, other = voices
        onsets = sorted({n.start for n in lead} | {n.start for n in other})
        slow = [
            (t, a.pitch, b.pitch)
            for t in onsets
            if (a := sounding(lead, t)) is not None and (b := sounding(other, t)) is not None
        ]
        assert vertical_pairs(lead, other) == slow


def test_sounding_each_and_the_theory_built_on_it_equal_a_lookup_per_tick(song_44):
    """``music.notes.sounding_each`` (one pass) finds at every tick the note a lookup finds,
    whatever the order of notes or ticks; the backing line's strong-beat consonance and the
    bass's root adherence (which now use it) score what per-tick lookups score."""
    import numpy as np

    from chromatic.music.meter import strong_ticks
    from chromatic.music.notes import sounding_each
    from chromatic.produce.phases.bass import root_adherence
    from chromatic.produce.sections import load_song
    from chromatic.produce.vocals.theory import CONSONANT, sounding, strong_consonance

    section = load_song(song_44, "bass").sections[0]
    strong = strong_ticks(section.meter, section.bars)
    span = section.total_ticks
    rng = np.random.default_rng(1)
    for case in range(200):
        voices = []
        for _ in range(2):
            starts = np.sort(rng.integers(0, span, size=int(rng.integers(0, 16))))
            notes = [
                Note(int(s), int(rng.integers(0, span // 4)), int(rng.integers(36, 80)), 90)
                for s in starts
            ]
            if case % 5 == 0:
                rng.shuffle(notes)
            voices.append(tuple(notes))
        lead, other = voices
        ticks = [int(t) for t in rng.integers(0, span, size=10)]
        if case % 2:
            ticks.sort()
        assert sounding_each(other, ticks) == [sounding(other, t) for t in ticks]
        tones = lambda t: section.chord_at(t).tones  # noqa: E731
        cons, tone = [], []
        for t in strong:
            a, b = sounding(lead, t), sounding(other, t)
            if a is not None and b is not None:
                cons.append((b.pitch - a.pitch) % 12 in CONSONANT)
                tone.append(b.pitch % 12 in tones(t))
        slow = 0.5 * np.mean(cons) + 0.5 * np.mean(tone) if cons else 1.0
        assert strong_consonance(lead, other, strong, tones) == slow
        hits = [sounding(other, t) for t in strong]
        heard = [(n, t) for n, t in zip(hits, strong, strict=True) if n is not None]
        share = (
            sum(n.pitch % 12 == section.chord_at(t).root for n, t in heard) / len(heard)
            if heard
            else 0.0
        )
        assert root_adherence(section, other) == share


@pytest.fixture(scope="module")
def song_full(tmp_path_factory) -> Path:
    """The example as ``benchmarks/musicality.py --seed 2`` composes it (-n 50, beam 3)."""
    out = tmp_path_factory.mktemp("choir_full") / "song"
    try:
        argv = ["compose", str(EXAMPLE), "--out", str(out), "--auto", "--no-render"]
        rc = main([*argv, "-n", "50", "--beam", "3", "--seed", "2"])
    except SystemExit as e:
        rc = int(e.code or 0)
    assert rc in (0, None)
    return out


def test_the_arranged_backing_stays_in_the_second_singers_range(song_full):
    """The arrangement moves backing phrases under the tune by whole octaves: never under
    the harmony phase's singer, and a note re-voiced under a dip of the tune no lower (seed 2's
    Green song sang 47 to a singer from 53, leaping 60 -> 47 inside a phrase); no octave leap
    inside a phrase."""
    from chromatic.music.daw import part_roles

    song = song_full

    singer = load_plain(song / "harmony/review.yml")["singer"]
    roles = part_roles(song / "arrangement.mid")
    score = load_score(song / "arrangement.mid")
    notes = sorted(
        (n.time, n.end, n.pitch)
        for t in score.tracks
        if roles.get(t.name) == "harmony"
        for n in t.notes
    )
    sung = [p for *_, p in notes]
    assert sung and min(sung) >= singer["low"] and max(sung) <= singer["high"]
    tpq = score.ticks_per_quarter  # a rest under a quarter does not end a phrase
    leaps = [(a, b) for a, b in pairwise(notes) if abs(b[2] - a[2]) >= 12 and b[0] - a[1] < tpq]
    assert not leaps
