"""Studio benchmark: how long a candidate's preview takes to start, through the studio's HTTP
API, on a real production folder made by the project's own steps (Green proposal: G minor,
3/4, 68 bpm; chords and drums approved, bass generated).

    .venv/bin/python benchmarks/studio_preview.py [CANDIDATES]

Per bass candidate (an 8-bar loop heard over the section's approved chords and drums): the
cold request (build the context, render with the project's renderer, write the cache) and the
cached request, and the audio length, so the render speed is printed beside real time. The goal
is a cold start under 1 s on 2 cores.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    from starlette.testclient import TestClient
    from tests.produce.conftest import MINOR_3_4, approve, make_song

    from chromatic.music.render import choose_renderer
    from chromatic.produce.phases.bass import run_bass
    from chromatic.produce.phases.drums import run_drums
    from chromatic.studio.app import Studio, create_app

    with tempfile.TemporaryDirectory() as tmp:
        song = make_song(MINOR_3_4, Path(tmp))
        run_drums(song, n=8, top=3, seed=3)
        approve(song, "drums")
        run_bass(song, n=8, top=3, seed=3)
        client = TestClient(create_app(Studio(song.root)), base_url="http://127.0.0.1")
        name = song.root.name
        ids = [c["id"] for c in client.get(f"/api/songs/{name}/phases/bass").json()["candidates"]]
        cold, warm, lengths = [], [], []
        for cid in ids[:count]:
            url = f"/api/songs/{name}/phases/bass/candidates/{cid}/preview.wav"
            roll = client.get(f"/api/songs/{name}/phases/bass/candidates/{cid}/roll").json()
            t = time.perf_counter()
            r = client.get(url)
            cold.append(time.perf_counter() - t)
            assert r.headers["x-studio-cache"] == "miss"
            t = time.perf_counter()
            r = client.get(url)
            warm.append(time.perf_counter() - t)
            lengths.append(roll["seconds"])
        print(f"renderer {choose_renderer()}; {len(cold)} bass candidates with chords + drums")
        print(f"  audio per preview   {statistics.median(lengths):6.1f} s (median)")
        print(
            f"  cold start          {statistics.median(cold) * 1000:6.0f} ms median, "
            f"{max(cold) * 1000:.0f} ms max  (goal < 1000 ms)"
        )
        print(
            f"  cached              {statistics.median(warm) * 1000:6.0f} ms median, "
            f"{max(warm) * 1000:.0f} ms max"
        )
        speed = statistics.median(lengths) / statistics.median(cold)
        print(f"  render speed        {speed:6.0f}x real time")


if __name__ == "__main__":
    main()
