"""The Arrow schemas of ``segments.parquet`` and ``media/{song}.parquet``."""

from __future__ import annotations

import pyarrow as pa

SEGMENT_SCHEMA = pa.schema(
    [
        ("segment_id", pa.string()),
        ("song_id", pa.string()),
        ("track_id", pa.int32()),
        ("segment_index", pa.int32()),
        ("window", pa.int32()),
        ("windows", pa.int32()),
        ("start_seconds", pa.float64()),
        ("end_seconds", pa.float64()),
        ("duration_seconds", pa.float64()),
        ("section", pa.string()),
        ("lyric_text", pa.string()),
        ("has_lyric", pa.bool_()),
        ("segment_source", pa.string()),
        ("has_audio", pa.bool_()),
        ("has_midi", pa.bool_()),
        ("content_type", pa.string()),
        ("audio_seconds", pa.float64()),
        ("audio_sample_rate", pa.int32()),
        ("audio_rms_dbfs", pa.float64()),
        ("midi_notes", pa.int32()),
        ("midi_qpm", pa.float64()),
        ("title", pa.string()),
        ("color", pa.string()),
        ("color_mnemonic", pa.string()),
        ("temporal_mode", pa.string()),
        ("spatial_mode", pa.string()),
        ("ontological_mode", pa.string()),
        ("bpm", pa.float64()),
        ("key", pa.string()),
        ("time_signature", pa.string()),
        ("concept", pa.string()),
        ("track_description", pa.string()),
        ("audio_file", pa.string()),
        ("midi_source", pa.string()),
        ("media_file", pa.string()),
    ]
)
MEDIA_SCHEMA = pa.schema(
    [
        ("segment_id", pa.string()),
        ("audio_flac", pa.binary()),
        ("audio_sample_rate", pa.int32()),
        ("midi", pa.binary()),
    ]
)
