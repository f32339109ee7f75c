"""Song form, repeats that develop, endings and modulation (issue #14), on real MIDI files."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import mido
from symusic import Score

from chromatic.measure.arrangement import piece_from_production
from chromatic.measure.musicality import drums_end_with_music, tonic_ending
from chromatic.music import daw
from chromatic.produce.arrange.assemble import ARRANGEMENT_FILE, assemble
from chromatic.produce.arrange.form import CIRCLE_OF_FIFTHS, phrase_unit, plan_form
from chromatic.produce.arrange.plan import PLAN_FILE, write_plan
from chromatic.produce.style.table import style_for
from tests.produce.test_assemble import BAR, _edit_plan, parts  # noqa: F401 (a fixture)

F_SHARP = 6


def _style(phrase=4, key_change=0.0):
    var = SimpleNamespace(fills=True, dropout=True, lift=True, key_change=key_change)
    return SimpleNamespace(phrase_bars=phrase, variation=var)


def _sections(**bars):
    return [SimpleNamespace(name=k, bars=v) for k, v in bars.items()]


FORM = ("intro", "verse", "chorus", "verse", "chorus", "bridge", "chorus!", "outro")


def test_every_occurrence_is_whole_phrases_and_the_song_is_near_its_target():
    secs = _sections(intro=4, verse=3, chorus=4, bridge=2, outro=4)
    plan = plan_form(secs, _style(4), FORM, 2.0, (210.0, "style"), seed=1)
    occ = plan.occurrences
    assert [o.item for o in occ] == list(FORM)
    assert all(o.bars * o.repeat % 4 == 0 for o in occ)  # a 3-bar verse plays 4, 8... times
    assert phrase_unit(3, 4) == 4 and phrase_unit(2, 8) == 4
    total = sum(o.bars * o.repeat for o in occ) * 2.0
    assert 156 <= total <= 277 and abs(total - 210) < 30
    assert occ[6].variation["lift"] and occ[5].variation["dropout"] == 1
    assert not occ[0].variation["crash"] and occ[-1].variation["fill"] == "none"


def test_a_loop_that_cannot_fill_whole_phrases_is_said_in_a_note():
    plan = plan_form(_sections(verse=5, chorus=8), _style(8), FORM, 2.0, (200.0, "style"), 3)
    assert any("verse loop is 5 bars" in n for n in plan.notes)
    assert any("no approved intro" in n for n in plan.notes)


def test_all_keys_walk_the_circle_of_fifths_and_come_home():
    secs = _sections(intro=4, verse=4, chorus=4, bridge=4, outro=4)
    plan = plan_form(secs, _style(4), FORM, 2.0, (200.0, "style"), 1, modulation="all_keys")
    moves = [o.transpose for o in plan.occurrences]
    assert moves[0] == 0 and moves[-2:] == [0, 0]  # intro, final chorus and outro at home
    assert moves[1:6] == list(CIRCLE_OF_FIFTHS[:5])


def test_the_seed_chooses_the_variations_and_the_same_seed_repeats_them(sectioned, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(sectioned.root, other)
    a = write_plan(sectioned.root, seed=5).path.read_text()
    assert write_plan(other, seed=5).path.read_text() == a


def _notes(path, name):
    score = Score(str(path))
    roles = daw.part_roles(path)  # tracks are named by instrument, their phase kept as text
    return [n for t in score.tracks if roles.get(t.name, t.name) == name for n in t.notes]


def test_the_song_ends_on_the_tonic_with_every_part(parts):  # noqa: F811
    res = assemble(parts.root)
    path = parts.root / ARRANGEMENT_FILE
    piece = piece_from_production(parts.root)
    assert tonic_ending(piece) and drums_end_with_music(piece)
    end = res.arrangement.total_bars * BAR
    bass = _notes(path, "bass")
    assert max(bass, key=lambda n: n.time).pitch % 12 == F_SHARP
    melody = _notes(path, "melody")
    last = max(n.time for n in melody)
    assert {n.pitch % 12 for n in melody if n.time == last} == {F_SHARP}
    assert all(n.end <= end for t in Score(str(path)).tracks for n in t.notes)
    # the style's ending is a fade: CC11 falls over the last four bars on every track (the
    # performance's phrase curve rides on it, so it is not strictly monotonic)
    mid = mido.MidiFile(str(path))
    fade_from = end - 4 * BAR
    for tr in mid.tracks[1:]:
        t, points = 0, []
        for m in tr:
            t += m.time
            if m.type == "control_change" and m.control == 11:
                points.append((t, m.value))
        before = [v for at, v in points if at < fade_from]
        tail = [v for at, v in points if at >= fade_from]
        assert tail and tail[-1] < 40 and tail[-1] < min(before or [127]) - 40


def test_repeats_develop(parts):  # noqa: F811
    arr = assemble(parts.root).arrangement
    path = parts.root / ARRANGEMENT_FILE
    starts = {i: s.start_bar * BAR for i, s in enumerate(arr.sections)}
    drums = _notes(path, "drums")
    # a crash on the downbeat of every section after the first
    assert all(any(n.time == starts[i] and n.pitch == 49 for n in drums) for i in range(1, 5))
    # the bar before the final chorus: drums and bass rest (a note humanized a few ticks ahead
    # of the chorus downbeat is the chorus's own)
    gap = (starts[4] - BAR, starts[4] - BAR // 32)
    assert not [n for n in drums + _notes(path, "bass") if gap[0] <= n.time < gap[1]]
    # the final chorus is lifted: the melody doubled an octave up (on its own track, issue #33),
    # louder than the first chorus
    melody, double = _notes(path, "melody"), _notes(path, "double")

    def within(i, notes=melody):
        return [n for n in notes if starts[i] <= n.time < starts[i + 1]]

    first, last = within(2), within(4)
    assert not within(2, double) and within(4, double)
    assert max(n.pitch for n in within(4, double)) >= max(n.pitch for n in first) + 12
    assert max(n.velocity for n in last) > max(n.velocity for n in first)
    # the fills change the drum loop's last bar: no two section-end bars equal the plain loop
    plain = {(0, 36), (840, 38), (1260, 42)}
    ends = [starts[i + 1] - BAR for i in range(4)]
    assert any(
        {(n.time - e, n.pitch) for n in drums if e <= n.time < e + BAR} != plain for e in ends
    )


def test_hand_edits_of_variation_order_and_transpose_are_played_and_survive_refresh(parts):  # noqa: F811
    def edit(secs):
        secs.insert(0, secs.pop(1))  # verse before intro
        secs[0]["transpose"] = 2
        secs[0]["variation"]["crash"] = True
        secs[0]["variation"]["fill"] = "stop"

    _edit_plan(parts, edit)
    write_plan(parts.root, refresh=True)
    text = (parts.root / PLAN_FILE).read_text()
    arr = assemble(parts.root).arrangement
    assert [s.name for s in arr.sections][:2] == ["verse", "intro"]
    assert arr.sections[0].planned.transpose == 2 and (parts.root / PLAN_FILE).read_text() == text
    melody = _notes(parts.root / ARRANGEMENT_FILE, "melody")
    first = sorted({n.pitch for n in melody if n.time < BAR})
    assert first == [68, 71]  # the loop's 66 and 69, two semitones up; drums unmoved
    drums = _notes(parts.root / ARRANGEMENT_FILE, "drums")
    assert {n.pitch for n in drums if n.time == 0} >= {36, 49}


def test_style_ending_kind_ritardando_slows_the_last_bars(parts):  # noqa: F811
    (parts.root / "style.yml").write_text("ending: {cadence: authentic, kind: ritardando}\n")
    assert style_for(parts.proposal(), parts.root).ending.kind == "ritardando"
    arr = assemble(parts.root).arrangement
    tempos = [t.qpm for t in arr.score.tempos]
    assert abs(tempos[0] - 72) < 1e-3 and len(tempos) > 2 and tempos[-1] < 72 * 0.75
    assert tempos[1:] == sorted(tempos[1:], reverse=True)


def test_a_repeated_pass_ornaments_its_tune_and_keeps_its_skeleton():
    """Three passes of a four-bar tune: the first as approved; each later one moves weak-beat
    notes of its sung bars to scale neighbours (each pass differently), keeps every strong-beat
    note (the chord tones) and leaves the cadence bar as written; the bass is untouched."""
    from chromatic.music.meter import TPQ, meter_of, strong_onsets
    from chromatic.produce.arrange.variation import Frame, develop
    from chromatic.produce.planfile import Variation

    meter, bar = meter_of("4/4"), 4 * TPQ
    scale = (0, 2, 4, 5, 7, 9, 11)
    tune = [
        (b * bar + k * TPQ // 2, TPQ // 2, (60, 62, 64, 65, 67)[(b + k) % 5], 90)
        for b in range(4)
        for k in range(8)
    ]
    block = {
        ("melody", 80, False): [
            (t + r * 4 * bar, d, p, v) for r in range(3) for t, d, p, v in tune
        ],
        ("bass", 33, False): [(r * 4 * bar, bar, 36, 90) for r in range(3)],
    }
    bass = list(block[("bass", 33, False)])
    sec = SimpleNamespace(
        name="verse", repeat=3, bars=4, transpose=0, variation=Variation(vary_melody=True)
    )
    develop(block, sec, Frame(0, 12 * bar, bar, meter, 4, scale), {})
    strong = {round(o * TPQ) for o in strong_onsets(meter)}
    passes = [
        {
            (t - r * 4 * bar, p)
            for t, _, p, _ in block[("melody", 80, False)]
            if r * 4 * bar <= t < (r + 1) * 4 * bar
        }
        for r in range(3)
    ]
    first = {(t, p) for t, _, p, _ in tune}
    assert passes[0] == first  # the tune as approved
    assert passes[1] != first and passes[2] != first and passes[1] != passes[2]
    for later in passes[1:]:
        assert {x for x in first if x[0] % bar in strong} <= later  # strong beats kept
        assert {x for x in later if x[0] >= 3 * bar} == {x for x in first if x[0] >= 3 * bar}
        assert all(p % 12 in scale for _, p in later)
        assert {p for _, p in later} <= set(range(60, 68))  # inside the tune's range
        assert {x[0] // bar for x in first ^ later} == {0, 1, 2}  # every sung bar but the cadence
    assert block[("bass", 33, False)] == bass


def test_a_rhythm_variation_turns_the_longest_note_inside_the_range():
    from chromatic.music.meter import TPQ, meter_of
    from chromatic.produce.arrange.variation import vary_melody_bar

    bar, scale = 4 * TPQ, (0, 2, 4, 5, 7, 9, 11)
    hits = [(0, TPQ, 60, 90), (TPQ + TPQ // 2, TPQ // 2, 62, 90), (2 * TPQ, 2 * TPQ, 67, 90)]
    out = vary_melody_bar(hits, 0, bar, meter_of("4/4"), scale, up=True, bounded=True, rhythm=True)
    # the half note on beat 3 becomes two quarters; at the tune's top it turns down, not up
    assert out == [hits[0], hits[1], (2 * TPQ, TPQ, 67, 90), (3 * TPQ, TPQ, 65, 90)]


def test_the_backing_joins_on_a_verses_second_pass_and_a_chorus_arrives_whole():
    """Issue #33 (development): a verse played twice leaves its backing vocals out of the first
    pass (the rest untouched); its next occurrence, and a chorus, keep every backing note."""
    from chromatic.music.meter import TPQ, meter_of
    from chromatic.produce.arrange.variation import Frame, develop
    from chromatic.produce.planfile import Variation

    meter, bar = meter_of("4/4"), 4 * TPQ
    frame = Frame(0, 8 * bar, bar, meter, 4, (0, 2, 4, 5, 7, 9, 11))

    def block():
        return {
            ("harmony", 53, False): [(b * bar, bar, 64, 70) for b in range(8)],
            ("chords", 4, False): [(b * bar, bar, 60, 70) for b in range(8)],
        }

    def sec(name):
        return SimpleNamespace(name=name, repeat=2, bars=4, transpose=0, variation=Variation())

    verse, passes = block(), {}
    develop(verse, sec("verse"), frame, passes)
    assert [t // bar for t, *_ in verse[("harmony", 53, False)]] == [4, 5, 6, 7]
    assert verse[("chords", 4, False)] == block()[("chords", 4, False)]
    again = block()
    develop(again, sec("verse"), frame, passes)  # the verse's second occurrence
    chorus = block()
    develop(chorus, sec("chorus"), frame, {})
    assert again == block() and chorus == block()
