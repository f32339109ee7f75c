"""One error contract: every failure a user can act on is one line on stderr with exit 1, never
a traceback; deprecated spellings still work with a one-line warning; options that must be
checked are checked before any work starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chromatic.cli import app, main
from chromatic.errors import ChromaticError, ProduceError

REPO = Path(__file__).resolve().parents[1]
PROPOSAL = REPO / "examples" / "proposals" / "song_proposal_green_cooling_tower_choir_v1.yml"
VALID = "expected one of Black, Red, Orange, Yellow, Green, Blue, Indigo, Violet, White or a mnemonic Z R O Y G B I V A"


def _env() -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1"}
    env.pop("CHROMATIC_DEBUG", None)
    return env


def cli(*args: str) -> subprocess.CompletedProcess:
    """The real command line in a fresh process (``python -m chromatic``)."""
    return subprocess.run(
        [sys.executable, "-m", "chromatic", *args],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=REPO,
        timeout=300,
    )


def one_error_line(stderr: str) -> str:
    """The single error line of stderr (warning and progress lines may precede it); no
    traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    assert all(  # progress lines ("exporting ...…") say what a long step is doing
        line.startswith(("error: ", "warning: ")) or line.endswith("…") for line in lines
    ), stderr
    return errors[0]


def run_main(capsys, *args: str) -> tuple[int, str]:
    rc = main(list(args))
    return rc, capsys.readouterr().err


# --- colors ---------------------------------------------------------------------------------------


def test_color_error_is_a_chromatic_error_and_still_a_value_error():
    from chromatic.taxonomy import ColorError, parse_color

    with pytest.raises(ColorError) as e:
        parse_color("Purple")
    assert isinstance(e.value, ChromaticError) and isinstance(e.value, ValueError)
    assert str(e.value) == f"unknown color 'Purple'; {VALID}"
    with pytest.raises(ColorError, match=r"Black, Red.*mnemonic Z R O Y G B I V A"):
        parse_color("")


@pytest.mark.parametrize(
    "args",
    [
        ("score", "x.mid", "--model", "MODEL", "--color", "Purple"),
        ("score", "MODEL", "x.mid", "--color", "Purple"),  # the spelling (positional model)
        ("score", "x.mid", "--model", "MODEL", "--color", "Q"),
    ],
)
def test_score_unknown_color_is_one_line_naming_the_valid_colors(args):
    out = cli(*args)
    assert out.returncode == 1
    line = one_error_line(out.stderr)
    assert line.startswith("error: --color: unknown color") and line.endswith(VALID)
    assert len(out.stderr.strip().splitlines()) == 1  # refused before the model is even looked for


# --- score --model --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fifo", "why"),
    [
        (False, "not found; expected MODEL.onnx with MODEL.json beside it ('chromatic export')"),
        # a FIFO would block onnxruntime's open: refused by type, never opened
        (True, "expected a regular file, found a named pipe (FIFO)"),
    ],
    ids=["missing", "fifo"],
)
def test_score_model_is_an_option_and_a_bad_one_is_one_line(tmp_path, capsys, fifo, why):
    if fifo:
        os.mkfifo(tmp_path / "fitness.onnx")
    rc, err = run_main(
        capsys,
        "score",
        str(tmp_path / "a.mid"),
        "--model",
        str(tmp_path / "fitness"),
        "--color",
        "G",
    )
    assert rc == 1 and err.strip() == f"error: {tmp_path / 'fitness.onnx'}: {why}"


def test_score_positional_model_still_works_with_a_deprecation_warning(tmp_path, capsys):
    rc, err = run_main(
        capsys, "score", str(tmp_path / "fitness"), str(tmp_path / "a.mid"), "--color", "G"
    )
    lines = err.strip().splitlines()
    assert rc == 1 and len(lines) == 2
    assert (
        lines[0].startswith("warning: 'chromatic score MODEL FILE...' is deprecated")
        and "--model" in lines[0]
    )
    assert lines[1].startswith(
        f"error: {tmp_path / 'fitness.onnx'}: not found"
    )  # it was taken as the model


def test_score_without_a_model_is_one_line(tmp_path, capsys):
    rc, err = run_main(capsys, "score", str(tmp_path / "a.mid"), "--color", "G")
    assert rc == 1 and err.strip().count("\n") == 0 and "a model is needed: --model MODEL" in err


