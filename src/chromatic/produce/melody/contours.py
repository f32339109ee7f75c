"""Melodic contours: interval templates a melody walks, and the pitch spaces it walks in.

A contour is a cycle of moves, each a number of steps in a pitch space:

- ``scale``: degrees of the key's scale (stepwise, leap-step, scalar runs, vocal contours);
- ``pentatonic``: the key's pentatonic scale (major: 1 2 3 5 6; minor: 1 b3 4 5 b7);
- ``chord``: the tones of the chord sounding at the note (arpeggiated).

Kinds: stepwise, arpeggiated, repeated, leap-step, pentatonic, scalar run, and vocal contours
(arch, inverted arch, sigh, question, call and response) shaped on how sung phrases move:
mostly by step, a leap answered by a step back, one high point.
"""

from __future__ import annotations

from dataclasses import dataclass

from chromatic.music.key import Key

SEMITONES_PER_STEP = {"scale": 2, "pentatonic": 3, "chord": 4}  # for planning headroom


@dataclass(frozen=True)
class Contour:
    name: str
    kind: str
    moves: tuple[int, ...]
    space: str = "scale"

    def rise(self, notes: int) -> int:
        """Semitones the walk climbs above its start over ``notes`` notes (planning estimate)."""
        pos = top = 0
        for i in range(max(notes - 1, 0)):
            pos += self.moves[i % len(self.moves)]
            top = max(top, pos)
        return top * SEMITONES_PER_STEP[self.space]


CONTOURS: tuple[Contour, ...] = (
    Contour("step_down", "stepwise", (-1, -1, 1, -1)),
    Contour("step_up", "stepwise", (1, 1, -1, 1, -1, -1)),
    Contour("step_wave", "stepwise", (1, -1, -1, 1)),
    Contour("arpeggio_down", "arpeggiated", (-1, -1, -1, 2, 1), "chord"),
    Contour("arpeggio_up", "arpeggiated", (1, 1, -1, -1), "chord"),
    Contour("repeated_recite", "repeated", (0, 0, -1, 0, 0, 1)),
    Contour("repeated_pulse", "repeated", (0, 1, 0, -1)),
    Contour("leap_step", "leap-step", (3, -1, -1, -1)),
    Contour("leap_step_down", "leap-step", (-3, 1, 1, 1)),
    Contour("pentatonic_wave", "pentatonic", (1, 1, -1, -2, 1), "pentatonic"),
    Contour("pentatonic_fall", "pentatonic", (-1, -1, 1, -1, 2), "pentatonic"),
    Contour("scalar_run_down", "scalar run", (-1, -1, -1, -1, 4)),
    Contour("scalar_run_up", "scalar run", (1, 1, 1, 1, -4)),
    Contour("arch", "vocal", (1, 1, 2, -1, -1, -2)),
    Contour("inverted_arch", "vocal", (-1, -1, -2, 1, 1, 2)),
    Contour("sigh", "vocal", (-1, 0, -1, 0, 2)),
    Contour("question", "vocal", (0, 1, 0, 2, -3)),
    Contour("call_response", "vocal", (2, -1, -1, -2, 1, 1)),
)


def pentatonic_pcs(key: Key) -> tuple[int, ...]:
    steps = (0, 3, 5, 7, 10) if key.is_minor else (0, 2, 4, 7, 9)
    return tuple((key.pc + s) % 12 for s in steps)


def move(pitch: int, steps: int, pcs: tuple[int, ...] | set[int]) -> int:
    """``pitch`` moved by ``steps`` members of the pitch-class set ``pcs`` (up when positive);
    a pitch outside the set counts its first member in the direction of travel as one step."""
    if steps == 0 or not pcs:
        return pitch
    direction = 1 if steps > 0 else -1
    p, left = pitch, abs(steps)
    while left:
        p += direction
        if p % 12 in pcs:
            left -= 1
    return p


def nearest(
    pitch: int, pcs: tuple[int, ...] | set[int], low: int, high: int, toward: int | None = None
) -> int:
    """The pitch of ``pcs`` inside [low, high] closest to ``pitch`` (ties: the one nearer
    ``toward``, then the lower)."""
    options = [p for p in range(low, high + 1) if p % 12 in pcs]
    if not options:
        return min(max(pitch, low), high)
    ref = pitch if toward is None else toward
    return min(options, key=lambda p: (abs(p - pitch), abs(p - ref), p))
