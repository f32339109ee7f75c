"""``chromatic assemble --musicxml``: the arrangement as a score (arrangement.musicxml).

Written with music21 from the arrangement *before* the performance pass (the written notes on
their grid, not the humanized ones: notation of a performance is unreadable), in the DAW form of
arrangement.mid (instrument names, drums on channel 10), then given what a reader of a lead
sheet looks for:

- **chord symbols** above the melody (or the top part) at every chord change, the same names
  arrangement.mid carries (``arrange.daw.chord_names``);
- **rehearsal marks** at each planned section's first bar ("Verse", "Chorus 2");
- **lyrics** under the melody's notes, where the melody track carries lyric events.

Parts are ordered melody, chords, bass, then the rest, drums last.
"""

from __future__ import annotations

import re
from pathlib import Path

from chromatic.fileio import write_text_atomic
from chromatic.music.key import Key
from chromatic.produce.arrange.daw import arrangement_bytes, bar_ticks, chord_names

MUSICXML_FILE = "arrangement.musicxml"
PART_ORDER = ("melody", "chords", "bass")
_ROOT = re.compile(r"^([A-G])(##|bb|#|b)?")


def music21_figure(symbol: str) -> str:
    """A chord symbol in music21's spelling: flats are "-" ("Bbm7" -> "B-m7", "C/Eb" -> "C/E-")."""

    def fix(part: str) -> str:
        return _ROOT.sub(lambda m: m.group(1) + (m.group(2) or "").replace("b", "-"), part)

    head, _, bass = symbol.partition("/")
    return fix(head) + (f"/{fix(bass)}" if bass else "")


def _chord_symbol(name: str):
    from music21 import harmony

    try:
        return harmony.ChordSymbol(music21_figure(name))
    except Exception:  # a symbol music21 cannot spell: shown as text over the staff
        from music21 import expressions

        return expressions.TextExpression(name)


def _measure_at(part, offset: float, bar_q: float):
    measures = list(part.getElementsByClass("Measure"))
    i = min(int(offset // bar_q), len(measures) - 1)
    return measures[i], offset - i * bar_q


def _ordered(parts: list, roles: dict[str, str]) -> list:
    def rank(p) -> tuple[int, str]:
        role = roles.get(p.partName or "", "")
        drum = role == "drums"
        return (PART_ORDER.index(role) if role in PART_ORDER else (9 if drum else 5), role)

    return sorted(parts, key=rank)


def _lyrics(arr) -> list[tuple[float, str]]:
    """(quarter offset, syllable) of the melody track's lyric events (none: no lyrics)."""
    out = []
    for t in arr.score.tracks:
        if (t.name.split() or [""])[0].lower() == "melody":
            out += [(ly.time / arr.score.tpq, str(ly.text)) for ly in t.lyrics]
    return sorted(out)


def build_score(arr, root: Path, key: Key):
    """The music21 Score of an (unperformed) arrangement (see the module docstring)."""
    from music21 import converter, expressions, stream

    from chromatic.music.daw import part_roles

    data = arrangement_bytes(arr, root, key)
    parsed = converter.parseData(data, format="midi", quantizePost=True)
    roles = part_roles(data)
    parts = _ordered(list(parsed.parts), roles)
    score = stream.Score()
    for p in parts:
        _one_instrument(p)
        score.insert(0, p)
    bar_q = bar_ticks(arr) / arr.score.tpq
    top = parts[0]
    lead = next((p for p in parts if roles.get(p.partName or "") == "melody"), top)
    for span in arr.sections:
        m, _ = _measure_at(top, span.start_bar * bar_q, bar_q)
        m.insert(0, expressions.RehearsalMark(span.name.replace("_", " ").title()))
    for tick, name in chord_names(arr, root, key):
        m, off = _measure_at(lead, tick / arr.score.tpq, bar_q)
        m.insert(off, _chord_symbol(name))
    _attach_lyrics(lead, _lyrics(arr))
    score.insert(0, _metadata(root))
    return score


def _one_instrument(part) -> None:
    """A part plays one instrument: music21's MIDI reader can infer a second one mid-part (an
    "instrument change" MuseScore then cannot find); only the first is kept."""
    from music21 import instrument

    found = list(part.recurse().getElementsByClass(instrument.Instrument))
    for inst in found[1:]:
        site = inst.activeSite
        if site is not None:
            site.remove(inst)


def _attach_lyrics(part, lyrics: list[tuple[float, str]]) -> None:
    """Each syllable on the first note starting at or after its time (within half a beat)."""
    if not lyrics:
        return
    from music21 import harmony

    notes = sorted(
        (
            (float(n.getOffsetInHierarchy(part)), n)
            for n in part.recurse().notes
            if not isinstance(n, harmony.ChordSymbol)  # a symbol is a chord to music21
        ),
        key=lambda x: x[0],
    )
    i = 0
    for at, text in lyrics:
        while i < len(notes) and notes[i][0] < at - 1e-6:
            i += 1
        if i < len(notes) and notes[i][0] - at <= 0.5:
            notes[i][1].lyric = text
            i += 1


def _metadata(root: Path):
    from music21 import metadata

    from chromatic.produce.folder import open_folder

    md = metadata.Metadata()
    md.title = open_folder(root).proposal().title
    md.composer = "chromatic"
    return md


def write_musicxml(arr, root: Path, key: Key) -> Path:
    """Write arrangement.musicxml beside arrangement.mid (atomically)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    score = build_score(arr, root, key)
    text = GeneralObjectExporter(score).parse().decode("utf-8")
    path = Path(root) / MUSICXML_FILE
    write_text_atomic(path, text)
    return path
