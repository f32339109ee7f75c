"""A small DATA folder with embeddings: four example songs (two Red, two Green) trimmed to
12 s, so a song-grouped split exists. Built once per session."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES

SONGS = ["02_90", "02_91", "05_90", "05_91"]


@pytest.fixture(scope="session")
def embedded_data(tmp_path_factory):
    from chromatic.catalog.segments import build_segments
    from chromatic.catalog.synth import synth_catalog
    from chromatic.catalog.tracks import build_tracks
    from chromatic.embed.run import embed_segments

    root = tmp_path_factory.mktemp("model_data")
    catalog, data = root / "catalog", root / "data"
    res = synth_catalog(EXAMPLES / "catalog", catalog, songs=SONGS, max_seconds=12, workers=1, progress=False)
    assert not res.failed
    build_tracks(catalog, data)
    build_segments(catalog, data, workers=1, progress=False)
    embed_segments(data, progress=False)
    return data
