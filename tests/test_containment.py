"""Issue 28, the hostile cases outside the studio: nothing read, written or deleted outside the
folder given (symlinked sub-folders), special files refused by type, numbers bounded where
parsed, every media file opened at validate, no lock or folder left outside, no silent hole.

Each ``test_case_NN_*`` is one numbered case of the issue, reproduced as the hostile user did.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chromatic.cli import main
from tests.produce.conftest import MINOR_3_4, PART_N, PART_TOP, approve, make_song

REPO = Path(__file__).resolve().parents[1]
PROPOSAL = REPO / "examples" / "proposals" / "song_proposal_green_cooling_tower_choir_v1.yml"
SLUG = "cooling-tower-choir"


def _env() -> dict:
    import chromatic  # the same sources as this process (a check against main uses main's)

    src = str(Path(chromatic.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src, "HF_HUB_OFFLINE": "1"}
    env.pop("CHROMATIC_DEBUG", None)
    return env


def _limit_memory() -> None:  # a regression must fail the test, not take the machine down
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real command line in a fresh process, bounded in time and memory (a hang is a
    TimeoutExpired: the test fails instead of blocking the suite)."""
    return subprocess.run(
        [sys.executable, "-m", "chromatic", *args],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=REPO,
        timeout=timeout,
        preexec_fn=_limit_memory,
    )


def one_line(out: subprocess.CompletedProcess | None = None, err: str | None = None) -> str:
    text = (err if err is not None else out.stderr).strip()
    assert "Traceback" not in text
    errors = [ln for ln in text.splitlines() if not ln.startswith("warning:")]
    assert len(errors) == 1 and errors[0].startswith("error: "), text
    return errors[0]


def tree(d: Path) -> list[str]:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """S: chords approved per section, drums generated and approved (not the intro), planned."""
    from chromatic.produce.arrange.plan import write_plan
    from chromatic.produce.phases.drums import run_drums

    folder = make_song(MINOR_3_4, tmp_path_factory.mktemp("s"))
    run_drums(folder, n=PART_N, top=PART_TOP, seed=3)
    approve(folder, "drums", skip=("intro",))
    write_plan(folder.root)
    return folder.root


@pytest.fixture
def song(built, tmp_path) -> Path:
    dst = tmp_path / "S"
    shutil.copytree(built, dst)
    return dst


@pytest.fixture
def outside(tmp_path) -> Path:
    d = tmp_path / "elsewhere"
    d.mkdir()
    (d / "keep.txt").write_text("not chromatic's")
    return d


def _link(song: Path, rel: str, target: Path) -> None:
    """Replace ``song/rel`` by a link to ``target`` holding a copy of what was there."""
    here = song / rel
    if here.exists():
        shutil.copytree(here, target, dirs_exist_ok=True)
        shutil.rmtree(here)
    here.symlink_to(target, target_is_directory=True)


# --- the helper itself ---------------------------------------------------------------------------


def test_within_refuses_a_link_anywhere_below_the_root_and_dotdot(tmp_path, outside):
    from chromatic.paths import PathError, within

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").symlink_to(outside)
    assert within(tmp_path, "a", "new.txt") == tmp_path / "a" / "new.txt"
    assert within(tmp_path, "x/y/z") == tmp_path / "x" / "y" / "z"  # not there yet: fine
    for parts in (("a", "b"), ("a/b", "keep.txt"), ("a", "b", "new")):
        with pytest.raises(PathError, match="symbolic link"):
            within(tmp_path, *parts)
    (tmp_path / "inside").symlink_to(tmp_path / "a")  # even one pointing back inside
    with pytest.raises(PathError, match="symbolic link"):
        within(tmp_path, "inside")
    for bad in ("../x", "/etc/passwd", "a/../../x", "a\x00b"):
        with pytest.raises(PathError):
            within(tmp_path, bad)


# --- 1-3: symlinked sub-folders of a production folder --------------------------------------------


def test_case_01_promote_clean_into_a_linked_approved_folder_is_refused(song, outside, capsys):
    (song / "chords" / "approved").rename(song / "chords" / "approved_real")
    (song / "chords" / "approved").symlink_to(outside, target_is_directory=True)
    before = tree(outside)
    for extra in (["--clean"], []):
        assert main(["promote", str(song), "chords", *extra]) == 1
        err = one_line(err=capsys.readouterr().err)
        assert "symbolic link" in err and "chords/approved" in err
        assert tree(outside) == before  # nothing deleted, nothing written
    assert (outside / "keep.txt").read_text() == "not chromatic's"


