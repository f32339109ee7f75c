"""Melody rhythm: where the notes of a section fall, with or without lyrics.

Without lyrics, a rhythm template per meter (from its beat groups and eighth grid):

- ``beats``: one note per felt beat;
- ``eighths_breath``: every eighth, with the last beat group of every second bar left as a breath;
- ``long_short``: a long note on each beat group and a pickup eighth before the next;
- ``two_bar_phrase``: a busy bar (group onsets and off-beats) answered by one long note.

With lyrics, one note per syllable: the section is divided among its lines (whole bars per
line when there are no more lines than bars), each line leaves its last eighth as a breath,
and its syllables sit on the eighth grid (the sixteenth grid when they do not fit), either
spread ``even`` over the line or sung ``speech``-like from the line start, the last syllable
held. A line with more syllables than sixteenths is cut to fit, with a warning.
"""

from __future__ import annotations

from fractions import Fraction

from chromatic.music.meter import Meter, ticks
from chromatic.produce.sections import Section

RHYTHMS = ("beats", "eighths_breath", "long_short", "two_bar_phrase")
LYRIC_RHYTHMS = ("even", "speech")
Span = tuple[int, int]  # (start, end) ticks


def _beat_onsets(meter: Meter) -> list[Fraction]:
    if set(meter.groups) == {1}:
        return [i * meter.unit for i in range(meter.numerator)]
    return list(meter.onsets)


def rhythm_spans(section: Section, name: str) -> list[Span]:
    meter, bar, bars = section.meter, section.bar_ticks, section.bars
    step = ticks(meter.step)
    groups = [ticks(o) for o in meter.onsets]
    last_group = groups[-1]
    spans: list[Span] = []
    for b in range(bars):
        base = b * bar
        if name == "beats":
            on = [ticks(o) for o in _beat_onsets(meter)]
            cells = [(o, (on[i + 1] if i + 1 < len(on) else bar)) for i, o in enumerate(on)]
        elif name == "eighths_breath":
            stop = last_group if b % 2 else bar
            cells = [(t, t + step) for t in range(0, stop, step)]
        elif name == "long_short":
            cells = []
            for i, g in enumerate(groups):
                end = groups[i + 1] if i + 1 < len(groups) else bar
                if end - g > step:
                    cells += [(g, end - step), (end - step, end)]
                else:
                    cells.append((g, end))
        else:  # two_bar_phrase
            if b % 2 == 0:
                offs = sorted({*groups, *(g + step for g in groups if g + step < bar)})
                cells = [(o, offs[i + 1] if i + 1 < len(offs) else bar) for i, o in enumerate(offs)]
            else:
                cells = [(0, last_group if last_group else bar)]
        spans.extend((base + s, base + e) for s, e in cells)
    return spans


def line_spans(section: Section, n_lines: int) -> list[Span]:
    """The part of the section each lyric line gets."""
    bar, total = section.bar_ticks, section.total_ticks
    if n_lines <= section.bars:
        per = section.bars // n_lines * bar
        return [(i * per, (i + 1) * per) for i in range(n_lines)]
    step = ticks(section.meter.step)
    per = max(total // n_lines // step * step, step)
    return [(i * per, min((i + 1) * per, total)) for i in range(n_lines)]


def lyric_spans(
    section: Section, syllables: list[int], name: str, finest: int = 16
) -> tuple[list[list[Span]], list[str]]:
    """Per line, one (start, end) per syllable; and warnings for lines cut to fit. ``finest``
    (the style's subdivision: 16, or 8 at fast tempos) bounds how short a syllable may be."""
    step = ticks(section.meter.step)
    out, notes = [], []
    for i, ((s, e), k) in enumerate(
        zip(line_spans(section, len(syllables)), syllables, strict=True)
    ):
        usable = e - step if e - s > step else e
        grid = list(range(s, usable, step))
        if k > len(grid) and finest >= 16:
            grid = list(range(s, usable, step // 2))
        if k > len(grid):
            unit = "sixteenths" if finest >= 16 else "eighths"
            notes.append(
                f"{section.label}: line {i + 1} has {k} syllables, more than the {len(grid)} "
                f"{unit} of its span; sung as {len(grid)}"
            )
            k = len(grid)
        starts = [grid[(j * len(grid)) // k] for j in range(k)] if name == "even" else grid[:k]
        ends = [*starts[1:], max(usable, starts[-1] + step // 2)] if starts else []
        out.append([(a, min(b, e)) for a, b in zip(starts, ends, strict=True)])
    return out, notes
