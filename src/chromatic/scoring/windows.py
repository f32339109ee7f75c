"""Whole-song scoring: a candidate longer than the model's roll is heard in windows, and a
candidate of several stems is heard one stem at a time.

The model hears one piano roll of ``steps`` beat-grid steps (256 sixteenths: 64 beats, 16 bars
of 4/4), and it was trained on segments cut from songs (``segments.slicing.slice_midi``: each
one re-based to 0, the meter in force at its start, notes crossing an edge clipped to it). A
roll of a whole arrangement used to hold only its first 16 bars (notes past the last step were
dropped) while its symbolic features read all of it. Now a candidate that runs past the roll is
cut the way a segment is: consecutive windows of as many whole bars (of the meter in force where
the window starts) as fit in the roll, the last one shorter.

**Stems.** Every training segment is one stem: the catalog's MIDI comes as one file a stem
(bass, drums, keys, lead), and segments are cut from each file (on the demo model's held-out
songs, 433 of 433 segments hold one track, 198 of them drums alone). Compose scores its
candidates the same way (each part alone, one track). A whole arrangement read as one roll
(every stem merged) is a mix the model never heard, so a candidate with several tracks that
hold notes is heard stem by stem: each stem's notes in each window are one row.

Each row has its own roll and its own features, and the candidate's outputs are the
**duration-weighted mean of its rows' outputs** (each axis's probabilities, the confidence),
weights = the windows' lengths in beats (a stem silent in a window has no row there). The
match, predicted color and confidence are then read from that mean as for any row. A candidate
of one stem that fits in the roll (length <= 64 beats: every compose candidate) is one row built
exactly as before, so its score is the same bits.

Only for the beat grid (the default); a seconds-grid model hears the first 25.6 s as before.
"""

from __future__ import annotations

import numpy as np

from chromatic.music.pianoroll import rolls_from_note_sets
from chromatic.music.symbolic import features_batch


def song_length(sc) -> float:
    """A Score's or Song's length in beats (a Song: its end; a Score: its last event's end)."""
    from chromatic.music.song import Song

    if isinstance(sc, Song):
        return sc.end_tick / float(sc.tpq)
    return float(sc.end()) / (float(sc.tpq) or 480.0)