def test_case_01_promote_clean_keeps_a_file_a_human_put_in_approved(song, capsys):
    mine = song / "chords" / "approved" / "keep.txt"
    mine.write_text("mine")
    mid = song / "chords" / "approved" / "my_own_loop.mid"
    shutil.copy(song / "chords" / "approved" / "verse.mid", mid)
    assert main(["promote", str(song), "chords", "--clean"]) == 0
    assert mine.read_text() == "mine" and mid.is_file()
    assert (song / "chords" / "approved" / "verse.mid").is_file()


def test_case_02_a_linked_phase_folder_is_refused_before_any_write(song, outside, capsys):
    _link(song, "chords", outside / "chords")
    before = {p: p.stat().st_mtime_ns for p in (outside / "chords").rglob("*")}
    assert main(["produce", "chords", str(song), "-n", "8", "--top", "2"]) == 1
    err = one_line(err=capsys.readouterr().err)
    assert "symbolic link" in err and str(song / "chords") in err
    after = {p: p.stat().st_mtime_ns for p in (outside / "chords").rglob("*")}
    assert after == before


def test_case_03_a_linked_candidates_folder_is_refused_before_any_write(song, outside, capsys):
    target = outside / "cands"
    _link(song, "drums/candidates", target)
    before = tree(target)
    assert main(["produce", "drums", str(song), "-n", "4", "--top", "2"]) == 1
    err = one_line(err=capsys.readouterr().err)
    assert "symbolic link" in err and "candidates" in err
    assert tree(target) == before  # used to hold 20 new MIDI files, then exit 1


def test_regenerate_refuses_a_linked_review_file(song, outside):
    from chromatic.errors import ChromaticError
    from chromatic.produce.regenerate import regenerate

    review = song / "chords" / "review.yml"
    shutil.copy(review, outside / "review.yml")
    review.unlink()
    review.symlink_to(outside / "review.yml")
    with pytest.raises(ChromaticError, match="symbolic link"):
        regenerate(song / "chords", facts={}, fresh=[], prefix="chord", top=1)


# --- 6, 7: special files ---------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_case_06_a_device_as_proposal_is_refused_by_type(tmp_path):
    out = cli("produce", "init", "/dev/zero", "--out", str(tmp_path / SLUG), timeout=60)
    assert out.returncode == 1
    assert "character device" in one_line(out) and "/dev/zero" in out.stderr
    assert not (tmp_path / SLUG).exists()


def test_read_regular_counts_the_bytes_it_reads(tmp_path):
    from chromatic.errors import ChromaticError
    from chromatic.fileio import read_regular

    p = tmp_path / "f"
    p.write_bytes(b"x" * 100)
    assert read_regular(p, 100) == b"x" * 100
    with pytest.raises(ChromaticError, match="at most 99 bytes"):
        read_regular(p, 99)
    with pytest.raises(ChromaticError, match="folder"):
        read_regular(tmp_path, 10)


def test_case_07_a_fifo_as_proposal_or_manifest_is_refused_without_blocking(
    tmp_path, example_catalog
):
    fifo = tmp_path / "proposal.yml"
    os.mkfifo(fifo)
    for args in (
        ["style", str(fifo)],
        ["compose", str(fifo), "--out", str(tmp_path / "c")],
        ["produce", "init", str(fifo), "--out", str(tmp_path / SLUG)],
    ):
        out = cli(*args, timeout=60)  # used to block forever on the open
        assert out.returncode == 1, (args, out.stderr)
        assert "named pipe" in one_line(out) and str(fifo) in out.stderr
    cat = tmp_path / "catalog"
    shutil.copytree(example_catalog / "01_90", cat / "01_90")
    shutil.copytree(example_catalog / "02_90", cat / "02_90")
    (cat / "02_90" / "02_90.yml").unlink()
    os.mkfifo(cat / "02_90" / "02_90.yml")
    out = cli("catalog", "validate", str(cat), timeout=60)  # one FIFO blocked the whole catalog
    assert out.returncode == 1
    assert "02_90.yml" in out.stdout and "named pipe" in out.stdout
    assert "01_90" in out.stdout