# --- --seed and other options checked at the option ------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["produce", "chords", "DIR"],
        ["produce", "drums", "DIR"],
        ["produce", "bass", "DIR"],
        ["produce", "melody", "DIR"],
        ["compose", str(PROPOSAL), "--out", "DIR"],
        ["catalog", "synth", "DIR", "--out", "DIR"],
        ["train", "--data", "DIR", "--out", "DIR"],
        ["verify", "--data", "DIR"],
    ],
)
def test_seed_minus_one_is_refused_at_the_option(command, tmp_path, capsys):
    target = tmp_path / "nothing"
    rc, err = run_main(capsys, *[str(target) if a == "DIR" else a for a in command], "--seed", "-1")
    assert rc == 1 and err.strip().count("\n") == 0, err
    assert (
        err.startswith("error: Invalid value for '--seed'")
        and f"chromatic {' '.join(command[: 2 if command[0] in ('produce', 'catalog') else 1])} --help"
        in err
    )
    assert not target.exists()  # refused before anything ran


def test_every_command_that_takes_seed_refuses_a_negative_one():
    """No command is missed by the test above: every --seed in the app has a lower bound of 0."""
    import typer.main

    def walk(cmd, path=()):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, (*path, name))

    seeds = [
        (path, p)
        for path, cmd in walk(typer.main.get_command(app))
        for p in getattr(cmd, "params", [])
        if "--seed" in getattr(p, "opts", ())
    ]
    assert len(seeds) >= 8
    for path, p in seeds:
        assert p.min == 0, path


@pytest.mark.parametrize("option", [("--format", "mp3"), ("--sample-rate", "1")])
def test_compose_refuses_a_bad_format_or_sample_rate_before_composing(option, tmp_path, capsys):
    out = tmp_path / "song"
    rc, err = run_main(capsys, "compose", str(PROPOSAL), "--out", str(out), "--auto", *option)
    assert rc == 1 and err.strip().count("\n") == 0 and f"Invalid value for '{option[0]}'" in err
    assert not out.exists()


def test_compose_weights_reach_the_options(tmp_path, capsys):
    rc, err = run_main(
        capsys,
        "compose",
        str(PROPOSAL),
        "--out",
        str(tmp_path / "song"),
        "--auto",
        "--theory-weight",
        "0",
        "--chromatic-weight",
        "0",
    )
    assert (
        rc == 1
        and err.strip().count("\n") == 0
        and "scoring weights must be non-negative with a positive sum" in err
    )


def test_compose_writes_the_format_and_sample_rate_asked_for(tmp_path, capsys):
    import soundfile as sf

    out = tmp_path / "song"
    rc, err = run_main(
        capsys,
        "compose",
        str(PROPOSAL),
        "--out",
        str(out),
        "--auto",
        "-n",
        "12",
        "--beam",
        "1",
        "--format",
        "flac",
        "--sample-rate",
        "22050",
    )
    assert rc == 0, err
    assert (
        sf.info(str(out / "arrangement.flac")).samplerate == 22050
        and not (out / "arrangement.wav").exists()
    )


def test_part_phases_and_compose_share_one_n_default():
    import typer.main

    from chromatic.produce.compose.options import ComposeOptions

    root = typer.main.get_command(app)
    produce = root.commands["produce"]
    n = {
        name: next(p for p in cmd.params if p.name == "n")
        for name, cmd in [
            *((ph, produce.commands[ph]) for ph in ("drums", "bass", "melody")),
            ("compose", root.commands["compose"]),
        ]
    }
    assert {name: p.default for name, p in n.items()} == dict.fromkeys(n, ComposeOptions().n)
    assert ComposeOptions().n == 50


# --- catalog build --data ----------------------------------------------------------------------------


def test_catalog_build_takes_data_and_still_accepts_out_with_a_warning(tmp_path, capsys):
    catalog = REPO / "examples" / "catalog"
    rc, err = run_main(
        capsys, "catalog", "build", str(catalog), "--data", str(tmp_path / "new"), "--no-media"
    )
    assert rc == 0 and (tmp_path / "new" / "tracks.parquet").is_file() and "deprecated" not in err
    rc, err = run_main(
        capsys, "catalog", "build", str(catalog), "--out", str(tmp_path / "old"), "--no-media"
    )
    assert rc == 0 and (tmp_path / "old" / "tracks.parquet").is_file()
    assert "warning: 'catalog build --out' is deprecated" in err and "--data" in err
    rc, err = run_main(capsys, "catalog", "build", str(catalog), "--data", "a", "--out", "b")
    assert rc == 1 and err.strip().count("\n") == 0 and "give --data only" in err
    rc, err = run_main(capsys, "catalog", "build", str(catalog))
    assert rc == 1 and err.strip().count("\n") == 0 and "--data DATA" in err


# --- every bad-input path the README names ------------------------------------------------------------


@pytest.fixture
def production(tmp_path, capsys) -> Path:
    assert main(["produce", "init", str(PROPOSAL), "--out", str(tmp_path / "prod")]) == 0
    capsys.readouterr()
    (folder,) = (tmp_path / "prod").iterdir()
    return folder


