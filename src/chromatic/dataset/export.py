"""``chromatic dataset export``: the built data as a Hugging Face dataset folder.

Configs, one folder of parquet files each, loadable with
``datasets.load_dataset("parquet", data_dir=OUT/<config>)`` or, once pushed, by config name:

- ``base_manifest``: the tracks table (one row per audio track, song fields repeated).
- ``training_segments``: the segment rows, without media (light: for text and metadata work).
- ``training_full``: the segment rows with their media (``audio``: the ``datasets`` Audio
  feature holding FLAC bytes; ``midi``: MIDI bytes), written one song at a time through a
  ParquetWriter, so memory holds one song's media at most.
- ``preview``: up to ``PREVIEW_PER_COLOR`` segments with audio per color, with their media,
  picked by a hash of the segment id: deterministic, yet spread over songs and sections.

Each config has the named splits ``train`` and ``validation``: the song-grouped split of training
(``splits.py``), recorded in ``splits.json``. Plus ``README.md``, the dataset card (``card.py``). Everything is written into a
staging folder beside OUT and then renamed into place folder by folder, so a failed export
never leaves a half-written config where a reader (or an upload) would take it for complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from chromatic import __version__
from chromatic.catalog.tracks import TRACKS_FILE
from chromatic.dataset.splits import (
    MEDIA_FIELDS,
    SEED,
    SPLITS,
    VAL_FRACTION,
    SongSplit,
    audio_array,
    split_songs,
    with_audio_feature,
)
from chromatic.errors import DatasetError
from chromatic.fileio import sha256_file
from chromatic.segments.build import MEDIA_DIR, SEGMENTS_FILE, read_media

CONFIGS = ("base_manifest", "training_segments", "training_full", "preview")
CARD_FILE = "README.md"
SPLITS_FILE = "splits.json"
PREVIEW_PER_COLOR = 20
#: Parquet shards of a media config roll over past this size (the Hub serves files of a few
#: hundred MB comfortably; one song is never split).
SHARD_BYTES = 500_000_000
MEDIA_ROW_GROUP = 100  # rows of media per row group: a reader can fetch a few without the rest
#: ``media_file`` points into the DATA folder, which an exported dataset does not have.
DROPPED_COLUMNS = ("media_file",)


@dataclass(frozen=True)
class ConfigSummary:
    name: str
    rows: int
    files: int
    bytes: int
    splits: tuple[tuple[str, int], ...] = ()  # (split, rows) in SPLITS order

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "rows": self.rows,
            "files": self.files,
            "bytes": self.bytes,
            "splits": dict(self.splits),
        }


@dataclass
class ExportResult:
    out: Path
    configs: list[ConfigSummary]
    card: Path
    split: SongSplit

    def config(self, name: str) -> ConfigSummary:
        return next(c for c in self.configs if c.name == name)


def preview_ids(rows: Iterable[Mapping], per_color: int = PREVIEW_PER_COLOR) -> set[str]:
    """Up to ``per_color`` segment ids with audio per color, first by sha256 of the id."""
    by_color: dict[str, list[str]] = {}
    for r in rows:
        if r["has_audio"]:
            by_color.setdefault(r["color"], []).append(r["segment_id"])
    out: set[str] = set()
    for ids in by_color.values():
        ids.sort(key=lambda s: hashlib.sha256(s.encode()).hexdigest())
        out.update(ids[:per_color])
    return out


def _export_meta(config: str) -> dict[bytes, bytes]:
    return {b"chromatic.export": json.dumps({"version": __version__, "config": config}).encode()}


def _shard_names(folder: Path, count: int, split: str) -> list[Path]:
    return [folder / f"{split}-{i:05d}-of-{count:05d}.parquet" for i in range(count)]


def _summary(name: str, folder: Path, rows: dict[str, int]) -> ConfigSummary:
    files = sorted(folder.glob("*.parquet"))
    return ConfigSummary(
        name,
        sum(rows.values()),
        len(files),
        sum(f.stat().st_size for f in files),
        tuple((s, rows.get(s, 0)) for s in SPLITS),
    )


def _in_split(table: pa.Table, split: SongSplit, name: str) -> pa.Array:
    """Mask of the rows of ``table`` whose song is in split ``name``."""
    val = pc.is_in(table.column("song_id"), pa.array(sorted(split.val_songs), pa.string()))
    return val if name == "validation" else pc.invert(val)


def write_table_config(table: pa.Table, folder: Path, name: str, split: SongSplit) -> ConfigSummary:
    """A small table as one parquet file per split."""
    folder.mkdir(parents=True)
    rows = {}
    for s in SPLITS:
        part = table.filter(_in_split(table, split, s))
        (path,) = _shard_names(folder, 1, s)
        pq.write_table(part.replace_schema_metadata(_export_meta(name)), path, compression="zstd")
        rows[s] = part.num_rows
    return _summary(name, folder, rows)


class ShardWriter:
    """Parquet files of at most about ``shard_bytes`` each, fed one table at a time."""

    def __init__(self, folder: Path, schema: pa.Schema, shard_bytes: int, split: str = "train"):
        self.folder, self.schema, self.shard_bytes = folder, schema, shard_bytes
        self.split = split
        self.paths: list[Path] = []
        self._writer: pq.ParquetWriter | None = None
        self._bytes = 0
        self.rows = 0

    def _open(self) -> None:
        self.close_current()
        path = self.folder / f".{self.split}-{len(self.paths):05d}.parquet"
        self.paths.append(path)
        self._writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self._bytes = 0

    def close_current(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def write(self, table: pa.Table) -> None:
        if self._writer is None or self._bytes >= self.shard_bytes:
            self._open()
        self._writer.write_table(table, row_group_size=MEDIA_ROW_GROUP)
        self._bytes += table.nbytes
        self.rows += table.num_rows

    def finish(self) -> None:
        """Close, and name the shards ``SPLIT-NNNNN-of-MMMMM.parquet`` now that M is known."""
        if not self.paths:  # no rows at all: one empty file keeps the config loadable
            self._open()
        self.close_current()
        names = _shard_names(self.folder, len(self.paths), self.split)
        for src, dst in zip(self.paths, names, strict=True):
            src.rename(dst)


def _with_media(data: Path, song: str, rows: pa.Table) -> pa.Table:
    """The song's segment rows with their audio and MIDI bytes appended."""
    path = data / MEDIA_DIR / f"{song}.parquet"
    if not path.is_file():
        raise DatasetError("media file not found; run 'chromatic segments build' again", path=path)
    ids = rows.column("segment_id").to_pylist()
    media = read_media(data, song, ids)
    has_audio = rows.column("has_audio").to_pylist()
    has_midi = rows.column("has_midi").to_pylist()
    for sid, audio, midi in zip(ids, has_audio, has_midi, strict=True):
        m = media.get(sid)
        if (audio and not (m and m["audio_flac"])) or (midi and not (m and m["midi"])):
            raise DatasetError(
                f"no media for segment {sid}; run 'chromatic segments build' again", path=path
            )
    flac = audio_array(ids, [media[s]["audio_flac"] if s in media else None for s in ids])
    midi = pa.array([media[s]["midi"] if s in media else None for s in ids], pa.binary())
    return rows.append_column(MEDIA_FIELDS[0], flac).append_column(MEDIA_FIELDS[1], midi)


