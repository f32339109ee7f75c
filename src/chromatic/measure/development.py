"""Development figures: does a section develop over its passes, and does a
period's second half answer its first?

Both read a :class:`~chromatic.measure.musicality.Piece` (times in quarters) and the planned
passes (``passes``: each section occurrence's label, loop bars and repeat count, in song order).

- **Passes** (``pass_figures``): a section's passes are all the times its loop plays, over every
  occurrence of its label; each pass after the first is compared with the section's first pass,
  note for note (onset on the grid relative to the pass, pitch; the drums by kit piece): ``acc_differ`` is the share of those passes whose
  accompaniment (bass, chords, other pitched parts and drums) is not the first pass again,
  ``mel_differ`` the same for the lead, ``acc_grow`` the median ratio of accompaniment notes in
  the second pass to the first (above 1: the band fills in as the section goes on).
- **Halves** (``half_figures``): a period (a section's first pass of two bars or more, or a
  whole reference tune) is cut at its middle bar. ``half_rhythm`` is the Jaccard overlap of the
  two halves' onsets (relative to each half); ``half_same`` the share of the second half's notes
  that repeat the first half's pitch at the same place (1: the second half is the first again);
  ``half_sim`` the similarity of their interval sequences (difflib's ratio); ``answer`` the share
  of periods whose second half ends on a more stable degree than the first (tonic, then the
  fifth, then the third, then the rest), as an answering phrase closes what the first left open.
"""

from __future__ import annotations

import difflib
import itertools
import re
import statistics
from collections.abc import Sequence

from chromatic.measure.musicality import Piece, PNote, on_grid

MIN_HALF_NOTES = 3


def plan_passes(plan: dict) -> list[tuple[str, int, int]]:
    """(label, bars, repeat) of every planned section occurrence that sounds, in song order."""
    out = []
    for s in plan.get("sections", []):
        reps = int(s.get("repeat", 1) or 0)
        if reps > 0 and s.get("approved", True) is not False:
            label = re.sub(
                r"[^a-z0-9_]", "", re.sub(r"[\s\-]+", "_", str(s.get("name", "")).lower())
            )
            out.append((label, int(s.get("bars", 0)), reps))
    return out


def stability(pitch: int, tonic: int, minor: bool) -> int:
    """0 for the tonic, 1 the fifth, 2 the third, 3 anything else."""
    d = (pitch - tonic) % 12
    third = 3 if minor else 4
    return {0: 0, 7: 1, third: 2}.get(d, 3)


def _window(notes: Sequence[PNote], start: float, length: float) -> list[PNote]:
    lo, hi = on_grid(start), on_grid(start + length)
    return [n for n in notes if lo <= on_grid(n.onset) < hi]


def _cells(notes: Sequence[PNote], start: float) -> set[tuple[int, int]]:
    base = on_grid(start)
    return {(on_grid(n.onset) - base, n.pitch) for n in notes}


def _accompaniment(piece: Piece) -> list[PNote]:
    drums = [PNote(t, 0.25, 128 + k) for t, k in piece.drum_hits]  # kit pieces apart from pitches
    return [*piece.bass, *piece.chords, *piece.others, *drums]


def pass_figures(piece: Piece, passes: Sequence[tuple[str, int, int]]) -> dict[str, float | None]:
    acc = _accompaniment(piece)
    starts: dict[tuple[str, int], list[float]] = {}  # (label, bars) -> its passes' starts
    at = 0.0
    for label, bars, reps in passes:
        length = bars * piece.bar_quarters
        starts.setdefault((label, bars), []).extend(at + k * length for k in range(reps))
        at += reps * length
    acc_diff, mel_diff, grow = [], [], []
    for (_, bars), ats in starts.items():
        length = bars * piece.bar_quarters
        if len(ats) < 2 or not bars:
            continue
        first_acc = _cells(_window(acc, ats[0], length), ats[0])
        first_mel = _cells(_window(piece.melody, ats[0], length), ats[0])
        for k, s in enumerate(ats[1:], 1):
            a = _cells(_window(acc, s, length), s)
            acc_diff.append(a != first_acc)
            if first_mel:
                mel_diff.append(_cells(_window(piece.melody, s, length), s) != first_mel)
            if k == 1 and first_acc:
                grow.append(len(a) / len(first_acc))
    mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
    return {
        "acc_differ": mean(acc_diff),
        "mel_differ": mean(mel_diff),
        "acc_grow": statistics.median(grow) if grow else None,
        "repeated_passes": len(acc_diff),
    }


def halves(
    melody: Sequence[PNote], start: float, bars: int, bar_q: float, tonic: int, minor: bool
) -> dict[str, float] | None:
    """The figures of one period of ``bars`` bars from ``start`` (None: too few notes)."""
    if bars < 2:
        return None
    mid = bars // 2 * bar_q
    first = _window(melody, start, mid)
    second = _window(melody, start + mid, (bars - bars // 2) * bar_q)
    if len(first) < MIN_HALF_NOTES or len(second) < MIN_HALF_NOTES:
        return None
    a = {on_grid(n.onset) - on_grid(start): n.pitch for n in first}
    b = {on_grid(n.onset) - on_grid(start + mid): n.pitch for n in second}
    iv = lambda ns: [y.pitch - x.pitch for x, y in itertools.pairwise(ns)]  # noqa: E731
    return {
        "half_rhythm": len(a.keys() & b.keys()) / len(a.keys() | b.keys()),
        "half_same": sum(a.get(t) == p for t, p in b.items()) / len(b),
        "half_sim": difflib.SequenceMatcher(None, iv(first), iv(second), autojunk=False).ratio(),
        "answer": float(
            stability(second[-1].pitch, tonic, minor) < stability(first[-1].pitch, tonic, minor)
        ),
    }


def _mean_of(rows: list[dict]) -> dict[str, float | None]:
    keys = ("half_rhythm", "half_same", "half_sim", "answer")
    return {k: (sum(r[k] for r in rows) / len(rows) if rows else None) for k in keys} | {
        "periods": len(rows)
    }


def half_figures(piece: Piece, passes: Sequence[tuple[str, int, int]]) -> dict[str, float | None]:
    """The halves' figures averaged over every sung section occurrence's first pass."""
    rows, at = [], 0.0
    for _, bars, reps in passes:
        r = halves(piece.melody, at, bars, piece.bar_quarters, piece.tonic, piece.minor)
        if r:
            rows.append(r)
        at += bars * reps * piece.bar_quarters
    return _mean_of(rows)


def tune_halves(piece: Piece) -> dict[str, float | None]:
    """A reference tune as one period: its bars from the first to the last melody note."""
    if not piece.melody:
        return _mean_of([])
    end = max(n.onset + n.duration for n in piece.melody)
    bars = max(1, round(end / piece.bar_quarters))
    r = halves(piece.melody, 0.0, bars, piece.bar_quarters, piece.tonic, piece.minor)
    return _mean_of([r] if r else [])
