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

FEATURE_VERSION = "symbolic-1"
STEPS_PER_BEAT = 4

# Krumhansl-Kessler probe-tone profiles (C major / C minor).
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

CHORD_QUALITIES = ("major", "minor", "diminished", "augmented", "suspended", "seventh")
_TEMPLATES = {
    "major": (0, 4, 7),
    "minor": (0, 3, 7),
    "diminished": (0, 3, 6),
    "augmented": (0, 4, 8),
    "suspended": (0, 5, 7),
    "seventh": (0, 4, 7, 10),
}

FEATURE_NAMES: tuple[str, ...] = (
    *(f"pc_rel_{i}" for i in range(12)),
    "key_major_r",
    "key_minor_r",
    "key_major_minus_minor",
    *(f"melodic_interval_{i}" for i in range(13)),
    "melodic_interval_over_octave",
    *(f"harmonic_ic_{i}" for i in range(1, 7)),
    *(f"chord_{q}" for q in CHORD_QUALITIES),
    "chord_other",
    "chord_none",
    *(f"onset_sixteenth_{i}" for i in range(STEPS_PER_BEAT)),
    "onset_downbeat",
    "syncopation",
    "onset_off_grid",
    "onsets_per_beat",
    "notes_per_beat",
    "polyphony",
    "register_mean",
    "register_std",
    "register_low",
    "register_high",
    "velocity_mean",
    "velocity_std",
    "duration_log2_beats",
    "drum_share",
    "drum_onsets_per_beat",
)
N_FEATURES = len(FEATURE_NAMES)
#: Features that shift with transposition (by semitones / 128); every other one is invariant.
REGISTER_FEATURES = ("register_mean", "register_low", "register_high")
REGISTER_INDEX = tuple(FEATURE_NAMES.index(n) for n in REGISTER_FEATURES)


def feature_spec() -> dict:
    """What the exported model's ``midi_features`` input holds, for its metadata."""
    return {
        "version": FEATURE_VERSION,
        "names": list(FEATURE_NAMES),
        "steps_per_beat": STEPS_PER_BEAT,
        "beat": "quarter note (ticks / tpq)",
        "transposition_shifts": list(REGISTER_FEATURES),
    }


def _lookup_tables() -> tuple[np.ndarray, np.ndarray]:
    """For every 12-bit pitch-class set: its chord-quality index and interval-class counts."""
    masks = np.arange(4096)
    bits = ((masks[:, None] >> np.arange(12)[None]) & 1).astype(bool)  # [4096, 12]
    size = bits.sum(axis=1)
    quality = np.full(4096, len(CHORD_QUALITIES) + 1, dtype=np.int64)  # "none"
    best = np.full(4096, -np.inf)
    for q, tpl in enumerate(_TEMPLATES.values()):
        for root in range(12):
            pcs = [(root + i) % 12 for i in tpl]
            inside = bits[:, pcs].all(axis=1)
            # full template present; fewer extra notes is a better fit; larger templates win ties
            fit = np.where(inside, len(tpl) - 0.6 * (size - len(tpl)), -np.inf)
            better = fit > best
            best = np.where(better, fit, best)
            quality = np.where(better, q, quality)
    quality = np.where(np.isinf(best) & (size >= 2), len(CHORD_QUALITIES), quality)  # other
    ic = np.zeros((4096, 6))
    for a in range(12):
        for b in range(a + 1, 12):
            d = min(b - a, 12 - (b - a))
            ic[:, d - 1] += bits[:, a] & bits[:, b]
    return quality, ic


_QUALITY_LUT, _IC_LUT = _lookup_tables()
#: _ROT[k] indexes a profile so that it starts at tonic k.
_ROT = (np.arange(12)[:, None] + np.arange(12)[None]) % 12
_KK_Z = np.stack([(p - p.mean()) / np.linalg.norm(p - p.mean()) for p in (KK_MAJOR, KK_MINOR)])