def write_media_config(
    data: Path,
    segments: pa.Table,
    folder: Path,
    name: str,
    split: SongSplit,
    *,
    keep: set[str] | None = None,
    shard_bytes: int = SHARD_BYTES,
) -> ConfigSummary:
    """Segment rows (all, or those in ``keep``) with their media, streamed song by song into
    the shards of the song's split."""
    folder.mkdir(parents=True)
    schema = with_audio_feature(
        pa.schema([*segments.schema, *MEDIA_FIELDS]).with_metadata(_export_meta(name))
    )
    writers = {s: ShardWriter(folder, schema, shard_bytes, s) for s in SPLITS}
    kept = (
        pc.is_in(segments.column("segment_id"), pa.array(sorted(keep), pa.string()))
        if keep is not None
        else None
    )
    try:
        for song in sorted(set(segments.column("song_id").to_pylist())):
            mask = pc.equal(segments.column("song_id"), song)
            if kept is not None:
                mask = pc.and_(mask, kept)
            rows = segments.filter(mask)
            if rows.num_rows:
                writers[split.of(song)].write(_with_media(data, song, rows).cast(schema))
    finally:
        for w in writers.values():
            w.close_current()
    for w in writers.values():
        w.finish()
    return _summary(name, folder, {s: w.rows for s, w in writers.items()})


