"""Lyrics for the melody phase: where a section's sung lines come from, and their syllables.

Sources, first found wins, per section label:

1. ``DIR/lyrics/approved/<label>.txt``: one sung line per line; blank lines and lines starting
   with ``#`` are ignored (UTF-8 text, written by hand or by a lyrics step).
2. The proposal's ``lyrics`` (``Proposal.lyrics``): a block under a ``[label]`` header line,
   else a block under the label's role ("chorus_2" uses ``[chorus]``: a chorus repeats).
3. The proposal's lyrics lines *before* any header, split into stanzas by blank lines, given in
   song order to the sections still without lyrics, intro and outro excepted (they are
   usually instrumental: ``music.form.Role.frames_song``).

A section without lyrics gets contour-only melodies.

Syllables are counted with a heuristic (no dictionary ships offline): vowel groups ("y" a vowel
except at the start of a word), minus a silent final "e" (make, smile; not "-le" after a
consonant: table), minus a silent "-es"/"-ed" (makes, jumped; not boxes, wanted), plus one for
the hiatus vowels "ia", "ua", "eo", "io" (piano, actual, video, radio; not special, quality,
people, nation, million), plus one for "-ing" after a vowel (being, going); words of three
letters or fewer count one. Hyphens split a word into parts counted separately, so a writer
can force a count: "fi-re" sings as two notes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chromatic.music.form import label_words, role_named
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.sections import Section

_VOWELS = set("aeiouy")
_HEADER_RE = re.compile(r"^\[(?P<label>[^\]]+)\]$")


def _letters(word: str) -> str:
    ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]", "", ascii_word.lower())


def count_syllables(word: str) -> int:
    """Syllables of one word (see the module docstring); 0 for a word without letters."""
    parts = [p for p in word.split("-") if _letters(p)]
    if len(parts) > 1:
        return sum(count_syllables(p) for p in parts)
    w = _letters(word)
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    body = w[1:] if w[0] == "y" else w
    n = len(re.findall(r"[aeiouy]+", body))
    silent_e = (
        w.endswith("e") and w[-2] not in _VOWELS and not (w.endswith("le") and w[-3] not in _VOWELS)
    )
    silent_ed = w.endswith("ed") and w[-3] not in _VOWELS and w[-3] not in "td"
    silent_es = (
        w.endswith("es")
        and w[-3] not in _VOWELS
        and w[-3] not in "sxzcg"
        and not w.endswith(("ches", "shes"))
    )
    if silent_e or silent_ed or silent_es:
        n -= 1
    for m in re.finditer(r"(?=(ia|ua|eo|io))", w):
        i, pair = m.start(), m.group(1)
        before = w[i - 1] if i else ""
        skip = (
            (pair == "ia" and before in ("c", "t", "s", "g"))
            or (pair == "ua" and before in ("q", "g"))
            or (pair == "eo" and w[i + 2 : i + 3] in ("u", "p"))
            or (pair == "io" and (before in ("t", "s", "c", "g", "x", "n") or w[i - 2 : i] == "ll"))
        )
        if skip:
            continue
        n += 1  # the pair sits inside one vowel group but is sung as two syllables
    if w.endswith("ing") and len(w) > 4 and w[-4] in _VOWELS:
        n += 1
    return max(n, 1)


def line_syllables(text: str) -> int:
    return sum(count_syllables(w) for w in text.split())


@dataclass(frozen=True)
class LyricLine:
    text: str
    syllables: int


@dataclass(frozen=True)
class SectionLyrics:
    label: str
    lines: tuple[LyricLine, ...]
    source: str

    @property
    def syllables(self) -> list[int]:
        return [line.syllables for line in self.lines]


def _lines(text: str) -> list[str]:
    return [s for s in (raw.strip() for raw in text.splitlines()) if s and not s.startswith("#")]


def parse_sheet(text: str) -> tuple[dict[str, list[str]], list[list[str]]]:
    """(lines under each ``[label]`` header, the stanzas before any header)."""
    from chromatic.produce.promote import normalize_label

    labelled: dict[str, list[str]] = {}
    stanzas: list[list[str]] = [[]]
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue
        m = _HEADER_RE.match(line)
        if m:
            current = normalize_label(m.group("label"))
            labelled.setdefault(current, [])
        elif current is not None:
            if line:
                labelled[current].append(line)
        elif line:
            stanzas[-1].append(line)
        elif stanzas[-1]:
            stanzas.append([])
    return labelled, [s for s in stanzas if s]


def _role_label(label: str) -> str:
    words = [w for w in label_words(label) if not w.isdigit() and len(w) > 1]
    return "_".join(words)


def _make(label: str, lines: list[str], source: str) -> SectionLyrics | None:
    counted = tuple(LyricLine(t, line_syllables(t)) for t in lines)
    counted = tuple(line for line in counted if line.syllables)
    return SectionLyrics(label, counted, source) if counted else None


def lyrics_for(
    folder: ProductionFolder,
    sections: tuple[Section, ...] | list[Section],
    proposal_lyrics: str | None,
) -> dict[str, SectionLyrics]:
    """The lyrics of every section that has some (see the module docstring for the order)."""
    labelled, stanzas = parse_sheet(proposal_lyrics or "")
    out: dict[str, SectionLyrics] = {}
    for s in sections:
        path = folder.lyrics_dir / f"{s.label}.txt"
        found = None
        if path.is_file():
            found = _make(
                s.label, _lines(path.read_text(encoding="utf-8")), f"lyrics/approved/{s.label}.txt"
            )
        elif s.label in labelled:
            found = _make(s.label, labelled[s.label], f"proposal [{s.label}]")
        elif _role_label(s.label) in labelled:
            role = _role_label(s.label)
            found = _make(s.label, labelled[role], f"proposal [{role}]")
        if found:
            out[s.label] = found
    queue = list(stanzas)
    for s in sections:
        if queue and s.label not in out and not role_named(s.role).frames_song:
            found = _make(s.label, queue.pop(0), "proposal (stanza)")
            if found:
                out[s.label] = found
    return out
