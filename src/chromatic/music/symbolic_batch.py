"""The symbolic features of many MIDI files at once: one set of numpy calls for a whole batch.

Why a batch: scoring 50 candidates one at a time spends most of its time in numpy's per-call
overhead on arrays of a hundred notes. Every measurement here is a grouped reduction
(``bincount`` over ``candidate x bin``, ``reduceat`` over sorted runs), so the cost is paid
once per batch. ``chromatic.music.symbolic.midi_features`` is this function on a batch of one,
so there is one definition of every feature.
"""

from __future__ import annotations

import numpy as np

from chromatic.music.meter_features import METER_FEATURE_NAMES, N_METER, meter_features

FEATURE_VERSION = "symbolic-3"  # 3: meter and rhythm (``meter_features``)
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
    *(f"pc_bass_rel_{i}" for i in range(12)),
    *(f"bass_root_above_tonic_{i}" for i in range(12)),
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
    *METER_FEATURE_NAMES,
)
N_FEATURES = len(FEATURE_NAMES)
#: Features that shift with transposition (by semitones / 128); every other one is invariant.
REGISTER_FEATURES = ("register_mean", "register_low", "register_high")
REGISTER_INDEX = tuple(FEATURE_NAMES.index(n) for n in REGISTER_FEATURES)


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

_I = {name: k for k, name in enumerate(FEATURE_NAMES)}
S = STEPS_PER_BEAT


def _norm_rows(h: np.ndarray) -> np.ndarray:
    h = h.astype(np.float64)
    s = h.sum(axis=1, keepdims=True)
    return np.divide(h, s, out=np.zeros_like(h), where=s > 0)


def _concat(notes: list[dict]) -> dict[str, np.ndarray]:
    out = {k: np.concatenate([n[k] for n in notes]) for k in notes[0]}
    out["c"] = np.repeat(np.arange(len(notes)), [len(n["start"]) for n in notes])
    return out


def _phase(n: dict, b: int) -> np.ndarray:
    """Per candidate: where its beats fall (see ``symbolic.beat_phase``)."""
    c, st = n["c"], n["start"]
    dur = np.maximum(n["end"] - st, 1e-3)
    ang = 2 * np.pi * ((st * S) % 1.0)
    fine = (
        (np.arctan2(np.bincount(c, np.sin(ang), b), np.bincount(c, np.cos(ang), b)))
        / (2 * np.pi)
        % 1.0
    )
    fine = np.where(fine < 0.5, fine, fine - 1.0)
    pos = np.round(st * S - fine[c]).astype(np.int64) % S
    coarse = np.bincount(c * S + pos, dur, b * S).reshape(b, S).argmax(axis=1)
    return ((fine + coarse) / S) % 1.0


