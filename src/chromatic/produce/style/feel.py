"""Mood words as notes: the proposal's own words, then the color's feel.

The style table's ``moods:`` (styles.yml) map mood words to adjustments of density, melody
register (``melody_shift``), humanize timing and chord colour (sevenths, sus, add9, borrowed,
secondary). Two sources read them, in this order:

1. **The proposal's mood and genre words**: each mood class one of them names adds its values
   once (weight 1), as before.
2. **The color's feel**, from its profile (``profile.py``: the 8 most common mood words of the
   color's songs, each with the songs that carry it): per mood class, the share of the color's
   songs carrying one of the class's words minus that share over the whole catalog, times
   ``COLOR_WEIGHT``. So the feel is what sets the color apart from the artist's average song
   (Green: darker, Blue: more melancholic, Orange: more energetic) and the average color adds
   nothing; a deviation is at most 1, so no color class outweighs one proposal word. A class
   the proposal names is the proposal's alone (its words lead). White (no profile of its own)
   and ``profile=None`` add no feel.

The register shift is summed as a number and rounded once, after both sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from chromatic.produce.style.profile import load_profile

COLOR_WEIGHT = 1.0  # the color's feel per unit of share above the catalog's
RATES = ("sevenths", "sus", "add9", "borrowed", "secondary")


def words_of(texts) -> set[str]:
    """Lower-case whole words (hyphenated ones kept whole) of some texts."""
    return {w for t in texts for w in re.findall(r"[a-z]+(?:-[a-z]+)*", str(t).lower())}


@dataclass
class MoodSum:
    """The running adjustments: start from the family's values, add moods."""

    density: float
    shift: float
    humanize_ms: float
    rates: dict[str, float]
    moods: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    sources: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, mood, weight: float = 1.0) -> None:
        self.density += weight * mood.density
        self.shift += weight * mood.melody_shift
        self.humanize_ms += weight * mood.humanize_ms
        for k in RATES:
            self.rates[k] += weight * getattr(mood, k)


def proposal_moods(feel: MoodSum, words: set[str], moods: dict) -> None:
    """Every mood class the proposal's words name, at weight 1."""
    for name, mood in moods.items():
        hit = sorted(words & set(mood.words))
        if hit:
            feel.moods.append(name)
            feel.add(mood)
            feel.reasons.append(f"mood {', '.join(hit)} -> {name}")


def _share(colors: dict, color: str, words: set[str]) -> tuple[int, int, list[str]]:
    """(songs of the color carrying one of ``words``, the color's songs, the words found)."""
    songs: set[str] = set()
    found = []
    for mood_word, entry in (colors[color].get("moods") or {}).items():
        if words_of([mood_word]) & words:
            songs |= set(entry.get("from") or [])
            found.append(str(mood_word))
    return len(songs), len(colors[color].get("songs") or {}), found


@cache
def color_feel(color: str, moods_key: tuple, path: Path) -> tuple[tuple[str, float, str], ...]:
    """The color's feel per mood class: (class, weight, why), weight = the color's share of
    songs carrying the class minus the catalog's (``COLOR_WEIGHT`` times); zero ones left out."""
    colors = load_profile(path)["colors"]
    if color not in colors:
        return ()
    out = []
    for name, words in moods_key:
        total = [_share(colors, c, set(words)) for c in colors]
        catalog = sum(t[0] for t in total) / max(1, sum(t[1] for t in total))
        n, of, found = _share(colors, color, set(words))
        weight = round(COLOR_WEIGHT * ((n / of if of else 0.0) - catalog), 3)
        if weight:
            said = ", ".join(found) if found else "none of its words"
            why = f"{n}/{of} songs ({said}) vs catalog {catalog:.0%}"
            out.append((name, weight, why))
    return tuple(out)


def add_color_feel(feel: MoodSum, color: str, moods: dict, path: Path | None) -> None:
    """Add the color's feel (module docstring) for the classes the proposal did not name."""
    if not color or path is None:
        return
    key = tuple((name, tuple(m.words)) for name, m in moods.items())
    density, shift, n = feel.density, feel.shift, len(feel.sources)
    for name, weight, why in color_feel(color, key, path):
        if name in feel.moods:
            continue
        feel.add(moods[name], weight)
        feel.sources.append(("feel", f"{name} {weight:+.2f}", f"color {color}'s moods: {why}"))
    if len(feel.sources) > n:
        why = f"color {color}'s feel"
        feel.sources.append(("density", f"{feel.density - density:+.3f}", why))
        feel.sources.append(("melody_shift", f"{feel.shift - shift:+.2f}", why))
        feel.reasons.append(f"color {color}'s feel: its songs' moods against the catalog's")