def window_spans(length: float, bars: tuple, window: float) -> list[tuple[float, float]]:
    """Consecutive (start, end) beats covering ``length``: each window as many whole bars of
    the meter in force at its start as fit in ``window`` beats (at least one bar)."""
    starts, lengths = bars
    spans, t = [], 0.0
    while t < length - 1e-9:
        bar = float(lengths[max(int(np.searchsorted(starts, t + 1e-9, "right")) - 1, 0)])
        w = max(int(window // bar + 1e-9), 1) * bar if bar <= window else window
        spans.append((t, min(t + w, length)))
        t += w
    return spans


def window_notes(notes: dict, w0: float, w1: float) -> dict:
    """The notes sounding in [w0, w1), clipped to it and re-based to w0 (as ``slice_midi``)."""
    s, e = notes["start"], notes["end"]
    keep = ((s < w1) & (e > w0)) | ((s >= w0) & (s < w1))
    out = {k: v[keep] for k, v in notes.items()}
    out["start"] = np.maximum(s[keep], w0) - w0
    out["end"] = np.minimum(np.maximum(e[keep], s[keep]), w1) - w0
    return out


def window_bars(bars: tuple, w0: float, w1: float) -> tuple[np.ndarray, np.ndarray]:
    """The meter in force at w0 (at 0), then its changes inside the window, re-based."""
    starts, lengths = bars
    i = max(int(np.searchsorted(starts, w0 + 1e-9, "right")) - 1, 0)
    inside = (starts > w0 + 1e-9) & (starts < w1)
    return (
        np.concatenate([[0.0], starts[inside] - w0]),
        np.concatenate([[lengths[i]], lengths[inside]]),
    )


def stem_count(sc, include_drums: bool) -> int:
    """How many of a Score's or Song's tracks hold notes the model hears."""
    from chromatic.music.song import Song

    if isinstance(sc, Song):
        return sum(1 for t in sc.tracks if t.notes and (include_drums or not t.is_drum))
    return sum(1 for t in sc.tracks if t.note_num() and (include_drums or not t.is_drum))


def stems_of(notes: dict) -> list[dict]:
    """A candidate's notes split by track (each stem on its own, in track order)."""
    tracks = notes["track"]
    if not len(tracks) or (tracks == tracks[0]).all():
        return [notes]
    return [{k: v[tracks == t] for k, v in notes.items()} for t in np.unique(tracks)]


def windowed(scorer, parsed: list, rolls: np.ndarray, feats: np.ndarray, read):
    """(rolls, features, fold) with each long or many-stem candidate's row replaced by its
    rows: one per stem and window; ``fold`` is None when every candidate is one stem that fits
    the roll (nothing changes), else (the candidate of each row, its weight, how many
    candidates) for ``fold_outputs``. ``read`` gives a candidate's (beat-grid notes, bars)
    (``scoring.batch._notes_and_bars``)."""
    cfg = scorer.roll_config
    window = cfg.steps / cfg.steps_per_beat
    if cfg.grid != "beat":
        return rolls, feats, None
    read_of: dict[int, tuple] = {}
    for k, sc in enumerate(parsed):
        if sc is None:
            continue
        if stem_count(sc, cfg.include_drums) > 1 or song_length(sc) > window:
            read_of[k] = read(sc, cfg.include_drums)
    if not read_of:
        return rolls, feats, None
    weight, sets, bars = [], [], []
    extra: dict[int, list[int]] = {}
    for k, (notes, b) in read_of.items():
        spans = window_spans(song_length(parsed[k]), b, window)
        for stem in stems_of(notes):
            for w0, w1 in spans:
                part = window_notes(stem, w0, w1)
                if len(part["start"]):
                    extra.setdefault(k, []).append(len(sets))
                    sets.append(part)
                    bars.append(window_bars(b, w0, w1))
                    weight.append(w1 - w0)
    split = [k for k in read_of if k in extra]  # (a candidate has notes: at least one row)
    w_rolls = rolls_from_note_sets(sets, cfg)
    w_feats = features_batch(sets, bars)
    keep = [k for k in range(len(parsed)) if k not in extra]
    row_rolls = [rolls[keep]] + [w_rolls[extra[k]] for k in split]
    row_feats = [feats[keep]] + [w_feats[extra[k]] for k in split]
    owner = keep + [k for k in split for _ in extra[k]]
    wts = [1.0] * len(keep) + [weight[j] for k in split for j in extra[k]]
    fold = (np.array(owner, np.int64), np.array(wts, np.float64), len(parsed))
    return np.concatenate(row_rolls), np.concatenate(row_feats), fold


def expand(fold, values: list) -> list:
    """A per-candidate list repeated for its rows (``windowed``'s row order)."""
    return values if fold is None else [values[k] for k in fold[0]]


def fold_outputs(out: dict, fold) -> dict:
    """Model outputs of the rows -> one per candidate: the weighted mean of its rows (a
    candidate of one row: that row, unchanged)."""
    if fold is None:
        return out
    owner, w, n = fold
    res = {}
    for name, v in out.items():
        v = np.asarray(v)
        acc = np.zeros((n, *v.shape[1:]), np.float64)
        np.add.at(acc, owner, v.astype(np.float64) * w.reshape(-1, *[1] * (v.ndim - 1)))
        tot = np.bincount(owner, weights=w, minlength=n).reshape(-1, *[1] * (v.ndim - 1))
        mean = (acc / tot).astype(v.dtype)
        single = np.bincount(owner, minlength=n) == 1
        first = np.zeros(n, np.int64)
        first[owner] = np.arange(len(owner))  # a one-row candidate's row
        mean[single] = v[first[single]]  # bit-identical rows for a one-row candidate
        res[name] = mean
    return res
