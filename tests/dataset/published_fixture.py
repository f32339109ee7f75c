"""A small copy of the published dataset (earthlyframes/white-training-data v0.2.0), written in
code in exactly its layout (docs/published-dataset.md): the three configs as the Hub holds them
(``<config>/train-00000-of-00001.parquet``) and the media under ``data/media/``, with the
columns the original project's builders write (brotherclone/white:
``build_base_manifest_db.py``, ``build_training_segments_db.py``).

Four songs, two Red and two Green (so a song-grouped split exists), two tracks each, three
segments per song; track 2 of every song has MIDI; the Green songs are instrumental. One row of
05_02 is published with has_audio true but a null waveform (the original's "failed to load"),
so the import must not count it as audio.
"""

from __future__ import annotations

import io
from pathlib import Path

import mido
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SONGS = {"02_01": "Red", "02_02": "Red", "05_01": "Green", "05_02": "Green"}
SR = 44100
SEG_SECONDS = 1.0
LYRICS = ["the line we cross", "a second line", ""]
NULL_WAVE = "05_02_seg_0002_track_01"


def midi_bytes(pitch: int, notes: int = 4) -> bytes:
    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=500000, time=0))
    for k in range(notes):
        tr.append(mido.Message("note_on", note=pitch + k, velocity=90, time=0))
        tr.append(mido.Message("note_off", note=pitch + k, velocity=0, time=240))
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


def waveform(song: str, seg: int, track: int) -> np.ndarray:
    t = np.arange(int(SR * SEG_SECONDS)) / SR
    f = 110.0 * (1 + int(song[-1])) * (1 + seg) * track
    return (0.3 * np.sin(2 * np.pi * f * t)).astype(np.float32)


def manifest_rows() -> list[dict]:
    rows = []
    for song, color in SONGS.items():
        red = color == "Red"
        base = {
            "id": song,
            "bpm": 120,
            "tempo_numerator": 4,
            "tempo_denominator": 4,
            "key_signature_note": "C" if red else "G",
            "key_signature_mode": "major" if red else "minor",
            "rainbow_color": color,
            "rainbow_color_temporal_mode": "Past" if red else "Present",
            "rainbow_color_objectional_mode": "Thing" if red else "Place",
            "rainbow_color_ontological_mode": "Known" if red else "Imagined",
            "transmigrational_mode": None,
            "title": f"Song {song}",
            "release_date": "2020-01-01",
            "album_sequence": int(song[-1]),
            "total_running_time": "0:03",
            "vocals": red,
            "lyrics": red,
            "lrc_lyrics": " ".join(LYRICS) if red else None,
            "sounds_like": "Someone, discogs_id: 1",
            "mood": "calm",
            "genres": "rock",
            "lrc_file": f"{song}.lrc" if red else None,
            "concept": f"the concept of {song}, a {color.lower()} song",
            "rebracketing_type": "temporal",
            "song_structure": "Verse : v, [00:00.000]-[00:03.000]",
        }
        for track in (1, 2):
            rows.append(
                {
                    **base,
                    "track_id": track,
                    "description": "vocal" if track == 1 else "bass",
                    "audio_file": f"{song}_0{track}.wav",
                    "midi_file": f"{song}_bass.mid" if track == 2 else None,
                    "group": "band",
                    "midi_group_file": None,
                    "player": "GABE",
                }
            )
    return rows


def segment_rows() -> list[dict]:
    rows = []
    for song, color in SONGS.items():
        for seg in range(3):
            start = seg * SEG_SECONDS
            for track in (1, 2):
                lyric = LYRICS[seg] if color == "Red" else ""
                rows.append(
                    {
                        "segment_id": f"{song}_seg_{seg + 1:04d}_track_{track:02d}",
                        "segment_index": seg,
                        "track_id": song,
                        "track_number": track,
                        "track_description": "vocal" if track == 1 else "bass",
                        "track_group": "band",
                        "track_player": "GABE",
                        "source_audio_file": f"/staged/{song}/{song}_0{track}.wav",
                        "segment_audio_file": f"/out/{song}/{song}_seg_{seg + 1:04d}_track_{track:02d}.wav",
                        "midi_file": f"/staged/{song}/{song}_bass.mid" if track == 2 else None,
                        "start_seconds": start,
                        "end_seconds": start + SEG_SECONDS,
                        "duration_seconds": SEG_SECONDS,
                        "has_audio": True,
                        "has_midi": track == 2,
                        "lyric_text": lyric,
                        "structure_section": "Verse",
                        "segment_type": "lrc" if color == "Red" else "structure",
                        "original_start_seconds": start,
                        "original_end_seconds": start + SEG_SECONDS,
                        "has_structure_adjustments": False,
                        "structure_adjustments": "",
                        "is_sub_segment": False,
                        "sub_segment_info": None,
                        "lrc_line_number": seg + 1 if lyric else None,
                        "lyric_char_count": len(lyric),
                        "lyric_word_count": len(lyric.split(" ")),
                        "start_adjustment_seconds": 0.0,
                        "end_adjustment_seconds": 0.0,
                        "content_type": "audio_midi" if track == 2 else "audio_only",
                    }
                )
    return rows


def full_rows() -> list[dict]:
    """The join of build_training_segments_db.join_with_manifest_db, then its schema clean-up."""
    manifest = {(r["id"], r["track_id"]): r for r in manifest_rows()}
    dropped = {"description", "player", "group", "id", "audio_file"}
    out = []
    for s in segment_rows():
        m = manifest[(s["track_id"], s["track_number"])]
        row = {**s, "manifest_track_key": f"{s['track_id']}_{s['track_number']}"}
        for k, v in m.items():
            if k in dropped:
                continue
            key = k if k not in row else f"{k}_right"  # polars' suffix for a clashing column
            row[key] = v
        row.pop("midi_file_right", None)
        row.pop("track_id_right", None)
        row["song_id"] = row.pop("track_id")
        out.append(row)
    return out


def media_rows() -> list[dict]:
    out = []
    for r in full_rows():
        song, seg, track = r["song_id"], r["segment_index"], r["track_number"]
        wave = None if r["segment_id"] == NULL_WAVE else waveform(song, seg, track).tobytes()
        out.append(
            {
                **r,
                "audio_waveform": wave,
                "audio_sample_rate": SR,
                "midi_binary": midi_bytes(40 + seg) if r["has_midi"] else None,
            }
        )
    return out


def _write(rows: list[dict], path: Path, **kw) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows)
    if "audio_sample_rate" in table.schema.names:
        i = table.schema.get_field_index("audio_sample_rate")
        table = table.set_column(i, "audio_sample_rate", table.column(i).cast(pa.int32()))
    pq.write_table(table, path, **kw)


def write_published(root: Path, *, hub: bool = True) -> Path:
    """The fixture under ``root``: the Hub layout, or (``hub=False``) the original project's
    ``training/data`` files."""
    if hub:
        _write(manifest_rows(), root / "base_manifest" / "train-00000-of-00001.parquet")
        _write(segment_rows(), root / "training_segments" / "train-00000-of-00001.parquet")
        _write(full_rows(), root / "training_full" / "train-00000-of-00001.parquet")
        media = root / "data" / "media" / "training_segments_media.parquet"
    else:
        _write(manifest_rows(), root / "base_manifest_db.parquet")
        _write(segment_rows(), root / "training_segments.parquet")
        _write(full_rows(), root / "training_segments_metadata.parquet")
        media = root / "training_segments_media.parquet"
    _write(media_rows(), media, compression="zstd", row_group_size=5)
    return root
