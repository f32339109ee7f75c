"""A small built data folder (tracks, segments, media) shared by the verify and export tests.

Three example songs of three colors, synthesized and trimmed to 15 s: 01_90 (Black, with LRC,
three segments) and 05_90 / 07_90 (Green / Indigo, no LRC, two segments each, so they are the
"fewer than 3 segments" songs). Built once per test session; tests that change files work on a
copy (``copy_data``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SONGS = ["01_90", "05_90", "07_90"]
#: plus a second Green song: a color with two songs, so the song-grouped split has a validation side
SPLIT_SONGS = [*SONGS, "05_91"]
_BUILT: dict[tuple[Path, tuple[str, ...]], Path] = {}


def built_data(tmp_path_factory, songs: list[str] = SONGS) -> Path:
    """DATA folder of the songs (its tracks table points at the synthesized catalog)."""
    from chromatic.catalog.tracks import build_tracks
    from chromatic.segments.build import build_segments
    from chromatic.synth.catalog import synth_catalog

    base = tmp_path_factory.getbasetemp()
    key = (base, tuple(songs))
    if key not in _BUILT:
        root = tmp_path_factory.mktemp("segdata")
        catalog, data = root / "catalog", root / "data"
        res = synth_catalog(
            EXAMPLES / "catalog", catalog, songs=songs, max_seconds=15, workers=1, progress=False
        )
        assert not res.failed, res.failed
        build_tracks(catalog, data)
        seg = build_segments(catalog, data, workers=1, progress=False)
        assert seg.rows and not seg.failed and not seg.problems, (seg.failed, seg.problems)
        _BUILT[key] = data
    return _BUILT[key]


def copy_data(data: Path, dest: Path) -> Path:
    """A copy of DATA to modify (its tracks table still points at the same catalog)."""
    shutil.copytree(data, dest)
    return dest
