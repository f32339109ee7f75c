"""Tables printed to a pipe or a file are never cut at 80 columns (``cli.console``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_piped_problem_table_keeps_every_long_value(tmp_path):
    catalog = tmp_path / ("a-catalog-folder-with-a-long-name-" * 3).rstrip("-")
    shutil.copytree(REPO / "examples" / "catalog" / "01_90", catalog / "01_90")
    manifest = catalog / "01_90" / "01_90.yml"
    bad_key = "Q-sharp hypermixolydian with a long parenthetical (as the artist wrote it)"
    text = re.sub(r"(?m)^key: .*$", f"key: {bad_key}", manifest.read_text())
    assert bad_key in text
    manifest.write_text(text)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PYTHONPATH"] = str(REPO / "src")
    proc = subprocess.run(
        [sys.executable, "-m", "chromatic", "catalog", "validate", str(catalog), "--no-media"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr  # the key is an error
    out = proc.stdout
    assert "…" not in out
    assert bad_key in out  # whole, on one row
    assert max(len(line) for line in out.splitlines()) > 80  # wider than the old cut


def test_make_console_is_content_wide_only_off_a_terminal(tmp_path):
    from rich.table import Table

    from chromatic.cli.console import make_console

    long = "x" * 300
    table = Table("value")
    table.add_row(long)
    with open(tmp_path / "out.txt", "w") as f:
        sys_stdout, sys.stdout = sys.stdout, f
        try:
            make_console().print(table)
        finally:
            sys.stdout = sys_stdout
    text = (tmp_path / "out.txt").read_text()
    assert long in text and "…" not in text
    assert make_console(width=60).width == 60  # an explicit width still wins
