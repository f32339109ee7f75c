"""The sung words of a finished arrangement, measured: what the musicality benchmark prints.

Why a module of its own beside ``measure.musicality``: stress needs the pronouncing dictionary
(``produce.melody.prosody``), and which lines a section should sing needs the plan; the
figures that real music has too (Bach, Essen) stay in ``measure.musicality``.

- **sung notes**: one per sung onset of the melody tracks (an octave doubling struck with a
  note is the same onset); a lyric ``-`` is a melisma continuation, ``oo`` a wordless vocalise;
- **stressed on strong**: of the multi-syllable words whose syllable count the dictionary
  confirms, the share whose primary-stressed syllable starts on a beat (onsets rounded to the
  sixteenth) and above every light syllable of the word in metric level;
- **wrap-around sung notes**: per planned pass of a section with written lines (the plan's
  ``sung:``), the syllables sung beyond the written ones; **lines once**: the share of passes
  whose sung words are exactly the written words, in order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

from chromatic.music.daw import part_roles
from chromatic.music.key import TimeSignature
from chromatic.music.meter import TPQ, bar_ticks, meter_of, ticks
from chromatic.music.midi import MELISMA, load_score, read_lyrics
from chromatic.produce.melody.lines import VOCALISE
from chromatic.produce.melody.prosody import PRIMARY, WEAK, stresses, syllables_of, words_of
from chromatic.produce.melody.setting import levels
from chromatic.yamlio import read_yaml


@dataclass(frozen=True)
class SungFigures:
    sung_notes: int
    with_lyric: int
    syllables: int  # sung syllables, vocalise included
    melisma: int
    words_measured: int
    stressed_on_strong: float | None
    wrapped: int | None  # None: the plan has no written lines
    passes: int
    lines_once: float | None

    @property
    def notes_per_syllable(self) -> float | None:
        return self.sung_notes / self.syllables if self.syllables else None

    @property
    def melisma_share(self) -> float | None:
        return self.melisma / self.sung_notes if self.sung_notes else None

    @property
    def lyric_share(self) -> float | None:
        return self.with_lyric / self.sung_notes if self.sung_notes else None


def _words(events: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Lyric events grouped into words (a trailing "-" continues one); melismas and vocalise
    skipped."""
    out, cur = [], []
    for t, text in events:
        if text in (MELISMA, VOCALISE):
            continue
        cur.append((t, text.rstrip("-")))
        if not text.endswith("-"):
            out.append(cur)
            cur = []
    return out


def stressed_on_strong(
    words: list[list[tuple[int, str]]], meter, tpq: int
) -> tuple[float | None, int]:
    """(share, words measured): see the module docstring."""
    unit = ticks(Fraction(1, 2))
    lv = levels(meter, unit)
    bar, sixteenth = bar_ticks(meter), ticks(Fraction(1, 4))
    good = total = 0
    for w in words:
        if len(w) < 2:
            continue
        marks = stresses("".join(x for _, x in w))
        if len(marks) != len(w) or PRIMARY not in marks:
            continue

        def level(t: int) -> int:
            at = round(t * TPQ / tpq / sixteenth) * sixteenth % bar
            return lv.get(at, -1)

        top = level(w[marks.index(PRIMARY)][0])
        weak = [level(t) for (t, _), m in zip(w, marks, strict=True) if m == WEAK]
        total += 1
        good += top >= 2 and all(x < top for x in weak)
    return (good / total if total else None), total


def sung_figures(folder: str | os.PathLike) -> SungFigures:
    """The figures of ``arrangement.mid`` against ``production_plan.yml`` in ``folder``."""
    folder = Path(folder)
    plan = read_yaml(folder / "production_plan.yml", ValueError)
    ts = TimeSignature.parse(plan.get("song", {}).get("time_signature", "4/4"))
    meter = meter_of(ts)
    score = load_score(folder / "arrangement.mid")
    roles = part_roles(folder / "arrangement.mid")  # tracks are named by instrument on disk
    tpq = score.ticks_per_quarter
    together = tpq // 8
    events: list[tuple[int, str]] = []
    onsets: list[int] = []
    for track in score.tracks:
        if not roles.get(track.name, track.name).lower().startswith("melody"):
            continue
        events += read_lyrics(track)
        for t in sorted({int(n.time) for n in track.notes}):
            if not onsets or t - onsets[-1] > together:
                onsets.append(t)
    events.sort()
    lyric_at = [t for t, _ in events]
    with_lyric = sum(any(abs(o - t) <= together for t in lyric_at[:]) for o in onsets)
    words = _words(events)
    share, measured = stressed_on_strong(words, meter, tpq)
    wrapped, passes, once = _passes(plan, events, round(ts.quarters_per_bar * tpq))
    return SungFigures(
        sung_notes=len(onsets),
        with_lyric=with_lyric,
        syllables=sum(x != MELISMA for _, x in events),
        melisma=sum(x == MELISMA for _, x in events),
        words_measured=measured,
        stressed_on_strong=share,
        wrapped=wrapped,
        passes=passes,
        lines_once=once,
    )


def _passes(
    plan: dict, events: list[tuple[int, str]], bar: int
) -> tuple[int | None, int, float | None]:
    cursor, wrapped, passes, good, any_lines = 0, 0, 0, 0, False
    for s in plan.get("sections", []):
        if s.get("approved", True) is False or not int(s.get("repeat", 1) or 0):
            continue
        length = int(s.get("bars", 0)) * bar
        lines = s.get("sung") or []
        for _ in range(int(s.get("repeat", 1))):
            if lines and s.get("vocals", True):
                any_lines = True
                inside = [
                    (t, x) for t, x in events if cursor - bar // 8 <= t < cursor + length - bar // 8
                ]
                written = [w.lower().replace("-", "") for line in lines for w in words_of(line)]
                sung = ["".join(x for _, x in w).lower() for w in _words(inside)]
                syllables = sum(len(syllables_of(line)) for line in lines)
                wrapped += max(0, sum(x not in (MELISMA, VOCALISE) for _, x in inside) - syllables)
                passes += 1
                good += [w.replace("'", "") for w in sung] == [w.replace("'", "") for w in written]
            cursor += length
    if not any_lines:
        return None, 0, None
    return wrapped, passes, good / passes


def pass_bars(plan: dict) -> list[int]:
    """Bars of every planned section pass (a repeat is a pass), in song order."""
    out = []
    for s in plan.get("sections", []):
        if s.get("approved", True) is False:
            continue
        out += [int(s.get("bars", 0))] * int(s.get("repeat", 1) or 0)
    return out


def section_start_leaps(melody, sections_bars: list[int], bar_q: float, size: int = 12) -> int:
    """Leaps of ``size`` semitones or more (an octave) into a note in the first bar of a planned
    section pass, from the note before it: the leaps a listener hears as the tune restarting."""
    starts, at = [], 0.0
    for bars in sections_bars:
        starts.append(at)
        at += bars * bar_q
    count = 0
    for a, b in pairwise(melody):
        if abs(b.pitch - a.pitch) >= size and any(s - 0.1 <= b.onset < s + bar_q for s in starts):
            count += 1
    return count
