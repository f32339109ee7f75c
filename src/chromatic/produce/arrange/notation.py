"""What makes ``arrangement.musicxml`` read like a musician's score rather than a MIDI dump.

On the music21 score (``notate``):

- **spelling**: every pitch is named from the song's key (a diatonic pitch takes the scale's
  name: E♭ in C# minor is D♯) and, off the scale, from the chord sounding over it (the D♯ of
  a B7 stays D♯, the B♯ of G♯7 in C# minor is B♯); elsewhere the key's direction (sharps in a
  sharp key, flats in a flat key);
- **clefs by range**: a sung part whose notes sit mostly below middle C is on the tenor clef
  (treble 8vb), a low instrument on the bass clef;
- **a comping staff**: the chord part as rhythm slashes, one a beat, under the chord symbols
  (the voicing is in arrangement.mid; a player reads the symbols);
- **tempo** (♩ = bpm) at the first bar.

On the written MusicXML (``finish_xml``): tempo and rehearsal marks placed above the system,
an extender line after a sung syllable that a melisma holds, a new system at each section's
first bar and a staff of 5.6 mm (MuseScore's default is 7): three systems of a five-part band a
page.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

STAFF_MM = 5.6  # staff height: MuseScore's default is 7 mm
VOCAL_ROLES = ("melody", "harmony", "vocal", "lead")
MIDDLE_C = 60
SHARPS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLATS = ("C", "D-", "D", "E-", "E", "F", "G-", "G", "A-", "A", "B-", "B")


def _spellings(key) -> dict[int, str]:
    """Pitch class -> name in the key: its scale (the minor's raised 7th too), else the key's
    direction."""
    names: dict[int, str] = {}
    for p in key.getScale().getPitches():
        names.setdefault(p.pitchClass, p.name)
    if key.mode == "minor":
        lead = key.tonic.transpose("M7")
        names.setdefault(lead.pitchClass, lead.name)
    off_key = FLATS if key.sharps < 0 else SHARPS
    for pc in range(12):
        names.setdefault(pc, off_key[pc])
    return names


def music21_key(key):
    """The project's Key as music21's ("Bb minor" -> key.Key("B-", "minor"))."""
    from music21 import key as m21key

    return m21key.Key(key.tonic.replace("b", "-") if len(key.tonic) > 1 else key.tonic, key.mode)


def _renamed(midi: int, name: str):
    from music21 import pitch

    p = pitch.Pitch(name)
    p.octave = 4
    p.octave += round((midi - p.midi) / 12)
    return p


def respell(part, key, symbols: list[tuple[float, object]]) -> int:
    """Respell every note of ``part`` (see the module docstring); ``symbols`` are (offset,
    ChordSymbol) in the part's time. Returns how many pitches changed their name."""
    from music21 import chord, harmony

    in_key = _spellings(key)
    scale = {p.pitchClass for p in key.getScale().getPitches()}
    symbols = sorted(((o, s) for o, s in symbols if isinstance(s, harmony.ChordSymbol)), key=_first)
    changed = 0
    j = -1
    for n in sorted(part.recurse().notes, key=lambda x: x.getOffsetInHierarchy(part)):
        if isinstance(n, harmony.ChordSymbol):
            continue
        at = n.getOffsetInHierarchy(part)
        while j + 1 < len(symbols) and symbols[j + 1][0] <= at + 1e-6:
            j += 1
        from_chord = {p.pitchClass: p.name for p in symbols[j][1].pitches} if j >= 0 else {}
        pitches = n.pitches if isinstance(n, chord.Chord) else (n.pitch,)
        for p in pitches:
            pc = p.pitchClass
            name = in_key[pc] if pc in scale else from_chord.get(pc, in_key[pc])
            if p.name != name:
                q = _renamed(p.midi, name)
                p.step, p.accidental, p.octave = q.step, q.accidental, q.octave
                changed += 1
    return changed


def _first(x):
    return x[0]


def clef_for(midis: list[int], vocal: bool):
    """Treble, tenor (treble 8vb, for a sung part that sits low) or bass, from the part's
    median pitch."""
    from music21 import clef

    if not midis:
        return clef.TrebleClef()
    median = sorted(midis)[len(midis) // 2]
    if vocal:
        if median >= MIDDLE_C - 2:
            return clef.TrebleClef()
        return clef.Treble8vbClef() if median >= 48 else clef.BassClef()
    return clef.TrebleClef() if median >= 55 else clef.BassClef()


def set_clef(part, vocal: bool):
    """Every clef of ``part`` replaced by the one its range asks for; returns that clef."""
    from music21 import clef

    midis = [p.midi for n in part.recurse().notes for p in getattr(n, "pitches", ())]
    chosen = clef_for(midis, vocal)
    clefs = list(part.recurse().getElementsByClass(clef.Clef))
    for c in clefs:
        c.activeSite.remove(c)
    measures = list(part.getElementsByClass("Measure"))
    if measures:
        measures[0].insert(0, chosen)
    return chosen


def comping(part, beat_q: float) -> None:
    """The chord part as slashes, one a beat, no stems: what a comping player reads under the
    chord symbols."""
    from music21 import harmony, note

    for m in part.getElementsByClass("Measure"):
        for v in list(m.voices):
            m.remove(v)
        for el in list(m.notesAndRests):
            if not isinstance(el, harmony.ChordSymbol):
                m.remove(el)
        length = float(m.barDuration.quarterLength)
        t = 0.0
        while t < length - 1e-6:
            n = note.Note("B4", quarterLength=min(beat_q, length - t))
            n.notehead = "slash"
            n.stemDirection = "noStem"
            m.insert(t, n)
            t += beat_q


def tempo_mark(part, bpm: float) -> None:
    from music21 import tempo

    measures = list(part.getElementsByClass("Measure"))
    if measures:
        mark = tempo.MetronomeMark(number=round(float(bpm)))
        mark.placement = "above"
        measures[0].insert(0, mark)


# --- the written MusicXML ------------------------------------------------------------------------


def _extenders(part: ET.Element) -> int:
    """An ``<extend/>`` on each word-ending syllable whose vowel the next notes hold (a
    melisma: sung notes with no syllable of their own, before a rest or the next syllable)."""
    added = 0
    held = None  # the <lyric> a melisma would extend
    for n in part.iter("note"):
        if n.find("rest") is not None:
            held = None
            continue
        if n.find("chord") is not None or _tie_stop(n):
            continue
        lyric = n.find("lyric")
        if lyric is not None:
            syllabic = lyric.findtext("syllabic") or "single"
            held = lyric if syllabic in ("single", "end") else None
            continue
        if held is not None and held.find("extend") is None:
            ET.SubElement(held, "extend")
            added += 1
    return added


def _tie_stop(n: ET.Element) -> bool:
    return any(t.get("type") == "stop" for t in n.findall("tie"))


def finish_xml(text: str) -> str:
    """Placement, extenders, systems and staff size on music21's MusicXML (see the module
    docstring). The DOCTYPE and declaration are kept as written."""
    head_end = text.index("<score-partwise")
    head, body = text[:head_end], text[head_end:]
    root = ET.fromstring(body)
    for d in root.iter("direction"):
        kinds = {c.tag for dt in d.findall("direction-type") for c in dt}
        if kinds & {"rehearsal", "metronome", "words"}:
            d.set("placement", "above")
    for part in root.findall("part"):
        _extenders(part)
    first = root.find("part")
    if first is not None:  # each section starts a system; MuseScore fills the rest
        for i, m in enumerate(first.findall("measure")):
            if (
                i
                and m.find("print") is None
                and m.find("direction/direction-type/rehearsal") is not None
            ):
                m.insert(0, ET.Element("print", {"new-system": "yes"}))
    _scaling(root)
    return head + ET.tostring(root, encoding="unicode") + "\n"


def _scaling(root: ET.Element) -> None:
    defaults = root.find("defaults")
    if defaults is None:  # its place: before the credits and the part list
        defaults = ET.Element("defaults")
        tags = [c.tag for c in root]
        anchor = next((i for i, t in enumerate(tags) if t in ("credit", "part-list")), 0)
        root.insert(anchor, defaults)
    scaling = defaults.find("scaling")
    if scaling is None:
        scaling = ET.Element("scaling")
        defaults.insert(0, scaling)
    for tag in ("millimeters", "tenths"):
        el = scaling.find(tag)
        if el is None:
            el = ET.SubElement(scaling, tag)
    scaling.find("millimeters").text = f"{STAFF_MM:.4f}"
    scaling.find("tenths").text = "40"
