"""The taxonomy module against the canonical table of FORMATS.md §1, row by row."""

from __future__ import annotations

import itertools
import warnings

import pytest

from chromatic import taxonomy as tx

# The table as the user's documentation states it (mnemonic, name, hex, prefix, T, S, O).
TABLE = [
    ("Z", "Black", "#231F20", "01", None, None, None),
    ("R", "Red", "#AE1E36", "02", "past", "thing", "known"),
    ("O", "Orange", "#EF7143", "03", "past", "thing", "imagined"),
    ("Y", "Yellow", "#FFFF00", "04", "future", "place", "imagined"),
    ("G", "Green", "#ABD96D", "05", "future", "place", "forgotten"),
    ("B", "Blue", "#042A7B", "06", "present", "person", "forgotten"),
    ("I", "Indigo", "#26294A", "07", None, None, "known+forgotten"),
    ("V", "Violet", "#AD85D6", "08", "present", "person", "known"),
    ("A", "White", "#F6F6F6", "09", None, None, None),
]


def expected_target(axis: str, cell: str | None) -> tuple[float, ...]:
    modes = tx.MODES[axis]
    if cell is None:
        return (1 / 3,) * 3
    held = cell.split("+")
    if len(held) == 1:
        return tuple(0.8 if m in held else 0.1 for m in modes)
    # 0.4 / 0.4 / 0.1 as documented, renormalised to sum to one
    return tuple((0.4 if m in held else 0.1) / 0.9 for m in modes)


@pytest.mark.parametrize("row", TABLE, ids=[r[1] for r in TABLE])
def test_table_row(row):
    mnemonic, name, hexv, prefix, t, s, o = row
    for form in (mnemonic, mnemonic.lower(), name, name.upper(), name.lower(), prefix):
        c = tx.parse_color(form)
        assert (c.mnemonic, c.name, c.hex, c.prefix) == (mnemonic, name, hexv, prefix)
    c = tx.parse_color(name)
    for axis, cell in zip(tx.AXES, (t, s, o), strict=True):
        assert c.target(axis) == pytest.approx(expected_target(axis, cell))
        assert sum(c.target(axis)) == pytest.approx(1.0)
    assert c.target("objectional") == c.target("spatial")


def test_table_is_complete_and_unique():
    assert [c.name for c in tx.COLORS] == [r[1] for r in TABLE]
    assert len({c.mnemonic for c in tx.COLORS}) == 9
    assert len({c.prefix for c in tx.COLORS}) == 9
    assert [c.name for c in tx.ALBUM_COLORS] == [r[1] for r in TABLE[:8]]


@pytest.mark.parametrize("bad", ["", "Q", "Purple", None, 3, "W"])
def test_unknown_color_is_a_clear_error(bad):
    with pytest.raises(tx.ColorError, match="color"):
        tx.parse_color(bad)


def test_color_object_name_is_truth_and_disagreeing_modes_warn():
    # as written by the concept agent (real shape): Green with the past instead of the future
    obj = {
        "color_name": "Green",
        "hex_value": 11262317,
        "mnemonic_character_value": "G",
        "temporal_mode": "Past",
        "objectional_mode": "Place",
        "ontological_mode": ["Forgotten"],
    }
    with pytest.warns(tx.ColorModeWarning, match="temporal"):
        assert tx.parse_color(obj).name == "Green"
    # White with the agent's 'W' mnemonic, Black with 'B': the name wins, with a warning
    with pytest.warns(tx.ColorModeWarning, match="mnemonic"):
        assert (
            tx.parse_color({"color_name": "White", "mnemonic_character_value": "W"}).name == "White"
        )
    with pytest.warns(tx.ColorModeWarning):
        assert (
            tx.parse_color({"color_name": "Black", "mnemonic_character_value": "B"}).name == "Black"
        )


