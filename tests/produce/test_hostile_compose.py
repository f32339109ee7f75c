"""Issue #19, compose and the plan: bounded values, one-line errors, locked and resumable runs,
and reruns that never erase a human's edits. Fixtures from examples/proposals."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chromatic.cli import main
from chromatic.errors import ChromaticError, ProduceError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "proposals" / "song_proposal_green_cooling_tower_choir_v1.yml"
ENV = {
    **os.environ,
    "PYTHONPATH": os.environ.get("PYTHONPATH") or str(REPO / "src"),
    "HF_HUB_OFFLINE": "1",
}


def _opts(**kw):
    from chromatic.produce.compose.run import ComposeOptions

    return ComposeOptions(**{"n": 6, "beam": 1, "seed": 1, "render": False, **kw})


@pytest.fixture(scope="module")
def composed(tmp_path_factory):
    from chromatic.produce.compose.run import compose_auto

    root = tmp_path_factory.mktemp("composed") / "song"
    compose_auto(EXAMPLE, root, _opts())
    return root


@pytest.fixture
def song(composed, tmp_path):
    import shutil

    dst = tmp_path / "song"
    shutil.copytree(composed, dst)
    return dst


def _one_line_error(argv, capsys) -> str:
    assert main([str(a) for a in argv]) == 1
    lines = [
        x for x in capsys.readouterr().err.strip().splitlines() if not x.startswith("warning: ")
    ]
    err = "\n".join(lines)
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    return err


# --- item 8: absurd values ---------------------------------------------------------------------


def test_compose_refuses_bpm_0_001_before_it_allocates(tmp_path):
    from chromatic.produce.compose.run import compose_auto

    text = EXAMPLE.read_text(encoding="utf-8")
    bad = tmp_path / "slow.yml"
    bad.write_text(
        "\n".join("bpm: 0.001" if line.startswith("bpm:") else line for line in text.splitlines())
        + "\n"
    )
    with pytest.raises(ChromaticError, match="bpm"):
        compose_auto(bad, tmp_path / "out", _opts())
    assert not (tmp_path / "out" / "arrangement.mid").exists()


def _set_plan(root: Path, **values) -> None:
    from chromatic.yamlio import round_trip as _yaml

    path = root / "production_plan.yml"
    y = _yaml()
    doc = y.load(path.read_text())
    for s in doc["sections"]:
        s.update(values)
    with open(path, "w") as f:
        y.dump(doc, f)


def test_plan_with_repeat_100_is_refused_at_load(song, capsys):
    from chromatic.produce.arrange.plan import load_plan

    _set_plan(song, repeat=100)
    with pytest.raises(ProduceError, match=r"sections\[0\]\.repeat"):
        load_plan(song / "production_plan.yml")
    assert "repeat" in _one_line_error(["assemble", song], capsys)


def test_plan_longer_than_20_minutes_is_refused_at_load(song):
    from chromatic.produce.arrange.plan import load_plan

    _set_plan(song, repeat=16, bars=256)
    with pytest.raises(ProduceError, match="at most 20 minutes"):
        load_plan(song / "production_plan.yml")


def test_plan_bpm_out_of_range_is_refused_at_load(song):
    from chromatic.produce.arrange.plan import load_plan
    from chromatic.yamlio import round_trip as _yaml

    path = song / "production_plan.yml"
    y = _yaml()
    doc = y.load(path.read_text())
    doc["song"]["bpm"] = 0.001
    with open(path, "w") as f:
        y.dump(doc, f)
    with pytest.raises(ProduceError, match=r"song\.bpm"):
        load_plan(path)


# --- item 10: one-line errors --------------------------------------------------------------------


@pytest.mark.parametrize("target", ["chords/review.yml", "production_plan.yml"])
def test_latin1_byte_in_human_file_is_one_line_error(song, capsys, target):
    path = song / target
    path.write_bytes(path.read_bytes().replace(b"null", b"caf\xe9", 1))
    readers = (
        [["promote", song, "chords"], ["produce", "chords", song, "-n", "4", "--seed", "2"]]
        if "review" in target
        else [["assemble", song], ["produce", "drums", song, "-n", "4"]]
    )
    for argv in [*readers, ["plan", song, "--refresh"]]:
        err = _one_line_error(argv, capsys)
        assert "UTF-8" in err or "utf-8" in err.lower(), (argv, err)


@pytest.mark.parametrize("target", ["chords/review.yml", "production_plan.yml"])
def test_human_file_replaced_by_a_folder_is_one_line_error(song, capsys, target):
    path = song / target
    path.unlink()
    path.mkdir()
    (path / "x").write_text("x")
    argvs = (
        [["promote", song, "chords"], ["produce", "chords", song, "-n", "4"]]
        if "review" in target
        else [["plan", song, "--refresh"], ["assemble", song]]
    )
    for argv in argvs:
        _one_line_error(argv, capsys)


def test_produce_chords_seed_minus_1_is_refused_at_the_option(song, capsys):
    before = (song / "chords" / "review.yml").read_bytes()
    assert (
        main(["produce", "chords", str(song), "--seed", "-1"]) == 1
    )  # refused at the option: one line, exit 1 (the error contract)
    assert "--seed" in capsys.readouterr().err
    assert (song / "chords" / "review.yml").read_bytes() == before


# --- item 4: a rerun keeps human edits (or refuses and says so) ---------------------------------


@pytest.mark.parametrize("target", ["production_plan.yml", "chords/review.yml"])
def test_compose_rerun_keeps_hand_edits(song, target):
    from chromatic.produce.compose.run import compose_auto

    path = song / target
    edited = path.read_text(encoding="utf-8").replace("notes: null", "notes: my words  # keep", 1)
    assert edited != path.read_text(encoding="utf-8")
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(ProduceError, match=target.replace("/", ".")):
        compose_auto(EXAMPLE, song, _opts())
    assert path.read_text(encoding="utf-8") == edited


def test_compose_rerun_keeps_a_hand_edited_approved_loop(song):
    from chromatic.produce.compose.run import compose_auto

    loop = song / "chords" / "approved" / "verse.mid"
    loop.write_bytes(loop.read_bytes() + b"\0")
    with pytest.raises(ProduceError, match=re.escape("chords/approved/verse.mid")):
        compose_auto(EXAMPLE, song, _opts())
    assert compose_auto(EXAMPLE, song, _opts(force=True)).root == song


def test_compose_rerun_without_edits_needs_no_force(song):
    from chromatic.produce.compose.run import compose_auto

    before = (song / "arrangement.mid").read_bytes()
    compose_auto(EXAMPLE, song, _opts())
    assert (song / "arrangement.mid").read_bytes() == before


# --- item 11: two runs into one --out --------------------------------------------------------------


def test_second_compose_into_a_locked_folder_is_refused_in_one_line(song, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from filelock import FileLock; "
            f"l = FileLock({str(song / '.chromatic.lock')!r}); l.acquire(); print('held', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = (song / "arrangement.mid").read_bytes()
        err = _one_line_error(
            [
                "compose",
                EXAMPLE,
                "--out",
                song,
                "--auto",
                "--no-render",
                "-n",
                "6",
                "--beam",
                "1",
                "--seed",
                "1",
            ],
            capsys,
        )
        assert "busy" in err
        assert (song / "arrangement.mid").read_bytes() == before
    finally:
        holder.communicate("")


def test_two_concurrent_composes_never_traceback(tmp_path):
    out = tmp_path / "song"
    argv = [
        sys.executable,
        "-m",
        "chromatic",
        "compose",
        str(EXAMPLE),
        "--out",
        str(out),
        "--auto",
        "--no-render",
        "-n",
        "6",
        "--beam",
        "1",
        "--seed",
        "1",
    ]
    procs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        for _ in range(3)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert all("Traceback" not in err for _, err in results), results
    assert any(rc == 0 for rc, _ in results)
    assert all(rc == 0 or "busy" in err for rc, err in results), results
    assert (out / "arrangement.mid").is_file()


# --- item 12: after kill -9, a rerun resumes without --force -------------------------------------


def test_compose_after_kill_9_reruns_without_force(tmp_path, composed):
    from chromatic.produce.compose.run import compose_auto

    out = tmp_path / "song"
    argv = [
        sys.executable,
        "-m",
        "chromatic",
        "compose",
        str(EXAMPLE),
        "--out",
        str(out),
        "--auto",
        "--no-render",
        "-n",
        "40",
        "--beam",
        "3",
        "--seed",
        "1",
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    deadline = time.time() + 120
    while time.time() < deadline and not (out / ".compose-run.json").is_file():
        time.sleep(0.01)
    time.sleep(0.5)  # inside the search: the marker is written just before it starts
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "compose_summary.json").exists(), "the run finished before it was killed"
    assert not (out / ".compose").exists()  # the search's branches are values, never folders
    assert json.loads((out / ".compose-run.json").read_text())["state"] == "running"
    compose_auto(EXAMPLE, out, _opts())  # no force
    assert (out / "arrangement.mid").read_bytes() == (composed / "arrangement.mid").read_bytes()
    assert not (out / ".compose").exists()
