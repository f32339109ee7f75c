"""The generic drum grooves as data (``rhythm/grooves.yml``): every meter x family x energy plays
exactly the patterns of the snapshot taken from the if/elif function the table replaced, and a
bad table is refused in one error naming the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chromatic.errors import ProduceError
from chromatic.music.meter import meter_of
from chromatic.produce.rhythm import grooves
from chromatic.produce.rhythm.templates import generic
from chromatic.produce.sections import ENERGIES
from chromatic.produce.style.genres import FAMILIES

SNAPSHOT = json.loads((Path(__file__).parents[1] / "data" / "generic_drums.json").read_text())


def test_the_snapshot_covers_every_family_and_energy_in_many_meters():
    meters = {key.split()[0] for key in SNAPSHOT}
    assert len(meters) >= 20 and {"4/4", "7/8", "18/32", "12/8", "5/16"} <= meters
    assert len(SNAPSHOT) == len(meters) * len(FAMILIES) * len(ENERGIES)


@pytest.mark.parametrize("meter", sorted({key.split()[0] for key in SNAPSHOT}))
def test_every_generic_groove_plays_the_snapshot(meter):
    m = meter_of(meter)
    for family in FAMILIES:
        for energy in ENERGIES:
            t = generic(m, family, energy)
            assert (t.name, t.family, t.energy, t.generic) == (
                f"{family}_{energy}",
                family,
                energy,
                True,
            )
            assert [list(v) for v in t.voices] == SNAPSHOT[f"{meter} {family} {energy}"], (
                meter,
                family,
                energy,
            )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x on groups + nowhere", "got 'groups + nowhere'"),
        ("x on groups +", "got 'groups +'"),
        ("q on groups", "HIT one of X x o ."),
        ("x groups", "expected 'HIT on POSITIONS'"),
        ("x on euclid(3, cells/0)", "cells/N"),
        (7, "got 7"),
    ],
)
def test_a_bad_layer_names_the_file_and_the_field(text, words):
    with pytest.raises(ProduceError) as e:
        grooves.parse_layer(text, "rock.high.kick[0]")
    assert str(e.value).startswith(f"{grooves.TABLE}: rock.high.kick[0]: ") and words in str(
        e.value
    )


def test_a_layer_parses_sets_and_rotated_euclids():
    assert grooves.parse_layer("X on first + even_rest + before", "f") == (
        "X",
        ("first", "even_rest", "before"),
    )
    assert grooves.parse_layer("o on euclid(3, eighth + 1)", "f") == (
        "o",
        (grooves.Euclid(3, 1, (), 1),),
    )
    assert grooves.parse_layer("x on euclid(3, cells/2 + 1)", "f") == (
        "x",
        (grooves.Euclid(3, 1, (2,)),),
    )


def test_a_table_missing_an_energy_or_naming_an_unknown_voice_is_refused(tmp_path, monkeypatch):
    text = grooves.TABLE.read_text()
    for broken, words in [
        (
            text.replace("  high:\n    kick2: X on strong", "  loud:\n    kick2: X on strong"),
            "classical",
        ),
        (text.replace("kick2: X on strong", "cowbell2: X on strong"), "got 'cowbell2'"),
    ]:
        table = tmp_path / "grooves.yml"
        table.write_text(broken)
        monkeypatch.setattr(grooves, "TABLE", table)
        grooves.load_grooves.cache_clear()
        try:
            with pytest.raises(ProduceError, match=words) as e:
                grooves.load_grooves()
            assert str(table) in str(e.value)
        finally:
            grooves.load_grooves.cache_clear()
