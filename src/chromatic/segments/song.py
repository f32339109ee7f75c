"""One song's segments: the data-folder layout, its settings, and the per-song build (part file and
media parquet) that the parallel build in ``segments.build`` runs in each worker."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from chromatic import __version__
from chromatic.catalog.manifest import media_path
from chromatic.catalog.tracks import TRACKS_FILE
from chromatic.errors import ChromaticError, LrcError
from chromatic.fileio import atomic_path, sha256_file
from chromatic.paths import contained
from chromatic.segments.boundaries import (
    MAX_SECONDS,
    OVERLAP_SECONDS,
    SNAP_SECONDS,
    lines_of_lrc,
    segment_song,
    spans_of_manifest,
)
from chromatic.segments.inputs import (
    MIN_SAMPLE_RATE,
    audio_problem,
    check_settings,
)
from chromatic.segments.schema import MEDIA_SCHEMA, SEGMENT_SCHEMA

SEGMENTS_FILE = "segments.parquet"
MEDIA_DIR = "media"
PARTS_DIR = "segments/parts"
REPORT_FILE = "segments_report.json"
BUILD_FORMAT = 1  # bump when the rows or media change meaning


@dataclass(frozen=True)
class SegmentSettings:
    snap_seconds: float = SNAP_SECONDS
    max_seconds: float = MAX_SECONDS
    overlap_seconds: float = OVERLAP_SECONDS

    def __post_init__(self) -> None:
        check_settings(self.snap_seconds, self.max_seconds, self.overlap_seconds)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SongResult:
    song: str
    rows: int = 0
    dropped_silent: int = 0
    audio_seconds: float = 0.0
    problems: list[dict] = field(default_factory=list)
    skipped: bool = False  # already built (resume)


def segment_id(song: str, index: int, track: int) -> str:
    return f"{song}_seg_{index:04d}_track_{track:02d}"


def _song_key(
    song_dir: Path,
    manifest_file: str,
    lrc_file: str | None,
    rows: list[dict],
    settings: SegmentSettings,
) -> str:
    """What a song's segments depend on: its manifest and LRC bytes, the tracks rows, the media
    files' sizes and times, the settings and the build format."""
    h = hashlib.sha256()
    h.update(json.dumps([BUILD_FORMAT, __version__, settings.to_dict()], sort_keys=True).encode())
    for name in [
        manifest_file,
        lrc_file,
        *sorted(
            {r["audio_file"] or "" for r in rows}
            | {r["midi_file"] or r["midi_group_file"] or "" for r in rows}
        ),
    ]:
        if not name:
            continue
        try:
            p = media_path(song_dir, name)
        except ChromaticError:
            continue
        if p.is_file():  # content, not size and time: an edit that keeps both is still seen
            h.update(f"{name}:{sha256_file(p)}".encode())
    h.update(json.dumps(rows, sort_keys=True, default=str).encode())
    return h.hexdigest()


