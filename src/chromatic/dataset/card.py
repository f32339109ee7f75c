"""The dataset card (``README.md``) of an exported dataset: Hugging Face YAML front matter that
declares the configs, then coverage per color, the configs, every column and how to load it.

A pure function of the export's numbers and schemas, so the card can never describe columns or
counts the parquet files do not have. The metadata is huggingface_hub's ``DatasetCardData`` and
the card its ``DatasetCard``: the Hub's own validation of the YAML keys, and the same object
``push_to_hub`` takes. Every column must have a description in
``COLUMN_DOCS``; an undocumented column is a test failure, not a silent gap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa
from huggingface_hub import DatasetCard, DatasetCardData

from chromatic import __version__
from chromatic.dataset.coverage import MIN_SEGMENTS_PER_SONG, Coverage
from chromatic.dataset.splits import SPLITS, SongSplit
from chromatic.taxonomy import COLORS, TAXONOMY_VERSION

PRETTY_NAME = "Chromatic catalog segments"
DEFAULT_CONFIG = "training_segments"

CONFIG_DOCS = {
    "base_manifest": "One row per audio track of the catalog, song fields repeated (the tracks table).",
    "training_segments": "One row per (segment, track): times, lyric, section, color and modes; no media.",
    "training_full": "The training_segments rows with their media: FLAC audio bytes and a MIDI slice.",
    "preview": "Up to {n} segments with audio per color, with media, to listen to before downloading it all.",
}

COLUMN_DOCS: dict[str, str] = {
    # song and track (base_manifest, repeated in the segment rows)
    "song_id": "Song id `AA_TT`: album prefix (the color) and track number.",
    "track_id": "Track (stem) id within the song, from the manifest's `audio_tracks[].id`.",
    "title": "Song title.",
    "color": "Chromatic color of the song (Black, Red, Orange, Yellow, Green, Blue, Indigo, Violet, White).",
    "color_mnemonic": "One-letter mnemonic of the color (Z R O Y G B I V A).",
    "color_hex": "Hex RGB of the color.",
    "album_prefix": "Two-digit album prefix of the color (01-09).",
    "temporal_mode": "Temporal mode of the color: past, present or future; null when the color holds none.",
    "spatial_mode": 'Spatial ("objectional") mode: thing, place or person; null when none.',
    "ontological_mode": "Ontological mode(s): imagined, forgotten, known; two joined by `+` (Indigo); null when none.",
    "bpm": "Tempo of the song in beats per minute, from the manifest.",
    "time_signature": "Time signature, e.g. `4/4`, `7/8` (the manifests call it `tempo`).",
    "key": "Key as written, normalised, e.g. `A minor`.",
    "key_tonic": "Tonic of the key, e.g. `A`, `F#`.",
    "key_mode": "Mode of the key, e.g. `minor`, `major`.",
    "release_date": "Release date of the song.",
    "album_sequence": "Position of the song on its album.",
    "trt_seconds": "Total running time of the song from the manifest, in seconds.",
    "vocals": "Whether the song has vocals.",
    "lyrics": "Whether the song has lyrics.",
    "concept": "The song's concept: free text describing what it is about.",
    "mood": "Mood words.",
    "genres": "Genres.",
    "sounds_like": "Artists the song sounds like.",
    "structure": "Sections of the song: name, start and end in seconds, description.",
    "lrc_file": "LRC lyric file of the song in the catalog (null when it has none).",
    "lyrics_text": "The full lyrics, from the LRC file.",
    "main_audio_file": "File name of the full mix in the catalog.",
    "track_description": "What the track is (instrument, voice, part).",
    "audio_file": "File name of the track's audio in the catalog.",
    "midi_file": "File name of the track's own MIDI in the catalog (null when none).",
    "midi_group_file": "File name of a MIDI file shared by the track's group (null when none).",
    "group": "Group of tracks the track belongs to (e.g. drums).",
    "player": "Who plays the track.",
    "manifest_path": "Manifest file, relative to the catalog folder.",
    "manifest_sha256": "SHA-256 of the manifest the row was built from.",
    # segment rows
    "segment_id": "Row id `{song}_seg_{NNNN}_track_{NN}`: one segment of one track.",
    "segment_index": "Index of the segment within the song, in time order (shared by the song's tracks).",
    "window": "Position of this window when a long segment was split into overlapping windows (0-based).",
    "windows": "Number of windows the segment was split into (1: not split).",
    "start_seconds": "Start of the segment in the song, in seconds.",
    "end_seconds": "End of the segment in the song, in seconds.",
    "duration_seconds": "end_seconds - start_seconds.",
    "section": "Structure section the segment lies in (e.g. Verse 1).",
    "lyric_text": "Lyric line(s) of the segment; empty for instrumental segments.",
    "has_lyric": "Whether lyric_text is non-empty.",
    "segment_source": "How the segment was cut: `lrc` (a lyric line) or `structure` (a section).",
    "has_audio": "Whether the track has audible audio in the segment (RMS at or above -40 dBFS).",
    "has_midi": "Whether the track's MIDI has notes in the segment.",
    "content_type": "`audio`, `midi` or `audio+midi`.",
    "audio_seconds": "Length of the audio slice in seconds (null without audio).",
    "audio_sample_rate": "Sample rate of the audio slice in Hz (null without audio).",
    "audio_rms_dbfs": "Loudness of the audio slice, RMS in dBFS (null without audio).",
    "midi_notes": "Number of MIDI notes in the segment (notes crossing its edges are clipped to it).",
    "midi_qpm": "Tempo of the source MIDI at the segment start, quarter notes per minute (null without MIDI).",
    "midi_source": "MIDI file the slice was cut from, in the song's catalog folder (null without MIDI).",
    # media (training_full, preview)
    "audio": "The segment's audio, a `datasets` Audio feature: a mono 16-bit FLAC file (`bytes`, and `path` `<segment_id>.flac`; null without audio).",
    "midi": "The segment's MIDI slice: a Standard MIDI File re-based to 0 s that keeps the tempo, time signature and key in force at the start, as bytes (null without MIDI).",
}


def size_category(rows: int) -> str:
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if rows < limit:
            return label
    return "1M<n<10M"


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def card_data(configs: Sequence, rows: int) -> DatasetCardData:
    """The card's YAML metadata: every config with its named splits (``SPLIT-*.parquet``)."""
    return DatasetCardData(
        license="other",
        pretty_name=PRETTY_NAME,
        tags=["music", "audio", "midi", "lyrics", "chromatic"],
        size_categories=[size_category(rows)],
        configs=[
            {
                "config_name": c.name,
                "data_files": [{"split": s, "path": f"{c.name}/{s}-*.parquet"} for s in SPLITS],
                **({"default": True} if c.name == DEFAULT_CONFIG else {}),
            }
            for c in configs
        ],
    )


