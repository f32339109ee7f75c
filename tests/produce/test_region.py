"""Regenerating a region of an approved part (issue #35): every note outside the bars stays the
approved one, the candidates differ inside, the joins are measured; bad bars write nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from chromatic.cli import main
from chromatic.music.midi import load_score
from chromatic.produce.folder import ProductionFolder, init_production
from chromatic.produce.phases.chords import run_chords
from chromatic.produce.phases.drums import run_drums
from chromatic.produce.phases.melody import run_melody
from chromatic.produce.region import join_scores, splice
from chromatic.produce.review import read_review
from tests.produce.conftest import MAJOR_4_4, approve

BAR = 1920


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    folder, _ = init_production(MAJOR_4_4, tmp_path_factory.mktemp("region"))
    run_chords(folder, n=30, top=4, seed=3)
    approve(folder, "chords", {0: "verse", 1: "chorus"})
    run_drums(folder, n=6, top=2, seed=1)
    approve(folder, "drums")
    run_melody(folder, n=6, top=2, seed=1)
    approve(folder, "melody")
    return folder


@pytest.fixture
def copy(song, tmp_path) -> ProductionFolder:
    dst = tmp_path / song.root.name
    shutil.copytree(song.root, dst)
    return ProductionFolder(dst)


def _notes(path: Path) -> list[tuple[int, int, int, int]]:
    s = load_score(path)
    return sorted((n.time, n.duration, n.pitch, n.velocity) for t in s.tracks for n in t.notes)


def _outside(notes, start: int, end: int):
    """Notes starting outside [start, end); one held into it is cut at its start."""
    return [
        (t, min(t + d, start) - t if t < start else d, p, v)
        for t, d, p, v in notes
        if t < start or t >= end
    ]


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".lock" not in p.name
    }


@pytest.mark.parametrize("phase", ["melody", "drums"])
def test_a_region_changes_only_its_bars(copy, phase):
    bars = load_score(copy.approved_dir("chords") / "verse.mid")
    n_bars = -(-max(n.end for t in bars.tracks for n in t.notes) // BAR)
    first, last = 2, min(3, n_bars)
    base = _notes(copy.approved_dir(phase) / "verse.mid")
    other = _tree(copy.approved_dir(phase))
    args = [phase, str(copy.root), "--section", "verse", "--bars", f"{first}-{last}"]
    assert main(["produce", *args, "-n", "12", "--top", "3", "--seed", "5"]) == 0
    review = read_review(copy.review_path(phase))
    region = [c for c in review.candidates if "region" in c.details]
    assert region and all(c.details["section"] == "verse" for c in region)
    start, end = (first - 1) * BAR, last * BAR
    differs = 0
    for c in region:
        notes = _notes(copy.phase_dir(phase) / c.midi_file)
        assert _outside(notes, start, end) == _outside(base, start, end), c.id
        differs += [n for n in notes if start <= n[0] < end] != [
            n for n in base if start <= n[0] < end
        ]
        joins = c.details["region"]["joins"]
        assert 0.0 <= joins["join"] <= 1.0 and c.details["region"]["bars"] == f"{first}-{last}"
    assert differs == len(region)  # each differs inside (duplicates of the approved are dropped)
    assert _tree(copy.approved_dir(phase)) == other  # nothing approved moved
    assert any(c.status == "approved" for c in review.candidates)  # the verdicts are kept


def test_splice_keeps_outside_notes_and_cuts_at_the_edges():
    from chromatic.music.notes import Note

    base = [Note(0, 2400, 60, 90), Note(1920, 480, 62, 90), Note(3840, 480, 64, 90)]
    new = [Note(2000, 2400, 70, 80), Note(100, 100, 71, 80)]
    out = splice(base, new, 1920, 3840)
    assert out == [Note(0, 1920, 60, 90), Note(2000, 1840, 70, 80), Note(3840, 480, 64, 90)]
    joins = join_scores(out, 2, 2, 1920, 3, drums=False)
    assert joins["into"] == pytest.approx(0.2)  # 60 -> 70: ten semitones
    assert joins["out_of"] == pytest.approx(0.6)  # 70 -> 64: six


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["melody", "--section", "verse", "--bars", "3-99"], "outside section 'verse'"),
        (["melody", "--section", "verse", "--bars", "0-2"], "outside section 'verse'"),
        (["melody", "--section", "verse", "--bars", "two"], "expected bars like 5-8"),
        (["melody", "--section", "bridge", "--bars", "1-2"], "no approved chord section 'bridge'"),
        (["melody", "--bars", "1-2"], "--section and --bars go together"),
        (["melody", "--section", "../../verse", "--bars", "1-2"], "expected a section label"),
        (["harmony", "--section", "verse", "--bars", "1-2"], "no approved harmony"),
    ],
)
def test_bad_regions_are_one_line_and_write_nothing(copy, capsys, args, expected):
    before = _tree(copy.root)
    code = main(["produce", args[0], str(copy.root), *args[1:], "-n", "4"])
    err = capsys.readouterr().err
    assert code != 0 and expected in err, err
    assert _tree(copy.root) == before


def test_a_chord_region_keeps_the_chords_outside_and_names_the_new_ones(copy):
    from chromatic.music.daw import chord_texts

    base_path = copy.approved_dir("chords") / "verse.mid"
    base, names = _notes(base_path), chord_texts(base_path)
    args = [
        "chords",
        str(copy.root),
        "--section",
        "verse",
        "--bars",
        "2-3",
        "-n",
        "40",
        "--top",
        "3",
    ]
    assert main(["produce", *args]) == 0
    review = read_review(copy.review_path("chords"))
    region = [c for c in review.candidates if "region" in c.details]
    assert region and any(c.status == "approved" for c in review.candidates)
    start, end = BAR, 3 * BAR
    for c in region:
        path = copy.phase_dir("chords") / c.midi_file
        assert _outside(_notes(path), start, end) == _outside(base, start, end)
        got = chord_texts(path)
        assert [x for x in got if x[0] < start] == [x for x in names if x[0] < start]
        assert [x for x in got if x[0] > end] == [x for x in names if x[0] > end]
        assert [n for _, n in got] == c.details["chords"]  # the details say what sounds
        bars = c.details["harmonic_rhythm"]["bars"]
        assert sum(bars) == c.details["harmonic_rhythm"]["total_bars"]
        assert 0.0 <= c.details["region"]["joins"]["join"] <= 1.0
