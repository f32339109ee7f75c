"""Song manifests (``AA_TT/AA_TT.yml``): the pydantic schema of the user's real format.

Field names follow the user's files, including their quirks: ``tempo`` holds the *time
signature*, ``rainbow_color`` a mnemonic, ``TRT`` the total running time as ``[MM:SS.mmm]``.
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chromatic.catalog.timecode import parse_timestamp
from chromatic.errors import ManifestError, MusicError
from chromatic.music.key import Key, TimeSignature
from chromatic.paths import PathError, contained
from chromatic.taxonomy import Color, ColorError, parse_color
from chromatic.yamlio import parse_yaml, read_bounded

MANIFEST_ID_RE = re.compile(r"^\d{2}_\d{2}$")
PLACEHOLDER_RE = re.compile(r"\bTK\b")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The catalog's own tempi run from 16 to 222 bpm; anything in BPM_RANGE is accepted.
BPM_RANGE = (10.0, 400.0)
# Ids end up in int32 columns and in segment ids: bounded well inside both.
MAX_TRACK_ID = 9999
MAX_ALBUM_SEQUENCE = 9999


class Section(BaseModel):
    model_config = ConfigDict(extra="allow")

    section_name: str = Field(min_length=1)
    start_time: str
    end_time: str
    description: str | None = None

    @field_validator("start_time", "end_time")
    @classmethod
    def _timestamp(cls, v: str) -> str:
        parse_timestamp(v)
        return v

    @property
    def start(self) -> float:
        return parse_timestamp(self.start_time)

    @property
    def end(self) -> float:
        return parse_timestamp(self.end_time)


class SoundsLike(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    discogs_id: int | str | None = None


class AudioTrack(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int = Field(ge=0, le=MAX_TRACK_ID, strict=True)
    description: str
    audio_file: str | None = None
    midi_file: str | None = None
    group: str | None = None
    midi_group_file: str | None = None
    player: str | None = None

    @property
    def midi_source(self) -> str | None:
        """The MIDI that belongs to this track: its own file, else its group's shared file."""
        return self.midi_file or self.midi_group_file