# --- 8, 9: numbers bounded where parsed ------------------------------------------------------------


def test_case_08_a_bpm_of_400_digits_is_one_line_naming_bpm(tmp_path, example_catalog, capsys):
    cat = tmp_path / "catalog"
    shutil.copytree(example_catalog / "01_90", cat / "01_90")
    manifest = cat / "01_90" / "01_90.yml"
    text = manifest.read_text()
    assert text.startswith("bpm: ") or "\nbpm: " in text
    lines = [("bpm: " + "9" * 400) if ln.startswith("bpm:") else ln for ln in text.splitlines()]
    manifest.write_text("\n".join(lines) + "\n")
    assert main(["catalog", "validate", str(cat)]) == 1  # was exit 70, OverflowError
    out = capsys.readouterr().out
    assert "bpm" in out and "expected beats per minute from 10 to 400" in out
    assert "9" * 50 not in out
    proposal = tmp_path / "p.yml"
    ptext = PROPOSAL.read_text()
    ptext = "\n".join(
        ("bpm: " + "9" * 400) if ln.startswith("bpm:") else ln for ln in ptext.splitlines()
    )
    assert "9" * 400 in ptext
    proposal.write_text(ptext + "\n")
    assert main(["produce", "init", str(proposal), "--out", str(tmp_path / SLUG)]) == 1
    err = one_line(err=capsys.readouterr().err)
    assert "bpm" in err and "expected a tempo in beats per minute" in err
    assert not (tmp_path / SLUG).exists()


@pytest.mark.parametrize(
    "args, option",
    [
        (["produce", "chords", "{S}", "-n", "1000000000000"], "-n"),
        (["produce", "chords", "{S}", "--top", "1000000000000"], "--top"),
        (["produce", "drums", "{S}", "-n", "99999999999"], "-n"),
        (["compose", str(PROPOSAL), "--out", "{S}/c", "--beam", "100000"], "--beam"),
        (["compose", str(PROPOSAL), "--out", "{S}/c", "-n", "1000000000000"], "-n"),
        (["produce", "chords", "{S}", "--seed", "1" + "0" * 30], "--seed"),
    ],
)
def test_case_09_huge_counts_name_the_option_and_its_range(song, capsys, args, option):
    before = tree(song)
    assert main([a.replace("{S}", str(song)) for a in args]) == 1
    err = one_line(err=capsys.readouterr().err)
    assert option in err and "less than or equal to" in err, err
    assert tree(song) == before


# --- 10: media opened at validate ------------------------------------------------------------------


def _wav(path: Path, seconds: float, rate: int = 2000) -> None:
    import soundfile as sf

    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate, subtype="PCM_16")


def test_case_10_a_truncated_main_mix_is_an_error_naming_file_and_field(tmp_path, example_catalog):
    from chromatic.catalog.validate import validate_catalog

    cat = tmp_path / "catalog"
    shutil.copytree(example_catalog / "01_90", cat / "01_90")
    main_mix = cat / "01_90" / "01_90_main.wav"
    _wav(main_mix, 69.0)  # the manifest's TRT is 01:08.571
    whole = [p for p in validate_catalog(cat).errors if p.field == "main_audio_file"]
    assert whole == []
    data = main_mix.read_bytes()
    main_mix.write_bytes(data[:100])  # head -c 100
    errors = [p for p in validate_catalog(cat).errors if p.field == "main_audio_file"]
    assert len(errors) == 1, errors
    assert errors[0].path == str(main_mix) and "shorter than the song's running time" in (
        errors[0].message
    )
    main_mix.write_bytes(b"RIFF\x00\x00")
    errors = [p for p in validate_catalog(cat).errors if p.field == "main_audio_file"]
    assert errors and "cannot be read as audio" in errors[0].message


def test_a_fifo_as_media_is_refused_by_type(tmp_path, example_catalog):
    from chromatic.catalog.validate import validate_catalog

    cat = tmp_path / "catalog"
    shutil.copytree(example_catalog / "01_90", cat / "01_90")
    os.mkfifo(cat / "01_90" / "01_90_main.wav")
    errors = [p for p in validate_catalog(cat).errors if p.field == "main_audio_file"]
    assert errors and "named pipe" in errors[0].message