def beat_notes(score: Score, *, include_drums: bool = True) -> dict[str, np.ndarray]:
    """All notes in beats (quarter notes from ticks), with pitch, velocity, drum flag, track."""
    tpq = float(score.tpq) or 480.0
    cols: dict[str, list] = {k: [] for k in ("start", "end", "pitch", "velocity", "drum", "track")}
    for k, track in enumerate(score.tracks):
        if (track.is_drum and not include_drums) or not len(track.notes):
            continue
        arr = track.notes.numpy()
        t = arr["time"].astype(np.float64) / tpq
        cols["start"].append(t)
        cols["end"].append(t + arr["duration"].astype(np.float64) / tpq)
        cols["pitch"].append(arr["pitch"].astype(np.int64))
        cols["velocity"].append(arr["velocity"].astype(np.int64))
        cols["drum"].append(np.full(len(t), bool(track.is_drum)))
        cols["track"].append(np.full(len(t), k, dtype=np.int64))
    if not cols["start"]:
        f, i = np.zeros(0), np.zeros(0, dtype=np.int64)
        return {"start": f, "end": f, "pitch": i, "velocity": i, "drum": f.astype(bool), "track": i}
    return {k: np.concatenate(v) for k, v in cols.items()}


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


def _hist(values: np.ndarray, bins: int, weights: np.ndarray | None = None) -> np.ndarray:
    h = np.bincount(values, weights=weights, minlength=bins)[:bins].astype(np.float64)
    s = h.sum()
    return h / s if s > 0 else h


