"""Segments benchmark: audio seconds processed per wall second, serial vs parallel, and peak
memory for 4 songs vs 8 songs (it must stay flat: songs are streamed, never all held); with Ray
installed, the same build on a local Ray cluster of 1 and 2 CPUs (``--ray``), its cluster start
timed apart from the build, so Ray's own overhead shows.

    .venv/bin/python benchmarks/segments.py [--real | --songs-dir DIR] [--no-ray]

By default it synthesizes the example catalog into a temp folder first (not timed). Every
build runs in a fresh process so its peak RSS (its own and its workers') is measured alone.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from chromatic.segments.build import build_segments
catalog, data, workers, songs, mode = sys.argv[1:6]
workers, songs = int(workers), songs.split(",") if songs else None
init = 0.0
if mode == "ray":
    import ray
    t = time.perf_counter()
    ray.init(address="local", num_cpus=workers, _node_ip_address="127.0.0.1",
             include_dashboard=False, log_to_driver=False)
    init = time.perf_counter() - t
t = time.perf_counter()
res = build_segments(catalog, data, workers=workers, songs=songs, progress=False,
                     ray="local" if mode == "ray" else None)
wall = time.perf_counter() - t
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "init": init, "audio_seconds": res.audio_seconds, "rows": res.rows, "rss_mb": max(me, kids) / 1024}))
"""


def run(
    catalog: Path, work: Path, workers: int, songs: list[str] | None, mode: str = "local"
) -> dict:
    data = Path(tempfile.mkdtemp(dir=work))
    shutil.copy(work / "tracks.parquet", data / "tracks.parquet")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(catalog),
            str(data),
            str(workers),
            ",".join(songs or []),
            mode,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    shutil.rmtree(data)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--songs-dir", type=Path, help="an already synthesized catalog")
    ap.add_argument(
        "--real",
        action="store_true",
        help="synthesize 8 real-catalog songs (one per album, 90 s each, ~20 stems) instead of the example catalog",
    )
    ap.add_argument("--no-ray", action="store_true", help="skip the Ray rows")
    args = ap.parse_args()
    from chromatic.catalog.tracks import build_tracks
    from chromatic.synth.catalog import synth_catalog

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        catalog = args.songs_dir
        if catalog is None:
            catalog = work / "catalog"
            if args.real:
                real = REPO.parent / "shared" / "real" / "catalog"
                songs = ["01_01", "02_03", "03_04", "04_02", "05_01", "06_05", "07_03", "08_02"]
                synth_catalog(real, catalog, songs=songs, max_seconds=90, progress=False)
            else:
                synth_catalog(REPO / "examples" / "catalog", catalog, progress=False)
        build_tracks(catalog, work)
        songs = sorted(p.name for p in catalog.iterdir() if p.is_dir())
        serial = run(catalog, work, 1, None)
        parallel = run(catalog, work, 2, None)
        print(
            f"segments build on {len(songs)} songs, {serial['rows']} rows, {serial['audio_seconds']:.0f} s of track audio"
        )
        for name, r in (("serial (1 worker)", serial), ("parallel (2 workers)", parallel)):
            print(
                f"  {name:22s} {r['wall']:6.2f} s  {r['audio_seconds'] / r['wall']:8.0f} audio s per wall s"
            )
        print(f"  parallel / serial speed-up: {serial['wall'] / parallel['wall']:.2f}x")
        if not args.no_ray and importlib.util.find_spec("ray") is not None:
            for n, local in ((1, serial), (2, parallel)):
                r = run(catalog, work, n, None, "ray")
                print(
                    f"  {f'ray ({n} CPU cluster)':22s} {r['wall']:6.2f} s  "
                    f"{r['audio_seconds'] / r['wall']:8.0f} audio s per wall s  "
                    f"(+ {r['init']:.1f} s to start the cluster; build {r['wall'] - local['wall']:+.2f} s "
                    f"vs the local path with {n} worker{'s' if n > 1 else ''})"
                )
        four = run(catalog, work, 2, songs[:4])
        eight = run(catalog, work, 2, songs[:8])
        print(
            f"peak RSS (largest process), 2 workers: 4 songs {four['rss_mb']:.0f} MB, 8 songs {eight['rss_mb']:.0f} MB "
            f"(ratio {eight['rss_mb'] / four['rss_mb']:.2f})"
        )


if __name__ == "__main__":
    main()
