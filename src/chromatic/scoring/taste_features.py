"""Symbolic features of one candidate for the taste model: what a musician would say about a
part when explaining why they kept it ("the voicing sits low", "it has a borrowed chord",
"busier hats").

Why these and not the fitness model's roll: a preference model learns from a few dozen to a
few hundred decisions, so it needs a short, named, scale-free vector (a linear model on 60
numbers is learnable from 100 decisions, a CNN is not), and every number must be computed the
same way at decision time and at ranking time from the MIDI alone plus the song's key (known
from the review's song header, never estimated). Pitch features are relative to the song's
tonic so a preference learned in C applies in F#.
"""

from __future__ import annotations

import itertools

import numpy as np
from symusic import Score

from chromatic.music.key import Key
from chromatic.music.midi import load_score

#: Chord shapes by pitch-class set relative to the lowest sounding note.
_QUALITIES = ("single", "dyad", "major", "minor", "sus", "seventh", "added", "other")
_DRUM_GROUPS = {
    "kick": (35, 36),
    "snare": (37, 38, 39, 40),
    "hat": (42, 44, 46),
    "tom": (41, 43, 45, 47, 48, 50),
    "cymbal": (49, 51, 52, 53, 55, 57, 59),
}

FEATURE_NAMES: tuple[str, ...] = (
    *(f"pc_rel_{i}" for i in range(12)),
    "non_diatonic_share",
    "pitch_mean",
    "pitch_std",
    "pitch_low",
    "pitch_high",
    "below_middle_c",
    "above_c5",
    "voices_mean",
    "onsets_with_3plus",
    "span_mean",
    "onsets_per_beat",
    "duration_beats",
    "on_beat_share",
    "offbeat_eighth_share",
    "sixteenth_share",
    "velocity_mean",
    "velocity_std",
    "top_interval_mean",
    "top_step_share",
    "top_leap_share",
    "top_repeat_share",
    "harmonic_changes_per_bar",
    "distinct_sets_share",
    *(f"quality_{q}" for q in _QUALITIES),
    "drum_density",
    *(f"drum_{g}_share" for g in _DRUM_GROUPS),
)
N_FEATURES = len(FEATURE_NAMES)


def _quality(rel: set[int]) -> str:
    """A musician's name for the set of intervals above the bass (pitch classes)."""
    if len(rel) == 1:
        return "single"
    if len(rel) == 2:
        return "dyad"
    if 10 in rel or 11 in rel:
        return "seventh"
    if {4, 7} <= rel:
        return "added" if 2 in rel or 9 in rel else "major"
    if {3, 7} <= rel:
        return "added" if 2 in rel or 9 in rel else "minor"
    if 7 in rel and (2 in rel or 5 in rel):
        return "sus"
    return "other"


def _pitched(score: Score) -> tuple[np.ndarray, ...]:
    """Start (ticks), duration, pitch, velocity of every non-drum note, sorted by start."""
    rows = [
        (n.time, n.duration, n.pitch, n.velocity)
        for t in score.tracks
        if not t.is_drum
        for n in t.notes
    ]
    if not rows:
        return tuple(np.zeros(0, np.int64) for _ in range(4))
    a = np.array(sorted(rows), dtype=np.int64)
    return a[:, 0], a[:, 1], a[:, 2], a[:, 3]


def _beat_ticks(score: Score) -> tuple[int, int]:
    """Ticks per beat (the time signature's denominator) and per bar, from the first signature."""
    tpq = score.ticks_per_quarter
    if score.time_signatures:
        ts = score.time_signatures[0]
        beat = tpq * 4 // max(1, ts.denominator)
        return beat, beat * ts.numerator
    return tpq, tpq * 4


def _beat_sets(start, dur, pitch, beat: int) -> list[tuple[int, frozenset[int]]]:
    """Per window of ``beat`` ticks (two beats: most harmony changes no faster), the lowest
    sounding pitch and the pitches sounding in it: the chord a listener hears there, whether it
    is struck as a block or arpeggiated."""
    end = start + np.maximum(dur, 1)
    first, last = int(start.min()) // beat, int(end.max() - 1) // beat
    out = []
    for b in range(first, last + 1):
        on = (start < (b + 1) * beat) & (end > b * beat)
        if on.any():
            ps = pitch[on]
            out.append((int(ps.min()), frozenset(int(x) for x in ps)))
    return out