def build_song(
    catalog: Path, data: Path, song: str, rows: list[dict], settings: SegmentSettings
) -> SongResult:
    """Segment one song's tracks and write its media and part files (atomically)."""
    import soundfile as sf

    from chromatic.catalog.lrc import load_lrc
    from chromatic.catalog.manifest import load_manifest
    from chromatic.music.midi import TempoMap, load_score, score_bytes
    from chromatic.segments.slicing import read_audio_slice, slice_midi

    result = SongResult(song)
    song_dir = catalog / song
    manifest_path = contained(
        catalog,
        rows[0]["manifest_path"],
        path=catalog / TRACKS_FILE,
        field="manifest_path",
        what="manifest",
    )
    loaded = load_manifest(manifest_path)
    m = loaded.manifest
    lrc = None
    if (
        m.lrc_file
        and media_path(song_dir, m.lrc_file, path=manifest_path, field="lrc_file").is_file()
    ):
        lrc = load_lrc(media_path(song_dir, m.lrc_file, path=manifest_path, field="lrc_file"))
        bad = [(fld, msg) for sev, fld, msg in lrc.problems() if sev == "error"]
        if bad:  # what validate calls an error is never segmented as if it were fine
            raise LrcError(
                f"{bad[0][1]} ({len(bad)} error(s); run 'chromatic catalog validate')",
                path=lrc.path,
                field=bad[0][0],
            )
    key = _song_key(song_dir, manifest_path.name, m.lrc_file, rows, settings)
    part_path = data / PARTS_DIR / f"{song}.parquet"
    if part_path.is_file():
        meta = (pq.read_schema(part_path).metadata or {}).get(b"chromatic.key")
        if meta is not None and meta.decode() == key:
            result.skipped = True
            result.rows = pq.read_metadata(part_path).num_rows
            return result

    def problem(track_id: int | None, file: str, message: str) -> None:
        result.problems.append(
            {"song": song, "track_id": track_id, "file": file, "message": message}
        )

    # the song ends where its main mix ends (the media is the truth); else at its running time
    song_end = m.trt_seconds
    main_audio = (
        media_path(song_dir, m.main_audio_file, path=manifest_path, field="main_audio_file")
        if m.main_audio_file
        else None
    )
    if main_audio is not None and main_audio.is_file():
        try:
            info = sf.info(str(main_audio))
        except Exception as e:
            problem(None, m.main_audio_file, f"cannot read main mix: {e}")
        else:
            if info.frames > 0 and info.samplerate >= MIN_SAMPLE_RATE:
                song_end = info.duration
            else:
                problem(
                    None,
                    m.main_audio_file,
                    f"main mix has {info.frames} frames at {info.samplerate} Hz; "
                    f"expected audio at {MIN_SAMPLE_RATE} Hz or more (the running time is used)",
                )
    specs = segment_song(
        spans_of_manifest(m),
        lines_of_lrc(lrc),
        song_end,
        snap=settings.snap_seconds,
        max_len=settings.max_seconds,
        overlap=settings.overlap_seconds,
    )
    midi_cache: dict[str, object] = {}
    out_rows: list[dict] = []
    media_rows: list[dict] = []
    media_rel = f"{MEDIA_DIR}/{song}.parquet"
    for row in sorted(rows, key=lambda r: r["track_id"]):
        tid = int(row["track_id"])
        handle = None
        if row["audio_file"]:
            path = media_path(song_dir, row["audio_file"], path=manifest_path, field="audio_file")
            if path.is_file():
                try:
                    handle = sf.SoundFile(str(path))
                except Exception as e:
                    problem(tid, row["audio_file"], f"cannot decode audio: {e}")
                else:
                    bad = audio_problem(handle)
                    if bad:
                        handle.close()
                        handle = None
                        problem(tid, row["audio_file"], bad)
            else:
                problem(tid, row["audio_file"], "audio file not found")
        midi_name = row["midi_file"] or row["midi_group_file"]
        score = tempo_map = None
        if midi_name:
            if midi_name not in midi_cache:
                try:
                    midi_cache[midi_name] = load_score(
                        media_path(song_dir, midi_name, path=manifest_path, field="midi_file")
                    )
                except ChromaticError as e:
                    midi_cache[midi_name] = None
                    problem(tid, midi_name, e.detail)
            score = midi_cache[midi_name]
            if score is not None and not score.note_num():
                what = "no tracks (a header only)" if not len(score.tracks) else "no notes"
                problem(tid, midi_name, f"MIDI holds {what}; expected the notes of this track")
                score = None
            if score is not None:
                tempo_map = TempoMap.of(score)
        if handle is None and score is None:
            continue
        try:
            for spec in specs:
                audio = (
                    read_audio_slice(handle, spec.start, spec.end) if handle is not None else None
                )
                has_audio = audio is not None and len(audio.samples) > 0 and not audio.silent
                midi_bytes, notes, qpm = None, 0, None
                if score is not None:
                    piece = slice_midi(score, spec.start, spec.end)
                    notes = int(piece.note_num())
                    if notes:
                        midi_bytes = score_bytes(piece)
                        qpm = tempo_map.qpm_at(spec.start)
                if not has_audio and not notes:
                    result.dropped_silent += 1
                    continue
                sid = segment_id(song, spec.index, tid)
                out_rows.append(
                    {
                        "segment_id": sid,
                        "song_id": song,
                        "track_id": tid,
                        "segment_index": spec.index,
                        "window": spec.window,
                        "windows": spec.windows,
                        "start_seconds": spec.start,
                        "end_seconds": spec.end,
                        "duration_seconds": round(spec.end - spec.start, 6),
                        "section": spec.section,
                        "lyric_text": spec.lyric,
                        "has_lyric": spec.has_lyric,
                        "segment_source": spec.source,
                        "has_audio": has_audio,
                        "has_midi": bool(notes),
                        "content_type": "+".join(
                            k for k, v in (("audio", has_audio), ("midi", bool(notes))) if v
                        ),
                        "audio_seconds": audio.seconds if has_audio else None,
                        "audio_sample_rate": audio.sample_rate if has_audio else None,
                        "audio_rms_dbfs": round(audio.rms_dbfs, 3) if has_audio else None,
                        "midi_notes": notes,
                        "midi_qpm": qpm,
                        "title": row["title"],
                        "color": row["color"],
                        "color_mnemonic": row["color_mnemonic"],
                        "temporal_mode": row["temporal_mode"],
                        "spatial_mode": row["spatial_mode"],
                        "ontological_mode": row["ontological_mode"],
                        "bpm": row["bpm"],
                        "key": row["key"],
                        "time_signature": row["time_signature"],
                        "concept": row["concept"],
                        "track_description": row["track_description"],
                        "audio_file": row["audio_file"],
                        "midi_source": midi_name if score is not None else None,
                        "media_file": media_rel,
                    }
                )
                media_rows.append(
                    {
                        "segment_id": sid,
                        "audio_flac": audio.flac_bytes() if has_audio else None,
                        "audio_sample_rate": audio.sample_rate if has_audio else None,
                        "midi": midi_bytes,
                    }
                )
                if has_audio:
                    result.audio_seconds += audio.seconds
        except Exception as e:  # a file that decodes at open but fails mid-read
            problem(
                tid,
                row["audio_file"] or midi_name or "",
                f"failed while slicing: {type(e).__name__}: {e}",
            )
            out_rows = [r for r in out_rows if r["track_id"] != tid]
            media_rows = [
                r for r in media_rows if not r["segment_id"].endswith(f"_track_{tid:02d}")
            ]
        finally:
            if handle is not None:
                handle.close()
    out_rows.sort(key=lambda r: r["segment_id"])
    media_rows.sort(key=lambda r: r["segment_id"])
    # media first, then the part: the part is the "song done" marker
    with atomic_path(data / media_rel) as tmp:
        pq.write_table(
            pa.Table.from_pylist(media_rows, schema=MEDIA_SCHEMA), tmp, compression="zstd"
        )
    table = pa.Table.from_pylist(out_rows, schema=SEGMENT_SCHEMA)
    table = table.replace_schema_metadata(
        {
            b"chromatic.key": key.encode(),
            b"chromatic.problems": json.dumps(result.problems).encode(),
        }
    )
    with atomic_path(part_path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    result.rows = len(out_rows)
    return result


def read_media(
    data_dir: str | Path, song: str, segment_ids: list[str] | None = None
) -> dict[str, dict]:
    """Media of one song's segments: {segment_id: {audio_flac, audio_sample_rate, midi}}."""
    path = Path(data_dir) / MEDIA_DIR / f"{song}.parquet"
    if segment_ids is not None and not segment_ids:
        return {}
    filters = [("segment_id", "in", segment_ids)] if segment_ids else None
    rows = pq.read_table(path, filters=filters).to_pylist()
    return {r["segment_id"]: r for r in rows}
