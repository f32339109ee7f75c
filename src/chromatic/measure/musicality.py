"""Musicality measures: the figures of ``benchmarks/musicality.py``, defined once.

The definitions are those of ``docs/MUSICALITY.md`` (times in quarter notes, bars from the time
signature), so that a composed song, a Bach chorale and an Essen folk song are measured the same
way. A :class:`Piece` is the neutral form all three are reduced to: the melody (one note per
onset, the highest), the bass, the chord part, the drums' onsets, the key and the bar length.
Onsets are rounded to a 1/24-quarter grid before bars are compared, so that humanized timing
(a few ticks off the grid) does not make every bar "distinct".
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

STRUCK_TOGETHER = 0.125  # quarters: notes of one chord that humanized timing spread apart
GRID = 24  # steps per quarter for comparing onsets (sixteenths and triplets both land on it)


@dataclass(frozen=True)
class PNote:
    """A note in quarter notes: onset, duration, MIDI pitch."""

    onset: float
    duration: float
    pitch: int


@dataclass
class Piece:
    """What the measures read: parts as note lists (quarters), the key and the meter."""

    name: str
    tonic: int  # pitch class
    minor: bool
    bar_quarters: float
    melody: list[PNote]
    bass: list[PNote] = field(default_factory=list)
    chords: list[PNote] = field(default_factory=list)
    others: list[PNote] = field(default_factory=list)  # pitched parts that are none of the above
    drums: list[float] = field(default_factory=list)  # onsets
    drum_hits: list[tuple[float, int]] = field(default_factory=list)  # (onset, GM key)
    seconds: float | None = None
    end: float | None = None  # the end of the music in quarters (default: the last note off)
    sections_bars: list[int] = field(default_factory=list)
    phrase_bars: int = 4

    @property
    def pitched(self) -> list[PNote]:
        return [*self.melody, *self.bass, *self.chords, *self.others]

    @property
    def music_end(self) -> float:
        if self.end is not None:
            return self.end
        notes = self.pitched
        ends = [n.onset + n.duration for n in notes] + [t for t in self.drums]
        return max(ends, default=0.0)


def melody_line(notes: Sequence[PNote]) -> list[PNote]:
    """One note per onset, the highest where several start together (MUSICALITY.md)."""
    best: dict[int, PNote] = {}
    for n in notes:
        k = round(n.onset * GRID)
        if k not in best or n.pitch > best[k].pitch:
            best[k] = n
    return [best[k] for k in sorted(best)]


def scale_pcs(tonic: int, minor: bool) -> set[int]:
    """Major scale; minor = natural minor plus the raised 7th (MUSICALITY.md)."""
    steps = (0, 2, 3, 5, 7, 8, 10, 11) if minor else (0, 2, 4, 5, 7, 9, 11)
    return {(tonic + s) % 12 for s in steps}


def pc_entropy(notes: Sequence[PNote]) -> float:
    counts = Counter(n.pitch % 12 for n in notes)
    total = sum(counts.values())
    if not total:
        return 0.0
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def in_key_share(notes: Sequence[PNote], tonic: int, minor: bool) -> float:
    scale = scale_pcs(tonic, minor)
    return sum(n.pitch % 12 in scale for n in notes) / len(notes) if notes else 0.0


def intervals(melody: Sequence[PNote]) -> list[int]:
    return [b.pitch - a.pitch for a, b in itertools.pairwise(melody)]


def largest_leap(melody: Sequence[PNote]) -> int:
    return max((abs(i) for i in intervals(melody)), default=0)


def melody_range(melody: Sequence[PNote]) -> int:
    return max(n.pitch for n in melody) - min(n.pitch for n in melody) if melody else 0


def repeated_note_share(melody: Sequence[PNote]) -> float:
    iv = intervals(melody)
    return sum(i == 0 for i in iv) / len(iv) if iv else 0.0


def on_grid(q: float) -> int:
    """A time in quarters as ``GRID`` steps, snapped to the nearest sixteenth or eighth-triplet
    point first: a humanized onset (a few hundredths of a quarter off) then falls in the bar and
    the cell it was written in, so two bars played alike from one rhythm count as one rhythm."""
    four, three = round(q * 4) / 4, round(q * 3) / 3
    return round((four if abs(four - q) <= abs(three - q) else three) * GRID)


def _bars(melody: Sequence[PNote], bar_q: float) -> dict[int, list[PNote]]:
    out: dict[int, list[PNote]] = {}
    for n in melody:
        out.setdefault(on_grid(n.onset) // round(bar_q * GRID), []).append(n)
    return out


def distinct_bars(melody: Sequence[PNote], bar_q: float, count: int = 16) -> tuple[float, float]:
    """(distinct bar signatures, distinct bar rhythms) over the first ``count`` sung bars
    (onsets and durations on the grid: ``on_grid``)."""
    bars = _bars(melody, bar_q)
    first = sorted(bars)[:count]
    if not first:
        return 0.0, 0.0
    step = round(bar_q * GRID)
    full, rhythm = set(), set()
    for b in first:
        cells = sorted(
            (on_grid(n.onset) - b * step, n.pitch, max(on_grid(n.duration), 1)) for n in bars[b]
        )
        full.add(tuple(cells))
        rhythm.add(frozenset(c[0] for c in cells))
    return len(full) / len(first), len(rhythm) / len(first)


def sounding(notes: Sequence[PNote], t: float) -> set[int]:
    eps = 1e-6
    return {n.pitch % 12 for n in notes if n.onset - eps <= t < n.onset + n.duration - eps}


# Tertian chords (triads and sevenths) as interval sets from the root: a melody note that the
# accompaniment does not double is still a chord tone when it completes one of these.
_TERTIAN = tuple(
    frozenset(c)
    for c in (
        (0, 4, 7),
        (0, 3, 7),
        (0, 3, 6),
        (0, 4, 8),
        (0, 4, 7, 10),
        (0, 3, 7, 10),
        (0, 4, 7, 11),
        (0, 3, 6, 10),
        (0, 3, 6, 9),
    )
)
# Suspended triads (root, 2nd or 4th, fifth), written as chords of their own in pop: a melody
# note is their chord tone when it is the fifth over the root and its 2nd or 4th, the root in
# the bass (a C#sus2 voiced C# D# under a sung G#). A chorale's open dyad under the soprano
# (F C under a G: an F chord's ninth, or a C chord with the 4th suspended in an inner voice)
# is read so only with the root in the bass and the soprano on the fifth.
_SUS = (frozenset((0, 2)), frozenset((0, 5)))


def is_chord_tone(pc: int, accompaniment: set[int], bass: int | None = None) -> bool:
    """``pc`` sounds in the accompaniment, or with it forms a triad or a seventh chord (in a
    four-part chorale the soprano is often the chord's only third), or, given the ``bass``
    pitch class, it is the fifth of a suspended triad on that bass (``_SUS``)."""
    if pc in accompaniment:
        return True
    if bass is not None and {(t - bass) % 12 for t in accompaniment} in _SUS:
        return (pc - bass) % 12 == 7
    tones = accompaniment | {pc}
    return any(
        {(t - root) % 12 for t in tones} <= chord for root in range(12) for chord in _TERTIAN
    )


def chord_tone_share(piece: Piece) -> float | None:
    """Melody notes on a strong beat (beat 1 or the bar's middle) that are chord tones of the
    accompaniment sounding at that instant, over its lowest note (:func:`is_chord_tone`)."""
    accomp = [*piece.chords, *piece.bass, *piece.others]
    if not accomp:
        return None
    half = piece.bar_quarters / 2
    hits = total = 0
    for n in piece.melody:
        pos = n.onset % piece.bar_quarters
        if min(abs(pos), abs(pos - half), abs(pos - piece.bar_quarters)) > STRUCK_TOGETHER / 2:
            continue  # not on a strong beat (humanized onsets sit a few ms off it)
        t = n.onset + STRUCK_TOGETHER / 2
        under = [a.pitch for a in accomp if a.onset - 1e-6 <= t < a.onset + a.duration - 1e-6]
        if not under:
            continue
        total += 1
        hits += is_chord_tone(n.pitch % 12, {p % 12 for p in under}, min(under) % 12)
    return hits / total if total else None


def melody_above_share(piece: Piece) -> float | None:
    """Melody notes at or above the highest accompaniment (chord-part) note sounding at their
    onset: a sung line is heard as the tune when it sits on top (a Bach soprano always does).
    None without a chord part sounding under the melody."""
    eps = 1e-6
    above = total = 0
    for n in piece.melody:
        t = n.onset + STRUCK_TOGETHER / 2
        here = [c.pitch for c in piece.chords if c.onset - eps <= t < c.onset + c.duration - eps]
        if not here:
            continue
        total += 1
        above += n.pitch >= max(here)
    return above / total if total else None


def _last_onset_notes(notes: Sequence[PNote]) -> list[PNote]:
    """The notes struck last: those starting within ``STRUCK_TOGETHER`` of the last onset (a
    humanized chord is struck over a few milliseconds, not at one tick)."""
    if not notes:
        return []
    last = max(n.onset for n in notes)
    return [n for n in notes if n.onset >= last - STRUCK_TOGETHER]


def tonic_ending(piece: Piece) -> bool:
    """The last bass note is the tonic and the last chord holds the tonic (MUSICALITY.md)."""
    bass = _last_onset_notes(piece.bass) or _last_onset_notes(piece.pitched)
    if not bass or min(n.pitch for n in bass) % 12 != piece.tonic:
        return False
    if not piece.chords:
        return True
    return piece.tonic in {n.pitch % 12 for n in _last_onset_notes(piece.chords)}


def melody_ends_on_tonic(piece: Piece) -> bool:
    return bool(piece.melody) and piece.melody[-1].pitch % 12 == piece.tonic


def drums_end_with_music(piece: Piece, crash_or_kick: frozenset[int] = frozenset()) -> bool | None:
    """The drums play the song's last bar and stop there: their last onset lies in the final
    bar and that bar holds no more than one beat of groove after its first hit (a final hit or a
    short fill into it), not a groove cut off at the bar line. None for a song without drums."""
    if not piece.drums:
        return None
    end = piece.music_end
    last_bar_start = math.floor((end - 1e-6) / piece.bar_quarters) * piece.bar_quarters
    last = max(piece.drums)
    if last < last_bar_start - 1e-6:
        return False  # the drums stopped before the last bar
    tail = [t for t in piece.drums if t >= last_bar_start - 1e-6]
    span = max(tail) - min(tail)
    return span <= 1.0 + 1e-6


def whole_phrases(piece: Piece) -> float | None:
    if not piece.sections_bars:
        return None
    return sum(b % piece.phrase_bars == 0 for b in piece.sections_bars) / len(piece.sections_bars)


def melody_ngrams(melody: Sequence[PNote], n: int = 4) -> set[tuple]:
    """4-grams of (interval, duration): the unit of cross-song melody overlap."""
    cells = [(b.pitch - a.pitch, round(a.duration * GRID)) for a, b in itertools.pairwise(melody)]
    return {tuple(cells[i : i + n]) for i in range(len(cells) - n + 1)}


def overlap(a: set, b: set) -> float:
    """Share of ``a``'s n-grams found in ``b``."""
    return len(a & b) / len(a) if a else 0.0


def chord_sequence(piece: Piece) -> list[tuple[int, ...]]:
    """The chord part as successive pitch-class sets relative to the tonic (a change of set is
    a new chord; restruck identical chords merge)."""
    groups: dict[int, set[int]] = {}
    for n in piece.chords:
        groups.setdefault(round(n.onset * GRID), set()).add((n.pitch - piece.tonic) % 12)
    seq: list[tuple[int, ...]] = []
    for k in sorted(groups):
        chord = tuple(sorted(groups[k]))
        if not seq or seq[-1] != chord:
            seq.append(chord)
    return seq


def measure(piece: Piece) -> dict[str, float | None]:
    """Every per-piece figure of the benchmark."""
    mel = piece.melody
    distinct, rhythms = distinct_bars(mel, piece.bar_quarters)
    return {
        "pc_entropy": pc_entropy(piece.pitched),
        "in_key": in_key_share(piece.pitched, piece.tonic, piece.minor),
        "range": float(melody_range(mel)),
        "largest_leap": float(largest_leap(mel)),
        "repeated": repeated_note_share(mel),
        "distinct_bars": distinct,
        "distinct_rhythms": rhythms,
        "chord_tones": chord_tone_share(piece),
        "melody_above": melody_above_share(piece),
        "tonic_end": float(tonic_ending(piece)),
        "melody_tonic_end": float(melody_ends_on_tonic(piece)),
        "drums_end": (None if (d := drums_end_with_music(piece)) is None else float(d)),
        "whole_phrases": whole_phrases(piece),
        "seconds": piece.seconds,
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default) without numpy."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
