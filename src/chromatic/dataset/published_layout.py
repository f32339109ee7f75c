"""The layout of the artist's published dataset, ``earthlyframes/white-training-data`` (v0.2.0).

Facts taken from the original project's public code (brotherclone/white:
``training/hf_dataset_prep.py`` and ``app/extractors/segment_extractor/
build_training_segments_db.py``); docs/published-dataset.md writes them down in full.

- Three configs, each pushed with ``datasets``' ``push_to_hub(config_name=...)``, so each is a
  folder of parquet shards on the Hub (``<config>/train-NNNNN-of-NNNNN.parquet``); locally the
  original project kept them as single files:

  ============================  ==========================================
  config                        local file
  ============================  ==========================================
  ``base_manifest``             ``base_manifest_db.parquet`` (one row per audio track)
  ``training_segments``         ``training_segments.parquet`` (one row per segment and track)
  ``training_full``             ``training_segments_metadata.parquet`` (the segments joined
                                with the manifest rows: the primary training table)
  ============================  ==========================================

- The media, uploaded as one file, ``data/media/training_segments_media.parquet``: the
  ``training_full`` columns plus ``audio_waveform`` (raw little-endian float32 mono samples),
  ``audio_sample_rate`` (int32, 44,100 Hz) and ``midi_binary`` (a standard MIDI file cut to
  the segment), written in row groups of 1,000 rows.

This module only finds those files in a folder (or fetches them from the Hub) and names the
columns the import needs; ``published.py`` converts them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from chromatic.errors import DatasetError
from chromatic.paths import contained

REPO = "earthlyframes/white-training-data"
REVISION = "v0.2.0"
CONFIG_FILES = {
    "base_manifest": "base_manifest_db.parquet",
    "training_full": "training_segments_metadata.parquet",
    "training_segments": "training_segments.parquet",
}
MEDIA_FILE = "training_segments_media.parquet"
MEDIA_HUB_PATH = f"data/media/{MEDIA_FILE}"

#: training_full columns without which no segment row can be made
REQUIRED = (
    "segment_id",
    "song_id",
    "track_number",
    "segment_index",
    "start_seconds",
    "end_seconds",
    "has_audio",
    "has_midi",
    "rainbow_color",
)
#: media columns read (the joined metadata beside them is read from training_full instead)
MEDIA_COLUMNS = ("segment_id", "audio_waveform", "audio_sample_rate", "midi_binary")
SEGMENT_ID = re.compile(r"^(?P<song>.+)_seg_(?P<seg>\d+)_track_(?P<track>\d+)$")


@dataclass
class PublishedFiles:
    root: Path
    configs: dict[str, list[Path]]  # config -> parquet files (shards in order), absent: missing
    media: Path | None

    def describe(self) -> dict:
        rel = lambda p: str(p.relative_to(self.root))  # noqa: E731
        return {
            "configs": {c: [rel(p) for p in ps] for c, ps in sorted(self.configs.items())},
            "media": rel(self.media) if self.media else None,
        }


def _inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` when it exists and stays inside ``root`` (a symlink out is refused)."""
    if not os.path.lexists(root / rel):
        return None
    return contained(root, rel, path=root, what="dataset file")


def locate(source: str | os.PathLike) -> PublishedFiles:
    """Find the configs and the media in a folder laid out as the Hub repo (a folder per
    config of parquet shards, the media under ``data/media/``) or as the original project's
    ``training/data`` folder (one file per config, the media beside them)."""
    root = Path(source)
    if not root.is_dir():
        raise DatasetError("expected a folder holding the published dataset", path=root)
    root = root.resolve()
    configs: dict[str, list[Path]] = {}
    for config, single in CONFIG_FILES.items():
        folder = root / config
        if folder.is_dir():
            shards = sorted(
                _inside(root, f"{config}/{p.name}")
                for p in folder.glob("*.parquet")
                if not p.name.startswith(".")
            )
            if shards:
                configs[config] = shards
                continue
        for rel in (single, f"data/{single}"):
            p = _inside(root, rel)
            if p is not None and p.is_file():
                configs[config] = [p]
                break
    media = None
    for rel in (MEDIA_HUB_PATH, MEDIA_FILE, f"media/{MEDIA_FILE}"):
        p = _inside(root, rel)
        if p is not None and p.is_file():
            media = p
            break
    if "training_full" not in configs:
        raise DatasetError(
            f"expected the training_full config (training_full/*.parquet or "
            f"{CONFIG_FILES['training_full']}); found {', '.join(sorted(configs)) or 'no config'}",
            path=root,
        )
    return PublishedFiles(root, configs, media)


def download(repo: str, revision: str, cache_dir: Path, *, media: bool = True) -> Path:
    """Fetch the configs (and the media) from the Hub into ``cache_dir``; refused offline."""
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0", "false", "False"):
        raise DatasetError(
            f"HF_HUB_OFFLINE is set: cannot fetch {repo}@{revision}; download it elsewhere and "
            "pass the folder instead",
            field="SOURCE",
        )
    from huggingface_hub import snapshot_download

    patterns = [f"{c}/*.parquet" for c in CONFIG_FILES] + ["README.md"]
    if media:
        patterns.append(MEDIA_HUB_PATH)
    try:
        path = snapshot_download(
            repo,
            repo_type="dataset",
            revision=revision,
            allow_patterns=patterns,
            local_dir=cache_dir,
        )
    except Exception as e:
        raise DatasetError(
            f"cannot download {repo}@{revision}: {type(e).__name__}: {e}", field="SOURCE"
        ) from e
    return Path(path)


#: The published card's figures for v0.2.0 (docs/published-dataset.md): segments, audio %,
#: MIDI % and text % per color, and in all. A real import prints its own beside them.
CARD_REVISION = "v0.2.0"
CARD_TOTAL = {"segments": 11605, "audio": 85.4, "midi": 44.3}
CARD_COLORS: dict[str, tuple[int, float, float, float]] = {
    "Black": (1748, 83.0, 58.5, 100.0),
    "Red": (1474, 93.7, 48.6, 90.7),
    "Orange": (1731, 83.8, 51.1, 100.0),
    "Yellow": (656, 88.0, 52.9, 52.6),
    "Green": (393, 90.1, 69.5, 0.0),
    "Violet": (2100, 75.9, 55.6, 100.0),
    "Indigo": (1406, 77.2, 34.1, 100.0),
    "Blue": (2097, 96.0, 12.1, 100.0),
}


def card_comparison(rows: int, audio_pct: float, midi_pct: float, media: bool = True) -> str:
    """One line: this import's segments, audio % and MIDI % beside the card's, and whether they
    match (to the card's one decimal; without the media only the rows are compared)."""
    card = CARD_TOTAL
    same = [rows == card["segments"]]
    if media:
        same += [round(audio_pct, 1) == card["audio"], round(midi_pct, 1) == card["midi"]]
    verdict = "matches the card" if all(same) else "differs from the card"
    media_text = (
        f"audio {audio_pct:.1f} % (card {card['audio']:.1f} %), "
        f"MIDI {midi_pct:.1f} % (card {card['midi']:.1f} %)"
        if media
        else "media not imported (--metadata-only)"
    )
    return (
        f"{verdict} ({CARD_REVISION}): {rows:,} segments (card {card['segments']:,}), {media_text}"
    )
