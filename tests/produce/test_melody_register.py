"""The tune's register is a degree of the key's scale (``melody.tune.scale_anchor``).

Regression (feel9): the color's feel moved the Green example's singer range down one semitone
(``melody_shift`` 1 -> 0); its intro's anchor then rounded onto an off-scale pitch (F# in
A minor), the lines' climb from it lost a degree, and the reciting contour won the intro
(repeated-note share 0.05 -> 0.51; the song's 0.30 -> 0.39, over Essen's 0.35)."""

from __future__ import annotations

from chromatic.produce.melody.contours import nearest
from chromatic.produce.melody.singers import Singer
from chromatic.produce.melody.tune import ANCHOR, DEFAULT_ANCHOR, WINDOW, scale_anchor
from chromatic.produce.phases.melody import melody_candidate, melody_options
from chromatic.produce.sections import load_song


def _pair(fraction: float, scale) -> tuple[Singer, Singer]:
    """Two singers whose anchors differ by a tenth of a semitone and round to different
    pitches, one on the scale and one off it, with room for the whole window either side."""
    for low in range(50, 62):
        for high in range(low + 18, low + 26):
            a = low + fraction * (high - low)
            for low2 in range(low - 3, low + 4):
                for high2 in range(high - 3, high + 4):
                    b = low2 + fraction * (high2 - low2)
                    if not (0 < b - a <= 0.2 and round(a) != round(b)):
                        continue
                    if (round(a) % 12 in scale) == (round(b) % 12 in scale):
                        continue
                    centre = nearest(round(a), scale, 0, 127, toward=a)
                    if min(low, low2) > centre - WINDOW or max(high, high2) < centre + WINDOW:
                        continue
                    return Singer("a", low, high), Singer("b", low2, high2)
    raise AssertionError("no pair of singers straddles an off-scale pitch")


def test_scale_anchor_is_the_nearest_scale_pitch():
    a_minor = (9, 11, 0, 2, 4, 5, 7)
    assert scale_anchor(65.55, a_minor, 57, 76) == 65  # F# (66) is off the scale: F is nearer
    assert scale_anchor(66.45, a_minor, 57, 76) == 67  # G
    assert scale_anchor(67.0, a_minor, 57, 76) == 67


def test_an_off_scale_anchor_does_not_reshape_the_tune(song_78):
    """Singers whose anchors round to an on-scale and an off-scale pitch a tenth of a semitone
    apart sing the same notes for every contour and pace: the register (the scale anchor),
    not the rounding, places the tune. Before the fix, the off-scale one started its lines
    from a non-scale pitch (one degree less of climb) and most options changed."""
    song = load_song(song_78, "melody")
    scale = song.proposal.key.scale_pcs()
    section = song.sections[0]
    a, b = _pair(ANCHOR.get(section.role, DEFAULT_ANCHOR), scale)
    changed = []
    for i, opt in enumerate(melody_options(None, 0.3)):
        notes = [
            melody_candidate(song, section, i, opt, s, None, [], 16, 1, 0.3).notes for s in (a, b)
        ]
        if notes[0] != notes[1]:
            changed.append(f"{opt.contour.name}/{opt.rhythm}")
    assert not changed, changed
