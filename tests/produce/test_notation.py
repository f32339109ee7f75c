"""Notation a musician reads (``arrange.notation``): pitches spelled from the key and the chord,
clefs by range, extender lines under melismas, marks above the system."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("music21")

from music21 import clef, harmony, key, note, stream

from chromatic.produce.arrange.notation import clef_for, finish_xml, respell


def _names(midis: list[int], k: str, mode: str, symbol: str | None = None) -> list[str]:
    part = stream.Part()
    m = stream.Measure(number=1)
    for i, p in enumerate(midis):
        m.insert(i, note.Note(p, quarterLength=1))
    part.append(m)
    symbols = [(0.0, harmony.ChordSymbol(symbol))] if symbol else []
    respell(part, key.Key(k, mode), symbols)
    return [n.pitch.nameWithOctave for n in part.recurse().notes]


def test_pitches_are_named_from_the_key():
    # C# minor: the scale's D#, G#, A (never E-flat or A-flat), its raised 7th B#
    assert _names([63, 68, 69, 72], "C#", "minor") == ["D#4", "G#4", "A4", "B#4"]
    # B-flat major: E-flat, B-flat; an off-key pitch in a flat key is a flat
    assert _names([63, 70, 66], "B-", "major") == ["E-4", "B-4", "G-4"]


def test_an_off_key_pitch_takes_the_chords_name():
    # in F major a D#/Eb is E-flat by the key, but D# inside a B7
    assert _names([63], "F", "major") == ["E-4"]
    assert _names([63, 66], "F", "major", "B7") == ["D#4", "F#4"]


def test_clefs_by_range():
    low_voice = list(range(47, 62))
    assert isinstance(clef_for(low_voice, vocal=True), clef.Treble8vbClef)
    assert isinstance(clef_for(list(range(60, 77)), vocal=True), clef.TrebleClef)
    assert isinstance(clef_for([28, 33, 36, 40, 45], vocal=False), clef.BassClef)
    assert isinstance(clef_for([60, 64, 67], vocal=False), clef.TrebleClef)


XML = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" "x">
<score-partwise version="4.0"><part-list/><part id="P1">
<measure number="1"><direction><direction-type><rehearsal>Verse</rehearsal></direction-type>
</direction>{notes}</measure><measure number="2"><note><rest/></note></measure></part>
</score-partwise>"""


def _note(text: str | None = None, syllabic: str = "single", rest: bool = False) -> str:
    if rest:
        return "<note><rest/></note>"
    lyric = f"<lyric><syllabic>{syllabic}</syllabic><text>{text}</text></lyric>" if text else ""
    return f"<note><pitch><step>C</step><octave>4</octave></pitch>{lyric}</note>"


def test_a_held_syllable_gets_an_extender_and_marks_go_above():
    notes = [
        _note("lad", "begin"),
        _note(),
        _note("der", "end"),
        _note(),
        _note(),  # "der" held
        _note("rail"),
        _note(rest=True),
        _note(),  # a rest ends it: no line after "rail"
        _note("sing"),
    ]
    out = finish_xml(XML.format(notes="".join(notes)))
    assert out.startswith('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE score-partwise')
    root = ET.fromstring(out[out.index("<score-partwise") :])
    lyrics = {ly.findtext("text"): ly.find("extend") is not None for ly in root.iter("lyric")}
    assert lyrics == {"lad": False, "der": True, "rail": False, "sing": False}
    assert root.find("part/measure/direction").get("placement") == "above"
    assert root.find("defaults/scaling/millimeters").text == "5.6000"
