"""What ``segments build`` checks before it trusts its inputs: settings no song could be cut
with, temp files a killed run left behind, audio that is not usable audio."""

from __future__ import annotations

import math
from pathlib import Path

from chromatic.errors import CatalogError, ChromaticError


def check_settings(snap: float, max_seconds: float, overlap: float) -> None:
    """Refuse settings no song could be segmented with (one line naming the option)."""
    for name, v in (("--snap", snap), ("--max-seconds", max_seconds), ("--overlap", overlap)):
        if not math.isfinite(v):
            raise CatalogError(f"{name}: expected a finite number of seconds, got {v}")
    if snap < 0:
        raise CatalogError(f"--snap: expected seconds >= 0, got {snap}")
    if max_seconds <= 0:
        raise CatalogError(f"--max-seconds: expected seconds > 0, got {max_seconds}")
    if overlap < 0 or overlap >= max_seconds:
        raise CatalogError(
            f"--overlap: expected seconds >= 0 and below --max-seconds ({max_seconds}), got {overlap}"
        )


def clean_stale_temps(data: Path, media_dir: str, parts_dir: str) -> list[Path]:
    """Remove the ``.NAME.parquet.*.tmp`` files a killed build left beside its outputs."""
    removed = []
    for folder in (data, data / media_dir, data / parts_dir):
        if not folder.is_dir():
            continue
        for p in folder.glob(".*.parquet.*.tmp"):
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed


MIN_SAMPLE_RATE = 8000
MAX_PEAK = 1.0


def audio_problem(handle) -> str | None:
    """Why an open audio file cannot be segmented as it is, or None: a sample rate too low to
    be audio, no frames, NaN or infinite samples, float samples beyond full scale (which the
    FLAC media would clip). Reads the file once, in blocks."""
    import numpy as np

    if handle.samplerate < MIN_SAMPLE_RATE:
        return f"sample rate {handle.samplerate} Hz; expected at least {MIN_SAMPLE_RATE} Hz"
    if handle.frames <= 0:
        return "no audio frames (an empty file)"
    peak = 0.0
    handle.seek(0)
    for block in handle.blocks(blocksize=1 << 16, dtype="float32", always_2d=True):
        if not np.isfinite(block).all():
            kind = "NaN" if np.isnan(block).any() else "infinite"
            return f"holds {kind} samples; expected finite audio"
        peak = max(peak, float(np.abs(block).max(initial=0.0)))
    handle.seek(0)
    if peak > MAX_PEAK:
        return f"float samples peak at {peak:.3g}, beyond full scale 1.0; expected audio within [-1, 1] (it would be clipped)"
    return None


def require_segments_fresh(
    data_dir: str | Path, error: type[ChromaticError] = CatalogError
) -> None:
    """Refuse segments built from another tracks table than the one in DATA now (the table was
    rebuilt since: a manifest, an LRC or media changed)."""
    import json

    import pyarrow.parquet as pq

    from chromatic.catalog.tracks import TRACKS_FILE
    from chromatic.fileio import sha256_file

    data = Path(data_dir)
    seg, tracks = data / "segments.parquet", data / TRACKS_FILE
    if not seg.is_file() or not tracks.is_file():
        return
    raw = (pq.read_schema(seg).metadata or {}).get(b"chromatic.segments")
    recorded = json.loads(raw).get("tracks_sha256") if raw else None
    if recorded is None:
        return  # not written by 'segments build': nothing to compare
    if recorded != sha256_file(tracks):
        raise error(
            f"{seg} is stale: {tracks} was rebuilt after it (tracks table changed); "
            "run 'chromatic segments build' again",
            path=seg,
        )
