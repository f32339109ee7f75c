"""The color's own feel shapes the notes (mood8): the color profile's mood words, against the
catalog's, adjust density, register and chord colour beside the proposal's own words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chromatic.cli import main
from chromatic.produce.folder import read_any_proposal
from chromatic.produce.melody.singers import Singer
from chromatic.produce.phases.melody import shifted
from chromatic.produce.style import style_for
from chromatic.produce.style.feel import COLOR_WEIGHT
from chromatic.taxonomy import parse_color
from tests.produce.conftest import MINOR_7_8


@pytest.fixture(scope="module")
def plain():
    """The test proposal with no mood word of its own: the color's feel is all there is."""
    return replace(read_any_proposal(MINOR_7_8), mood=("restless",), genres=("post-rock",))


def _in(p, color: str, **kw):
    return style_for(replace(p, color=parse_color(color), **kw))


def test_two_colors_differ_in_density_register_and_chord_colour_by_their_moods(plain):
    red, orange, green, blue = (_in(plain, c) for c in ("Red", "Orange", "Green", "Blue"))
    # Red and Orange share the family and the drum share (1.0): before the feel they were equal.
    # Orange's songs are energetic (6/10: "chaotic", "intense", "energetic") above the catalog:
    # denser and higher; Green's are dark (5/8): lower, more borrowed chords; Blue's songs are
    # never "dreamy" (calm 0/11 against the catalog's 46 %): fewer sus chords.
    assert orange.density > red.density
    assert orange.melody_shift > red.melody_shift > green.melody_shift
    assert green.melody_shift <= -1 and orange.melody_shift >= 1
    assert green.harmony.borrowed > red.harmony.borrowed
    assert blue.harmony.sus < red.harmony.sus
    singer = Singer(name="t", low=55, high=79)
    assert shifted(singer, green.melody_shift).high < shifted(singer, orange.melody_shift).high
    # every adjustment names its source: the color's mood words and songs against the catalog's
    feel = {v: s for w, v, s in green.sources if w == "feel"}
    assert any(v.startswith("dark +") and "songs (dark" in s for v, s in feel.items())
    assert COLOR_WEIGHT == 1.0  # the documented weight (docs/color.md section 2 item 3)


def test_the_proposals_own_mood_words_lead(plain):
    dark = _in(plain, "Green", mood=("ominous",))
    assert not any(w == "feel" and v.startswith("dark") for w, v, _ in dark.sources)
    assert "dark" in dark.moods  # the proposal's word, once, at weight 1
    # Green's feel still adds its other classes; the proposal's dark (-3) dominates the register
    assert dark.melody_shift <= -3


def test_without_a_color_there_is_no_feel(plain):
    st = style_for(plain, profile=None)
    assert not any(w == "feel" for w, _, _ in st.sources)
    white = _in(plain, "White")  # the synthesis has no songs of its own
    assert not any(w == "feel" for w, _, _ in white.sources)


def test_the_style_command_prints_the_feel_and_its_source(capsys, tmp_path):
    from chromatic.yamlio import dump_yaml

    p = replace(
        read_any_proposal(MINOR_7_8),
        color=parse_color("Green"),
        mood=("restless",),
        genres=("post-rock",),
    )
    src = tmp_path / "p.yml"
    src.write_text(dump_yaml({"schema_version": 1, **p.to_dict()}))
    main(["style", str(src)])
    text = capsys.readouterr().out
    assert "feel: dark +" in text and "color Green's moods:" in text
    assert "melody_shift: -" in text and "<- color Green's feel" in text