def _split_section(split: SongSplit, configs: Sequence) -> list[str]:
    counts = " ".join(f"| {s} rows" for s in SPLITS)
    lines = [
        "## Splits",
        "",
        f"`train` and `validation` are split by song (no song is in both), stratified by color: the "
        f"split the project's model is trained and validated on (`chromatic.model.data.song_split`, "
        f"validation fraction {split.val_fraction:g}, seed {split.seed}; `splits.json` lists the songs).",
        "",
        f"Validation songs: {', '.join(sorted(split.val_songs)) or 'none'}.",
    ]
    if split.unvalidated_colors:
        lines.append(
            "Colors with a single song (all in train): " + ", ".join(split.unvalidated_colors) + "."
        )
    lines += ["", f"| config {counts} |", "|---" + "|---:" * len(SPLITS) + "|"]
    for c in configs:
        n = dict(c.splits)
        lines.append(f"| `{c.name}` | " + " | ".join(str(n.get(s, 0)) for s in SPLITS) + " |")
    return lines


def _coverage_section(cov: Coverage) -> list[str]:
    lines = [
        "## Coverage per color",
        "",
        "Counted over the segment rows (one row per segment and track); a percentage is the share of "
        "a color's rows that carry audio, MIDI or a lyric.",
        "",
        "| color | mnemonic | songs | segments | audio % | MIDI % | lyric % |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for c in cov.colors:
        lines.append(
            f"| {c.color} | {c.mnemonic} | {c.songs} | {c.segments} | {_pct(c.audio_pct)} | {_pct(c.midi_pct)} | {_pct(c.lyric_pct)} |"
        )
    t = cov.total
    lines.append(
        f"| **all** | | {t.songs} | {t.segments} | {_pct(t.audio_pct)} | {_pct(t.midi_pct)} | {_pct(t.lyric_pct)} |"
    )
    short = cov.short_songs
    lines.append("")
    if short:
        listed = ", ".join(f"{s.song_id} ({s.segments})" for s in short)
        lines.append(f"Songs cut into fewer than {MIN_SEGMENTS_PER_SONG} segments: {listed}.")
    else:
        lines.append(f"Every song is cut into at least {MIN_SEGMENTS_PER_SONG} segments.")
    return lines


def _column_table(schema: pa.Schema) -> list[str]:
    lines = ["| column | type | description |", "|---|---|---|"]
    for f in schema:
        lines.append(f"| `{f.name}` | `{f.type}` | {COLUMN_DOCS.get(f.name, '')} |")
    return lines


def _taxonomy_table() -> list[str]:
    lines = ["| mnemonic | color | temporal | spatial | ontological |", "|---|---|---|---|---|"]
    for c in COLORS:
        lines.append(
            f"| {c.mnemonic} | {c.name} | {'+'.join(c.temporal) or '-'} | {'+'.join(c.spatial) or '-'} | {'+'.join(c.ontological) or '-'} |"
        )
    return lines


USAGE = """```python
import io

import soundfile as sf
from datasets import Audio, load_dataset
from symusic import Score

# from the Hub (or a local export: load_dataset("OUT", "preview"))
segments = load_dataset("REPO", "training_segments")  # {"train": ..., "validation": ...}
preview = load_dataset("REPO", "preview", split="validation")

# `audio` is an Audio feature: preview[0]["audio"] decodes it (datasets needs torchcodec and
# FFmpeg for that); without them, read the FLAC bytes yourself
raw = preview.cast_column("audio", Audio(decode=False))
row = raw[0]
audio, sample_rate = sf.read(io.BytesIO(row["audio"]["bytes"]))  # mono float samples
if row["midi"] is not None:
    score = Score.from_midi(row["midi"])  # tempo, time signature and key of the segment start

# training_full is large: stream it instead of downloading it whole
full = load_dataset("REPO", "training_full", split="train", streaming=True)
```"""


def render_card(
    *,
    coverage: Coverage,
    configs: Sequence,
    schemas: Mapping[str, pa.Schema],
    preview_per_color: int,
    split: SongSplit,
    repo: str | None = None,
) -> DatasetCard:
    """The README.md card. ``configs``: ConfigSummary records; ``schemas``: the schema of
    ``base_manifest``, of ``training_segments`` and of the ``media`` columns."""
    rows = next((c.rows for c in configs if c.name == "training_segments"), 0)
    out = [f"# {PRETTY_NAME}", ""]
    out += [
        "Songs of the chromatic catalog cut into aligned training segments: each row is one segment "
        "(a lyric line, or a structure section when there is no lyric) of one track, with its audio, "
        "its MIDI slice and the song's chromatic color. A color places a song on three axes "
        "(temporal, spatial, ontological); the model trained on this data predicts those modes.",
        "",
        f"Exported by chromatic {__version__} (taxonomy {TAXONOMY_VERSION}).",
        "",
        "## Configs",
        "",
        "| config | rows | files | size | what |",
        "|---|---:|---:|---:|---|",
    ]
    for c in configs:
        doc = CONFIG_DOCS.get(c.name, "").format(n=preview_per_color)
        out.append(f"| `{c.name}` | {c.rows} | {c.files} | {human_size(c.bytes)} | {doc} |")
    out += ["", *_split_section(split, configs), ""]
    out += [*_coverage_section(coverage), ""]
    out += ["## Columns", "", "### base_manifest", "", *_column_table(schemas["base_manifest"]), ""]
    out += ["### training_segments", "", *_column_table(schemas["training_segments"]), ""]
    out += [
        "### training_full and preview",
        "",
        "The training_segments columns, then:",
        "",
        *_column_table(schemas["media"]),
        "",
        "## Colors",
        "",
        *_taxonomy_table(),
        "",
        "## Usage",
        "",
        USAGE.replace("REPO", repo or "USER/chromatic"),
        "",
        "## License",
        "",
        "The songs, recordings and lyrics belong to their author; they are shared for research on this "
        "project and are not licensed for other use without permission.",
        "",
    ]
    meta = card_data(configs, rows).to_yaml()
    return DatasetCard(f"---\n{meta}\n---\n" + "\n".join(out))
