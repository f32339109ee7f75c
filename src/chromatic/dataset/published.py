"""``chromatic dataset import``: the artist's published dataset into a DATA folder.

Reads the v0.2.0 layout (``published_layout.py``; docs/published-dataset.md) and writes what
``segments build`` writes, so ``embed`` and ``train`` take the published segments as they are,
without re-extraction:

- ``segments.parquet`` in ``SEGMENT_SCHEMA``, sorted by segment id (the published ids,
  ``{song}_seg_{NNNN}_track_{NN}``, are kept), its ``chromatic.segments`` metadata naming the
  source instead of a tracks table;
- ``media/{song}.parquet`` in ``MEDIA_SCHEMA``: the float32 waveforms as 16-bit FLAC (as the
  build stores them) and the MIDI bytes as published;
- ``published/base_manifest.parquet`` (the track-level table, as published) and
  ``import_report.json`` (rows, coverage per color as the card counts it, problems).

The media file (about 15 GB for the catalog) is streamed in small batches and each song's media
is appended to its own file, so memory holds a batch, not the catalog. Everything is written in a
staging folder inside DATA and moved into place at the end (media first, ``segments.parquet``
last): a failed import leaves DATA as it was.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from chromatic import __version__
from chromatic.dataset.published_layout import (
    MEDIA_COLUMNS,
    REQUIRED,
    SEGMENT_ID,
    PublishedFiles,
    locate,
)
from chromatic.errors import ChromaticError, DatasetError
from chromatic.fileio import atomic_path, write_text_atomic
from chromatic.segments.schema import MEDIA_SCHEMA, SEGMENT_SCHEMA
from chromatic.segments.song import BUILD_FORMAT, MEDIA_DIR, SEGMENTS_FILE
from chromatic.taxonomy import parse_color

REPORT = "import_report.json"
PUBLISHED_DIR = "published"
MEDIA_BATCH = 16  # media rows per read: ~30 s of 44.1 kHz float32 each, about 85 MB at most

OPTIONAL = (
    "lyric_text",
    "structure_section",
    "segment_type",
    "track_description",
    "title",
    "concept",
    "bpm",
    "key_signature_note",
    "key_signature_mode",
    "tempo_numerator",
    "tempo_denominator",
    "rainbow_color_temporal_mode",
    "rainbow_color_objectional_mode",
    "rainbow_color_ontological_mode",
    "source_audio_file",
    "midi_file",
)


@dataclass
class ImportResult:
    data: Path
    rows: int
    songs: int
    with_audio: int
    with_midi: int
    coverage: dict[str, dict]
    problems: list[dict] = field(default_factory=list)
    files: dict = field(default_factory=dict)


def _read_config(files: list[Path], columns: list[str] | None = None) -> pa.Table:
    tables = [pq.read_table(p, columns=columns) for p in files]
    return pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]


def _basename(value: str | None) -> str | None:
    return value.replace("\\", "/").rsplit("/", 1)[-1] if value else None


def _str(value) -> str | None:
    return None if value is None else str(value)


def _segment_rows(files: PublishedFiles) -> list[dict]:
    """training_full -> segment rows (media facts filled in later), sorted by segment id."""
    path = files.configs["training_full"][0]
    names = set(pq.read_schema(path).names)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise DatasetError(
            f"expected the training_full columns {', '.join(REQUIRED)}; missing {', '.join(missing)}",
            path=path,
            field=missing[0],
        )
    cols = [*REQUIRED, *(c for c in OPTIONAL if c in names)]
    rows = _read_config(files.configs["training_full"], cols).to_pylist()
    out, seen = [], set()
    for r in rows:
        sid = r["segment_id"]
        m = SEGMENT_ID.match(sid or "")
        if m is None or m["song"] != r["song_id"]:
            raise DatasetError(
                f"expected an id '{{song}}_seg_NNNN_track_NN' of song {r['song_id']!r}, got {sid!r}",
                path=path,
                field="segment_id",
            )
        if sid in seen:
            raise DatasetError(f"segment id {sid!r} appears twice", path=path, field="segment_id")
        seen.add(sid)
        try:
            color = parse_color(r["rainbow_color"])
        except ChromaticError as e:
            raise DatasetError(f"{sid}: {e.detail}", path=path, field="rainbow_color") from e
        lyric = r.get("lyric_text") or ""
        key = " ".join(x for x in (r.get("key_signature_note"), r.get("key_signature_mode")) if x)
        num, den = r.get("tempo_numerator"), r.get("tempo_denominator")
        start, end = float(r["start_seconds"]), float(r["end_seconds"])
        out.append(
            {
                "segment_id": sid,
                "song_id": r["song_id"],
                "track_id": int(r["track_number"]),
                "segment_index": int(r["segment_index"]),
                "window": 0,  # the published rows number each window as its own segment
                "windows": 1,
                "start_seconds": start,
                "end_seconds": end,
                "duration_seconds": round(end - start, 6),
                "section": r.get("structure_section"),
                "lyric_text": lyric,
                "has_lyric": bool(lyric.strip()),
                "segment_source": _str(r.get("segment_type")),
                "has_audio": bool(r["has_audio"]),
                "has_midi": bool(r["has_midi"]),
                "title": r.get("title"),
                "color": color.name,
                "color_mnemonic": color.mnemonic,
                "temporal_mode": _str(r.get("rainbow_color_temporal_mode")),
                "spatial_mode": _str(r.get("rainbow_color_objectional_mode")),
                "ontological_mode": _str(r.get("rainbow_color_ontological_mode")),
                "bpm": float(r["bpm"]) if r.get("bpm") is not None else None,
                "key": key or None,
                "time_signature": f"{num}/{den}" if num and den else None,
                "concept": r.get("concept"),
                "track_description": r.get("track_description"),
                "audio_file": _basename(r.get("source_audio_file")),
                "midi_source": _basename(r.get("midi_file")),
                "media_file": f"{MEDIA_DIR}/{r['song_id']}.parquet",
            }
        )
    out.sort(key=lambda r: r["segment_id"])
    return out


def _media_facts(row: dict, media: dict | None, problems: list[dict]) -> dict:
    """Decode one row's published media: FLAC bytes and the audio and MIDI columns."""
    from chromatic.music.midi import TempoMap, load_score
    from chromatic.segments.slicing import AudioSlice

    flac = midi = None
    facts = {"audio_seconds": None, "audio_sample_rate": None, "audio_rms_dbfs": None}
    facts.update(midi_notes=0, midi_qpm=None)
    wave = media.get("audio_waveform") if media else None
    blob = media.get("midi_binary") if media else None
    for flag, value, name in (
        ("has_audio", wave, "audio_waveform"),
        ("has_midi", blob, "midi_binary"),
    ):
        if media is not None and row[flag] and not value:
            problems.append({"segment_id": row["segment_id"], "field": name,
                             "message": f"{flag} is true but {name} is empty"})  # fmt: skip
    if row["has_audio"] and wave:
        if len(wave) % 4:
            problems.append({"segment_id": row["segment_id"], "field": "audio_waveform",
                             "message": f"{len(wave)} bytes is no whole number of float32 samples"})  # fmt: skip
        else:
            sr = int(media.get("audio_sample_rate") or 44100)
            samples = np.frombuffer(wave, dtype="<f4")
            if not np.isfinite(samples).all():
                problems.append({"segment_id": row["segment_id"], "field": "audio_waveform",
                                 "message": "non-finite samples"})  # fmt: skip
            else:
                a = AudioSlice(samples.astype(np.float32), sr)
                flac = a.flac_bytes()
                facts.update(
                    audio_seconds=a.seconds,
                    audio_sample_rate=sr,
                    audio_rms_dbfs=round(a.rms_dbfs, 3) if np.isfinite(a.rms_dbfs) else None,
                )
    if row["has_midi"] and blob:
        try:
            score = load_score(blob, name=row["segment_id"])
        except ChromaticError as e:
            problems.append({"segment_id": row["segment_id"], "field": "midi_binary",
                             "message": e.detail})  # fmt: skip
        else:
            if score.note_num():
                midi = bytes(blob)
                facts.update(
                    midi_notes=int(score.note_num()), midi_qpm=TempoMap.of(score).qpm_at(0)
                )
    row.update(facts)
    row["has_audio"], row["has_midi"] = flac is not None, midi is not None
    row["content_type"] = "+".join(
        k for k, v in (("audio", row["has_audio"]), ("midi", row["has_midi"])) if v
    )
    return {
        "segment_id": row["segment_id"],
        "audio_flac": flac,
        "audio_sample_rate": facts["audio_sample_rate"],
        "midi": midi,
    }