def _pitch_block(start, dur, pitch, vel, key: Key, beat: int, bar: int) -> list[float]:
    weights = dur.astype(np.float64) + 1.0
    pcs = (pitch - key.pc) % 12
    profile = np.bincount(pcs, weights=weights, minlength=12)
    profile = profile / profile.sum()
    scale = {(p - key.pc) % 12 for p in key.scale_pcs()}
    non_diatonic = float(profile[[i for i in range(12) if i not in scale]].sum())
    p = pitch.astype(np.float64)
    onsets, counts = np.unique(start, return_counts=True)
    groups = np.split(np.arange(len(start)), np.cumsum(counts)[:-1])
    tops = np.array([pitch[g].max() for g in groups], dtype=np.float64)
    spans = np.array([pitch[g].max() - pitch[g].min() for g in groups], dtype=np.float64)
    intervals = np.abs(np.diff(tops)) if len(tops) > 1 else np.zeros(1)
    sets = _beat_sets(start, dur, pitch, 2 * beat if beat < bar // 2 else beat)
    qualities = np.zeros(len(_QUALITIES))
    for low, pcs_set in sets:
        qualities[_QUALITIES.index(_quality({(x - low) % 12 for x in pcs_set}))] += 1
    names = [frozenset(x % 12 for x in ps) for _, ps in sets]
    changes = sum(1 for a, b in itertools.pairwise(names) if a != b)
    length_bars = max(1.0, float((start + dur).max()) / bar)
    pos = onsets % beat
    half, quarter_of_beat = beat // 2, beat // 4
    return [
        *profile,
        non_diatonic,
        p.mean() / 127,
        p.std() / 24,
        p.min() / 127,
        p.max() / 127,
        float((p < 60).mean()),
        float((p >= 72).mean()),
        float(counts.mean()) / 4,
        float((counts >= 3).mean()),
        float(spans.mean()) / 24,
        len(onsets) / (length_bars * bar / beat) / 4,
        float((dur / beat).mean()) / 4,
        float((pos == 0).mean()),
        float((pos == half).mean()) if half else 0.0,
        float(((pos % max(1, half)) == quarter_of_beat).mean()) if quarter_of_beat else 0.0,
        vel.mean() / 127,
        vel.std() / 64,
        float(intervals.mean()) / 12,
        float(((intervals > 0) & (intervals <= 2)).mean()),
        float((intervals >= 5).mean()),
        float((intervals == 0).mean()),
        changes / length_bars,
        len(set(names)) / max(1, len(names)),
        *(qualities / qualities.sum()),
    ]


def _drum_block(score: Score, beat: int, bar: int) -> list[float]:
    hits = [n.pitch for t in score.tracks if t.is_drum for n in t.notes]
    ends = [n.time + n.duration for t in score.tracks for n in t.notes]
    if not hits:
        return [0.0] * (1 + len(_DRUM_GROUPS))
    beats = max(1.0, max(ends) / beat)
    h = np.array(hits)
    shares = [float(np.isin(h, list(keys)).mean()) for keys in _DRUM_GROUPS.values()]
    return [len(hits) / beats / 4, *shares]


def features(score: Score, key: Key) -> np.ndarray:
    """The taste feature vector (``FEATURE_NAMES``) of one candidate, float32."""
    beat, bar = _beat_ticks(score)
    start, dur, pitch, vel = _pitched(score)
    n_pitched = len(FEATURE_NAMES) - 1 - len(_DRUM_GROUPS)
    block = (
        _pitch_block(start, dur, pitch, vel, key, beat, bar) if len(start) else [0.0] * n_pitched
    )
    out = np.array([*block, *_drum_block(score, beat, bar)], dtype=np.float32)
    assert out.shape == (N_FEATURES,), out.shape
    return out


def features_of_midi(midi, key: Key | str) -> np.ndarray:
    """``features`` of MIDI bytes, a path or a ``music.song.Song`` (what its file holds, built in
    memory: ``song_midi.heard_score``), the key given as a Key or a string ("C# minor")."""
    from chromatic.music.song import Song

    if isinstance(midi, Song):
        from chromatic.music.song_midi import heard_score

        score = heard_score(midi)
    else:
        score = load_score(midi)
    return features(score, key if isinstance(key, Key) else Key.parse(key))


def feature_matrix(items: list[tuple[object, str]]) -> np.ndarray:
    """Features of (MIDI bytes or Song, key) pairs, one row each."""
    if not items:
        return np.zeros((0, N_FEATURES), np.float32)
    return np.stack([features_of_midi(m, k) for m, k in items])
