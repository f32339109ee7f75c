"""Symbolic MIDI features a musician would name, in numpy only (the scorer needs no torch).

Why these: a fitness model trained on a few dozen songs cannot discover "minor third above the
tonic" from a piano roll, but a musician would name it at once. So every MIDI input also
carries a fixed vector of named measurements:

- pitch-class profile (duration-weighted) rotated to the tonic of a Krumhansl-Schmuckler key
  estimate, with the best major and minor profile correlations: transposition-invariant;
- melodic intervals of each track's top line and harmonic interval classes per beat;
- chord quality per beat (major, minor, diminished, augmented, suspended, seventh, other,
  no chord) from a 4096-entry pitch-class-set table;
- onset shares per sixteenth position in the beat, downbeat share, syncopation, off-grid share;
- density, register, velocity, duration and drum share.

Everything is measured in beats from the file's own ticks (``tpq``) and time signatures, so a
tempo change leaves the features unchanged; only register moves under transposition (it is
meant to: a low cello line is not a piccolo).
"""

from __future__ import annotations

import numpy as np
from symusic import Score

from chromatic.music.symbolic_batch import (  # noqa: F401  (the tables are public here too)
    _KK_Z,
    _ROT,
    CHORD_QUALITIES,
    FEATURE_NAMES,
    FEATURE_VERSION,
    KK_MAJOR,
    KK_MINOR,
    N_FEATURES,
    REGISTER_FEATURES,
    REGISTER_INDEX,
    STEPS_PER_BEAT,
    features_batch,
)


def feature_spec() -> dict:
    """What the exported model's ``midi_features`` input holds, for its metadata."""
    return {
        "version": FEATURE_VERSION,
        "names": list(FEATURE_NAMES),
        "steps_per_beat": STEPS_PER_BEAT,
        "beat": "quarter note (ticks / tpq)",
        "transposition_shifts": list(REGISTER_FEATURES),
    }


def beat_notes(score: Score, *, include_drums: bool = True) -> dict[str, np.ndarray]:
    """All notes in beats (quarter notes from ticks), with pitch, velocity, drum flag, track."""
    tpq = float(score.tpq) or 480.0
    arrays, drum, track = [], [], []
    for k, tr in enumerate(score.tracks):
        if (tr.is_drum and not include_drums) or not len(tr.notes):
            continue
        arr = tr.notes.numpy()
        arrays.append(arr)
        n = len(arr["time"])
        drum.append(np.full(n, bool(tr.is_drum)))
        track.append(np.full(n, k, dtype=np.int64))
    if not arrays:
        f, i = np.zeros(0), np.zeros(0, dtype=np.int64)
        return {"start": f, "end": f, "pitch": i, "velocity": i, "drum": f.astype(bool), "track": i}
    one = len(arrays) == 1

    def cat(key: str) -> np.ndarray:
        return arrays[0][key] if one else np.concatenate([a[key] for a in arrays])

    start = cat("time").astype(np.float64) / tpq
    return {
        "start": start,
        "end": start + cat("duration").astype(np.float64) / tpq,
        "pitch": cat("pitch").astype(np.int64),
        "velocity": cat("velocity").astype(np.int64),
        "drum": drum[0] if one else np.concatenate(drum),
        "track": track[0] if one else np.concatenate(track),
    }


