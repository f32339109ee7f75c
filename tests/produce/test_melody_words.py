"""The melody sings the words: prosody (CMU stress), setting on the metre, lines spanning the
section, lyric events that survive promotion, assembly and performance, read back by music21."""

from __future__ import annotations

from itertools import pairwise
from types import SimpleNamespace

from music21 import converter
from symusic import Note

from chromatic.cli import main
from chromatic.music.meter import TPQ, bar_ticks, meter_of
from chromatic.music.midi import (
    MELISMA,
    add_lyrics,
    add_track,
    align_lyrics,
    load_score,
    new_score,
    read_lyrics,
    write_score,
)
from chromatic.produce.arrange.assemble import ARRANGEMENT_FILE, assemble
from chromatic.produce.arrange.plan import write_plan
from chromatic.produce.melody.prosody import PRIMARY, WEAK, stresses, syllables_of
from chromatic.produce.melody.setting import PACES, levels, place_line, unit_ticks
from chromatic.produce.melody.tune import line_spans

VERSE = (
    "Moss on the ladder, rust on the rail",
    "nobody climbs here to read the old scale",
    "we bring our voices and leave them to ring",
    "round in the concrete where nothing can sing",
)


def test_stress_and_pieces_come_from_the_dictionary():
    assert stresses("ladder") == (PRIMARY, WEAK)
    assert stresses("remembers") == (WEAK, PRIMARY, WEAK)
    assert stresses("the") == (WEAK,) and stresses("rail") == (PRIMARY,)
    assert [s.lyric for s in syllables_of("the tower remembers")] == [
        "the",
        "tow-",
        "er",
        "re-",
        "mem-",
        "bers",
    ]
    unknown = syllables_of("Zxqvorpalin")  # not in the dictionary: pyphen and the heuristic
    assert len(unknown) >= 2 and unknown[0].stress == PRIMARY and unknown[-1].lyric[-1] != "-"
    assert [s.lyric for s in syllables_of("fi-re")] == ["fi-", "re"]  # the writer's split wins


def test_words_split_where_their_syllables_meet():
    """Issue #33: pyphen leaves "Forty" whole, and halving it sang "Fo-", "rty"; "our" has a
    one-syllable reading in the dictionary, the one its spelling shows ("o-", "ur" before)."""
    assert [s.lyric for s in syllables_of("Forty our hour fire")] == [
        "For-",
        "ty",
        "our",
        "hour",
        "fire",
    ]
    assert [s.lyric for s in syllables_of("river mother family")] == [
        "riv-",
        "er",
        "moth-",
        "er",
        "fam-",
        "i-",
        "ly",
    ]


def _stressed_on_beats(lines, meter, bpm, bars_per_line) -> tuple[int, int]:
    unit = unit_ticks(meter, bpm)
    lv = levels(meter, unit)
    bar = bar_ticks(meter)
    good = total = 0
    for i, text in enumerate(lines):
        syl = syllables_of(text)
        span = (i * bars_per_line * bar, (i + 1) * bars_per_line * bar)
        placed = place_line(
            [(s.stress, s.word_syllables > 1) for s in syl], span, meter, unit, PACES[0]
        )
        assert len(placed) == len(syl)
        assert all(a < b <= c for (a, b), (c, _) in pairwise(placed))
        assert placed[-1][1] < span[1]  # a breath before the next line
        assert placed[-1][1] - placed[-1][0] >= 2 * unit  # the line's last syllable is held
        for w in {s.word for s in syl if s.word_syllables > 1}:
            word = [(s, p) for s, p in zip(syl, placed, strict=True) if s.word == w]
            level = {s.stress: lv[(p[0] - span[0]) % bar] for s, p in word}
            total += 1
            good += level[PRIMARY] >= 2 and all(
                lv[(p[0] - span[0]) % bar] < level[PRIMARY] for s, p in word if s.stress == WEAK
            )
    return good, total


def test_stressed_syllables_land_on_beats_not_light_ones():
    good, total = _stressed_on_beats(VERSE, meter_of("4/4"), 84, 2)
    # five multi-syllable words: ladder, nobody, voices, concrete, nothing ("our" sings as one)
    assert total >= 5 and good / total >= 0.8
    good, total = _stressed_on_beats(VERSE[:2], meter_of("7/8"), 72, 2)
    assert good / total >= 0.8