def _melodic(n: dict, pitched: np.ndarray) -> np.ndarray:
    """Intervals between successive onsets of each track's top line: 0..12, then > octave."""
    track = n["track"][pitched]
    onset = np.round(n["start"][pitched] * 48).astype(np.int64)
    order = np.lexsort((onset, track))
    track, onset, pitch = track[order], onset[order], n["pitch"][pitched][order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (track[1:] != track[:-1]) | (onset[1:] != onset[:-1])
    heads = np.flatnonzero(new)
    top = np.maximum.reduceat(pitch, heads)
    same_track = track[heads][1:] == track[heads][:-1]
    steps = np.abs(np.diff(top))[same_track]
    if not len(steps):
        return np.zeros(14)
    return _hist(np.minimum(steps, 13), 14)


def _beat_sets(n: dict, pitched: np.ndarray, total_beats: int, phase: float) -> np.ndarray:
    """The 12-bit pitch-class set sounding in each beat (a note counts in every beat it spans),
    beats counted from the music's own beat phase."""
    first = np.floor(n["start"][pitched] - phase + 1e-6).astype(np.int64) + 1
    last = np.maximum(np.ceil(n["end"][pitched] - phase - 1e-6).astype(np.int64) + 1, first + 1)
    first, last = np.clip(first, 0, total_beats), np.clip(last, 0, total_beats)
    lengths = np.maximum(last - first, 0)
    beats = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    pcs = np.repeat(n["pitch"][pitched] % 12, lengths)
    sets = np.zeros((total_beats, 12), dtype=bool)
    sets[beats, pcs] = True
    return (sets * (1 << np.arange(12))).sum(axis=1)


def beat_phase(starts: np.ndarray, weights: np.ndarray) -> float:
    """Where the beats fall (in beats, in [0, 1)): the circular mean of the onsets' sixteenth
    phase, then the sixteenth that carries the most note length. Measuring rhythm from it
    makes the onset profile indifferent to a slice (or a late start) that begins off the beat."""
    ang = 2 * np.pi * ((starts * STEPS_PER_BEAT) % 1.0)
    fine = (np.arctan2(np.sin(ang).sum(), np.cos(ang).sum()) / (2 * np.pi)) % 1.0
    fine = fine if fine < 0.5 else fine - 1.0
    pos = np.round(starts * STEPS_PER_BEAT - fine).astype(np.int64) % STEPS_PER_BEAT
    coarse = int(np.argmax(np.bincount(pos, weights=weights, minlength=STEPS_PER_BEAT)))
    return float(((fine + coarse) / STEPS_PER_BEAT) % 1.0)


def features_from_notes(n: dict, bars: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The feature vector (``FEATURE_NAMES``) of notes in beats (``beat_notes``)."""
    f = np.zeros(N_FEATURES, dtype=np.float64)
    if n["start"].size == 0:
        return f.astype(np.float32)
    pitched = ~n["drum"]
    span = max(float(n["end"].max() - n["start"].min()), 1.0)
    phase = beat_phase(n["start"], np.maximum(n["end"] - n["start"], 1e-3))
    i = 0
    if pitched.any():
        dur = np.maximum(n["end"][pitched] - n["start"][pitched], 1e-3)
        pcp = np.bincount(n["pitch"][pitched] % 12, weights=dur, minlength=12)
        tonic, rmaj, rmin = key_profile(pcp)
        f[0:12] = pcp[_ROT[tonic]] / pcp.sum()
        f[12:15] = rmaj, rmin, rmaj - rmin
        f[15:29] = _melodic(n, pitched)
        sets = _beat_sets(n, pitched, int(np.ceil(n["end"][pitched].max())) + 2, phase)
        sounding = sets[sets > 0]
        if len(sounding):
            ic = _IC_LUT[sounding].sum(axis=0)
            f[29:35] = ic / ic.sum() if ic.sum() > 0 else 0.0
            f[35:43] = _hist(_QUALITY_LUT[sounding], 8)
        p = np.sort(n["pitch"][pitched]).astype(np.float64)
        f[53:56] = p.mean() / 128, p.std() / 24, p[int(0.1 * (len(p) - 1))] / 128
        f[56] = p[round(0.9 * (len(p) - 1))] / 128
        f[59] = np.log2(np.clip(dur.mean(), 1 / 16, 16)) / 4
    i = 43
    onsets = np.unique(np.round(n["start"] * 48) / 48)
    grid = (onsets - phase) * STEPS_PER_BEAT
    on_grid = np.abs(grid - np.round(grid)) < 0.1
    pos = np.round(grid).astype(np.int64) % STEPS_PER_BEAT
    f[i : i + 4] = _hist(pos[on_grid], 4) * on_grid.mean()
    starts, lengths = bars
    k = np.clip(np.searchsorted(starts, onsets, side="right") - 1, 0, len(starts) - 1)
    in_bar = (onsets - phase - starts[k]) % lengths[k]
    beat_in_bar = np.round(in_bar).astype(np.int64) % np.maximum(np.round(lengths[k]), 1).astype(
        np.int64
    )
    on_beat = np.abs(in_bar - np.round(in_bar)) < 0.05
    strong = np.bincount(beat_in_bar[on_beat], minlength=1)  # the bar's phase: its busiest beat
    f[i + 4] = (
        float(np.mean(on_beat & (beat_in_bar == int(np.argmax(strong))))) if on_beat.any() else 0.0
    )
    shifted = n["start"] - phase
    offbeat = np.abs(shifted - np.round(shifted)) > 0.05
    crosses = np.floor(n["end"] - phase - 1e-6) > np.floor(shifted)
    f[i + 5] = float(np.mean(offbeat & crosses))
    f[i + 6] = 1.0 - float(on_grid.mean())
    f[50] = np.log1p(len(onsets) / span)
    f[51] = np.log1p(len(n["start"]) / span)
    f[52] = np.log1p(float((n["end"] - n["start"]).clip(0).sum()) / span)
    v = n["velocity"].astype(np.float64)
    f[57:59] = v.mean() / 127, v.std() / 127
    drums = n["drum"]
    f[60] = float(drums.mean())
    f[61] = np.log1p(len(np.unique(np.round(n["start"][drums] * 48))) / span) if drums.any() else 0
    return f.astype(np.float32)


def midi_features(score: Score, *, include_drums: bool = True) -> np.ndarray:
    """The named feature vector of a tick-based Score (see the module docstring)."""
    return features_from_notes(beat_notes(score, include_drums=include_drums), bar_starts(score))


def transpose_features(feats: np.ndarray, semitones: np.ndarray | int) -> np.ndarray:
    """Features of the same music moved by ``semitones``: only the register entries change."""
    out = np.array(feats, dtype=np.float32, copy=True)
    shift = np.asarray(semitones, dtype=np.float32) / 128.0
    for j in REGISTER_INDEX:
        out[..., j] = np.where(out[..., j] > 0, out[..., j] + shift, 0.0)
    return out
