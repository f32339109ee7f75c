"""A section's lines set to rhythm: lyric lines through prosody, or wordless phrases.

Why one road for both: a wordless section (an instrumental proposal, a section the lyrics do
not reach) is phrased like a sung one (``tune.wordless_lines`` gives it stress patterns), so
its rhythm breathes and varies the same way; its notes are sung on ``VOCALISE``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chromatic.music.meter import TPQ
from chromatic.music.midi import MELISMA
from chromatic.produce.melody.lyrics import SectionLyrics
from chromatic.produce.melody.prosody import Syllable, syllables_of
from chromatic.produce.melody.setting import (
    Pace,
    grid_fit,
    levels,
    place_line,
    syllable_cost,
    unit_ticks,
    with_melisma,
)
from chromatic.produce.melody.tune import Line, line_spans, sung_spans, wordless_lines
from chromatic.produce.sections import Section

VOCALISE = "oo"  # the lyric of a wordless section's notes
WORDLESS_FILL = {"flowing": 0.5, "spacious": 0.34, "lilting": 0.42}  # syllables per grid unit


@dataclass(frozen=True)
class SetSection:
    """A section's lines as set to rhythm: the lines, per note its lyric text, the prosody
    share (syllables placed at no metric cost), warnings and the instrumental answer's bars."""

    lines: tuple[Line, ...]
    lyrics: tuple[str, ...]
    prosody: float
    warnings: tuple[str, ...]
    answer_bars: int = 0  # bars after the last line where the melody rests (the band answers)


def set_section(
    section: Section,
    lyrics: SectionLyrics | None,
    pace: Pace,
    finest: int,
    rng: np.random.Generator,
    density: float = 0.5,
) -> SetSection:
    """The section's lines set to rhythm (lyric lines, else wordless phrases)."""
    unit = unit_ticks(section.meter, section.bpm)
    finest_ticks = 4 * TPQ // max(int(finest), 1)
    if lyrics:
        sung = [syllables_of(line.text) for line in lyrics.lines]
        sung = [s for s in sung if s]
        stress = [[(x.stress, x.word_syllables > 1) for x in line] for line in sung]
    else:
        fill = WORDLESS_FILL.get(pace.name, 0.42) * (0.75 + 0.5 * density)
        stress = wordless_lines(section, unit, rng, fill)
        sung = [[Syllable(VOCALISE, s, 0, True, 1) for s, _ in line] for line in stress]
    answer = 0
    if lyrics:
        per_bar = section.bar_ticks / unit
        natural = max((len(x) * 1.5 + 3) / per_bar for x in stress) if stress else 1.0
        spans, answer = sung_spans(section, len(stress), natural)
    else:
        spans = line_spans(section, len(stress))
    lines, texts, notes = [], [], []
    good = total = 0
    finer = False
    motifs: dict[int, frozenset[int]] = {}  # the rhythm each line echoes: the line two before
    lv = levels(section.meter, unit)
    for i, (span, st, syl) in enumerate(zip(spans, stress, sung, strict=True)):
        u, fit = grid_fit(len(st), span, unit, finest_ticks)
        finer |= u < unit
        if fit < len(st):
            notes.append(
                f"{section.label}: line {i + 1} has {len(st)} syllables, more than the {fit} "
                f"notes its {(span[1] - span[0]) / section.bar_ticks:g} bars hold; sung as {fit}"
            )
            st, syl = st[:fit], syl[:fit]
        echo = motifs.get(i % 2, motifs.get(0, frozenset()))
        placed = place_line(st, span, section.meter, u, pace, echo)
        motifs.setdefault(i % 2, frozenset(a - span[0] for a, _ in placed))
        sung_notes = with_melisma(placed, u, span[1] - span[0])
        for (a, _b), (stress_i, in_word) in zip(placed, st, strict=True):
            level = lv.get((a - span[0]) % section.bar_ticks, 0)
            good += syllable_cost(stress_i, in_word, level) <= 0.15
            total += 1
        lines.append(
            Line(
                tuple(sung_notes),
                tuple(st[n.syllable][0] for n in sung_notes),
                antecedent=i % 2 == 0 and i < len(spans) - 1,
            )
        )
        texts += [MELISMA if n.melisma else syl[n.syllable].lyric for n in sung_notes]
    if finer and lyrics:
        per_bar = section.bar_ticks // unit
        need = sum(len(s) for s in stress) * 1.5 + 3 * len(stress)
        notes.append(
            f"{section.label}: {len(stress)} lines of {sum(len(s) for s in stress)} syllables "
            f"need about {need / per_bar:.0f} bars at {section.bpm:g} bpm, the section has "
            f"{section.bars}: sung on a finer grid (lengthen the section to sing them at ease)"
        )
    score = good / total if total else 1.0
    return SetSection(tuple(lines), tuple(texts), score, tuple(notes), answer)