def test_lines_span_the_whole_section():
    bar = 1920
    seven = SimpleNamespace(bars=7, bar_ticks=bar, total_ticks=7 * bar)
    spans = line_spans(seven, 4)
    assert spans[0][0] == 0 and spans[-1][1] == 7 * bar
    assert all(a[1] == b[0] for a, b in pairwise(spans))
    assert sorted((e - s) // bar for s, e in spans) == [1, 2, 2, 2]
    two = SimpleNamespace(bars=2, bar_ticks=bar, total_ticks=2 * bar)
    assert line_spans(two, 4) == [(0, 960), (960, 1920), (1920, 2880), (2880, 3840)]


def _words(path) -> list[str]:
    """The sung words of a MIDI file as music21 reads them: syllables joined at trailing
    hyphens, melisma continuations and tied continuations skipped."""
    out, cur = [], ""
    for part in converter.parse(str(path)).parts:
        for n in part.flatten().notes:
            if n.tie is not None and n.tie.type in ("continue", "stop"):
                continue
            raw = n.lyrics[0].rawText if n.lyrics else None
            if raw is None or not raw.strip("-"):
                continue
            if raw.endswith("-"):
                cur += raw[:-1]
            else:
                out.append(cur + raw)
                cur = ""
    return out


def test_lyrics_follow_performed_notes_and_added_notes_continue(tmp_path):
    score = new_score(90, "4/4")
    tr = add_track(score, "melody", program=53)
    for t, p in ((5, 60), (490, 62), (950, 64), (1200, 62)):  # humanized, and one note added
        tr.notes.append(Note(time=t, duration=200, pitch=p, velocity=80))
    tr.notes.append(Note(time=12, duration=200, pitch=72, velocity=60))  # an octave doubling
    add_lyrics(tr, [(0, "lad-"), (480, "der"), (960, "rail")])
    align_lyrics(score)
    assert read_lyrics(score.tracks[0]) == [
        (5, "lad-"),
        (490, "der"),
        (950, "rail"),
        (1200, MELISMA),
    ]
    write_score(score, tmp_path / "m.mid")
    again = load_score(tmp_path / "m.mid")  # symusic splits lyrics off; load_score rejoins them
    assert [(len(t.notes), len(t.lyrics)) for t in again.tracks] == [(5, 4)]
    assert _words(tmp_path / "m.mid") == ["ladder", "rail"]


def _sung_loop(path, label, bars: int, words: list[tuple[int, str]]):
    s = new_score(72, "7/8", "F# minor")
    tr = add_track(s, label, program=53)
    for i, (t, _) in enumerate(words):
        tr.notes.append(Note(time=t, duration=TPQ // 2, pitch=64 + i % 3, velocity=90))
    add_lyrics(tr, words)
    write_score(s, path)


def test_assembly_sings_each_line_once_per_pass_and_music21_reads_them(sectioned):
    """A melody loop shorter than its chord loop rests to the end of the chords instead of
    starting over (no wrapped lines), and its lyric events reach arrangement.mid in order."""
    sectioned.approved_dir("melody").mkdir(parents=True, exist_ok=True)
    verse = [(0, "Moss"), (480, "on"), (720, "the"), (960, "lad-"), (1200, "der")]
    chorus = [(0, "for-"), (240, "ty"), (480, MELISMA), (840, "of"), (1080, "us")]
    _sung_loop(sectioned.approved_dir("melody") / "verse.mid", "verse", 1, verse)
    _sung_loop(sectioned.approved_dir("melody") / "chorus.mid", "chorus", 1, chorus)
    plan = write_plan(sectioned.root).plan
    result = assemble(sectioned.root)
    sung = [s for s in plan.sections if s.vocals and s.name in ("verse", "chorus")]
    chords = {s.name: s.bars for s in plan.sections}
    assert all(chords[s.name] >= 1 for s in sung)
    expected = []
    for s in sung:
        loop_bars = max(1, chords[s.name])  # the chord loop's bars: one sung pass each
        passes = s.repeat * (s.bars // loop_bars)
        expected += (
            ["Moss", "on", "the", "ladder"] if s.name == "verse" else ["forty", "of", "us"]
        ) * passes
    assert _words(sectioned.root / ARRANGEMENT_FILE) == expected
    from chromatic.music.daw import part_roles

    roles = part_roles(result.midi)  # tracks are named by instrument; the part is a text event
    melody = next(
        t for t in load_score(result.midi).tracks if roles.get(t.name, "").startswith("melody")
    )
    sung_at = [t for t, _ in read_lyrics(melody)]
    assert len(sung_at) == len(set(sung_at)) >= len(expected)
    # every sung note has its lyric: an onset without one is a doubling struck with it
    assert all(min(abs(n.time - t) for t in sung_at) <= TPQ // 8 for n in melody.notes)
    # issue #33: the sung lead is "Lead Vocal", one voice (humanized, yet no overlaps)
    assert roles.get("Lead Vocal") == "melody"
    notes = sorted(melody.notes, key=lambda n: n.time)
    assert all(a.time + a.duration <= b.time for a, b in pairwise(notes))
    # --vocal-midi: the lead alone, a word on its first note, "+" on its further syllables
    import mido

    from chromatic.produce.arrange.vocal import synth_lyrics

    assert synth_lyrics(["re-", "mem-", "bers", "-", "the"]) == ["remembers", "+", "+", "-", "the"]
    assert main(["assemble", str(sectioned.root), "--vocal-midi"]) == 0
    vocal = mido.MidiFile(sectioned.root / "lead_vocal.mid", charset="utf-8")
    assert len(vocal.tracks) == 1
    track = vocal.tracks[0]
    texts = [m.text for m in track if m.type == "lyrics"]
    struck = [m for m in track if m.type == "note_on" and m.velocity]
    assert len(texts) == len(struck) >= len(expected)  # one lyric per note
    at = texts.index("ladder")
    assert texts[at + 1] == "+" and "lad-" not in texts
    if "forty" in texts:
        assert texts[texts.index("forty") + 1 : texts.index("forty") + 3] == ["+", "-"]


def test_a_long_section_sings_whole_phrases_and_leaves_an_answer():
    from chromatic.produce.melody.tune import sung_spans

    bar = 1920
    chorus = SimpleNamespace(bars=16, bar_ticks=bar, total_ticks=16 * bar)
    spans, answer = sung_spans(chorus, 3, natural_bars=2.2)
    assert [(e - s) // bar for s, e in spans] == [4, 4, 4] and answer == 4
    verse = SimpleNamespace(bars=8, bar_ticks=bar, total_ticks=8 * bar)
    assert sung_spans(verse, 4, natural_bars=1.5) == (line_spans(verse, 4), 0)
    short = SimpleNamespace(bars=2, bar_ticks=bar, total_ticks=2 * bar)
    assert sung_spans(short, 4, natural_bars=2.0) == (line_spans(short, 4), 0)
