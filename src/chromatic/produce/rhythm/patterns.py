"""Meter-aware rhythm for the chord phase: harmonic rhythm, strum patterns and the scratch beat.

The meters themselves (beat groupings, ``Meter``, ``meter_of``) live in ``music.meter``. All
times are exact ``Fraction`` quarter notes; ticks are computed once, at rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from chromatic.music.gm import HAT_CLOSED, KICK, SCRATCH, SNARE
from chromatic.music.meter import Meter

#: Strum levels (chord hits, not drums): the bar's first hit, a beat-group onset, the rest.
ACCENT, NORMAL, SOFT = 96, 80, 66

# --- harmonic rhythm ---------------------------------------------------------------------------

HALF, ONE, TWO = Fraction(1, 2), Fraction(1), Fraction(2)
#: Named distributions over chord durations (in bars); the half-bar ones need a halvable bar.
RHYTHM_PROFILES: dict[str, dict[Fraction, float]] = {
    "steady": {ONE: 1.0},
    "mostly_one": {ONE: 0.7, TWO: 0.3},
    "broad": {ONE: 0.3, TWO: 0.7},
    "quick": {HALF: 0.4, ONE: 0.6},
    "mixed": {HALF: 0.1, ONE: 0.6, TWO: 0.3},
}


@dataclass(frozen=True)
class HarmonicRhythm:
    profile: str
    distribution: dict[Fraction, float]
    bars: tuple[Fraction, ...]  # per chord

    @property
    def total_bars(self) -> int:
        return int(sum(self.bars))

    def to_dict(self) -> dict:
        return {
            "profile": self.profile,
            "distribution": {_num(k): v for k, v in self.distribution.items()},
            "bars": [_num(b) for b in self.bars],
            "total_bars": self.total_bars,
        }


def _num(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


def rhythm_profiles(meter: Meter) -> list[str]:
    return [name for name, dist in RHYTHM_PROFILES.items() if meter.half_bar or HALF not in dist]


def harmonic_rhythm(
    meter: Meter,
    n_chords: int,
    u_profile: float,
    u_chords: list[float],
    phrase: int | None = None,
) -> HarmonicRhythm:
    """Pick a profile and draw each chord's duration from it (uniforms given by the caller).
    Half-bar chords come in pairs so the loop is a whole number of bars: an unpaired last half
    becomes a whole bar. With ``phrase`` (bars), the loop is then fitted to whole phrases
    (``fit_phrases``), so a section built of it ends where a listener expects."""
    names = rhythm_profiles(meter)
    name = names[min(int(u_profile * len(names)), len(names) - 1)]
    dist = RHYTHM_PROFILES[name]
    values = sorted(dist)
    cum, total = [], 0.0
    for v in values:
        total += dist[v]
        cum.append(total)
    bars = []
    for u in u_chords[:n_chords]:
        bars.append(
            next((v for v, c in zip(values, cum, strict=True) if u * total < c), values[-1])
        )
    if sum(bars) % 1:
        last_half = max(i for i, b in enumerate(bars) if b == HALF)
        bars[last_half] = ONE
    if phrase:
        bars = fit_phrases(bars, phrase, meter.half_bar)
    return HarmonicRhythm(name, dict(sorted(dist.items())), tuple(bars))


def fit_phrases(bars: list[Fraction], phrase: int, halvable: bool) -> list[Fraction]:
    """Chord durations stretched or shortened to the nearest whole number of ``phrase``-bar
    phrases (at least one): the last chords are held longer (a cadence lingers), the longest
    ones shortened by a bar (or a whole bar halved where the meter allows)."""
    bars = list(bars)
    total = sum(bars)
    target = max(phrase, int(total / phrase + Fraction(1, 2)) * phrase)
    floor = HALF if halvable else ONE
    if floor * len(bars) > target:
        target = -(-int(floor * len(bars) * 2) // (2 * phrase)) * phrase
    i = len(bars) - 1
    while sum(bars) < target:
        bars[i] += min(ONE, target - sum(bars))
        i = (i - 1) % len(bars)
    while sum(bars) > target:
        j = max(range(len(bars)), key=lambda k: (bars[k], k))
        step = ONE if bars[j] > ONE else HALF
        if bars[j] - step < floor:  # pragma: no cover - the target leaves room (above)
            break
        bars[j] -= min(step, sum(bars) - target)
    return bars


# --- strum patterns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Strum:
    """One strum event within a bar. ``voices``: all, upper, bass, or u0/u1/u2 (one upper voice,
    low to high)."""

    onset: Fraction
    duration: Fraction
    velocity: int
    voices: str = "all"


@dataclass(frozen=True)
class StrumPattern:
    name: str
    hits: tuple[Strum, ...]
    fill: str = "all"  # what sounds at a chord change that falls between the pattern's hits


def _grid(meter: Meter, step: Fraction, voices: str = "all") -> tuple[Strum, ...]:
    accents = set(meter.onsets)
    hits, t = [], Fraction(0)
    while t < meter.bar:
        vel = ACCENT if t == 0 else NORMAL if t in accents else SOFT
        hits.append(Strum(t, min(step, meter.bar - t), vel, voices))
        t += step
    return tuple(hits)


def _groups(meter: Meter, groups: tuple[int, ...]) -> tuple[Strum, ...]:
    hits, t = [], Fraction(0)
    for i, g in enumerate(groups):
        hits.append(Strum(t, g * meter.unit, ACCENT if i == 0 else NORMAL))
        t += g * meter.unit
    return tuple(hits)


def _arp(meter: Meter, order: tuple[str, ...]) -> tuple[Strum, ...]:
    steps = _grid(meter, meter.step)
    arp = tuple(
        Strum(h.onset, h.duration, h.velocity - 10, order[i % len(order)])
        for i, h in enumerate(steps)
    )
    return (Strum(Fraction(0), meter.bar, NORMAL, "bass"), *arp)


def strum_patterns(meter: Meter) -> dict[str, StrumPattern]:
    """The patterns that suit a meter, in a fixed order (the seed indexes into it)."""
    bar = meter.bar
    pats = [StrumPattern("whole", (Strum(Fraction(0), bar, ACCENT),))]
    simple = meter.denominator <= 4
    if meter.half_bar and simple:
        pats.append(
            StrumPattern(
                "half", (Strum(Fraction(0), bar / 2, ACCENT), Strum(bar / 2, bar / 2, NORMAL))
            )
        )
    if simple:
        pats.append(
            StrumPattern("quarter" if meter.denominator == 4 else "beat", _grid(meter, meter.unit))
        )
    elif meter.compound or len(set(meter.groups)) == 1:
        pats.append(StrumPattern("beat", _groups(meter, meter.groups)))
    else:  # irregular: the default grouping and the one with the long group last
        alt = meter.groups[1:] + meter.groups[:1]
        for groups in (meter.groups, alt):
            pats.append(StrumPattern("+".join(map(str, groups)), _groups(meter, groups)))
    if meter.numerator == 3 and simple:
        pats.append(
            StrumPattern(
                "waltz",
                (
                    Strum(Fraction(0), meter.unit, ACCENT, "bass"),
                    Strum(meter.unit, meter.unit, NORMAL, "upper"),
                    Strum(2 * meter.unit, meter.unit, NORMAL, "upper"),
                ),
                fill="bass",
            )
        )
    if meter.denominator <= 8:
        if meter.step < meter.unit or not simple:
            pats.append(StrumPattern("eighth", _grid(meter, meter.step)))
        if meter.numerator == 4 and meter.denominator == 4:
            e = Fraction(1, 2)
            pats.append(
                StrumPattern(
                    "push",
                    (
                        Strum(Fraction(0), 3 * e, ACCENT),
                        Strum(3 * e, 2 * e, NORMAL),
                        Strum(5 * e, 2 * e, NORMAL),
                        Strum(7 * e, e, NORMAL),
                    ),
                )
            )
        pats.append(StrumPattern("arp_up", _arp(meter, ("u0", "u1", "u2")), fill="bass"))
        pats.append(StrumPattern("arp_down", _arp(meter, ("u2", "u1", "u0")), fill="bass"))
    return {p.name: p for p in pats}


# --- scratch drum beat -------------------------------------------------------------------------


def drum_bar(meter: Meter) -> list[tuple[Fraction, int, int]]:
    """(onset, GM drum pitch, velocity) for one bar: kick on the first group, snare and kick
    alternating on the others (K S S for three equal groups), hats on every step."""
    hits = []
    n = len(meter.groups)
    waltz = n == 3 and len(set(meter.groups)) == 1
    for i, onset in enumerate(meter.onsets):
        if i == 0:
            hits.append((onset, KICK, SCRATCH.first_kick))
        elif waltz or i % 2:
            hits.append((onset, SNARE, SCRATCH.snare))
        else:
            hits.append((onset, KICK, SCRATCH.kick))
    accents = set(meter.onsets)
    t = Fraction(0)
    while t < meter.bar:
        hits.append((t, HAT_CLOSED, SCRATCH.hat_on_group if t in accents else SCRATCH.hat))
        t += meter.step
    return sorted(hits)
