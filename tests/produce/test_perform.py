"""The performance pass on a small real arrangement: voicing under the melody, phrase dynamics,
CC7/CC10/CC11, humanized timing and velocity (not on drums), --quantized and determinism; the
MIDI written by symusic is read back with mido."""

from __future__ import annotations

from pathlib import Path

import mido
import pytest
from symusic import Note

from chromatic.music.midi import add_track, new_score, write_score
from chromatic.produce.arrange.assemble import Arrangement, Instrument, SectionSpan
from chromatic.produce.arrange.perform import (
    CRESCENDO_TOP,
    PAN_WIDTH,
    RAMP_BARS,
    REVERB_SEND,
    describe,
    expression_at,
    perform,
    role,
)
from chromatic.produce.planfile import PlanSection
from chromatic.produce.style import style_for
from chromatic.proposals.reader import load_proposal

EXAMPLE = sorted((Path(__file__).resolve().parents[2] / "examples" / "proposals").glob("*.yml"))[0]
BAR = 4 * 480


@pytest.fixture(scope="module")
def style():
    return style_for(load_proposal(EXAMPLE))


def _arrangement() -> Arrangement:
    """8 bars of verse then 8 of chorus: chords voiced high (C5 E5 G5) under a melody at D5."""
    score = new_score(120)
    add_track(score, "song")
    chords = add_track(score, "chords", program=4)
    melody = add_track(score, "melody", program=80)
    drums = add_track(score, "drums", is_drum=True)
    for bar in range(16):
        for p in (60, 72, 76, 79):
            chords.notes.append(Note(time=bar * BAR, duration=BAR, pitch=p, velocity=70))
        for beat in range(4):
            t = bar * BAR + beat * 480
            melody.notes.append(Note(time=t, duration=480, pitch=74, velocity=60))
            drums.notes.append(Note(time=t, duration=60, pitch=36 + 2 * (beat % 2), velocity=100))
    spans = (
        SectionSpan(PlanSection(name="verse", bars=8), 0, 0.0, 16.0),
        SectionSpan(PlanSection(name="chorus", bars=8), 8, 16.0, 32.0),
    )
    insts = (
        Instrument("chords", "chords", 4, False),
        Instrument("melody", "melody", 80, False),
        Instrument("drums", "drums", 0, True),
    )
    return Arrangement(score, spans, insts, 2.0, ())


def _tracks(arr) -> dict:
    return {t.name: t for t in arr.score.tracks if len(t.notes)}


def test_chords_are_voiced_under_the_melody_keeping_pitch_classes(style):
    arr = perform(_arrangement(), style, 1)
    chords, melody = _tracks(arr)["chords"], _tracks(arr)["melody"]
    top = max(n.pitch for n in chords.notes)
    assert top < min(n.pitch for n in melody.notes)
    assert {n.pitch % 12 for n in chords.notes} == {0, 4, 7}


def test_humanized_timing_and_velocity_but_drums_keep_their_groove(style):
    original = _tracks(_arrangement())
    arr = perform(_arrangement(), style, 1)
    got = _tracks(arr)
    off_grid = [n for n in got["melody"].notes if n.time % 120]
    assert len(off_grid) > len(got["melody"].notes) // 2
    assert len({n.velocity for n in got["melody"].notes}) > 5
    assert [(n.time, n.velocity) for n in got["drums"].notes] == [
        (n.time, n.velocity) for n in original["drums"].notes
    ]


def test_quantized_keeps_the_grid_and_the_dynamics(style):
    arr = perform(_arrangement(), style, 1, quantized=True)
    got = _tracks(arr)
    assert all(n.time % 480 == 0 for k in ("melody", "chords") for n in got[k].notes)
    # the phrase arch still shapes velocities: louder mid-phrase than on its first beat
    vel = {n.time: n.velocity for n in got["chords"].notes}
    assert vel[2 * BAR] > vel[0]
    assert describe(style, True)["humanized"] is False


def test_mix_and_expression_controllers_reach_the_midi_file(style, tmp_path):
    path = write_score(perform(_arrangement(), style, 1).score, tmp_path / "a.mid")
    mid = mido.MidiFile(str(path))
    by_name = {}
    for track in mid.tracks:
        name = next((m.name for m in track if m.type == "track_name"), "")
        by_name[role(name)] = [m for m in track if m.type == "control_change"]
    for part in ("chords", "melody", "drums"):
        first = {m.control: m.value for m in by_name[part][:4] if m.control != 11}
        wide = min(120, max(8, round(64 + (style.mix[part].pan - 64) * PAN_WIDTH)))
        assert first == {7: style.mix[part].volume, 10: wide, 91: REVERB_SEND[part]}
        assert any(m.control == 11 for m in by_name[part])
    # the style's side, spread wider (issue #33: the previews were nearly mono)
    assert abs(first[10] - 64) >= abs(style.mix["drums"].pan - 64)
    chords = {m.control: m.value for m in by_name["chords"][:4]}
    assert abs(chords[10] - 64) > abs(style.mix["chords"].pan - 64) > 0


def test_crescendo_rises_into_the_chorus(style):
    arr = perform(_arrangement(), style, 1)
    from chromatic.produce.arrange.perform import _grid

    grid = _grid(arr.score, arr, style)
    # verse (medium) into chorus (high): a rise in energy ramps over RAMP_BARS bars
    ramp = [expression_at(t, grid) for t in range((8 - RAMP_BARS) * BAR, 8 * BAR, 240)]
    assert ramp == sorted(ramp) and ramp[-1] >= CRESCENDO_TOP - 10 and ramp[0] < ramp[-1] - 8
    # a high-energy chorus plays louder than the verse
    assert expression_at(8 * BAR + BAR // 2, grid) > expression_at(BAR // 2, grid)


def test_same_seed_same_bytes_other_seed_other_performance(style, tmp_path):
    a = write_score(perform(_arrangement(), style, 7).score, tmp_path / "a.mid").read_bytes()
    b = write_score(perform(_arrangement(), style, 7).score, tmp_path / "b.mid").read_bytes()
    c = write_score(perform(_arrangement(), style, 8).score, tmp_path / "c.mid").read_bytes()
    assert a == b and a != c


def test_players_crescendo_into_a_louder_section_and_drop_into_a_softer_one():
    """Issue #33: the seam into a section planned louder is a crescendo over ``BUILD_BARS``
    (velocities rise to the new section's level, drums included); into a softer one, no ramp."""
    from chromatic.produce.arrange.perform import _Grid, velocity_scale
    from chromatic.produce.arrange.seams import BUILD_BARS
    from chromatic.produce.arrange.seams import ramped as _ramped

    bar = 1920
    sections = ((0, 8, "low", False), (8, 8, "medium", False), (16, 4, "low", False))
    levels = (velocity_scale(0.2), velocity_scale(0.8), velocity_scale(0.2))
    grid = _Grid(bar, 480, 1.0, 20 * bar, 4, sections, levels)
    notes = [(b * bar, bar, 36, 80) for b in range(20)]
    out = {t // bar: v for t, _, _, v in _ramped(notes, grid)}
    assert [out[b] for b in range(8 - BUILD_BARS)] == [80] * (8 - BUILD_BARS)
    ramp = [out[b] for b in range(8 - BUILD_BARS, 8)]
    assert ramp[0] == 80 and ramp == sorted(ramp) and ramp[-1] > 80
    assert ramp[-1] <= round(80 * levels[1] / levels[0])
    assert [out[b] for b in range(8, 20)] == [80] * 12  # the drop at bar 16 is not ramped