def song_beat_notes(song, *, include_drums: bool = True) -> dict[str, np.ndarray]:
    """``beat_notes`` of what a model hears of a ``music.song.Song`` (``song_midi.heard_score``:
    a note starting at or after the song's end dropped, one running past it cut there), straight
    from the tracks' note arrays: the same arrays, with no symusic Score built. Track numbers
    count the title's note-less conductor track as the Score does."""
    end = song.end_tick
    arrays, drum, track = [], [], []
    for k, tr in enumerate(song.tracks, start=1 if song.title else 0):
        if (tr.is_drum and not include_drums) or not tr.notes:
            continue
        a = tr.note_array
        a = a[a[:, 0] < end]
        if not len(a):
            continue
        arrays.append(a)
        drum.append(np.full(len(a), bool(tr.is_drum)))
        track.append(np.full(len(a), k, dtype=np.int64))
    if not arrays:
        f, i = np.zeros(0), np.zeros(0, dtype=np.int64)
        return {"start": f, "end": f, "pitch": i, "velocity": i, "drum": f.astype(bool), "track": i}
    a = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
    start = a[:, 0].astype(np.float64) / float(song.tpq)
    return {
        "start": start,
        "end": start + np.minimum(a[:, 1], end - a[:, 0]).astype(np.float64) / float(song.tpq),
        "pitch": a[:, 2].copy(),
        "velocity": a[:, 3].copy(),
        "drum": drum[0] if len(drum) == 1 else np.concatenate(drum),
        "track": track[0] if len(track) == 1 else np.concatenate(track),
    }


def song_bar_starts(song) -> tuple[np.ndarray, np.ndarray]:
    """``bar_starts`` of a ``music.song.Song``'s meters."""
    sigs = sorted(song.meters, key=lambda m: m.tick)
    if not sigs:
        return np.zeros(1), np.full(1, 4.0)
    starts = np.array([m.tick / float(song.tpq) for m in sigs])
    lengths = np.array([max(m.numerator * 4.0 / max(m.denominator, 1), 0.25) for m in sigs])
    starts[0] = 0.0
    return starts, lengths


def bar_starts(score: Score) -> tuple[np.ndarray, np.ndarray]:
    """Time-signature changes as (start beat, bar length in beats); 4/4 when none is given."""
    tpq = float(score.tpq) or 480.0
    sigs = sorted(score.time_signatures, key=lambda s: s.time)
    if not sigs:
        return np.zeros(1), np.full(1, 4.0)
    starts = np.array([s.time / tpq for s in sigs])
    lengths = np.array([max(s.numerator * 4.0 / max(s.denominator, 1), 0.25) for s in sigs])
    starts[0] = 0.0
    return starts, lengths


def key_profile(pcp: np.ndarray) -> tuple[int, float, float]:
    """Krumhansl-Schmuckler: (tonic pitch class, best major r, best minor r) of a profile."""
    if pcp.sum() <= 0:
        return 0, 0.0, 0.0
    pz = pcp - pcp.mean()
    r = _KK_Z @ pz[_ROT].T / (np.sqrt(pz @ pz) + 1e-12)  # [2, 12]: major / minor per tonic
    major, minor = r
    tonic = int(np.argmax(major)) if major.max() >= minor.max() else int(np.argmax(minor))
    return tonic, float(major.max()), float(minor.max())


def midi_features(score: Score, *, include_drums: bool = True) -> np.ndarray:
    """The named feature vector of a tick-based Score (see the module docstring)."""
    return midi_features_batch([score], include_drums=include_drums)[0]


def midi_features_batch(
    scores: list[Score], *, include_drums: bool = True, notes: list[dict] | None = None
) -> np.ndarray:
    """Features [B, N_FEATURES] of many Scores in one vectorised pass (the scorer's path);
    ``notes``: their ``beat_notes`` when the caller already has them."""
    if notes is None:
        notes = [beat_notes(s, include_drums=include_drums) for s in scores]
    return features_batch(notes, [bar_starts(s) for s in scores])


def transpose_features(feats: np.ndarray, semitones: np.ndarray | int) -> np.ndarray:
    """Features of the same music moved by ``semitones``: only the register entries change."""
    out = np.array(feats, dtype=np.float32, copy=True)
    shift = np.asarray(semitones, dtype=np.float32) / 128.0
    for j in REGISTER_INDEX:
        out[..., j] = np.where(out[..., j] > 0, out[..., j] + shift, 0.0)
    return out
