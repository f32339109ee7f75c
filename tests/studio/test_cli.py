"""``chromatic studio`` as a user starts it: the printed URL carries the token, the server
answers on 127.0.0.1, a write without the token is refused; a wrong folder is one line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from chromatic.cli import main
from tests.studio.test_browser import _free_port

SRC = Path(__file__).resolve().parents[2] / "src"


def test_a_missing_folder_is_one_line(tmp_path, capsys):
    assert main(["studio", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert "folder not found" in err and len(err.strip().splitlines()) == 1


def test_the_printed_url_opens_the_studio_and_carries_the_write_token(library):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "chromatic", "studio", str(library), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:(\d+))/\?token=(\S+)", line)
        assert m and int(m.group(2)) == port, line
        base, token = m.group(1), m.group(3)
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/api/songs", timeout=5) as r:
                    songs = json.load(r)["songs"]
                break
            except (urllib.error.URLError, ConnectionError):
                proc.poll()
                assert proc.returncode is None, proc.stderr.read()
                time.sleep(0.1)
        assert songs == ["fresh", "song"]
        body = json.dumps({"id": "chord_001", "status": "approved", "version": "x"}).encode()
        url = f"{base}/api/songs/fresh/phases/chords/decide"
        for headers, status in (({}, 403), ({"X-Studio-Token": token}, 409)):
            req = urllib.request.Request(
                url, data=body, headers={"Content-Type": "application/json", **headers}
            )
            try:
                urllib.request.urlopen(req, timeout=10)
                got = 200
            except urllib.error.HTTPError as e:
                got = e.code
            assert got == status
    finally:
        proc.terminate()
        proc.wait(10)