class Manifest(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    bpm: float
    manifest_id: str
    tempo: str  # the time signature, in the user's naming
    key: str
    rainbow_color: str
    title: str = Field(min_length=1)
    release_date: date | str
    album_sequence: int = Field(ge=0, le=MAX_ALBUM_SEQUENCE, strict=True)
    main_audio_file: str
    TRT: str
    vocals: bool
    lyrics: bool
    structure: list[Section] = Field(min_length=1)
    mood: list[str] = Field(default_factory=list)
    genres: list[str] = Field(default_factory=list)
    sounds_like: list[SoundsLike] = Field(default_factory=list)
    lrc_file: str | None = None
    concept: str = ""
    audio_tracks: list[AudioTrack] = Field(default_factory=list)

    @field_validator("manifest_id", mode="before")
    @classmethod
    def _manifest_id(cls, v: Any) -> str:
        if not isinstance(v, str) or not MANIFEST_ID_RE.match(v):
            raise ValueError(f"expected a quoted id like '01_01', got {v!r}")
        return v

    @field_validator("bpm", mode="before")
    @classmethod
    def _bpm(cls, v: Any) -> float:
        lo, hi = BPM_RANGE
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(
                f"expected a valid number of beats per minute from {lo:g} to {hi:g}, got {v!r}"
            )
        if isinstance(v, int) and not lo <= v <= hi:  # compared exactly: float() overflows
            shown = repr(v) if len(repr(v)) <= 20 else f"an integer of {len(repr(v))} digits"
            raise ValueError(f"expected beats per minute from {lo:g} to {hi:g}, got {shown}")
        if not math.isfinite(v) or not lo <= v <= hi:
            raise ValueError(f"expected beats per minute from {lo:g} to {hi:g}, got {v!r}")
        return float(v)

    @field_validator("tempo", mode="before")
    @classmethod
    def _tempo(cls, v: Any) -> str:
        if not isinstance(v, str):
            raise ValueError(f"expected a time signature such as '4/4', got {v!r}")
        return str(TimeSignature.parse(v))

    @field_validator("release_date", mode="before")
    @classmethod
    def _release_date(cls, v: Any) -> Any:
        if isinstance(v, date):
            return v
        if v == "":  # not released yet (a bootstrap manifest fills it in after rendering)
            return v
        if isinstance(v, str) and ISO_DATE_RE.match(v.strip()):
            try:
                date.fromisoformat(v.strip())
            except ValueError as e:
                raise ValueError(f"expected a real date as 'YYYY-MM-DD', got {v!r} ({e})") from None
            return v.strip()
        raise ValueError(f"expected a date as 'YYYY-MM-DD' (or '' before release), got {v!r}")

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        Key.parse(v)
        return v

    @field_validator("rainbow_color")
    @classmethod
    def _color(cls, v: str) -> str:
        return parse_color(v).mnemonic

    @field_validator("TRT")
    @classmethod
    def _trt(cls, v: str) -> str:
        parse_timestamp(v)
        return v

    @field_validator("mood", "genres", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return [] if v is None else v

    # --- derived values ---------------------------------------------------------------------
    @property
    def color(self) -> Color:
        return parse_color(self.rainbow_color)

    @property
    def time_signature(self) -> TimeSignature:
        return TimeSignature.parse(self.tempo)

    @property
    def key_obj(self) -> Key:
        return Key.parse(self.key)

    @property
    def trt_seconds(self) -> float:
        return parse_timestamp(self.TRT)


class LoadedManifest(BaseModel):
    """A manifest with where it came from and the hash of its bytes (for staleness checks)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path
    sha256: str
    manifest: Manifest

    @property
    def song_dir(self) -> Path:
        return self.path.parent

    @property
    def song_id(self) -> str:
        return self.manifest.manifest_id


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_manifest_data(path: Path) -> tuple[dict, bytes]:
    """Raw YAML mapping and bytes of a manifest (bounded read: no alias bombs, duplicate keys
    or non-UTF-8), or a ManifestError saying why not."""
    if path.is_symlink() and not path.exists():
        raise ManifestError(
            "dangling symlink: the manifest points to a file that does not exist", path=path
        )
    raw = read_bounded(path, ManifestError)
    try:
        data = parse_yaml(raw, ManifestError, path=path)
    except ValueError as e:  # a constructor error, e.g. an unquoted date 2019-13-45
        raise ManifestError(f"invalid YAML value: {e}", path=path) from None
    if not isinstance(data, dict):
        raise ManifestError(
            f"expected a mapping of manifest fields, got {type(data).__name__}", path=path
        )
    return data, raw


def placeholder_fields(data: Any, prefix: str = "") -> list[str]:
    """Field paths whose value is (or contains) a 'TK' placeholder."""
    found = []
    if isinstance(data, dict):
        for k, v in data.items():
            found += placeholder_fields(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found += placeholder_fields(v, f"{prefix}[{i}]")
    elif isinstance(data, str) and PLACEHOLDER_RE.search(data):
        found.append(prefix)
    return found


def validation_messages(err: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs from a pydantic error, phrased as 'expected ...'."""
    out = []
    for e in err.errors():
        field = _loc(e["loc"]) or "(root)"
        if e["type"] == "missing":
            msg = "required field is missing"
        else:
            msg = e["msg"].removeprefix("Value error, ")
            if "input" in e and e["type"] not in ("value_error",):
                msg = f"{msg} (got {e['input']!r})"
        out.append((field, msg))
    return out


MEDIA_FIELDS = ("audio_file", "midi_file", "midi_group_file")


def media_references(m: Manifest) -> list[tuple[str, str]]:
    """(field, path text) of every file a manifest names: main mix, LRC, each track's media."""
    refs = (
        [("main_audio_file", m.main_audio_file)] if m.main_audio_file else []
    )  # '' = not rendered yet
    if m.lrc_file:
        refs.append(("lrc_file", m.lrc_file))
    for i, t in enumerate(m.audio_tracks):
        for attr in MEDIA_FIELDS:
            name = getattr(t, attr)
            if name:
                refs.append((f"audio_tracks[{i}].{attr}", name))
    return refs


def path_problems(m: Manifest, song_dir: Path, path: Path) -> list[tuple[str, str]]:
    """(field, message) for each media path that would leave the song folder."""
    out = []
    for fld, name in media_references(m):
        try:
            contained(song_dir, name, path=path, field=fld, what="media path")
        except PathError as e:
            out.append((fld, e.detail))
    return out


def media_path(song_dir: Path, name: str, *, path: object = None, field: str | None = None) -> Path:
    """A manifest's media path resolved inside its song folder (PathError otherwise)."""
    return contained(song_dir, name, path=path, field=field, what="media path")


def load_manifest(path: str | Path) -> LoadedManifest:
    """Load and validate one manifest; the first problem raises ManifestError (file, field)."""
    path = Path(path)
    data, raw = read_manifest_data(path)
    tk = placeholder_fields(data)
    if tk:
        raise ManifestError("'TK' placeholder; expected a real value", path=path, field=tk[0])
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as e:
        field, msg = validation_messages(e)[0]
        raise ManifestError(msg, path=path, field=field) from None
    except (MusicError, ColorError) as e:  # pragma: no cover - validators wrap these
        raise ManifestError(str(e), path=path) from None
    bad = path_problems(manifest, path.parent, path)
    if bad:
        raise ManifestError(bad[0][1], path=path, field=bad[0][0])
    return LoadedManifest(path=path, sha256=hashlib.sha256(raw).hexdigest(), manifest=manifest)


def find_manifests(catalog_dir: str | Path) -> list[Path]:
    """Manifest files of a catalog: ``AA_TT/AA_TT.yml`` (also ``.yaml``), sorted. A manifest
    name that is a folder or a dangling symlink is returned too, so loading it reports why."""
    root = Path(catalog_dir)
    found = []
    for song_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for ext in (".yml", ".yaml"):
            candidate = song_dir / f"{song_dir.name}{ext}"
            if candidate.exists() or candidate.is_symlink():
                found.append(candidate)
                break
    return found


def folders_without_manifest(catalog_dir: str | Path) -> list[Path]:
    """Song folders (named like ``AA_TT``) that hold no ``AA_TT.yml`` / ``.yaml`` at all."""
    root = Path(catalog_dir)
    have = {p.parent for p in find_manifests(root)}
    return [
        p
        for p in sorted(root.iterdir())
        if p.is_dir() and MANIFEST_ID_RE.match(p.name) and p not in have
    ]
