"""``chromatic segments build``: the segments table and the aligned media.

Layout of DATA:

- ``segments.parquet``: one row per (segment, track), id ``{song}_seg_{NNNN}_track_{NN}``.
- ``media/{song}.parquet``: the media of one song's rows (FLAC audio bytes, MIDI bytes), so a
  reader streams one song at a time.
- ``segments/parts/{song}.parquet``: the per-song rows, the resume marker. A song is done when
  its part exists with the build key it was made with (manifest, LRC, settings, version); a
  killed run, rerun, redoes only the songs without a matching part and then assembles
  ``segments.parquet`` from the parts, giving the same bytes as an uninterrupted run.
- ``segments_report.json``: counts and every per-track problem (a corrupt WAV or MIDI is
  reported and the rest of the song is built).

Songs run in parallel worker processes, one song at a time per worker; a worker returns only a
small summary, so memory stays flat however large the catalog.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from chromatic import __version__
from chromatic.catalog.tracks import TRACKS_FILE, require_fresh
from chromatic.errors import CatalogError, ChromaticError
from chromatic.fileio import atomic_path, sha256_file, write_text_atomic
from chromatic.segments.inputs import (
    clean_stale_temps,
)
from chromatic.segments.schema import SEGMENT_SCHEMA
from chromatic.segments.song import (  # noqa: F401 (re-exported: importable from segments.build)
    BUILD_FORMAT,
    MEDIA_DIR,
    PARTS_DIR,
    REPORT_FILE,
    SEGMENTS_FILE,
    SegmentSettings,
    SongResult,
    build_song,
    read_media,
    segment_id,
)


@dataclass
class SegmentsBuild:
    path: Path
    rows: int
    songs: int
    built: list[str]
    resumed: list[str]
    dropped_silent: int
    audio_seconds: float
    problems: list[dict]
    failed: dict[str, str]


def _song_weight(catalog: Path, rows: list[dict]) -> int:
    """Bytes of media a song will read: a proxy for how long it takes."""
    total = 0
    for r in rows:
        for name in (r["audio_file"], r["midi_file"] or r["midi_group_file"]):
            p = catalog / r["song_id"] / name if name else None
            if p is not None and p.is_file():
                total += p.stat().st_size
    return total


def _song_rows(tracks_path: Path) -> dict[str, list[dict]]:
    rows = pq.read_table(
        tracks_path,
        columns=[
            "song_id",
            "track_id",
            "title",
            "color",
            "color_mnemonic",
            "temporal_mode",
            "spatial_mode",
            "ontological_mode",
            "bpm",
            "key",
            "time_signature",
            "concept",
            "track_description",
            "audio_file",
            "midi_file",
            "midi_group_file",
            "manifest_path",
        ],
    ).to_pylist()
    by_song: dict[str, list[dict]] = {}
    for r in rows:
        by_song.setdefault(r["song_id"], []).append(r)
    return by_song


def build_segments(
    catalog_dir: str | Path,
    data_dir: str | Path,
    *,
    settings: SegmentSettings | None = None,
    songs: list[str] | None = None,
    workers: int | None = None,
    progress: bool = True,
    ray: str | None = None,
) -> SegmentsBuild:
    """Build segments for every song of the tracks table (refusing a stale one). With ``ray``
    (a cluster address, or "local" for a local cluster) each song is a Ray task
    (``chromatic.cluster``); the tables written are the same."""
    from rich.progress import Progress

    catalog, data = Path(catalog_dir), Path(data_dir)
    settings = settings or SegmentSettings()
    tracks_path = data / TRACKS_FILE
    if not tracks_path.is_file():
        raise CatalogError(
            f"{tracks_path} not found; run 'chromatic catalog build {catalog} --data {data}' first"
        )
    require_fresh(tracks_path, catalog)
    clean_stale_temps(data, MEDIA_DIR, PARTS_DIR)
    by_song = _song_rows(tracks_path)
    if songs:
        unknown = sorted(set(songs) - set(by_song))
        if unknown:
            raise CatalogError(f"song(s) not in {tracks_path}: {', '.join(unknown)}")
        by_song = {s: by_song[s] for s in songs}
    order = sorted(by_song)
    results: dict[str, SongResult] = {}
    failed: dict[str, str] = {}
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(order)))
    with Progress(disable=not progress, transient=False) as bar:
        task = bar.add_task("segmenting songs", total=len(order))

        def done(song: str, fn) -> None:
            try:
                results[song] = fn()
            except ChromaticError as e:
                failed[song] = str(e)
            except Exception as e:  # one bad song never stops the rest
                failed[song] = f"{type(e).__name__}: {e}"
            bar.advance(task)

        if ray is not None:
            from chromatic.cluster import ray_session, run_tasks

            def finished(song: str, res: SongResult | None, err: BaseException | None) -> None:
                def get() -> SongResult:
                    if err is not None:
                        raise err
                    return res  # type: ignore[return-value]

                done(song, get)

            big_first = sorted(order, key=lambda s: -_song_weight(catalog, by_song[s]))
            jobs = ((s, (catalog, data, s, by_song[s], settings)) for s in big_first)
            with ray_session(ray, num_cpus=workers) as cluster:
                run_tasks(cluster, build_song, jobs, on_done=finished)
        elif n_workers == 1:
            for song in order:
                done(
                    song, lambda song=song: build_song(catalog, data, song, by_song[song], settings)
                )
        else:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(n_workers, mp_context=ctx) as pool:
                # biggest songs first, so no worker is left with a long song at the end
                big_first = sorted(order, key=lambda s: -_song_weight(catalog, by_song[s]))
                futs = {
                    pool.submit(build_song, catalog, data, s, by_song[s], settings): s
                    for s in big_first
                }
                for fut in as_completed(futs):
                    done(futs[fut], fut.result)
    if failed and not results:
        # a failed run never replaces good output: segments.parquet keeps what it held
        report = {
            "rows": None,
            "songs": None,
            "problems": [],
            "failed": failed,
            "per_song": {
                s: {"rows": r.rows, "dropped_silent": r.dropped_silent, "resumed": r.skipped}
                for s, r in sorted(results.items())
            },
        }
        write_text_atomic(data / REPORT_FILE, json.dumps(report, indent=2, sort_keys=True))
        first = sorted(failed)[0]
        raise CatalogError(
            f"every song failed ({len(failed)}; first: {first}: {failed[first]}); "
            f"{data / SEGMENTS_FILE} was not rewritten"
        )
    # assemble the table from the parts of every song of the tracks table, in song order
    all_songs = sorted(_song_rows(tracks_path)) if songs else order
    # a failed song's old part was made with other inputs or settings: never mixed in
    parts = [
        data / PARTS_DIR / f"{s}.parquet"
        for s in all_songs
        if s not in failed and (data / PARTS_DIR / f"{s}.parquet").is_file()
    ]
    problems: list[dict] = []
    tables = []
    for p in parts:
        t = pq.read_table(p)
        problems += json.loads((t.schema.metadata or {}).get(b"chromatic.problems", b"[]"))
        tables.append(t.replace_schema_metadata(None))
    table = pa.concat_tables(tables) if tables else SEGMENT_SCHEMA.empty_table()
    meta = {
        "version": __version__,
        "build_format": BUILD_FORMAT,
        "settings": settings.to_dict(),
        "tracks_sha256": sha256_file(tracks_path),
        "songs": len(parts),
    }
    table = table.replace_schema_metadata(
        {b"chromatic.segments": json.dumps(meta, sort_keys=True).encode()}
    )
    out = data / SEGMENTS_FILE
    with atomic_path(out) as tmp:
        pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 16)
    report = {
        "rows": table.num_rows,
        "songs": len(parts),
        "problems": problems,
        "failed": failed,
        "per_song": {
            s: {"rows": r.rows, "dropped_silent": r.dropped_silent, "resumed": r.skipped}
            for s, r in sorted(results.items())
        },
    }
    write_text_atomic(data / REPORT_FILE, json.dumps(report, indent=2, sort_keys=True))
    return SegmentsBuild(
        path=out,
        rows=table.num_rows,
        songs=len(parts),
        built=sorted(s for s, r in results.items() if not r.skipped),
        resumed=sorted(s for s, r in results.items() if r.skipped),
        dropped_silent=sum(r.dropped_silent for r in results.values()),
        audio_seconds=sum(r.audio_seconds for r in results.values()),
        problems=problems,
        failed=failed,
    )
