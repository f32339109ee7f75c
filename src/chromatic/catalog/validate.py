"""Catalog validation: every problem of every song, each naming file, field and expectation.

A song whose manifest cannot be loaded is reported and skipped; the rest of the catalog is
still checked. Severities: ``error`` (the data is wrong: a strict build refuses it) and
``warning`` (worth a look: long lyric gaps, media not staged yet, running-time mismatches).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import ValidationError

from chromatic.catalog.lrc import Lrc, load_lrc
from chromatic.catalog.manifest import (
    LoadedManifest,
    Manifest,
    find_manifests,
    folders_without_manifest,
    path_problems,
    placeholder_fields,
    read_manifest_data,
    validation_messages,
)
from chromatic.catalog.media import media_problem
from chromatic.errors import LrcError, ManifestError

# Sections that end within this much before they start, or overlap the previous section by
# at most this much, are millisecond typos (a warning), not a broken structure.
TIME_TOLERANCE = 0.01
# Structure end vs. TRT beyond this is reported.
TRT_TOLERANCE = 1.0


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" | "warning"
    path: str
    field: str
    message: str
    song: str = ""

    def line(self) -> str:
        return f"{self.severity}: {self.path}: {self.field}: {self.message}"


@dataclass
class SongReport:
    song: str
    manifest_path: str
    loaded: LoadedManifest | None = None
    lrc: Lrc | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


@dataclass
class CatalogReport:
    root: str
    songs: list[SongReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # catalog-level (duplicate ids)

    def all_problems(self) -> Iterator[Problem]:
        yield from self.problems
        for s in self.songs:
            yield from s.problems

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.all_problems() if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.all_problems() if p.severity == "warning"]

    @property
    def loaded(self) -> list[LoadedManifest]:
        return [s.loaded for s in self.songs if s.loaded is not None]

    def to_json(self) -> dict:
        return {
            "root": self.root,
            "manifests": len(self.songs),
            "loaded": len(self.loaded),
            "lrc_files": sum(1 for s in self.songs if s.lrc is not None),
            "tracks": sum(len(m.manifest.audio_tracks) for m in self.loaded),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "songs": [
                {
                    "song": s.song,
                    "manifest": s.manifest_path,
                    "loaded": s.loaded is not None,
                    "lrc": s.lrc is not None,
                    "ok": s.ok,
                }
                for s in self.songs
            ],
            "problems": [asdict(p) for p in self.all_problems()],
        }


def validate_song(path: Path, *, check_media: bool = True) -> SongReport:
    """Load one manifest and check everything about it; never raises for bad content."""
    song = path.parent.name
    report = SongReport(song=song, manifest_path=str(path))

    def add(severity: str, fld: str, msg: str, where: Path | str = path) -> None:
        report.problems.append(Problem(severity, str(where), fld, msg, song))

    try:
        data, raw = read_manifest_data(path)
    except ManifestError as e:
        add("error", e.field or "(file)", e.detail)
        return report
    for fld in placeholder_fields(data):
        add("error", fld, "'TK' placeholder; expected a real value")
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as e:
        for fld, msg in validation_messages(e):
            add("error", fld, msg)
        return report
    if report.problems:  # placeholders: the values are not real, do not use the song
        return report

    import hashlib

    report.loaded = LoadedManifest(
        path=path, sha256=hashlib.sha256(raw).hexdigest(), manifest=manifest
    )
    if manifest.manifest_id != song:
        add(
            "error",
            "manifest_id",
            f"expected {song!r} (the folder name), got {manifest.manifest_id!r}",
        )
    _check_structure(manifest, add)
    _check_tracks(manifest, add)
    bad_paths = path_problems(manifest, path.parent, path)
    for fld, msg in bad_paths:
        add("error", fld, msg)
    outside = {fld for fld, _ in bad_paths}
    if manifest.lrc_file and "lrc_file" in outside:
        pass  # reported above; never read another song's (or any outside) file
    elif manifest.lrc_file:
        lrc_path = path.parent / manifest.lrc_file
        if os.path.lexists(lrc_path):  # a FIFO or a folder there is load_lrc's one line
            try:
                report.lrc = load_lrc(lrc_path)
            except LrcError as e:
                add("error", e.field or "(file)", e.detail, lrc_path)
            else:
                _check_lrc(report.lrc, manifest, lrc_path, add)
        else:
            add("error", "lrc_file", f"names {manifest.lrc_file!r}, which does not exist")
    elif manifest.lyrics and manifest.vocals:
        add(
            "warning",
            "lrc_file",
            "song has lyrics but names no LRC file; segments will follow the structure",
        )
    if check_media:
        _check_media(manifest, path.parent, add, outside)
    if bad_paths:  # a song naming files outside its folder is never used
        report.loaded = None
    return report


def _check_structure(m: Manifest, add) -> None:
    prev_end, prev_name = 0.0, None
    for i, sec in enumerate(m.structure):
        fld = f"structure[{i}]"
        start, end = sec.start, sec.end
        if end < start - TIME_TOLERANCE:
            add(
                "error",
                f"{fld}.end_time",
                f"section {sec.section_name!r} ends ({sec.end_time}) before it starts ({sec.start_time}); expected end after start",
            )
        elif end <= start:
            add(
                "warning",
                f"{fld}.end_time",
                f"section {sec.section_name!r} has zero length ({sec.start_time} to {sec.end_time})",
            )
        if prev_name is not None and start < prev_end - TIME_TOLERANCE:
            add(
                "error",
                f"{fld}.start_time",
                f"section {sec.section_name!r} starts at {sec.start_time}, inside {prev_name!r} which ends later; expected sections in order without overlap",
            )
        prev_end, prev_name = max(prev_end, end), sec.section_name
    trt = m.trt_seconds
    last_end = max(s.end for s in m.structure)
    if abs(last_end - trt) > TRT_TOLERANCE:
        add(
            "warning",
            "TRT",
            f"running time {m.TRT} differs from the structure's end ({last_end:.3f}s) by {abs(last_end - trt):.1f}s",
        )


def _check_tracks(m: Manifest, add) -> None:
    seen: dict[int, int] = {}
    for i, t in enumerate(m.audio_tracks):
        if t.id in seen:
            add(
                "error",
                f"audio_tracks[{i}].id",
                f"duplicate track id {t.id} (also audio_tracks[{seen[t.id]}]); expected unique ids",
            )
        else:
            seen[t.id] = i
        if not t.audio_file:
            add("warning", f"audio_tracks[{i}].audio_file", "track names no audio file")


def _check_lrc(lrc: Lrc, m: Manifest, lrc_path: Path, add) -> None:
    if not lrc.lines:
        add("warning", "(file)", "no timestamped lyric lines", lrc_path)
    for sev, fld, msg in lrc.problems():
        add(sev, fld, msg, lrc_path)
    trt = m.trt_seconds
    late = [ln for ln in lrc.lines if ln.time > trt + TRT_TOLERANCE]
    if late:
        add(
            "warning",
            f"line {late[0].line_no}",
            f"{len(late)} lyric line(s) start after the running time {m.TRT}",
            lrc_path,
        )


def _check_media(m: Manifest, song_dir: Path, add, outside: set[str] = frozenset()) -> None:
    """Referenced audio/MIDI files must exist. When a song has no media staged at all (the
    metadata-only catalog), missing files are one warning rather than an error per file."""
    referenced = [("main_audio_file", m.main_audio_file)]
    for i, t in enumerate(m.audio_tracks):
        for attr in ("audio_file", "midi_file", "midi_group_file"):
            name = getattr(t, attr)
            if name:
                referenced.append((f"audio_tracks[{i}].{attr}", name))
    referenced = [(f, n) for f, n in referenced if f not in outside]
    present = [(f, n) for f, n in referenced if os.path.lexists(song_dir / n)]
    opened: dict[str, str | None] = {}
    for fld, name in present:  # each named file opened once: header, frames, the last frame
        if name not in opened:
            need = m.trt_seconds if fld == "main_audio_file" else None
            opened[name] = media_problem(song_dir / name, seconds=need)
            if opened[name]:
                add("error", fld, f"{name!r} {opened[name]}", song_dir / name)
    missing = [(f, n) for f, n in referenced if not os.path.lexists(song_dir / n)]
    if not missing:
        return
    media_present = any(
        p.suffix.lower() in (".wav", ".flac", ".aif", ".aiff", ".mid", ".midi")
        for p in song_dir.iterdir()
    )
    if not media_present:
        add(
            "warning",
            "(media)",
            f"no media staged: {len(missing)} referenced audio/MIDI file(s) absent",
        )
        return
    seen = set()
    for fld, name in missing:
        if name in seen:
            continue
        seen.add(name)
        add("error", fld, f"references {name!r}, which does not exist in {song_dir}")


def validate_catalog(catalog_dir: str | Path, *, check_media: bool = True) -> CatalogReport:
    root = Path(catalog_dir)
    if not root.is_dir():
        raise ManifestError("catalog folder not found", path=root)
    report = CatalogReport(root=str(root))
    for path in find_manifests(root):
        report.songs.append(validate_song(path, check_media=check_media))
    for folder in folders_without_manifest(root):
        report.problems.append(
            Problem(
                "error",
                str(folder),
                "(manifest)",
                f"song folder has no manifest; expected {folder.name}/{folder.name}.yml",
                folder.name,
            )
        )
    # the same manifest_id in two folders would give duplicate (song, track) keys
    owners: dict[str, str] = {}
    for s in report.songs:
        if s.loaded is None:
            continue
        mid = s.loaded.manifest.manifest_id
        if mid in owners:
            report.problems.append(
                Problem(
                    "error",
                    s.manifest_path,
                    "manifest_id",
                    f"duplicate manifest_id {mid!r} (also {owners[mid]}); expected one manifest per song",
                    s.song,
                )
            )
        else:
            owners[mid] = s.manifest_path
    return report
