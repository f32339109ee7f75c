"""What a bred tune keeps of the generator's guarantees, so that a bred song is as musical as
a ranked one. The melody generator (``melody.tune.walk``) promises a section's tune that

- stays inside its **window**: ``WINDOW`` semitones either side of the section's anchor in the
  singer's range (higher for a chorus than a verse), so the song's whole melody spans what a
  ranked song spans;
- makes no move wider than ``MAX_MOVE`` (a larger one is folded an octave);
- **answers** its first half: the section's last note is a more stable degree of the key
  (tonic, fifth, third, the rest) than the note that closes its first half, the way
  ``measure.development.halves`` measures a period.

Breeding's operators edit one bar or one note at a time, so they can undo each of these (a
bar transposed onto the cadence, a whole tune lifted past the window, an inverted bar that
lands a ninth from the next). A child is therefore folded into its window (``tune_window``,
``evolve.melody.resnap``) and refused when it makes more wide moves than its parent, ends on a
less stable degree, or loses the parent's answer (``keeps_tune``). A refusal costs no fitness
call: it happens before the batch is scored.
"""

from __future__ import annotations

from itertools import pairwise

from chromatic.produce.melody.tune import MAX_MOVE, WINDOW, anchor_pitch, rank, scale_anchor


def tune_window(singer, role: str, scale) -> tuple[int, int]:
    """The pitches a section's tune moves in (``tune.walk``'s ``lo``, ``hi``: centred on the
    anchor as a degree of the key's ``scale``); the singer's whole range where the window left
    inside it is narrower than an octave (no octave fold could land every pitch class in it)."""
    anchor = scale_anchor(anchor_pitch(singer, role), scale, singer.low, singer.high)
    lo, hi = max(singer.low, anchor - WINDOW), min(singer.high, anchor + WINDOW)
    return (lo, hi) if hi - lo >= 11 else (singer.low, singer.high)


def wide_moves(pitches) -> int:
    """Moves between successive notes wider than the generator ever makes."""
    return sum(abs(b - a) > MAX_MOVE for a, b in pairwise(pitches))


def cadence(notes, section, key) -> tuple[int, int] | None:
    """How firmly (``tune.rank``: 0 the tonic, 1 the fifth, 2 the third, 3 any other; the
    order ``measure.development`` measures an answer by) the note closing the section's first
    half and its last note close; None for a section of one bar or a half without notes."""
    mid = section.bars // 2 * section.bar_ticks
    first = [n for n in notes if n.start < mid]
    second = [n for n in notes if n.start >= mid]
    if section.bars < 2 or not first or not second:
        return None
    end = lambda ns: max(ns, key=lambda n: n.start).pitch  # noqa: E731
    return rank(end(first) % 12, key), rank(end(second) % 12, key)


def keeps_tune(child, parent, section, key) -> bool:
    """Whether the child's notes keep what the parent's had: no more wide moves, an ending as
    stable, and the answer (the last note more stable than the half close) where it had one."""
    if wide_moves([n.pitch for n in child]) > wide_moves([n.pitch for n in parent]):
        return False
    was, now = cadence(parent, section, key), cadence(child, section, key)
    if was is None or now is None:
        return True
    if now[1] > was[1]:
        return False
    return not (was[1] < was[0] and now[1] >= now[0])
