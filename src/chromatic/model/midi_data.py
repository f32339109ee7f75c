"""A Dataset from MIDI alone: real scores (music21's corpus, candidates) with no text or audio.

Sanity benchmarks train and score the fusion model on music that has no catalog around it.
Rows carry only the MIDI modality (text and audio masked absent, small zero vectors), and
each row's piano roll and symbolic features are built exactly as ``model.data.load_dataset``
builds a segment's (a row without its features would leave the MIDI expert with the roll
alone: the features are half of what it hears).
"""

from __future__ import annotations

import numpy as np
from symusic import Score

from chromatic.model.data import Dataset, target_array
from chromatic.music.pianoroll import DEFAULT_CONFIG, PianoRollConfig, grid_notes, roll_from_notes
from chromatic.music.symbolic import N_FEATURES, midi_features_batch

#: Width of the absent text / audio inputs (any positive size: they are always masked).
ABSENT_DIM = 8


def _window(score: Score, offset: float, seconds: float | None) -> Score:
    """The part of a score a row sees: from ``offset`` seconds, ``seconds`` long (None: to
    the end), re-based to 0 as ``segments build`` slices a song's MIDI."""
    if offset <= 0 and seconds is None:
        return score
    from chromatic.segments.slicing import slice_midi

    end = max(float(score.to("second").end()), offset) if seconds is None else offset + seconds
    return slice_midi(score, offset, end)


def midi_dataset(
    scores: list[Score],
    colors: list[str],
    songs: list[str],
    *,
    config: PianoRollConfig = DEFAULT_CONFIG,
    offsets: list[float] | None = None,
    window: float | None = None,
) -> Dataset:
    """One row per score, cut from its offset (seconds) for ``window`` seconds (None: to the
    end) exactly as ``segments build`` cuts a segment: MIDI present (the roll and the symbolic
    features of that cut, as ``load_dataset`` and the scorer compute them), every other
    modality absent."""
    n = len(scores)
    offsets = offsets or [0.0] * n
    cuts = [_window(s, o, window) for s, o in zip(scores, offsets, strict=True)]
    rolls = np.zeros((n, config.pitches, config.steps), np.uint8)
    for k, cut in enumerate(cuts):
        na = grid_notes(cut, config)
        roll = roll_from_notes(na["start"], na["end"], na["pitch"], na["velocity"], config=config)
        rolls[k] = np.rint(roll * 127).astype(np.uint8)
    feats = (
        midi_features_batch(cuts, include_drums=config.include_drums)
        if n
        else np.zeros((0, N_FEATURES), np.float32)
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
        features=feats.astype(np.float32),
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
