from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from chromatic.catalog.tracks import (
    TRACKS_FILE,
    build_tracks,
    read_build_meta,
    require_fresh,
    tracks_staleness,
)
from chromatic.cli import main
from chromatic.errors import CatalogError
from chromatic.taxonomy import parse_color


def test_real_catalog_table(real_catalog, tmp_path):
    res = build_tracks(real_catalog, tmp_path)
    assert (res.rows, res.songs, res.colors) == (1327, 84, 8)
    t = pq.read_table(tmp_path / TRACKS_FILE).to_pylist()
    keys = [(r["song_id"], r["track_id"]) for r in t]
    assert len(set(keys)) == len(keys) == 1327
    for r in t:  # modes expanded from the canonical table, never from elsewhere
        c = parse_color(r["color_mnemonic"])
        assert r["color"] == c.name
        assert r["temporal_mode"] == ("+".join(c.temporal) or None)
        assert r["ontological_mode"] == ("+".join(c.ontological) or None)
    with_lyrics = {r["song_id"] for r in t if r["lyrics_text"]}
    assert len(with_lyrics) == 69
    assert sum(1 for r in t if r["midi_file"] or r["midi_group_file"]) > 400
    meta = read_build_meta(tmp_path / TRACKS_FILE)
    assert len(meta["manifests"]) == 84


def test_strict_build_writes_nothing_on_error(real_catalog, tmp_path, capsys):
    out = tmp_path / "data"
    rc = main(["catalog", "build", str(real_catalog), "--data", str(out), "--strict"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "01_07.yml: structure[6].end_time" in err
    assert not out.exists() or not any(out.iterdir())


@pytest.fixture
def catalog(tmp_path, real_catalog):
    root = tmp_path / "catalog"
    for song in ("02_01", "05_03", "08_01"):
        shutil.copytree(real_catalog / song, root / song)
    return root


def test_bad_song_left_out_rest_built(catalog, tmp_path):
    (catalog / "05_03" / "05_03.yml").write_text("bpm: [\n")
    res = build_tracks(catalog, tmp_path / "d")
    assert res.skipped == ["05_03"]
    assert res.songs == 2


def test_duplicate_keys_are_refused(catalog, tmp_path):
    # the same song staged twice under two folders: duplicate (song, track) keys
    shutil.copytree(catalog / "08_01", catalog / "08_99")
    (catalog / "08_99" / "08_01.yml").rename(catalog / "08_99" / "08_99.yml")
    res = build_tracks(catalog, tmp_path / "d")
    assert "08_99" in res.skipped  # manifest_id '08_01' in folder 08_99: refused, reported
    t = pq.read_table(tmp_path / "d" / TRACKS_FILE).to_pylist()
    keys = [(r["song_id"], r["track_id"]) for r in t]
    assert len(keys) == len(set(keys))
    with pytest.raises(CatalogError, match="strict"):
        build_tracks(catalog, tmp_path / "strict", strict=True)


def test_staleness_detected_after_manifest_edit(catalog, tmp_path):
    data = tmp_path / "d"
    build_tracks(catalog, data)
    require_fresh(data / TRACKS_FILE, catalog)
    path = catalog / "02_01" / "02_01.yml"
    path.write_text(path.read_text().replace("title:", "title: Renamed -", 1))
    st = tracks_staleness(data / TRACKS_FILE, catalog)
    assert st.changed == ["02_01"] and st.stale
    with pytest.raises(CatalogError, match=r"stale.*02_01"):
        require_fresh(data / TRACKS_FILE, catalog)
    res = build_tracks(catalog, data)
    assert res.changed_since_last == ["02_01"]
    require_fresh(data / TRACKS_FILE, catalog)


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("title: Huayrachina", "title: TK", "title"),
        (
            "end_time: '[01:13.124]'",
            "end_time: '[00:10.000]'\n  - section_name: Overlap\n    start_time: '[00:05.000]'\n    end_time: '[01:13.124]'",
            "structure[1].start_time",
        ),
        ("genres:", "genres: [unclosed", "line"),
    ],
)
def test_strict_build_of_a_broken_copy(catalog, tmp_path, capsys, old, new, field):
    path = catalog / "05_03" / "05_03.yml"
    path.write_text(path.read_text().replace(old, new, 1))
    out = tmp_path / "data"
    rc = main(["catalog", "build", str(catalog), "--data", str(out), "--strict", "--no-media"])
    captured = capsys.readouterr()
    err_line = [ln for ln in captured.err.splitlines() if ln.startswith("error:")]
    assert rc == 1 and len(err_line) == 1
    assert "05_03.yml" in err_line[0] and field in err_line[0]
    assert not (out / TRACKS_FILE).exists()
    # the other songs are still in the report (non-strict build writes them)
    res = build_tracks(catalog, tmp_path / "lenient", check_media=False)
    assert {"02_01", "08_01"} <= {r for r in pq.read_table(res.path).column("song_id").to_pylist()}
