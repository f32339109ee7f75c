"""``chromatic assemble --musicxml``: the arrangement as a score (arrangement.musicxml).

Written with music21 from the arrangement *before* the performance pass (the written notes on
their grid, not the humanized ones: notation of a performance is unreadable), in the DAW form of
arrangement.mid (instrument names, drums on channel 10), then given what a reader of a lead
sheet looks for:

- **chord symbols** above the melody (or the top part) at every chord change, the same names
  arrangement.mid carries (``arrange.daw.chord_names``);
- **rehearsal marks** at each planned section's first bar ("Verse", "Chorus 2");
- **lyrics** under the melody's notes, where the melody track carries lyric events.

Then ``arrange.notation`` spells, clefs and lays it out for a reader (see there).

Parts are ordered melody, chords, bass, then the rest, drums last.
"""

from __future__ import annotations

import re
from pathlib import Path

from chromatic.fileio import write_text_atomic
from chromatic.music.key import Key
from chromatic.music.midi import MELISMA
from chromatic.paths import within
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
    _tidy(parts, roles)
    bar_q = bar_ticks(arr) / arr.score.tpq
    top = parts[0]
    lead = next((p for p in parts if roles.get(p.partName or "") == "melody"), top)
    for span in arr.sections:
        m, _ = _measure_at(top, span.start_bar * bar_q, bar_q)
        m.insert(0, expressions.RehearsalMark(span.name.replace("_", " ").title()))
    comp = next((p for p in parts if roles.get(p.partName or "") == "chords"), None)
    symbols = []
    for tick, name in chord_names(arr, root, key):
        for part in (lead, comp) if comp is not None and comp is not lead else (lead,):
            m, off = _measure_at(part, tick / arr.score.tpq, bar_q)
            m.insert(off, _chord_symbol(name))
        symbols.append((tick / arr.score.tpq, _chord_symbol(name)))
    _attach_lyrics(lead, _lyrics(arr))
    _notate(parts, roles, key, symbols, comp, arr)
    score.insert(0, _metadata(root))
    return score


#: GM drum key -> (display step and octave on the five-line percussion staff, notehead): the
#: usual drum-set notation (kick in the bottom space, snare on the third space, cymbals above
#: the staff with x heads); other keys sit on the middle line.
DRUM_NOTATION: dict[int, tuple[str, int, str]] = {
    35: ("E", 4, "normal"),  # acoustic bass drum
    36: ("F", 4, "normal"),  # kick
    37: ("C", 5, "x"),  # side stick
    38: ("C", 5, "normal"),  # snare
    39: ("C", 5, "x"),  # clap
    40: ("C", 5, "normal"),  # electric snare
    41: ("G", 4, "normal"),  # floor tom
    42: ("G", 5, "x"),  # closed hat
    43: ("A", 4, "normal"),  # floor tom 2
    44: ("D", 4, "x"),  # pedal hat
    45: ("B", 4, "normal"),  # low tom
    46: ("G", 5, "circle-x"),  # open hat
    47: ("D", 5, "normal"),  # mid tom
    49: ("A", 5, "x"),  # crash
    50: ("E", 5, "normal"),  # high tom
    51: ("F", 5, "x"),  # ride
    52: ("A", 5, "x"),  # china
    53: ("F", 5, "diamond"),  # ride bell
    54: ("E", 5, "x"),  # tambourine
    55: ("B", 5, "x"),  # splash
    56: ("E", 5, "triangle"),  # cowbell
    70: ("A", 4, "x"),  # maracas
    81: ("B", 5, "triangle"),  # triangle
}


def _notate_drums(part) -> None:
    """The drum part on a percussion staff: no key signature, each kit piece on its own line."""
    from music21 import clef, key, note

    for ks in list(part.recurse().getElementsByClass(key.KeySignature)):
        ks.activeSite.remove(ks)
    for c in list(part.recurse().getElementsByClass(clef.Clef)):
        site, at = c.activeSite, c.offset
        site.remove(c)
        site.insert(at, clef.PercussionClef())
    for u in part.recurse().getElementsByClass(note.Unpitched):
        inst = u.storedInstrument
        pitch = getattr(inst, "percMapPitch", None) if inst is not None else None
        step, octave, head = DRUM_NOTATION.get(pitch, ("B", 4, "normal"))
        u.displayStep, u.displayOctave = step, octave
        u.notehead = head


def _tidy(parts: list, roles: dict[str, str]) -> None:
    """No tempo mark of the MIDI reader's, instrument names as the parts are named, drums notated."""
    from music21 import instrument, tempo

    for p in parts:  # the one tempo mark is written by notation.tempo_mark
        for mark in list(p.recurse().getElementsByClass(tempo.MetronomeMark)):
            mark.activeSite.remove(mark)
        for inst in p.recurse().getElementsByClass(instrument.Instrument):
            inst.instrumentName = p.partName
            inst.instrumentAbbreviation = None
        if roles.get(p.partName or "") == "drums":
            _notate_drums(p)


def _notate(parts: list, roles: dict[str, str], key: Key, symbols: list, comp, arr) -> None:
    """Spelling, clefs, the comping staff and the tempo mark (``arrange.notation``)."""
    from chromatic.produce.arrange import notation

    m21key = notation.music21_key(key)
    for p in parts:
        role = roles.get(p.partName or "", "")
        if role == "drums":
            continue
        if p is comp:
            ts = arr.score.time_signatures[0] if len(arr.score.time_signatures) else None
            den = ts.denominator if ts is not None else 4
            num = ts.numerator if ts is not None else 4
            compound = den == 8 and num % 3 == 0 and num > 3
            notation.comping(p, (4 / den) * (3 if compound else 1))
        else:
            notation.respell(p, m21key, symbols)
            notation.set_clef(p, vocal=role in notation.VOCAL_ROLES)
    notation.tempo_mark(parts[0], arr.score.tempos[0].qpm if len(arr.score.tempos) else 120)


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
        if text == MELISMA:  # a held vowel: no syllable, the extender line shows it
            continue
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

    from chromatic.produce.arrange.notation import finish_xml

    score = build_score(arr, root, key)
    text = finish_xml(GeneralObjectExporter(score).parse().decode("utf-8"))
    path = within(root, MUSICXML_FILE)
    write_text_atomic(path, text)
    return path