def _pitch(n: dict, b: int, f: np.ndarray, phase: np.ndarray) -> None:
    """Key, tonic-relative profile, melodic and harmonic intervals, chords, register."""
    p = n["pitched"]
    c, st, en, pi = n["c"][p], n["start"][p], n["end"][p], n["pitch"][p]
    if not len(c):
        return
    dur = np.maximum(en - st, 1e-3)
    pcp = np.bincount(c * 12 + pi % 12, dur, b * 12).reshape(b, 12)
    has = pcp.sum(axis=1) > 0
    pz = pcp - pcp.mean(axis=1, keepdims=True)
    r = (pz[:, _ROT] @ _KK_Z.T) / (np.linalg.norm(pz, axis=1)[:, None, None] + 1e-12)  # [B,12,2]
    major, minor = r[..., 0], r[..., 1]
    tonic = np.where(major.max(1) >= minor.max(1), major.argmax(1), minor.argmax(1))
    rel = np.take_along_axis(pcp, _ROT[tonic], axis=1)
    f[:, 0:12] = _norm_rows(rel)
    f[:, _I["key_major_r"]] = np.where(has, major.max(1), 0)
    f[:, _I["key_minor_r"]] = np.where(has, minor.max(1), 0)
    f[:, _I["key_major_minus_minor"]] = f[:, _I["key_major_r"]] - f[:, _I["key_minor_r"]]
    # the mode: the profile seen from the bass's most sounded pitch class (the lowest note of
    # each onset), and where that root sits above the key's tonic. Dorian, mixolydian, lydian
    # and locrian share their notes with a major key, so only the root tells them apart.
    q = np.round(st * 48).astype(np.int64)
    lo_order = np.lexsort((pi, q, c))
    cl, ql = c[lo_order], q[lo_order]
    first = np.ones(len(lo_order), dtype=bool)
    first[1:] = (cl[1:] != cl[:-1]) | (ql[1:] != ql[:-1])
    bass = lo_order[first]
    bass_pcp = np.bincount(c[bass] * 12 + pi[bass] % 12, dur[bass], b * 12).reshape(b, 12)
    root = bass_pcp.argmax(axis=1)
    b0 = _I["pc_bass_rel_0"]
    f[:, b0 : b0 + 12] = _norm_rows(np.take_along_axis(pcp, _ROT[root], axis=1))
    r0 = _I["bass_root_above_tonic_0"]
    f[np.flatnonzero(has), r0 + ((root - tonic) % 12)[has]] = 1.0
    # melodic intervals of each track's top line
    tr = n["track"][p]
    order = np.lexsort((q, tr, c))
    cs, ts, qs, ps = c[order], tr[order], q[order], pi[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (cs[1:] != cs[:-1]) | (ts[1:] != ts[:-1]) | (qs[1:] != qs[:-1])
    heads = np.flatnonzero(new)
    top = np.maximum.reduceat(ps, heads)
    hc, ht = cs[heads], ts[heads]
    same = (hc[1:] == hc[:-1]) & (ht[1:] == ht[:-1])
    steps = np.minimum(np.abs(np.diff(top)), 13)[same]
    m0 = _I["melodic_interval_0"]
    f[:, m0 : m0 + 14] = _norm_rows(
        np.bincount(hc[1:][same] * 14 + steps, None, b * 14).reshape(b, 14)
    )
    # pitch-class set per beat (from the beat phase), chord quality and interval classes
    ph = phase[c]
    first = np.floor(st - ph + 1e-6).astype(np.int64) + 1
    last = np.maximum(np.ceil(en - ph - 1e-6).astype(np.int64) + 1, first + 1)
    beats = np.zeros(b, dtype=np.int64)
    np.maximum.at(beats, c, last + 1)
    offset = np.concatenate([[0], np.cumsum(beats)[:-1]])
    lengths = last - first
    slots = np.repeat(offset[c] + first - np.cumsum(lengths) + lengths, lengths) + np.arange(
        lengths.sum()
    )
    sets = np.zeros((int(beats.sum()), 12), dtype=bool)
    sets[slots, np.repeat(pi % 12, lengths)] = True
    masks = sets @ (1 << np.arange(12))
    owner = np.repeat(np.arange(b), beats)
    sounding = masks > 0
    mk, ow = masks[sounding], owner[sounding]
    ic = np.stack([np.bincount(ow, _IC_LUT[mk, j], b) for j in range(6)], axis=1)
    h0 = _I["harmonic_ic_1"]
    f[:, h0 : h0 + 6] = _norm_rows(ic)
    q0 = _I["chord_major"]
    f[:, q0 : q0 + 8] = _norm_rows(
        np.bincount(ow * 8 + _QUALITY_LUT[mk], None, b * 8).reshape(b, 8)
    )
    # register: mean, spread, 10th and 90th percentile (by rank), duration
    cnt = np.bincount(c, None, b)
    safe = np.maximum(cnt, 1)
    mean = np.bincount(c, pi, b) / safe
    var = np.bincount(c, (pi - mean[c]) ** 2, b) / safe
    srt = pi[np.lexsort((pi, c))]
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    low = srt[np.minimum(start + (0.1 * (cnt - 1)).astype(np.int64), len(srt) - 1)]
    high = srt[np.minimum(start + np.round(0.9 * (cnt - 1)).astype(np.int64), len(srt) - 1)]
    ok = cnt > 0
    f[:, _I["register_mean"]] = np.where(ok, mean / 128, 0)
    f[:, _I["register_std"]] = np.where(ok, np.sqrt(var) / 24, 0)
    f[:, _I["register_low"]] = np.where(ok, low / 128, 0)
    f[:, _I["register_high"]] = np.where(ok, high / 128, 0)
    mdur = np.bincount(c, dur, b) / safe
    f[:, _I["duration_log2_beats"]] = np.where(ok, np.log2(np.clip(mdur, 1 / 16, 16)) / 4, 0)


def _in_bar(onsets: np.ndarray, oc: np.ndarray, phase: np.ndarray, bars: list) -> tuple:
    """Each onset's position in its bar (beats) and its bar's length."""
    if all(len(s) == 1 for s, _ in bars):
        start = np.array([s[0] for s, _ in bars])[oc]
        length = np.array([ln[0] for _, ln in bars])[oc]
    else:
        start, length = np.zeros(len(onsets)), np.zeros(len(onsets))
        for k, (s, ln) in enumerate(bars):
            sel = oc == k
            j = np.clip(np.searchsorted(s, onsets[sel], side="right") - 1, 0, len(s) - 1)
            start[sel], length[sel] = s[j], ln[j]
    return (onsets - phase[oc] - start) % length, length


def _rhythm(n: dict, b: int, f: np.ndarray, phase: np.ndarray, bars: list) -> None:
    c, st, en = n["c"], n["start"], n["end"]
    key = np.unique(c * (1 << 40) + np.round(st * 48).astype(np.int64))
    oc = (key >> 40).astype(np.int64)
    onsets = (key - (oc << 40)) / 48.0
    n_on = np.maximum(np.bincount(oc, None, b), 1)
    grid = (onsets - phase[oc]) * S
    on_grid = np.abs(grid - np.round(grid)) < 0.1
    pos = np.round(grid).astype(np.int64) % S
    o0 = _I["onset_sixteenth_0"]
    f[:, o0 : o0 + S] = (
        np.bincount(oc[on_grid] * S + pos[on_grid], None, b * S).reshape(b, S) / n_on[:, None]
    )
    in_bar, length = _in_bar(onsets, oc, phase, bars)
    nbeats = np.maximum(np.round(length), 1).astype(np.int64)
    beat = np.round(in_bar).astype(np.int64) % nbeats
    on_beat = np.abs(in_bar - np.round(in_bar)) < 0.05
    width = int(nbeats.max()) if len(nbeats) else 1
    busy = np.bincount(oc[on_beat] * width + beat[on_beat], None, b * width).reshape(b, width)
    strong = busy.argmax(axis=1)
    down = on_beat & (beat == strong[oc])
    f[:, _I["onset_downbeat"]] = np.bincount(oc[down], None, b) / n_on
    shifted = st - phase[c]
    sync = (np.abs(shifted - np.round(shifted)) > 0.05) & (
        np.floor(en - phase[c] - 1e-6) > np.floor(shifted)
    )
    n_notes = np.bincount(c, None, b)
    safe = np.maximum(n_notes, 1)
    f[:, _I["syncopation"]] = np.bincount(c, sync, b) / safe
    f[:, _I["onset_off_grid"]] = np.bincount(oc, ~on_grid, b) / n_on
    lo, hi = np.full(b, np.inf), np.full(b, -np.inf)
    np.minimum.at(lo, c, st)
    np.maximum.at(hi, c, en)
    span = np.maximum(np.where(n_notes > 0, hi - lo, 1.0), 1.0)
    f[:, _I["onsets_per_beat"]] = np.log1p(np.bincount(oc, None, b) / span)
    f[:, _I["notes_per_beat"]] = np.log1p(n_notes / span)
    f[:, _I["polyphony"]] = np.log1p(np.bincount(c, np.clip(en - st, 0, None), b) / span)
    v = n["velocity"].astype(np.float64)
    vm = np.bincount(c, v, b) / safe
    f[:, _I["velocity_mean"]] = vm / 127
    f[:, _I["velocity_std"]] = np.sqrt(np.bincount(c, (v - vm[c]) ** 2, b) / safe) / 127
    drum = n["drum"]
    f[:, _I["drum_share"]] = np.bincount(c, drum, b) / safe
    dk = np.unique(c[drum] * (1 << 40) + np.round(st[drum] * 48).astype(np.int64))
    f[:, _I["drum_onsets_per_beat"]] = np.log1p(np.bincount(dk >> 40, None, b) / span)
    f[n_notes == 0] = 0.0


def features_batch(notes: list[dict], bars: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Features [B, N_FEATURES] float32 of B note sets (``symbolic.beat_notes``) and their
    bars (``symbolic.bar_starts``)."""
    b = len(notes)
    f = np.zeros((b, N_FEATURES), dtype=np.float64)
    if b == 0 or sum(len(x["start"]) for x in notes) == 0:
        return f.astype(np.float32)
    n = _concat(notes)
    n["pitched"] = ~n["drum"]
    phase = _phase(n, b)
    _pitch(n, b, f, phase)
    _rhythm(n, b, f, phase, bars)
    f[:, -N_METER:] = meter_features(n, b, phase)
    return f.astype(np.float32)
