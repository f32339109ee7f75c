"""A Dataset from MIDI alone: real scores (music21's corpus, candidates) with no text or audio.

Sanity benchmarks train and score the fusion model on music that has no catalog around it.
Rows carry only the MIDI modality (text and audio masked absent, small zero vectors), and
each row's piano roll is built exactly as ``model.data.load_dataset`` builds a segment's.
"""

from __future__ import annotations

import numpy as np
from symusic import Score

from chromatic.model.data import Dataset, target_array
from chromatic.music.pianoroll import DEFAULT_CONFIG, PianoRollConfig, note_arrays, roll_from_notes

#: Width of the absent text / audio inputs (any positive size: they are always masked).
ABSENT_DIM = 8


def score_roll(
    score: Score, config: PianoRollConfig = DEFAULT_CONFIG, offset: float = 0.0
) -> np.ndarray:
    """[P, T] uint8 velocities of a score from ``offset`` seconds, as load_dataset makes them."""
    na = note_arrays(score, include_drums=config.include_drums)
    roll = roll_from_notes(
        na["start"], na["end"], na["pitch"], na["velocity"], offset=offset, config=config
    )
    return np.rint(roll * 127).astype(np.uint8)


def midi_dataset(
    scores: list[Score],
    colors: list[str],
    songs: list[str],
    *,
    config: PianoRollConfig = DEFAULT_CONFIG,
    offsets: list[float] | None = None,
) -> Dataset:
    """One row per score (from its offset): MIDI present, every other modality absent."""
    n = len(scores)
    offsets = offsets or [0.0] * n
    rolls = (
        np.stack([score_roll(s, config, o) for s, o in zip(scores, offsets, strict=True)])
        if n
        else np.zeros((0, config.pitches, config.steps), np.uint8)
    )
    zeros = np.zeros((n, ABSENT_DIM), np.float32)
    absent = np.zeros(n, np.float32)
    return Dataset(
        ids=np.array([f"{s}#{k}" for k, s in enumerate(songs)]),
        songs=np.array(songs),
        colors=np.array(colors),
        targets=np.stack([target_array(c) for c in colors])
        if n
        else np.zeros((0, 3, 3), np.float32),
        audio=zeros.copy(),
        audio_mask=absent.copy(),
        concept=zeros.copy(),
        concept_mask=absent.copy(),
        lyric=zeros.copy(),
        lyric_mask=absent.copy(),
        roll_index=np.arange(n, dtype=np.int64),
        rolls=rolls,
        texts=[""] * n,
        concept_texts=[""] * n,
        lyric_texts=[""] * n,
        encoders={
            "text_encoder": {"id": "absent", "dim": ABSENT_DIM},
            "audio_encoder": {"id": "absent", "dim": ABSENT_DIM},
        },
        data_hash="midi-only",
        roll_config=config,
    )


def text_dataset(
    concept: np.ndarray, lyric: np.ndarray, colors: list[str], songs: list[str]
) -> Dataset:
    """One row per (concept, lyric) embedding pair: text present, MIDI and audio absent."""
    n, dim = concept.shape
    # MIDI is absent on every row: a minimal roll keeps the CNN's cost off text-only runs
    base = midi_dataset([], [], [], config=PianoRollConfig(steps=16))
    return Dataset(
        ids=np.array([f"{s}#{k}" for k, s in enumerate(songs)]),
        songs=np.array(songs),
        colors=np.array(colors),
        targets=np.stack([target_array(c) for c in colors]),
        audio=np.zeros((n, ABSENT_DIM), np.float32),
        audio_mask=np.zeros(n, np.float32),
        concept=concept.astype(np.float32),
        concept_mask=np.ones(n, np.float32),
        lyric=lyric.astype(np.float32),
        lyric_mask=np.ones(n, np.float32),
        roll_index=np.full(n, -1, dtype=np.int64),
        rolls=base.rolls,
        texts=[""] * n,
        concept_texts=[""] * n,
        lyric_texts=[""] * n,
        encoders={
            "text_encoder": {"id": "text", "dim": dim},
            "audio_encoder": {"id": "absent", "dim": ABSENT_DIM},
        },
        data_hash="text-only",
        roll_config=base.roll_config,
    )