def read_built(data: Path) -> tuple[pa.Table, pa.Table]:
    """The tracks and segments tables of DATA, refusing segments built from another tracks
    table (an export would mix two builds)."""
    tracks_path, segments_path = data / TRACKS_FILE, data / SEGMENTS_FILE
    for path, step in (
        (tracks_path, "chromatic catalog build"),
        (segments_path, "chromatic segments build"),
    ):
        if not path.is_file():
            raise DatasetError(f"not found; run '{step}' first", path=path)
    segments = pq.read_table(segments_path)
    meta = json.loads((segments.schema.metadata or {}).get(b"chromatic.segments", b"{}"))
    recorded = meta.get("tracks_sha256")
    if recorded and recorded != sha256_file(tracks_path):
        raise DatasetError(
            f"built from another {TRACKS_FILE} than the one now in {data}; run 'chromatic segments build' again",
            path=segments_path,
        )
    segments = segments.drop_columns([c for c in DROPPED_COLUMNS if c in segments.column_names])
    return pq.read_table(tracks_path).replace_schema_metadata(
        None
    ), segments.replace_schema_metadata(None)


def _move_into_place(staging: Path, out: Path, names: Iterable[str]) -> None:
    """Rename each staged config (and the card) into OUT; an old one is moved into the staging
    folder first and deleted with it. Other files in OUT (a .git of a Hub clone) are left alone."""
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        src, dst = staging / name, out / name
        if dst.is_dir():
            dst.rename(staging / f".old-{name}")
        os.replace(src, dst)


def export_dataset(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    preview_per_color: int = PREVIEW_PER_COLOR,
    shard_bytes: int = SHARD_BYTES,
    repo: str | None = None,
    val_fraction: float = VAL_FRACTION,
    seed: int = SEED,
) -> ExportResult:
    """Write every config and the dataset card into ``out_dir`` (see the module docstring);
    ``repo`` names the Hub repo in the card's usage snippet; ``val_fraction`` and ``seed`` draw
    the song-grouped split as ``chromatic train`` does (pass the same values)."""
    from chromatic.dataset.card import render_card
    from chromatic.dataset.coverage import COVERAGE_COLUMNS, coverage_of

    data, out = Path(data_dir), Path(out_dir)
    tracks, segments = read_built(data)
    if not 0.0 < val_fraction < 1.0:
        raise DatasetError(
            f"expected a fraction in (0, 1), got {val_fraction}", field="--val-fraction"
        )
    if preview_per_color < 0:
        raise DatasetError(
            f"expected a preview size >= 0, got {preview_per_color}", field="--preview-per-color"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        light = segments.select(list({*COVERAGE_COLUMNS, "segment_id"})).to_pylist()
        split = split_songs(
            ((r["song_id"], r["color"]) for r in light), val_fraction=val_fraction, seed=seed
        )
        summaries = {
            "base_manifest": write_table_config(
                tracks, staging / "base_manifest", "base_manifest", split
            ),
            "training_segments": write_table_config(
                segments, staging / "training_segments", "training_segments", split
            ),
            "training_full": write_media_config(
                data,
                segments,
                staging / "training_full",
                "training_full",
                split,
                shard_bytes=shard_bytes,
            ),
            "preview": write_media_config(
                data,
                segments,
                staging / "preview",
                "preview",
                split,
                keep=preview_ids(light, preview_per_color),
                shard_bytes=shard_bytes,
            ),
        }
        configs = [summaries[name] for name in CONFIGS]
        songs = {
            r["song_id"]: (r["color"], r["title"])
            for r in tracks.select(["song_id", "color", "title"]).to_pylist()
        }
        card = render_card(
            coverage=coverage_of(light, known_songs=songs),
            configs=configs,
            schemas={
                "base_manifest": tracks.schema,
                "training_segments": segments.schema,
                "media": pa.schema(list(MEDIA_FIELDS)),
            },
            preview_per_color=preview_per_color,
            repo=repo,
            split=split,
        )
        card.save(staging / CARD_FILE)
        (staging / SPLITS_FILE).write_text(json.dumps(split.to_json(), indent=2) + "\n")
        _move_into_place(staging, out, [*CONFIGS, CARD_FILE, SPLITS_FILE])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportResult(out, configs, out / CARD_FILE, split)
