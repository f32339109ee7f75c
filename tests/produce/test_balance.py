"""Issue #33: a section whose instruments the soundfont plays much louder than the last one's
is set to start about where the plan's step puts it (``arrange.balance``), measured on real
renders of the default soundfont."""

from __future__ import annotations

import numpy as np
import pytest
from symusic import ControlChange, Note, Score, Tempo, Track

from chromatic.produce.arrange.balance import SLACK_LU, balanced, levels, loudness, program_lu
from chromatic.produce.arrange.loudness import integrated_lufs
from chromatic.produce.arrange.perform import _Grid, velocity_scale

BAR, BEAT = 1920, 480  # tpq 480, 4/4, 120 bpm: a bar is 2 s
PIANO, VIOLIN, VOICE = 0, 40, 85
SECTIONS = ((0, 2, "medium", False), (2, 2, "medium", False))
GRID = _Grid(BAR, BEAT, 0.96, 4 * BAR, 4, SECTIONS, (1.0, 1.0))


def loud(t: int) -> int:
    return 127


def seam_parts(velocity: int = 90):
    """A soft piano for two bars, then the piano with a violin and a sung lead on top."""
    piano = [(b * BAR + q * BEAT, BEAT, 60 + 4 * (q % 2), 60) for b in range(4) for q in range(4)]
    violin = [(b * BAR, BAR, 72, velocity) for b in (2, 3)]
    voice = [(b * BAR + h * BAR // 2, BAR // 2, 67, velocity) for b in (2, 3) for h in range(2)]
    return [(PIANO, False, 100, piano), (VIOLIN, False, 100, violin), (VOICE, False, 100, voice)]


RATE = 22050


def render(parts) -> np.ndarray:
    """The parts rendered for real (8 s of stereo, the default soundfont)."""
    from chromatic.music.render import available_renderers, render_score

    if not available_renderers():
        pytest.skip("no renderer")
    score = Score(480)
    score.tempos.append(Tempo(0, 120.0))
    for program, drums, volume, notes in parts:
        track = Track(f"p{program}", program, drums)
        track.controls.append(ControlChange(0, 7, volume))
        for t, d, p, v in notes:
            track.notes.append(Note(t, d, p, v))
        score.tracks.append(track)
    return render_score(score, sample_rate=RATE, duration=8.0, stereo=True)


def rendered_rise(parts) -> float:
    """The loudness of the two bars after the seam minus the two before, rendered for real."""
    audio = render(parts)
    return integrated_lufs(audio[4 * RATE :], RATE) - integrated_lufs(audio[: 4 * RATE], RATE)


def test_the_table_measures_the_soundfont_s_programs():
    """The measured levels the fix rests on: a GM violin and a voice lead sound louder than a
    grand piano at one velocity, and loudness follows velocity by about 40 dB a decade."""
    assert program_lu(VIOLIN) > program_lu(PIANO) + 6
    assert program_lu(VOICE) > program_lu(PIANO) + 6
    assert 30 < levels()["velocity_db_per_decade"] < 50
    assert len(levels()["programs"]) == 128


def test_a_section_the_soundfont_plays_much_louder_is_lowered_to_the_plan_s_step():
    parts = seam_parts()
    before = rendered_rise(parts)
    out, factors = balanced(parts, GRID, loud)
    after = rendered_rise(out)
    assert before > SLACK_LU + 3  # the seam as the soundfont plays it: a jump
    assert factors[0] == 1.0 and factors[1] < 0.85
    assert after < before - 2 and after < SLACK_LU + 2
    # only the louder section moved, every part of it, by the one factor
    for (*_, was), (*_, now) in zip(parts, out, strict=True):
        for (t, _, _, v0), (_, _, _, v1) in zip(was, now, strict=True):
            if t < 2 * BAR:
                assert v1 == v0
            else:
                assert v1 == max(1, round(v0 * factors[1]))


def test_a_rise_within_the_plan_and_a_drop_are_kept():
    soft = seam_parts(velocity=25)
    assert balanced(soft, GRID, loud)[1] == [1.0, 1.0]
    # the plan's own step is allowed on top of the slack: a chorus planned much louder keeps it
    planned = _Grid(BAR, BEAT, 0.96, 4 * BAR, 4, SECTIONS, (velocity_scale(0), velocity_scale(1)))
    assert balanced(seam_parts(), planned, loud)[1][1] > balanced(seam_parts(), GRID, loud)[1][1]
    # the seam reversed (loud, then the soft piano alone) is a drop: untouched
    reverse = [
        (p, d, v, [(4 * BAR - t - n, n, q, w) for t, n, q, w in notes])
        for p, d, v, notes in seam_parts()
    ]
    out, factors = balanced(reverse, GRID, loud)
    assert factors == [1.0, 1.0] and out == [tuple(p) for p in reverse]
    assert np.isfinite(program_lu(78))  # an unmeasured program falls back to the median


def test_the_estimate_follows_the_render_of_held_decaying_and_sparse_parts():
    """The estimate ``balanced`` acts on, against the rendered loudness of the same two bars: a
    piano's whole notes (they fade), a pad's (they hold), a plucked bass once a bar under a
    soft guitar (BS.1770's gating of a sparse part), a voice high in its register."""
    whole = [(b * BAR, BAR, 60, 90) for b in range(2)]
    guitar = [(b * BAR + q * BEAT, BEAT, 64, 60) for b in range(2) for q in range(4)]
    voice = [(b * BAR + h * BAR // 2, BAR // 2, 79, 80) for b in range(2) for h in range(2)]
    cases = [
        [(PIANO, False, 100, whole)],
        [(88, False, 100, whole)],
        [(38, False, 92, [(b * BAR, BAR, 36, 90) for b in range(2)]), (27, False, 86, guitar)],
        [(VOICE, False, 100, voice)],
    ]
    for parts in cases:
        estimate = loudness(parts, 0, 2 * BAR, BEAT, loud)
        rendered = integrated_lufs(render(parts)[: 4 * RATE], RATE)
        assert abs(estimate - rendered) < 1.5, (parts[0][0], estimate, rendered)


def test_perform_sets_a_chorus_the_soundfont_plays_much_louder_lower():
    """Through the performance pass: a soft piano verse, then a violin lead on top in a chorus
    planned at the same intensity; the chorus's piano plays softer than the verse's as written
    the same, the verse is as before."""
    from pathlib import Path

    from symusic import Note as SNote

    from chromatic.music.midi import add_track, new_score
    from chromatic.produce.arrange.assemble import Arrangement, Instrument, SectionSpan
    from chromatic.produce.arrange.perform import perform
    from chromatic.produce.planfile import PlanSection
    from chromatic.produce.style import style_for
    from chromatic.proposals.reader import load_proposal

    example = sorted((Path(__file__).resolve().parents[2] / "examples/proposals").glob("*.yml"))[0]
    score = new_score(120)
    add_track(score, "song")
    chords = add_track(score, "chords", program=PIANO)
    melody = add_track(score, "melody", program=VIOLIN)
    for bar in range(16):
        for p in (48, 52, 55):
            chords.notes.append(SNote(time=bar * BAR, duration=BAR, pitch=p, velocity=50))
        if bar >= 8:
            for beat in range(4):
                melody.notes.append(
                    SNote(time=bar * BAR + beat * BEAT, duration=BEAT, pitch=76, velocity=100)
                )
    spans = (
        SectionSpan(PlanSection(name="verse", bars=8), 0, 0.0, 16.0),
        SectionSpan(PlanSection(name="verse", bars=8), 8, 16.0, 32.0),
    )
    insts = (
        Instrument("chords", "chords", PIANO, False),
        Instrument("melody", "melody", VIOLIN, False),
    )
    out = perform(
        Arrangement(score, spans, insts, 2.0, ()),
        style_for(load_proposal(example)),
        1,
        quantized=True,
    )
    piano = {
        n.time // BAR: n.velocity for t in out.score.tracks if t.name == "chords" for n in t.notes
    }
    assert piano[1] == piano[5] and piano[9] < piano[1] * 0.85  # the second section set lower
    assert piano[0] == piano[4]  # the phrase arch alone shapes the first
