"""The drum template library: one-bar grooves per genre family and energy, for any meter.

A template is a set of voices, each a pattern string over one bar: ``X`` accent (120), ``x``
normal (90), ``o`` ghost (45), ``.`` rest. A string of length L divides the bar into L equal
cells, so "x.x.x.x.x.x.x.x." in 4/4 is eighths and a 7-character string in 7/8 is the seven
eighths of the bar; every string's length is a multiple of the meter's numerator, so each
notated beat holds whole cells.

Two sources:

- ``HANDWRITTEN``: idiomatic grooves for the meters the real proposals use (4/4, 3/4, 7/8) and
  6/8: a motorik beat, a train beat, a swing ride, a march, a 3+2+2 rock groove...
- ``generic``: for every family and energy, a groove built from the meter's beat groups
  (kick on the strong beats, backbeat on the off groups, time on eighths...), as written in the
  table ``grooves.yml`` (``rhythm.grooves`` reads it). It exists for every meter, so 5/4, 5/8,
  9/8, 12/8 or 18/32 still get every family at every energy.

A section never lacks templates: all of them are offered to every section (leaving out the
templates an earlier section used would starve the late sections); the energy fit and the
chromatic match choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from chromatic.music.gm import LEVELS
from chromatic.music.meter import TPQ, Meter
from chromatic.produce.rhythm.grooves import Grid, load_grooves
from chromatic.produce.sections import ENERGIES
from chromatic.produce.style.genres import FAMILIES


@dataclass(frozen=True)
class DrumTemplate:
    name: str
    family: str
    energy: str  # declared level: low, medium, high
    voices: tuple[tuple[str, str], ...]  # (voice, pattern string)
    generic: bool = False

    def hits(self, meter: Meter) -> list[tuple[Fraction, str, int]]:
        """(onset in quarters, voice, velocity) of one bar, sorted."""
        out = []
        for voice, pattern in self.voices:
            cell = meter.bar / len(pattern)
            out.extend(
                (i * cell, voice, LEVELS[ch]) for i, ch in enumerate(pattern) if ch in LEVELS
            )
        return sorted(out)

    def fits(self, meter: Meter) -> bool:
        """Every pattern divides each notated beat into whole cells on the TPQ (480) tick grid."""
        return all(
            len(p) % meter.numerator == 0 and (meter.bar / len(p) * TPQ).denominator == 1
            for _, p in self.voices
        )


def _t(name: str, family: str, energy: str, **voices: str) -> DrumTemplate:
    return DrumTemplate(name, family, energy, tuple(voices.items()))


# fmt: off
HANDWRITTEN: dict[str, tuple[DrumTemplate, ...]] = {
    "4/4": (  # sixteen cells: 1 e & a 2 e & a 3 e & a 4 e & a
        _t("heartbeat", "ambient", "low", kick="x.........o.....", ride="o...o...o...o..."),
        _t("shaker_drift", "ambient", "low", kick="x...............", shaker="o.o.o.o.o.o.o.o."),
        _t("ambient_pulse", "ambient", "medium", kick="x.......x.......", rim="....x.......x...", shaker="o.o.o.o.o.o.o.o."),
        _t("ambient_swell", "ambient", "high", kick="X.......x.x.....", snare="....x.......x...", ride="x.o.x.o.x.o.x.o."),
        _t("glitch_sparse", "electronic", "low", kick="x.....o.........", rim="...o......o..o..", hat="o..o..o..o..o..."),
        _t("half_time_electro", "electronic", "medium", kick="X.........x.....", clap="........X.......", hat="x.x.x.x.x.x.x.x."),
        _t("four_on_the_floor", "electronic", "medium", kick="X...X...X...X...", clap="....x.......x...", hat="..x...x...x...x."),
        _t("four_floor_drive", "electronic", "high", kick="X...X...X...X...", clap="....X.......X...", hat="xo.oxo.oxo.oxo.o", open="..x...x...x...x."),
        _t("breakbeat", "electronic", "high", kick="X.........X.....", snare="....X..o.o..X..o", hat="x.x.x.x.x.x.x.x."),
        _t("kosmische_pulse", "krautrock", "low", kick="x...x...x...x...", hat="o.o.o.o.o.o.o.o."),
        _t("motorik", "krautrock", "medium", kick="X.x.....X.x.....", snare="....X.......X...", hat="x.x.x.x.x.x.x.x."),
        _t("motorik_drive", "krautrock", "high", kick="X.x...x.X.x...x.", snare="....X.......X...", hat="x.x.x.x.x.x.x...", open="..............x."),
        _t("rock_halftime", "rock", "low", kick="X...........x...", snare="........X.......", hat="x...x...x...x..."),
        _t("rock_backbeat", "rock", "medium", kick="X.......X.x.....", snare="....X.......X...", hat="x.x.x.x.x.x.x.x."),
        _t("rock_drive", "rock", "high", kick="X.x.....X.x..x..", snare="....X..o....X...", ride="X.x.X.x.X.x.X.x."),
        _t("tom_drive", "rock", "high", kick="X.......X.......", snare="....X.......X...", floor_tom="x.x.x.x.x.x.x.x."),
        _t("timpani", "classical", "low", floor_tom="X.......o.......", triangle="........o......."),
        _t("processional", "classical", "medium", kick2="X...............", floor_tom="....x.......x...", triangle="........x......."),
        _t("march", "classical", "medium", kick2="X.......X.......", snare="X.o.x.o.X.o.x.oo"),
        _t("march_tutti", "classical", "high", kick2="X...x...X...x...", snare="X.oox.ooX.oox.oo", crash="X..............."),
        _t("fractured", "experimental", "medium", kick="X.....x...x.....", rim="...x.....x....x.", hat="o.oo.o..o.oo.o.."),
        _t("brushes", "folk", "low", kick="x.......x.......", snare="o.o.o.o.o.o.o.o."),
        _t("train_beat", "folk", "medium", kick="X.......X.......", snare="o.o.X.o.o.o.X.o."),
        _t("folk_rim", "folk", "medium", kick="X.......X.......", rim="....x.......x...", shaker="o.o.o.o.o.o.o.o."),
        _t("stomp_clap", "folk", "high", kick="X...X...X...X...", clap="....X.......X...", tambourine="..x...x...x...x."),
        _t("brush_ballad", "jazz", "low", ride="o...o...o...o...", pedal="....o.......o...", snare="o.o.o.o.o.o.o.o."),
        _t("swing_ride", "jazz", "medium", ride="x...x..xx...x..x", pedal="....x.......x...", kick="o...o...o...o...", snare="..........o....."),
        _t("jazz_drive", "jazz", "high", ride="X...x..xX...x..x", pedal="....x.......x...", kick="x...o...x...o..x", snare="..o...o..o..x..."),
        _t("pop_soft", "pop", "low", kick="x.......x.......", rim="....x.......x...", hat="x...x...x...x..."),
        _t("pop_backbeat", "pop", "medium", kick="X.......X.x.....", clap="....X.......X...", hat="x.x.x.x.x.x.x.x."),
        _t("pop_lift", "pop", "high", kick="X..x..x.X..x....", clap="....X.......X...", hat="xoxoxoxoxoxoxoxo"),
    ),
    "3/4": (  # twelve cells: three beats of sixteenths
        _t("waltz", "folk", "medium", kick="X...........", snare="....x...x...", hat="x.x.x.x.x.x."),
        _t("jazz_waltz", "jazz", "medium", ride="x...x..xx...", pedal="....x.......", kick="o..........."),
        _t("minuet", "classical", "low", floor_tom="X...........", triangle="........o..."),
        _t("rock_waltz", "rock", "high", kick="X.....x.....", snare="....X...X...", hat="x.x.x.x.x.x."),
        _t("ambient_three", "ambient", "low", kick="x...........", shaker="o.o.o.o.o.o."),
    ),
    "6/8": (  # twelve cells: six eighths of sixteenths
        _t("rock_six_eight", "rock", "medium", kick="X...........", snare="......X.....", hat="x.x.x.x.x.x."),
        _t("jig", "folk", "high", kick="X.....x.....", snare="......X.....", tambourine="x.x.x.x.x.x."),
        _t("ambient_six_eight", "ambient", "low", kick="x...........", ride="o.....o....."),
    ),
    "7/8": (  # fourteen cells (sixteenths) or seven (eighths); beat groups 3+2+2
        _t("rock_seven", "rock", "medium", kick="X.........x...", snare="......X.......", hat="x.x.x.x.x.x.x."),
        _t("electro_seven", "electronic", "high", kick="X.....X...X...", clap="......X.......", hat="xoxoxoxoxoxoxo"),
        _t("folk_seven", "folk", "medium", kick="X.........x...", rim="......x.......", shaker="o.o.o.o.o.o.o."),
        _t("motorik_seven", "krautrock", "high", kick="X.x.......x...", snare="......X...X...", hat="x.x.x.x.x.x.x."),
        _t("ambient_seven", "ambient", "medium", kick="x......", rim="...x...", shaker="ooooooo"),
        _t("swing_seven", "jazz", "medium", ride="x..x.x.", pedal="...x.x.", kick="o......"),
    ),
}
# fmt: on


# --- generic grooves from the beat groups ------------------------------------------------------


@lru_cache(maxsize=64)
def _grid(meter: Meter) -> Grid:
    return Grid.of(meter)


def generic(meter: Meter, family: str, energy: str) -> DrumTemplate:
    """A groove for any meter, built from its beat groups: the family and energy's voices in
    ``grooves.yml``, each voice without a hit in this meter left out."""
    grid = _grid(meter)
    lines = ((voice, grid.line(layers)) for voice, layers in load_grooves()[family, energy])
    voices = tuple((v, p) for v, p in lines if any(ch in LEVELS for ch in p))
    return DrumTemplate(f"{family}_{energy}", family, energy, voices, generic=True)


@lru_cache(maxsize=64)
def templates_for(meter: Meter, families: tuple[str, ...] = FAMILIES) -> tuple[DrumTemplate, ...]:
    """Every template for ``meter`` in ``families``: the hand-written ones for this meter, then
    a generic one per family and energy unless one of that family and energy already plays the
    same hits (so every family keeps every energy)."""
    out: list[DrumTemplate] = []
    seen: set[tuple] = set()
    hand = [t for t in HANDWRITTEN.get(str(meter), ()) if t.family in families and t.fits(meter)]
    gen = [generic(meter, f, e) for f in families for e in ENERGIES]
    for t in [*hand, *gen]:
        key = (t.family, t.energy, tuple(t.hits(meter)))
        if key not in seen:
            seen.add(key)
            out.append(t)
    return tuple(out)