def _write_media(
    files: PublishedFiles, rows: list[dict], stage: Path, problems: list[dict], progress: bool
) -> None:
    """Stream the media file; append each row's media to its song's staged parquet."""
    from rich.progress import Progress

    by_id = {r["segment_id"]: r for r in rows}
    writers: dict[str, pq.ParquetWriter] = {}
    seen: set[str] = set()
    pf = pq.ParquetFile(files.media)
    if "segment_id" not in pf.schema_arrow.names:
        raise DatasetError("expected a segment_id column", path=files.media, field="segment_id")
    cols = [c for c in MEDIA_COLUMNS if c in pf.schema_arrow.names]
    try:
        with Progress(disable=not progress) as bar:
            task = bar.add_task("media", total=pf.metadata.num_rows)
            for batch in pf.iter_batches(batch_size=MEDIA_BATCH, columns=cols):
                by_song: dict[str, list[dict]] = {}
                for m in batch.to_pylist():
                    row = by_id.get(m["segment_id"])
                    if row is None or m["segment_id"] in seen:
                        continue  # a row training_full does not have (or twice): ignored
                    seen.add(m["segment_id"])
                    by_song.setdefault(row["song_id"], []).append(_media_facts(row, m, problems))
                for song, media_rows in by_song.items():
                    if song not in writers:
                        writers[song] = pq.ParquetWriter(
                            stage / f"{song}.parquet", MEDIA_SCHEMA, compression="zstd"
                        )
                    writers[song].write_table(pa.Table.from_pylist(media_rows, schema=MEDIA_SCHEMA))
                bar.advance(task, batch.num_rows)
    finally:
        for w in writers.values():
            w.close()
    for sid, row in by_id.items():
        if sid not in seen:  # no media row: the row keeps its text, without audio or MIDI
            _media_facts(row, None, problems)
            problems.append({"segment_id": sid, "field": "segment_id", "message": "no media row"})
    for song in sorted({r["song_id"] for r in rows} - set(writers)):
        pq.write_table(MEDIA_SCHEMA.empty_table(), stage / f"{song}.parquet")


