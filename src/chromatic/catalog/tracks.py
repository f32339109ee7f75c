"""The tracks table: one row per audio track, song fields repeated, color modes expanded.

``DATA/tracks.parquet`` carries, in its schema metadata, the content hash of every manifest it
was built from, so later steps can tell that a manifest changed since (a stale table read as
current would repeat or miss rows silently).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from chromatic import __version__
from chromatic.catalog.manifest import LoadedManifest, find_manifests, media_path, media_references
from chromatic.catalog.validate import CatalogReport, validate_catalog
from chromatic.errors import CatalogError
from chromatic.fileio import atomic_path, sha256_file
from chromatic.paths import PathError
from chromatic.taxonomy import AXES, TAXONOMY_VERSION

TRACKS_FILE = "tracks.parquet"
META_KEY = b"chromatic.tracks"

SECTION_TYPE = pa.struct(
    [
        ("section_name", pa.string()),
        ("start_seconds", pa.float64()),
        ("end_seconds", pa.float64()),
        ("description", pa.string()),
    ]
)
SCHEMA = pa.schema(
    [
        ("song_id", pa.string()),
        ("track_id", pa.int32()),
        ("title", pa.string()),
        ("color", pa.string()),
        ("color_mnemonic", pa.string()),
        ("color_hex", pa.string()),
        ("album_prefix", pa.string()),
        ("temporal_mode", pa.string()),
        ("spatial_mode", pa.string()),
        ("ontological_mode", pa.string()),
        ("bpm", pa.float64()),
        ("time_signature", pa.string()),
        ("key", pa.string()),
        ("key_tonic", pa.string()),
        ("key_mode", pa.string()),
        ("release_date", pa.string()),
        ("album_sequence", pa.int32()),
        ("trt_seconds", pa.float64()),
        ("vocals", pa.bool_()),
        ("lyrics", pa.bool_()),
        ("concept", pa.string()),
        ("mood", pa.list_(pa.string())),
        ("genres", pa.list_(pa.string())),
        ("sounds_like", pa.list_(pa.string())),
        ("structure", pa.list_(SECTION_TYPE)),
        ("lrc_file", pa.string()),
        ("lyrics_text", pa.string()),
        ("main_audio_file", pa.string()),
        ("track_description", pa.string()),
        ("audio_file", pa.string()),
        ("midi_file", pa.string()),
        ("midi_group_file", pa.string()),
        ("group", pa.string()),
        ("player", pa.string()),
        ("manifest_path", pa.string()),
        ("manifest_sha256", pa.string()),
    ]
)


@dataclass
class BuildResult:
    path: Path | None
    rows: int
    songs: int
    colors: int
    report: CatalogReport
    skipped: list[str] = field(default_factory=list)
    changed_since_last: list[str] = field(default_factory=list)


def _modes(m: LoadedManifest, axis: str) -> str | None:
    held = m.manifest.color.modes(axis)
    return "+".join(held) if held else None


def song_rows(loaded: LoadedManifest, lyrics_text: str | None, root: Path) -> list[dict]:
    m = loaded.manifest
    color = m.color
    key = m.key_obj
    base = {
        "song_id": m.manifest_id,
        "title": m.title,
        "color": color.name,
        "color_mnemonic": color.mnemonic,
        "color_hex": color.hex,
        "album_prefix": color.prefix,
        **{f"{axis}_mode": _modes(loaded, axis) for axis in AXES},
        "bpm": float(m.bpm),
        "time_signature": str(m.time_signature),
        "key": str(key),
        "key_tonic": key.tonic,
        "key_mode": key.mode,
        "release_date": str(m.release_date),
        "album_sequence": m.album_sequence,
        "trt_seconds": m.trt_seconds,
        "vocals": m.vocals,
        "lyrics": m.lyrics,
        "concept": m.concept,
        "mood": list(m.mood),
        "genres": list(m.genres),
        "sounds_like": [s.name for s in m.sounds_like],
        "structure": [
            {
                "section_name": s.section_name,
                "start_seconds": s.start,
                "end_seconds": s.end,
                "description": s.description,
            }
            for s in m.structure
        ],
        "lrc_file": m.lrc_file,
        "lyrics_text": lyrics_text,
        "main_audio_file": m.main_audio_file,
        "manifest_path": str(loaded.path.relative_to(root))
        if loaded.path.is_relative_to(root)
        else str(loaded.path),
        "manifest_sha256": loaded.sha256,
    }
    rows = []
    for t in m.audio_tracks:
        rows.append(
            {
                **base,
                "track_id": t.id,
                "track_description": t.description,
                "audio_file": t.audio_file,
                "midi_file": t.midi_file,
                "midi_group_file": t.midi_group_file,
                "group": t.group,
                "player": t.player,
            }
        )
    return rows


def build_tracks(
    catalog_dir: str | Path, out_dir: str | Path, *, strict: bool = False, check_media: bool = True
) -> BuildResult:
    """Validate the catalog and write ``out_dir/tracks.parquet`` atomically.

    Non-strict: songs that fail to load, or whose keys would be duplicated, are reported and left
    out; the rest is written. Strict: any error-level problem raises CatalogError and nothing is
    written.
    """
    root = Path(catalog_dir)
    out = Path(out_dir) / TRACKS_FILE
    report = validate_catalog(root, check_media=check_media)
    if strict and report.errors:
        first = report.errors[0]
        raise CatalogError(
            f"strict build refused: {len(report.errors)} error(s); first: {first.path}: {first.field}: {first.message}"
        )
    dup_songs = {
        p.song
        for p in report.all_problems()
        if p.severity == "error"
        and ((p.field == "manifest_id" and "duplicate" in p.message) or p.field.endswith("].id"))
    }
    rows, skipped, hashes = [], [], {}
    for s in report.songs:
        if s.loaded is None:
            skipped.append(s.song)
            continue
        if s.song in dup_songs:
            skipped.append(s.song)
            continue
        lyrics_text = s.lrc.text if s.lrc is not None else None
        rows.extend(song_rows(s.loaded, lyrics_text, root))
        hashes[s.song] = s.loaded.sha256
    if not hashes:
        first = report.errors[0].line() if report.errors else "the catalog holds no manifest"
        raise CatalogError(
            f"no song could be built ({len(skipped)} left out; first: {first}); {out} was not written"
        )
    keys = [(r["song_id"], r["track_id"]) for r in rows]
    if len(set(keys)) != len(keys):  # defensive: validation should have caught it
        seen, dups = set(), []
        for k in keys:
            if k in seen:
                dups.append(k)
            seen.add(k)
        raise CatalogError(f"duplicate (song, track) keys {dups[:5]}; refusing to write {out}")
    previous = read_build_meta(out) if out.is_file() else None
    changed = []
    if previous:
        old = previous.get("manifests", {})
        changed = sorted(k for k in set(old) | set(hashes) if old.get(k) != hashes.get(k))
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    meta = {
        "version": __version__,
        "taxonomy_version": TAXONOMY_VERSION,
        "catalog": str(root.resolve()),
        "manifests": hashes,
        "skipped": skipped,
        "skipped_manifests": {
            s.song: _file_sha(Path(s.manifest_path)) for s in report.songs if s.song in skipped
        },
        "inputs": {
            s.song: input_fingerprints(s.loaded)
            for s in report.songs
            if s.loaded is not None and s.song in hashes
        },
    }
    table = table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})
    with atomic_path(out) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return BuildResult(
        path=out,
        rows=table.num_rows,
        songs=len(hashes),
        colors=len(set(table.column("color").to_pylist())),
        report=report,
        skipped=skipped,
        changed_since_last=changed,
    )


def _file_sha(path: Path | None) -> str | None:
    try:
        return sha256_file(path) if path is not None and path.is_file() else None
    except OSError:
        return None


def input_fingerprints(loaded: LoadedManifest) -> dict[str, str | None]:
    """Content hash of every file a song's manifest names (LRC, main mix, stems, MIDI), by the
    name in the manifest; None for a file that is absent."""
    out: dict[str, str | None] = {}
    for fld, name in media_references(loaded.manifest):
        if name in out:
            continue
        try:
            target = media_path(loaded.song_dir, name, path=loaded.path, field=fld)
        except PathError:
            continue
        out[name] = _file_sha(target)
    return out


def read_build_meta(tracks_path: str | Path) -> dict:
    schema = pq.read_schema(tracks_path)
    raw = (schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise CatalogError(
            f"{tracks_path} was not written by 'chromatic catalog build' (no build metadata)"
        )
    return json.loads(raw)


@dataclass
class Staleness:
    changed: list[str]
    added: list[str]
    removed: list[str]

    @property
    def stale(self) -> bool:
        return bool(self.changed or self.added or self.removed)

    def describe(self) -> str:
        parts = []
        for label, items in (
            ("changed", self.changed),
            ("new", self.added),
            ("removed", self.removed),
        ):
            if items:
                parts.append(f"{label}: {', '.join(items[:10])}{' ...' if len(items) > 10 else ''}")
        return "; ".join(parts)


def tracks_staleness(tracks_path: str | Path, catalog_dir: str | Path) -> Staleness:
    """Compare the manifest hashes recorded in the table with the catalog as it is now."""
    meta = read_build_meta(tracks_path)
    recorded: dict[str, str] = meta.get("manifests", {})
    skipped = set(meta.get("skipped", []))
    paths = {p.parent.name: p for p in find_manifests(catalog_dir)}
    now = {k: _file_sha(p) for k, p in paths.items()}
    changed = sorted(k for k in recorded if k in now and now[k] != recorded[k])
    inputs: dict[str, dict] = meta.get("inputs", {})
    for song, files in sorted(inputs.items()):
        if song not in now or song in changed:
            continue
        moved = [
            name
            for name, sha in sorted(files.items())
            if _file_sha(_inside_or_none(paths[song].parent, name)) != sha
        ]
        if moved:
            changed.append(f"{song} ({', '.join(moved[:5])})")
    fixed = meta.get("skipped_manifests", {})
    added = sorted(
        k
        for k in now
        if k not in recorded and (k not in skipped or (k in fixed and now[k] != fixed[k]))
    )
    removed = sorted(k for k in recorded if k not in now)
    return Staleness(changed, added, removed)


def _inside_or_none(song_dir: Path, name: str) -> Path | None:
    try:
        return media_path(song_dir, name)
    except PathError:
        return None


def require_fresh(tracks_path: str | Path, catalog_dir: str | Path) -> None:
    st = tracks_staleness(tracks_path, catalog_dir)
    if st.stale:
        raise CatalogError(
            f"{tracks_path} is stale against {catalog_dir} ({st.describe()}); "
            "run 'chromatic catalog build' again"
        )
