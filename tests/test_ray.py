"""`segments build --ray` and `embed --ray` on a local Ray cluster started here (127.0.0.1, two
CPUs): the same tables, byte for byte, as the local path; resumable and cached as it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ray = pytest.importorskip("ray")

from chromatic.embed.run import EMBEDDINGS_FILE, embed_segments  # noqa: E402
from chromatic.segments.build import MEDIA_DIR, SEGMENTS_FILE, build_segments  # noqa: E402
from tests.dataset.segdata import built_data  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    """A local cluster on 127.0.0.1 with two CPUs; its GCS address for other drivers."""
    assert not ray.is_initialized()
    ctx = ray.init(
        address="local",
        num_cpus=2,
        _node_ip_address="127.0.0.1",
        include_dashboard=False,
        log_to_driver=False,
    )
    yield ctx.address_info["gcs_address"]
    ray.shutdown()


def _same_files(a: Path, b: Path, names: list[str]) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def _media(data: Path) -> list[str]:
    return sorted(f"{MEDIA_DIR}/{p.name}" for p in (data / MEDIA_DIR).glob("*.parquet"))


def test_segments_build_on_ray_writes_the_same_bytes(cluster, tmp_path_factory, tmp_path):
    local = built_data(tmp_path_factory)
    catalog = local.parent / "catalog"
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(local / "tracks.parquet", data / "tracks.parquet")
    res = build_segments(catalog, data, ray="local", progress=False)
    assert res.rows and not res.failed and sorted(res.built) == ["01_90", "05_90", "07_90"]
    assert _media(data) == _media(local)
    _same_files(local, data, [SEGMENTS_FILE, "segments_report.json", *_media(local)])
    # resumable as the local path: a rerun builds nothing and writes the same table
    (data / "segments" / "parts" / "05_90.parquet").unlink()
    again = build_segments(catalog, data, ray="local", progress=False)
    assert again.built == ["05_90"] and sorted(again.resumed) == ["01_90", "07_90"]
    _same_files(local, data, [SEGMENTS_FILE, *_media(local)])


def test_a_failing_song_on_ray_is_reported_like_the_local_path(cluster, tmp_path_factory, tmp_path):
    local = built_data(tmp_path_factory)
    catalog = tmp_path / "catalog"
    shutil.copytree(local.parent / "catalog", catalog)
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(local / "tracks.parquet", data / "tracks.parquet")
    lrc = catalog / "01_90" / "01_90.lrc"
    lrc.write_text("[00:05.00]a line\n[00:03.00]going back in time\n" * 3)
    from chromatic.catalog.tracks import build_tracks

    build_tracks(catalog, data)
    res = build_segments(catalog, data, ray="local", songs=["01_90", "07_90"], progress=False)
    assert list(res.failed) == ["01_90"] and "01_90.lrc" in res.failed["01_90"]
    assert res.built == ["07_90"]


def _copy_segments(src: Path, dest: Path, songs=("02_91", "05_90")) -> Path:
    """Two songs' rows and media (a short test), the segments metadata kept."""
    import pyarrow.compute as pc

    (dest / MEDIA_DIR).mkdir(parents=True)
    shutil.copy(src / "tracks.parquet", dest / "tracks.parquet")
    t = pq.read_table(src / SEGMENTS_FILE)
    pq.write_table(t.filter(pc.is_in(t.column("song_id"), pa.array(songs))), dest / SEGMENTS_FILE)
    for s in songs:
        shutil.copy(src / MEDIA_DIR / f"{s}.parquet", dest / MEDIA_DIR / f"{s}.parquet")
    return dest


def test_embed_on_ray_writes_the_same_table_and_caches(cluster, embedded_data, tmp_path):
    """Chunks of 8 (so several chunks over two actors) here and on Ray: the same bytes."""
    here = _copy_segments(embedded_data, tmp_path / "here")
    embed_segments(here, batch_size=8, progress=False)
    data = _copy_segments(embedded_data, tmp_path / "data")
    res = embed_segments(data, ray="local", workers=2, batch_size=8, progress=False)
    assert res.encoded["audio"] > 8 and res.encoded["text"] > 0
    a = pq.read_table(data / EMBEDDINGS_FILE)
    b = pq.read_table(here / EMBEDDINGS_FILE)
    for col in a.column_names:
        assert a.column(col).equals(b.column(col)), col  # same rows, same vectors, bit for bit
    assert a.schema.metadata == b.schema.metadata
    assert (data / EMBEDDINGS_FILE).read_bytes() == (here / EMBEDDINGS_FILE).read_bytes()
    again = embed_segments(data, ray="local", workers=1, progress=False)
    assert again.encoded == {"text": 0, "audio": 0}  # cached as the local path caches
    assert pq.read_table(data / EMBEDDINGS_FILE).equals(b)


def test_cli_joins_a_running_cluster_by_address(cluster, tmp_path_factory, tmp_path):
    local = built_data(tmp_path_factory)
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(local / "tracks.parquet", data / "tracks.parquet")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "chromatic", "segments", "build", str(local.parent / "catalog")]
    out = subprocess.run(
        [*cmd, "--data", str(data), "--songs", "05_90", "--ray", cluster],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "1 built" in out.stdout
    assert (data / MEDIA_DIR / "05_90.parquet").read_bytes() == (
        local / MEDIA_DIR / "05_90.parquet"
    ).read_bytes()


def test_bare_ray_means_a_local_cluster():
    from chromatic.cli import _bare_ray

    assert _bare_ray(["embed", "--data", "D", "--ray"]) == [
        "embed",
        "--data",
        "D",
        "--ray",
        "local",
    ]
    assert _bare_ray(["embed", "--ray", "--data", "D"])[:3] == ["embed", "--ray", "local"]
    assert _bare_ray(["embed", "--ray", "10.0.0.1:6379"]) == ["embed", "--ray", "10.0.0.1:6379"]