def _coverage(rows: list[dict]) -> dict[str, dict]:
    """Per color: segments, audio %, MIDI %, text % (as the published card counts them)."""
    out: dict[str, dict] = {}
    for color in sorted({r["color"] for r in rows}):
        rs = [r for r in rows if r["color"] == color]
        n = len(rs)
        out[color] = {
            "segments": n,
            "audio": round(100 * sum(r["has_audio"] for r in rs) / n, 1),
            "midi": round(100 * sum(r["has_midi"] for r in rs) / n, 1),
            "text": round(100 * sum(r["has_lyric"] for r in rs) / n, 1),
        }
    return out


def import_published(
    source: str | Path,
    data_dir: str | Path,
    *,
    metadata_only: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> ImportResult:
    """Import the published dataset in folder ``source`` into ``data_dir``."""
    files = locate(source)
    data = Path(data_dir)
    if files.media is None and not metadata_only:
        raise DatasetError(
            "expected the media file data/media/training_segments_media.parquet (or pass "
            "--metadata-only to import the rows without audio and MIDI)",
            path=files.root,
        )
    if (data / SEGMENTS_FILE).exists() and not overwrite:
        raise DatasetError(
            "already holds segments; pass --overwrite to replace them", path=data / SEGMENTS_FILE
        )
    rows = _segment_rows(files)
    problems: list[dict] = []
    data.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".import-", dir=data))
    try:
        (stage / MEDIA_DIR).mkdir()
        if metadata_only:
            for r in rows:
                r["has_audio"] = r["has_midi"] = False
            media = None
        else:
            media = files.media
        if media is not None:
            _write_media(files, rows, stage / MEDIA_DIR, problems, progress)
        else:
            for r in rows:
                _media_facts(r, None, problems)
        table = pa.Table.from_pylist(rows, schema=SEGMENT_SCHEMA)
        meta = {
            "version": __version__,
            "build_format": BUILD_FORMAT,
            "imported_from": str(files.root),
            "files": files.describe(),
            "songs": len({r["song_id"] for r in rows}),
        }
        table = table.replace_schema_metadata(
            {b"chromatic.segments": json.dumps(meta, sort_keys=True).encode()}
        )
        (data / MEDIA_DIR).mkdir(exist_ok=True)
        if "base_manifest" in files.configs:
            (data / PUBLISHED_DIR).mkdir(exist_ok=True)
            with atomic_path(data / PUBLISHED_DIR / "base_manifest.parquet") as tmp:
                pq.write_table(_read_config(files.configs["base_manifest"]), tmp)
        for p in sorted((stage / MEDIA_DIR).glob("*.parquet")):
            p.replace(data / MEDIA_DIR / p.name)  # same file system: each move is atomic
        with atomic_path(data / SEGMENTS_FILE) as tmp:
            pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 16)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    result = ImportResult(
        data=data,
        rows=len(rows),
        songs=meta["songs"],
        with_audio=sum(r["has_audio"] for r in rows),
        with_midi=sum(r["has_midi"] for r in rows),
        coverage=_coverage(rows),
        problems=problems,
        files=files.describe(),
    )
    report = {k: v for k, v in result.__dict__.items() if k != "data"}
    write_text_atomic(data / REPORT, json.dumps(report, indent=2, sort_keys=True))
    return result
