"""Issue 28, the studio's cases: files served only from inside the folder and never through a
link (4, 5), the renderer loaded once however many first previews arrive together (14), bodies
refused before they are read and JSON depth bounded (15), the preview cache bounded and kept
current (16). A real server on 127.0.0.1 where the transport matters."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.studio.conftest import TOKEN, post

SONG = "/api/songs/song"
BASS = f"{SONG}/phases/bass/candidates"


def _renderer_or_skip():
    from chromatic.music.render import renderer_unavailable

    why = renderer_unavailable()
    if why:
        pytest.skip(why)


@contextmanager
def serving(library: Path, **kw):
    """A fresh Studio served by uvicorn on a free port of 127.0.0.1, in a thread."""
    import uvicorn

    from chromatic.studio.app import Studio, create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(Studio(library, token=TOKEN, **kw))
    server = uvicorn.Server(uvicorn.Config(app, log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "shadow").write_bytes(b"root:SECRET-HASH:19000::::::\n")
    return secret / "shadow"


# --- 4, 5: nothing served or written through a link -------------------------------------------------


def test_case_04_arrangement_files_that_are_links_are_never_served(client, library, tmp_path):
    secret = _secret(tmp_path)
    song = library / "song"
    (song / "arrangement.wav").symlink_to(secret)
    (song / "arrangement.png").symlink_to(secret)
    for kind in ("audio", "image"):
        r = client.get(f"{SONG}/arrangement/{kind}")  # no token: a read
        assert r.status_code != 200, kind
        assert b"SECRET" not in r.content
        assert "symbolic link" in r.json()["error"]


def test_case_04_a_fifo_in_place_of_the_arrangement_is_not_served(client, library):
    os.mkfifo(library / "song" / "arrangement.png")
    r = client.get(f"{SONG}/arrangement/image")
    assert r.status_code == 404 and "named pipe" in r.json()["error"]


def test_case_05_a_linked_studio_folder_is_never_written_through(client, library, tmp_path):
    _renderer_or_skip()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (library / "song" / ".studio").symlink_to(elsewhere, target_is_directory=True)
    r = client.get(f"{BASS}/bass_verse_01/preview.wav")
    assert r.status_code == 400 and "symbolic link" in r.json()["error"]
    assert list(elsewhere.rglob("*")) == []


# --- 14: the renderer, loaded once --------------------------------------------------------------------


def test_case_14_eight_first_previews_at_once_all_play(library):
    """Eight simultaneous first previews on a fresh studio (each its own candidate): every one
    is a 200 WAV, and later previews still play."""
    _renderer_or_skip()
    from chromatic.music import render

    render._LOADED.clear()  # as cold as a fresh process: the backend is loaded again
    cids = _bass_ids(library)
    results: list[tuple[int, bytes]] = []
    with serving(library) as port:
        barrier = threading.Barrier(8)

        def one(cid: str) -> None:
            barrier.wait()
            url = f"http://127.0.0.1:{port}{BASS}/{cid}/preview.wav"
            try:
                with urllib.request.urlopen(url, timeout=300) as resp:
                    results.append((resp.status, resp.read(4)))
            except urllib.error.HTTPError as e:
                results.append((e.code, e.read()))

        threads = [threading.Thread(target=one, args=(cids[i % len(cids)],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        assert [s for s, _ in results] == [200] * 8, results
        assert all(head == b"RIFF" for _, head in results)


def _bass_ids(library: Path) -> list[str]:
    from chromatic.produce.review import read_review

    return [c.id for c in read_review(library / "song" / "bass" / "review.yml").candidates]


def test_case_14_a_failed_renderer_load_is_tried_again(monkeypatch):
    """One failed load (the library not found under load) used to be cached for the life of
    the process: every later preview failed until a restart."""
    import ctypes.util

    from chromatic.music import render

    _renderer_or_skip()
    if render.choose_renderer() != "fluidsynth":
        pytest.skip("the retry is checked on the fluidsynth backend")
    module = sys.modules.get("fluidsynth")
    with monkeypatch.context() as m:
        m.setattr(render, "RETRY_FAILED_S", 0.0)
        m.delitem(sys.modules, "fluidsynth", raising=False)
        m.setattr(ctypes.util, "find_library", lambda name: None)
        render._LOADED.discard("fluidsynth")
        assert "FluidSynth" in (render._probe("fluidsynth") or "")
        m.setattr(ctypes.util, "find_library", ctypes.util.find_library)
    if module is not None:
        sys.modules["fluidsynth"] = module
    with monkeypatch.context() as m:
        m.setattr(render, "RETRY_FAILED_S", 0.0)
        assert render._probe("fluidsynth") is None
    assert render.choose_renderer() == "fluidsynth"


# --- 15: bodies and JSON ----------------------------------------------------------------------------


def test_case_15_a_huge_declared_body_is_refused_before_it_is_read(library):
    with serving(library) as port:
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        s.sendall(
            (
                f"POST {SONG}/plan HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"X-Studio-Token: {TOKEN}\r\nContent-Type: application/json\r\n"
                "Content-Length: 300000000\r\n\r\n"
            ).encode()
        )
        s.sendall(b" " * (2 << 20))  # 2 MB of the promised 300: the answer must not wait
        head = s.recv(200)  # on a server that reads it all first: a timeout here
        s.close()
    assert head.startswith(b"HTTP/1.1 413"), head


def test_case_15_a_body_without_length_is_counted_as_it_arrives(client):
    def chunks():
        for _ in range(8):
            yield b" " * (1 << 20)

    r = client.post(
        f"{SONG}/plan",
        content=chunks(),
        headers={"X-Studio-Token": TOKEN, "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and "at most" in r.json()["error"]


def test_case_15_deeply_nested_json_is_a_400_with_a_message(client, library):
    before = (library / "song" / "chords" / "review.yml").read_bytes()
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        r = client.post(
            f"{SONG}/phases/chords/decide",
            content=body.encode(),
            headers={"X-Studio-Token": TOKEN, "Content-Type": "application/json"},
        )
        assert r.status_code == 400 and "nested" in r.json()["error"], r.text[:200]
    ok = post(client, f"{SONG}/phases/chords/decide", {"changes": {"x": {"a": [[["b"]]]}}})
    assert ok.status_code != 500
    assert (library / "song" / "chords" / "review.yml").read_bytes() == before


# --- 16: the preview cache --------------------------------------------------------------------------


def test_case_16_the_preview_cache_stays_under_its_bound(library):
    _renderer_or_skip()
    from chromatic.studio.app import Studio, create_app

    client = TestClient(
        create_app(Studio(library, token=TOKEN, preview_cache_mb=0.001)),
        base_url="http://127.0.0.1:8765",
    )
    cache = library / "song" / ".studio" / "previews"
    for cid in _bass_ids(library)[:3]:
        assert client.get(f"{BASS}/{cid}/preview.wav").status_code == 200
        assert len(list(cache.iterdir())) == 1  # the newest only: the bound is tiny


def test_case_16_an_edited_candidate_replaces_its_old_preview(client, library):
    _renderer_or_skip()
    a, b = _bass_ids(library)[:2]
    cands = library / "song" / "bass" / "candidates"
    cache = library / "song" / ".studio" / "previews"
    assert client.get(f"{BASS}/{a}/preview.wav").status_code == 200
    (cands / f"{a}.mid").write_bytes((cands / f"{b}.mid").read_bytes())  # edited by hand
    assert client.get(f"{BASS}/{a}/preview.wav").headers["x-studio-cache"] == "miss"
    assert len([p for p in cache.iterdir() if f"__{a}__" in p.name]) == 1


def test_case_16_prune_removes_stale_then_least_recently_used(library):
    from chromatic.produce.folder import ProductionFolder
    from chromatic.studio import cache

    folder = ProductionFolder(library / "song")
    ids = _bass_ids(library)
    d = library / "song" / ".studio" / "previews"
    d.mkdir(parents=True)
    names = {
        "old": f"bass__{ids[0]}__{'a' * 64}.wav",
        "used": f"bass__{ids[1]}__{'b' * 64}.wav",
        "gone": f"bass__bass_nowhere_99__{'c' * 64}.wav",
        "new": f"bass__{ids[2]}__{'d' * 64}.wav",
    }
    for i, key in enumerate(("old", "used", "gone", "new")):
        p = d / names[key]
        p.write_bytes(b"\0" * 400_000)
        os.utime(p, (1000 + i, 1000 + i))
    os.utime(d / names["used"], (5000, 5000))  # a recent hit
    removed = cache.prune(folder, max_mb=0.85, keep=d / names["new"])
    assert sorted(removed) == sorted([names["gone"], names["old"]])
    assert sorted(p.name for p in d.iterdir()) == sorted([names["used"], names["new"]])