def test_agreeing_color_object_is_silent():
    obj = {
        "color_name": "Violet",
        "mnemonic_character_value": "V",
        "temporal_mode": "Present",
        "objectional_mode": "Person",
        "ontological_mode": ["Known"],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tx.parse_color(obj).name == "Violet"
    # nulls mean "not stated", not "none"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tx.parse_color({"color_name": "Blue", "temporal_mode": None}).name == "Blue"
        # the agent's string "None" means no mode, which is Black's canonical value
        assert (
            tx.parse_color(
                {
                    "color_name": "Black",
                    "temporal_mode": "None",
                    "objectional_mode": "None",
                    "ontological_mode": None,
                }
            ).name
            == "Black"
        )


def test_color_name_with_hex_suffix_from_file_names():
    assert tx.parse_color("Green (0xabe36d)").name == "Green"


@pytest.mark.parametrize("color", tx.COLORS, ids=lambda c: c.name)
def test_match_is_highest_on_the_colors_modes(color):
    """The old dot product: the best prediction puts all mass on a held mode of each axis."""
    own = tx.chromatic_match(color.targets(), color, method="dot")
    best = {
        a: [1.0 if (m in color.modes(a) or not color.modes(a)) else 0.0 for m in tx.MODES[a]]
        for a in tx.AXES
    }
    top = tx.chromatic_match(best, color, method="dot")
    for other in tx.COLORS:
        assert tx.chromatic_match(other.targets(), color, method="dot") <= top + 1e-12
    if all(len(color.modes(a)) == 1 for a in tx.AXES):
        for other in tx.COLORS:
            assert tx.chromatic_match(other.targets(), color, method="dot") <= own + 1e-12


@pytest.mark.parametrize("color", tx.COLORS, ids=lambda c: c.name)
def test_js_match_is_highest_on_the_colors_own_targets(color):
    """The default (1 - Jensen-Shannon distance): the color's own targets match perfectly and
    every other color's targets less, unless they are the same targets (Black and White)."""
    own = tx.chromatic_match(color.targets(), color)
    assert own == pytest.approx(1.0)
    for other in tx.COLORS:
        m = tx.chromatic_match(other.targets(), color)
        if other.targets() == color.targets():
            assert m == pytest.approx(1.0)
        else:
            assert m < 1.0 - 1e-3
    # confidence scales the match by 0.5 + 0.5 c
    assert tx.chromatic_match(color.targets(), color, confidence=0.0) == pytest.approx(own * 0.5)
    assert tx.chromatic_match(color.targets(), color, confidence=1.0) == pytest.approx(own)


def test_match_values_by_hand():
    red = tx.parse_color("R")
    one_hot = {"temporal": [1, 0, 0], "spatial": [1, 0, 0], "ontological": [0, 0, 1]}
    assert tx.chromatic_match(one_hot, red, method="dot") == pytest.approx(0.8)
    wrong = {"temporal": [0, 0, 1], "spatial": [0, 0, 1], "ontological": [1, 0, 0]}
    assert tx.chromatic_match(wrong, red, method="dot") == pytest.approx(0.1)
    uniform = {a: [1, 1, 1] for a in tx.AXES}
    assert tx.chromatic_match(uniform, red, method="dot") == pytest.approx(1 / 3)
    # JS by hand: one-hot [1,0,0] vs [.8,.1,.1]: m = [.9,.05,.05]
    import math

    jsd = 0.5 * math.log2(1 / 0.9) + 0.5 * (
        0.8 * math.log2(0.8 / 0.9) + 2 * 0.1 * math.log2(0.1 / 0.05)
    )
    assert tx.chromatic_match(one_hot, red) == pytest.approx(1 - math.sqrt(jsd))
    white = tx.parse_color("White")
    assert tx.chromatic_match(uniform, white) == pytest.approx(1.0)
    assert tx.chromatic_match(one_hot, white) < tx.chromatic_match(uniform, white)


@pytest.mark.parametrize("color", [c for c in tx.COLORS if c.name != "White"], ids=lambda c: c.name)
def test_predict_color_recovers_each_color_from_its_targets(color):
    predicted, prob = tx.predict_color(color.targets())
    assert predicted == color  # Black precedes White in the table, so their tie resolves to Black
    assert 0 < prob <= 1


def test_predict_color_one_hot_and_restriction():
    for t, s, o in itertools.product(range(3), range(3), range(3)):
        dist = {
            a: [1.0 if i == k else 0.0 for i in range(3)]
            for a, k in zip(tx.AXES, (t, s, o), strict=True)
        }
        color, prob = tx.predict_color(dist)
        likes = tx.color_likelihoods(dist)
        assert likes[color.name] == max(likes.values())
        assert prob == pytest.approx(likes[color.name])
    green = {"temporal": [0, 0, 1], "spatial": [0, 1, 0], "ontological": [0, 1, 0]}
    assert tx.predict_color(green)[0].name == "Green"
    c, p = tx.predict_color(green, candidates=["R", "O"])
    assert c.name in ("Red", "Orange") and p <= 1


def test_bad_distribution_is_rejected():
    with pytest.raises(ValueError, match="3-way"):
        tx.chromatic_match(
            {"temporal": [1, 0], "spatial": [1, 0, 0], "ontological": [1, 0, 0]}, "R"
        )
    with pytest.raises(ValueError, match="non-negative"):
        tx.chromatic_match(
            {"temporal": [float("nan"), 0, 1], "spatial": [1, 0, 0], "ontological": [1, 0, 0]}, "R"
        )
