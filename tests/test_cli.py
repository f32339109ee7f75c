from __future__ import annotations

import subprocess
import sys


def test_help_is_light():
    """`chromatic --help` must not import the heavy stack (measured, not timed)."""
    code = (
        "import sys, io, contextlib\n"
        "from chromatic.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    main(['--help'])\n"
        "heavy = [m for m in ('torch', 'pyarrow', 'symusic', 'numpy', 'librosa', 'transformers', 'pydantic') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_subcommand_help_lists_commands():
    out = subprocess.run(
        [sys.executable, "-m", "chromatic", "catalog", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    for cmd in ("validate", "build", "synth"):
        assert cmd in out.stdout


def test_error_is_one_line_and_exit_1(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "chromatic", "catalog", "validate", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "catalog folder not found" in out.stderr


def test_version_prints_the_package_version():
    import tomllib
    from pathlib import Path

    import chromatic

    out = subprocess.run(
        [sys.executable, "-m", "chromatic", "version"], capture_output=True, text=True, check=True
    )
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())[
        "project"
    ]
    assert out.stdout == f"{chromatic.__version__}\n"
    assert chromatic.__version__ == project["version"]


def test_every_phase_command_takes_the_shared_option_set():
    """One option set (``phase_options.SHARED``) on every phase command, each phase's own
    options beside it, and a phase's own wording where it has one (drums: the energy fit)."""
    import typer.main

    from chromatic.cli import app
    from chromatic.cli.phase_options import BREEDING, SHARED

    produce = typer.main.get_command(app).commands["produce"]
    params = {
        name: {p.name: p for p in produce.commands[name].params}
        for name in ("chords", "drums", "bass", "melody", "harmony")
    }
    for name in ("chords", "drums", "bass", "melody", "harmony"):
        assert set(SHARED) <= set(params[name]), name
    assert set(BREEDING) <= set(SHARED)
    assert {"progression", "progressions", "vary"} <= set(params["chords"])
    assert "humanize" in params["drums"] and {"singer", "singers"} <= set(params["harmony"])
    assert (params["chords"]["n"].default, params["chords"]["top"].default) == (200, 10)
    assert (params["bass"]["n"].default, params["bass"]["top"].default) == (50, 5)
    assert "energy fit" in params["drums"]["model"].help
    assert "theory only" in params["bass"]["model"].help
