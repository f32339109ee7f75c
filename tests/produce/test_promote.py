from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pretty_midi
import pytest

from chromatic.cli import main
from chromatic.errors import ReviewError
from chromatic.music import daw
from chromatic.music.midi import load_score
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.promote import normalize_label, promote
from chromatic.yamlio import round_trip as _yaml

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(minor_78, tmp_path):
    """A writable copy of a generated production folder."""
    dst = tmp_path / minor_78.root.name
    shutil.copytree(minor_78.root, dst)
    return ProductionFolder(dst)


def _label(folder, labels: dict[int, str | None], status: str = "approved"):
    path = folder.review_path("chords")
    y = _yaml()
    doc = y.load(path.read_text())
    for i, label in labels.items():
        doc["candidates"][i]["label"] = label
        doc["candidates"][i]["status"] = status
    with open(path, "w") as f:
        y.dump(doc, f)
    return doc


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("Verse A", "verse_a"),
        ("chorus-1", "chorus_1"),
        (" Bridge -- Outro ", "bridge_outro"),
        ("Ünder/Tow", "ndertow"),
    ],
)
def test_normalize_label(raw, norm):
    assert normalize_label(raw) == norm


def test_approved_candidates_become_labelled_files(folder):
    doc = _label(folder, {0: "Verse A", 3: "chorus-1"})
    result = promote(folder.root, "chords")
    approved = folder.approved_dir("chords")
    assert sorted(p.name for p in approved.iterdir()) == ["chorus_1.mid", "verse_a.mid"]
    assert [(p.id, p.label) for p in result.promoted] == [
        (doc["candidates"][0]["id"], "verse_a"),
        (doc["candidates"][3]["id"], "chorus_1"),
    ]
    out = load_score(approved / "verse_a.mid")
    src = load_score(folder.phase_dir("chords") / doc["candidates"][0]["midi_file"])
    # a DAW shows the instrument (the file name says the section); the role is kept as text
    assert [t.name for t in out.tracks] == [
        pretty_midi.program_to_instrument_name(src.tracks[0].program)
    ]
    assert daw.part_roles(approved / "verse_a.mid") == {out.tracks[0].name: "chords"}
    notes = lambda s: [(n.time, n.duration, n.pitch, n.velocity) for n in s.tracks[0].notes]  # noqa: E731
    assert notes(out) == notes(src) and len(notes(out)) > 0
    assert out.tempos[0].qpm == pytest.approx(src.tempos[0].qpm)
    assert not list(folder.phase_dir("chords").glob(".promote-*"))


def test_duplicate_labels_exit_1_and_write_nothing(folder, capsys):
    _label(folder, {0: "verse"})
    promote(folder.root, "chords")
    before = _snapshot(folder.approved_dir("chords"))
    doc = _label(folder, {1: "Verse", 4: "VERSE", 2: "bridge"})
    rc = main(["promote", str(folder.root), "chords"])
    err = capsys.readouterr().err
    assert rc == 1 and err.count("\n") == 1
    ids = [doc["candidates"][i]["id"] for i in (0, 1)]
    assert all(i in err for i in ids) and "'verse'" in err and "nothing written" in err
    assert _snapshot(folder.approved_dir("chords")) == before


def test_approved_without_label_is_an_error(folder):
    _label(folder, {2: None})
    with pytest.raises(ReviewError, match="no label") as e:
        promote(folder.root, "chords")
    assert e.value.field == "candidates[2].label"


def test_clean_removes_only_the_loops_promote_wrote(folder, capsys):
    """--clean removes a loop an earlier promote wrote (its label since renamed), never a file
    a human put into approved/ (issue 28: it used to empty the folder)."""
    mine = folder.approved_dir("chords") / "old_take.mid"
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_bytes(b"a human's file")
    _label(folder, {0: "intro"})
    assert main(["promote", str(folder.root), "chords"]) == 0
    _label(folder, {0: "opening"})
    assert main(["promote", str(folder.root), "chords", "--clean"]) == 0
    names = sorted(p.name for p in folder.approved_dir("chords").iterdir())
    assert names == ["old_take.mid", "opening.mid"]
    assert mine.read_bytes() == b"a human's file"
    assert "removed  intro.mid" in capsys.readouterr().out


def test_unknown_phase_and_missing_review(folder, capsys):
    assert main(["promote", str(folder.root), "vocals"]) == 1
    assert "unknown phase" in capsys.readouterr().err
    assert main(["promote", str(folder.root), "drums"]) == 1
    assert "no review.yml" in capsys.readouterr().err


def test_concurrent_promotes_do_not_corrupt(folder):
    _label(folder, {i: f"part {i}" for i in range(6)})
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    cmd = [sys.executable, "-m", "chromatic", "promote", str(folder.root), "chords", "--clean"]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    approved = folder.approved_dir("chords")
    assert sorted(p.name for p in approved.iterdir()) == [f"part_{i}.mid" for i in range(6)]
    for p in approved.iterdir():
        assert list(daw.part_roles(p).values()) == ["chords"]
    assert not list(folder.phase_dir("chords").glob(".promote-*"))
    assert not list(approved.glob(".*"))


def test_promote_waits_for_the_folder_lock(folder):
    import time

    from filelock import FileLock

    _label(folder, {0: "intro"})
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    cmd = [sys.executable, "-m", "chromatic", "promote", str(folder.root), "chords"]
    with FileLock(str(folder.lock_path)):
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        time.sleep(
            1.0
        )  # time to start and reach the lock (if it has not, it has not written either)
        assert proc.poll() is None and not list(folder.approved_dir("chords").iterdir())
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (folder.approved_dir("chords") / "intro.mid").is_file()


def test_promote_with_nothing_approved_exits_1_with_the_next_step(folder, capsys):
    """The candidates are all pending (as generated): nothing to promote is a failure a user
    (or a script) must see, with what to do about it."""
    rc = main(["promote", str(folder.root), "chords"])
    err = capsys.readouterr().err
    assert rc == 1
    assert err.strip().count("\n") == 0  # one line
    assert str(folder.review_path("chords")) in err and "status: approved" in err
    assert f"chromatic promote {folder.root} chords" in err
    assert not list(folder.approved_dir("chords").glob("*.mid"))