# --- 11, 12: no lock, no folder outside what the command owns --------------------------------------


def test_case_11_a_refused_compose_leaves_no_lock(tmp_path, capsys):
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    for extra in (["--auto"], ["--auto", "--force"], ["--force"], []):
        assert main(["compose", str(PROPOSAL), "--out", str(foreign), *extra]) == 1
        assert "not a production folder" in one_line(err=capsys.readouterr().err)
        assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    lock_in_root = Path("/.chromatic.lock")
    there = lock_in_root.exists()
    assert main(["compose", str(PROPOSAL), "--out", "/", "--auto"]) == 1
    capsys.readouterr()
    assert lock_in_root.exists() == there


def test_case_12_produce_init_out_root_is_refused(capsys):
    made = [Path(d) / SLUG for d in ("/", "/usr") if not (Path(d) / SLUG).exists()]
    try:
        for where in ("/", "/usr"):
            assert main(["produce", "init", str(PROPOSAL), "--out", where]) == 1
            err = one_line(err=capsys.readouterr().err)
            assert "--out" in err and "refusing" in err
        assert [p for p in made if p.exists()] == []
    finally:  # a regression must not leave a folder in / behind
        for p in made:
            shutil.rmtree(p, ignore_errors=True)


# --- 13: a missing approved loop is never silent ---------------------------------------------------


def test_case_13_a_missing_approved_loop_is_refused_or_a_recorded_rest(song, capsys):
    (song / "style.yml").write_text("drums: true\n")  # the human keeps the kit the color drops
    assert main(["assemble", str(song)]) == 0
    capsys.readouterr()
    whole = (song / "arrangement.mid").read_bytes()
    (song / "drums" / "approved" / "chorus.mid").unlink()
    assert main(["assemble", str(song)]) == 1
    err = one_line(err=capsys.readouterr().err)
    assert str(song / "drums" / "approved" / "chorus.mid") in err and "--allow-missing" in err
    assert (song / "arrangement.mid").read_bytes() == whole  # nothing rewritten
    assert main(["assemble", str(song), "--allow-missing"]) == 0
    err = capsys.readouterr().err
    assert "drums/approved/chorus.mid is missing" in err and "rest" in err
    assert (song / "arrangement.mid").read_bytes() != whole


# --- 8 (messages): OS errors name the file and the action -------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_write_that_fails_names_the_target_file(tmp_path):
    """A full disk (``/dev/full`` gives the real ENOSPC, with no file name) is reported with the
    file being written, never the temporary beside it or no file at all."""
    from chromatic.errors import describe_os_error
    from chromatic.fileio import write_with

    def writer(tmp: Path) -> None:
        with open("/dev/full", "wb", buffering=0) as f:
            f.write(b"x")

    target = tmp_path / "sub" / "x.mid"
    with pytest.raises(OSError) as e:
        write_with(target, writer)
    text = describe_os_error(e.value)
    assert text.startswith(str(target)) and "cannot write" in text and "disk is full" in text
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_assemble_refuses_linked_outputs_before_writing_any(song, outside, capsys):
    """stems/ or arrangement.wav as links: refused before arrangement.mid is written."""
    (song / "stems").symlink_to(outside, target_is_directory=True)
    assert main(["assemble", str(song)]) == 1
    assert "symbolic link" in one_line(err=capsys.readouterr().err)
    assert not (song / "arrangement.mid").exists() and tree(outside) == ["keep.txt"]
    (song / "stems").unlink()
    (song / "production_plan.yml").rename(outside / "plan.yml")
    (song / "production_plan.yml").symlink_to(outside / "plan.yml")
    assert main(["assemble", str(song)]) == 1
    assert "symbolic link" in one_line(err=capsys.readouterr().err)
    assert main(["plan", str(song), "--refresh"]) == 1
    assert "symbolic link" in one_line(err=capsys.readouterr().err)


def test_a_fifo_as_an_approved_candidate_is_refused_by_type(song, capsys):
    """promote reads each approved candidate: a FIFO in its place is one line, not a hang."""
    from chromatic.errors import MidiError
    from chromatic.music.midi import load_score

    cand = song / "chords" / "candidates" / "fifo.mid"
    os.mkfifo(cand)
    with pytest.raises(MidiError, match="named pipe"):
        load_score(cand)