def test_readme_bad_inputs_are_one_line_and_exit_1(tmp_path, production, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("not a production folder")
    cases = {
        # catalog validate / build on a folder that is not there
        ("catalog", "validate", str(tmp_path / "nope")): "catalog folder not found",
        (
            "catalog",
            "build",
            str(tmp_path / "nope"),
            "--data",
            str(tmp_path / "d"),
        ): "catalog folder not found",
        # later steps refuse a missing (or stale) tracks table
        ("segments", "build", str(empty), "--data", str(empty)): "tracks.parquet not found",
        (
            "dataset",
            "export",
            "--data",
            str(empty),
            "--out",
            str(tmp_path / "ds"),
        ): "tracks.parquet",
        ("embed", "--data", str(empty)): "segments.parquet not found",
        ("verify", "--data", str(empty)): "",
        (
            "train",
            "--data",
            str(empty),
            "--out",
            str(tmp_path / "run"),
            "--task",
            "nope",
        ): "expected one of fusion",
        # a model that is not there
        (
            "score",
            str(tmp_path / "a.mid"),
            "--model",
            str(tmp_path / "m"),
            "--color",
            "G",
        ): "m.onnx: not found",
        # a phase that runs before what it depends on is approved names the command to run first
        ("produce", "drums", str(production)): "drums needs approved chords",
        ("produce", "bass", str(production)): "needs approved",
        ("promote", str(production), "vocals"): "",
        # a proposal that cannot be read
        ("produce", "init", str(tmp_path / "nope.yml"), "--out", str(tmp_path / "p")): "",
        # compose never takes over a folder it did not write
        (
            "compose",
            str(PROPOSAL),
            "--out",
            str(tmp_path / "full"),
            "--auto",
        ): "not a production folder",
        # usage errors are one line too
        ("produce", "chords"): "Missing argument",
        ("produce", "chords", str(production), "--bogus"): "No such option: --bogus",
    }
    for args, expected in cases.items():
        rc, err = run_main(capsys, *args)
        assert rc == 1, (args, err)
        line = one_error_line(err)
        assert expected in line, (args, line)


def test_readme_label_conflict_in_promote_is_one_line(production, capsys):
    from chromatic.yamlio import dump_yaml, load_plain

    assert main(["produce", "chords", str(production), "-n", "6", "--top", "2"]) == 0
    review = production / "chords" / "review.yml"
    doc = load_plain(review)
    for c in doc["candidates"]:
        c["status"], c["label"] = "approved", "verse"
    review.write_text(dump_yaml(doc), encoding="utf-8")
    capsys.readouterr()
    rc, err = run_main(capsys, "promote", str(production), "chords")
    assert rc == 1 and "verse" in one_error_line(err)
    assert not list((production / "chords" / "approved").glob("*.mid"))


def test_bootstrap_track_out_of_range_is_a_produce_error():
    from chromatic.produce.arrange.bootstrap import bootstrap_manifest

    with pytest.raises(ProduceError, match="expected a track number 1-99, got 0"):
        bootstrap_manifest(None, None, track=0)


# --- what is not a user's error ------------------------------------------------------------------------


BOOM = (
    "import sys\n"
    "from chromatic.cli import app, main\n"
    "@app.command('boom')\n"
    "def boom():\n"
    "    raise RuntimeError('a bug\\non two lines')\n"
    "@app.command('full')\n"
    "def full():\n"
    "    open('/', 'w')\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_a_bug_is_one_line_exit_70_and_chromatic_debug_shows_the_traceback():
    env = _env()
    out = subprocess.run(
        [sys.executable, "-c", BOOM, "boom"], capture_output=True, text=True, env=env
    )
    assert out.returncode == 70 and out.stderr.strip().count("\n") == 0
    assert "internal error" in out.stderr and "RuntimeError: a bug on two lines" in out.stderr
    out = subprocess.run(
        [sys.executable, "-c", BOOM, "boom"],
        capture_output=True,
        text=True,
        env={**env, "CHROMATIC_DEBUG": "1"},
    )
    assert out.returncode == 1 and "Traceback" in out.stderr and "RuntimeError: a bug" in out.stderr


def test_a_file_the_system_refuses_is_one_line_exit_1():
    out = subprocess.run(
        [sys.executable, "-c", BOOM, "full"], capture_output=True, text=True, env=_env()
    )
    assert (
        out.returncode == 1
        and out.stderr.strip().count("\n") == 0
        and out.stderr.startswith("error: /: ")  # the file named first, then why (issue 28)
        and "folder is where a file is expected" in out.stderr
        and "[Errno" not in out.stderr
    )
