from __future__ import annotations

from fractions import Fraction

import pytest

from chromatic.music.gm import HAT_CLOSED, KICK, SNARE
from chromatic.music.meter import meter_of
from chromatic.produce.rhythm.patterns import (
    HALF,
    drum_bar,
    harmonic_rhythm,
    rhythm_profiles,
    strum_patterns,
)

METERS = ["4/4", "3/4", "6/8", "7/8", "5/4", "5/8", "12/8", "2/4", "18/32", "9/8"]


@pytest.mark.parametrize(
    ("ts", "groups", "half"),
    [
        ("4/4", (1, 1, 1, 1), True),
        ("3/4", (1, 1, 1), False),
        ("6/8", (3, 3), True),
        ("7/8", (3, 2, 2), False),
        ("5/4", (1, 1, 1, 1, 1), False),
        ("5/8", (3, 2), False),
        ("12/8", (3, 3, 3, 3), True),
        ("18/32", (3, 3, 3, 3, 3, 3), True),
    ],
)
def test_meter_groupings(ts, groups, half):
    m = meter_of(ts)
    assert m.groups == groups and sum(m.groups) == m.numerator
    assert m.half_bar == half


def test_pattern_sets_per_meter():
    assert set(strum_patterns(meter_of("4/4"))) == {
        "whole",
        "half",
        "quarter",
        "eighth",
        "push",
        "arp_up",
        "arp_down",
    }
    assert {"whole", "3+2+2", "2+2+3"} <= set(strum_patterns(meter_of("7/8")))
    assert {"whole", "quarter", "waltz"} <= set(strum_patterns(meter_of("3/4")))
    assert {"whole", "beat", "eighth"} <= set(strum_patterns(meter_of("6/8")))
    assert set(strum_patterns(meter_of("18/32"))) == {"whole", "beat"}
    hits = strum_patterns(meter_of("7/8"))["2+2+3"].hits
    assert [h.onset for h in hits] == [0, 1, 2] and hits[-1].duration == Fraction(3, 2)


@pytest.mark.parametrize("ts", METERS)
def test_patterns_fit_the_bar(ts):
    m = meter_of(ts)
    for p in strum_patterns(m).values():
        assert p.hits[0].onset == 0
        for h in p.hits:
            assert 0 <= h.onset < m.bar and h.duration > 0 and h.onset + h.duration <= m.bar


@pytest.mark.parametrize("ts", METERS)
def test_harmonic_rhythm_is_whole_bars(ts):
    m = meter_of(ts)
    for i, profile in enumerate(rhythm_profiles(m)):
        for n in (4, 8):
            us = [((i * 7 + j * 3) % 10) / 10 for j in range(8)]
            hr = harmonic_rhythm(m, n, (i + 0.5) / len(rhythm_profiles(m)), us)
            assert hr.profile == profile and len(hr.bars) == n
            assert sum(hr.bars) == hr.total_bars and hr.total_bars >= n // 2
            assert set(hr.bars) <= set(hr.distribution)
            if not m.half_bar:
                assert HALF not in hr.bars


def test_drum_bar():
    four = drum_bar(meter_of("4/4"))
    assert [(t, p) for t, p, _ in four if p != HAT_CLOSED] == [
        (0, KICK),
        (1, SNARE),
        (2, KICK),
        (3, SNARE),
    ]
    assert sum(p == HAT_CLOSED for _, p, _ in four) == 8
    seven = drum_bar(meter_of("7/8"))
    assert [(t, p) for t, p, _ in seven if p != HAT_CLOSED] == [
        (0, KICK),
        (Fraction(3, 2), SNARE),
        (Fraction(5, 2), KICK),
    ]
    waltz = drum_bar(meter_of("3/4"))
    assert [p for _, p, _ in waltz if p != HAT_CLOSED] == [KICK, SNARE, SNARE]
