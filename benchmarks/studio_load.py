"""Studio under load (issue 28): eight concurrent clients against a cold ``chromatic studio``
process on 127.0.0.1, previews included, for at most SECONDS (default 60).

    .venv/bin/python benchmarks/studio_load.py [SECONDS] [CLIENTS]

The song is made by the project's own steps (Green proposal: chords and drums approved, bass
generated). The server is a real ``chromatic studio`` process started cold
(no preview cached, the renderer not loaded); every client starts at once with a first preview,
then loops over the page's reads (song, phases, rolls, previews of every candidate, the
arrangement roll) and a few writes that must be refused (a declared 300 MB body, answered
before it is sent; JSON nested too deeply). Printed: requests, errors (any 5xx, or a status that was not the one expected), p50 and
p95 latency per kind and overall, the server's RSS before the first request and after the last,
and the preview cache's size.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _request(url: str, *, data: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    except (OSError, urllib.error.URLError) as e:
        status = f"{type(e).__name__}: {e}"
    return status, time.perf_counter() - t


def _oversized(port: int, path: str, token: str):
    """A write that declares a 300 MB body and sends its first 64 KB: the answer must come
    before the rest is sent (a server that reads the whole body first never answers)."""
    import socket

    t = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(
                (
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    f"X-Studio-Token: {token}\r\nContent-Type: application/json\r\n"
                    "Content-Length: 300000000\r\nConnection: close\r\n\r\n"
                ).encode()
                + b" " * (64 << 10)
            )
            head = s.recv(64)
        status = int(head.split()[1]) if head.startswith(b"HTTP/1.1 ") else head[:40]
    except OSError as e:
        status = f"{type(e).__name__}: {e}"
    return status, time.perf_counter() - t


def _make_song(tmp: Path) -> Path:
    from tests.produce.conftest import MINOR_3_4, approve, make_song

    from chromatic.produce.phases.bass import run_bass
    from chromatic.produce.phases.drums import run_drums

    song = make_song(MINOR_3_4, tmp / "lib" / "song")
    run_drums(song, n=8, top=3, seed=3)
    approve(song, "drums")
    run_bass(song, n=8, top=3, seed=3)
    return song.root


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    from chromatic.produce.review import read_review

    with tempfile.TemporaryDirectory() as tmp:
        root = _make_song(Path(tmp))
        ids = {
            ph: [c.id for c in read_review(root / ph / "review.yml").candidates]
            for ph in ("chords", "drums", "bass")
        }
        import chromatic  # the server runs the same sources (PYTHONPATH=<main>/src: the baseline)

        src = str(Path(chromatic.__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": src, "HF_HUB_OFFLINE": "1"}
        port = 18000 + os.getpid() % 1000
        server = subprocess.Popen(
            [sys.executable, "-m", "chromatic", "studio", str(root), "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        line = server.stdout.readline()
        token = re.search(r"token=(\S+)", line).group(1)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            if _request(f"{base}/api/songs")[0] == 200:
                break
            time.sleep(0.1)
        rss_before = _rss_mb(server.pid)
        song = f"{base}/api/songs/{root.name}"
        write = {"X-Studio-Token": token, "Content-Type": "application/json"}
        first = [f"{song}/phases/bass/candidates/{c}/preview.wav" for c in ids["bass"]]
        reads = [("song", song, 200)]
        for ph, cids in ids.items():
            reads.append(("phase", f"{song}/phases/{ph}", 200))
            for c in cids:
                reads.append(("roll", f"{song}/phases/{ph}/candidates/{c}/roll", 200))
                if ph != "chords":
                    reads.append(("preview", f"{song}/phases/{ph}/candidates/{c}/preview.wav", 200))
        reads.append(("arrangement", f"{song}/arrangement/roll", 404))
        lat: dict[str, list[float]] = {}
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + seconds
        barrier = threading.Barrier(clients)

        def record(kind: str, status, expected: int, took: float, url: str) -> None:
            with lock:
                lat.setdefault(kind, []).append(took)
                if status != expected:
                    errors.append(f"{kind} {url.replace(base, '')}: {status} (expected {expected})")

        def client(k: int) -> None:
            barrier.wait()  # every client's first request is a cold preview, at once
            url = first[k % len(first)]
            status, took = _request(url)
            record("first preview", status, 200, took, url)
            i = k
            while time.monotonic() < stop:
                kind, url, expected = reads[i % len(reads)]
                status, took = _request(url)
                record(kind, status, expected, took, url)
                if i % 17 == 0:
                    status, took = _oversized(port, f"/api/songs/{root.name}/plan", token)
                    record("oversized body", status, 413, took, "POST plan")
                if i % 23 == 0:
                    deep = b"[" * 100_000 + b"]" * 100_000
                    url = f"{song}/phases/bass/decide"
                    status, took = _request(url, data=deep, headers=write)
                    record("deep JSON", status, 400, took, "POST decide")
                i += 1

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        rss_after = _rss_mb(server.pid)
        server.terminate()
        server.wait(10)
        cache = root / ".studio" / "previews"
        cached = sum(p.stat().st_size for p in cache.iterdir()) / 1e6 if cache.is_dir() else 0.0

    every = [x for v in lat.values() for x in v]
    print(f"sources: {src}")
    print(f"studio load: {clients} clients, {wall:.1f} s, {len(every)} requests, cold start")
    print(f"{'kind':<16}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, xs in sorted(lat.items()):
        q = statistics.quantiles(xs, n=20) if len(xs) >= 2 else [xs[0]] * 19
        print(f"{kind:<16}{len(xs):>6}{1000 * statistics.median(xs):>10.1f}{1000 * q[18]:>10.1f}")
    q = statistics.quantiles(every, n=20)
    print(
        f"{'all':<16}{len(every):>6}{1000 * statistics.median(every):>10.1f}{1000 * q[18]:>10.1f}"
    )
    print(f"errors: {len(errors)}")
    for e in errors[:20]:
        print(f"  {e}")
    print(f"server RSS: {rss_before:.0f} MB before, {rss_after:.0f} MB after")
    print(f"preview cache: {cached:.1f} MB")


if __name__ == "__main__":
    main()
