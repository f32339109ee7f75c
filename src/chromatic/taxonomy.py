"""The chromatic taxonomy: the one table of colors and modes, and everything derived from it.

Three axes, each with three modes. A color sits on zero or one mode per axis, except
ontologically, where Indigo holds two. Target distributions, chromatic match and color
prediction are all derived from ``COLORS`` below; no other module may restate the table
(copies drift apart and contradict each other).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chromatic.errors import ChromaticError

TAXONOMY_VERSION = "1.0"

AXES: tuple[str, ...] = ("temporal", "spatial", "ontological")
MODES: dict[str, tuple[str, ...]] = {
    "temporal": ("past", "present", "future"),
    "spatial": ("thing", "place", "person"),
    "ontological": ("imagined", "forgotten", "known"),
}
#: The manifests and the concept agent call the spatial axis "objectional".
AXIS_ALIASES = {"objectional": "spatial"}

# Target distribution weights: one mode -> 0.8 on it, 0.1 elsewhere; two modes -> 0.4/0.4/0.1
# (the documented weights, which sum to 0.9, renormalised to 4/9, 4/9, 1/9 so every target is a
# distribution); no mode -> uniform.
ONE_MODE_WEIGHT = 0.8
TWO_MODE_WEIGHT = 0.4
OFF_MODE_WEIGHT = 0.1
# Floor on predicted probabilities when comparing them with targets by KL divergence.
PROB_FLOOR = 1e-6


class ColorError(ChromaticError, ValueError):
    """A value that names no color of the taxonomy (a ``ChromaticError``: the CLI prints it as
    one line; still a ``ValueError`` for callers and validators that catch that)."""


class ColorModeWarning(UserWarning):
    """A concept-agent color object whose embedded modes disagree with the canonical table."""


@dataclass(frozen=True)
class Color:
    mnemonic: str
    name: str
    hex: str
    prefix: str
    temporal: tuple[str, ...]
    spatial: tuple[str, ...]
    ontological: tuple[str, ...]
    transmigration: tuple[str, ...] = ()

    def modes(self, axis: str) -> tuple[str, ...]:
        return getattr(self, _axis(axis))

    def target(self, axis: str) -> tuple[float, float, float]:
        """The target distribution over ``MODES[axis]`` (in vector order)."""
        axis = _axis(axis)
        held = self.modes(axis)
        if not held:
            return (1 / 3, 1 / 3, 1 / 3)
        if len(held) > 2:  # pragma: no cover - the table never holds three
            raise AssertionError(f"{self.name}: {axis} holds {held}")
        on = ONE_MODE_WEIGHT if len(held) == 1 else TWO_MODE_WEIGHT
        raw = [on if m in held else OFF_MODE_WEIGHT for m in MODES[axis]]
        total = sum(raw)
        return tuple(w / total for w in raw)  # type: ignore[return-value]

    def targets(self) -> dict[str, tuple[float, float, float]]:
        return {axis: self.target(axis) for axis in AXES}

    def __str__(self) -> str:
        return self.name


COLORS: tuple[Color, ...] = (
    Color("Z", "Black", "#231F20", "01", (), (), (), ("SPACE", "TIME", "INFORMATION")),
    Color("R", "Red", "#AE1E36", "02", ("past",), ("thing",), ("known",)),
    Color("O", "Orange", "#EF7143", "03", ("past",), ("thing",), ("imagined",)),
    Color("Y", "Yellow", "#FFFF00", "04", ("future",), ("place",), ("imagined",)),
    Color("G", "Green", "#ABD96D", "05", ("future",), ("place",), ("forgotten",)),
    Color("B", "Blue", "#042A7B", "06", ("present",), ("person",), ("forgotten",)),
    Color("I", "Indigo", "#26294A", "07", (), (), ("known", "forgotten")),
    Color("V", "Violet", "#AD85D6", "08", ("present",), ("person",), ("known",)),
    Color("A", "White", "#F6F6F6", "09", (), (), (), ("INFORMATION", "TIME", "SPACE")),
)

#: The eight album colors of the catalog (White is the synthesis, not an album of its own).
ALBUM_COLORS: tuple[Color, ...] = tuple(c for c in COLORS if c.prefix <= "08")

_BY_MNEMONIC = {c.mnemonic: c for c in COLORS}
_BY_NAME = {c.name.lower(): c for c in COLORS}
_BY_PREFIX = {c.prefix: c for c in COLORS}


def _axis(axis: str) -> str:
    axis = AXIS_ALIASES.get(axis.lower(), axis.lower())
    if axis not in MODES:
        raise ValueError(f"unknown axis {axis!r}; expected one of {', '.join(AXES)}")
    return axis


def parse_color(value: object, *, source: str = "") -> Color:
    """Parse a color from a mnemonic ("G"), a name in any case ("green"), a file prefix ("05"),
    a ``Color``, or a concept-agent color object (a mapping with ``color_name`` and/or
    ``mnemonic_character_value``).

    For a color object the name (else the mnemonic) is the truth; embedded modes that disagree
    with the canonical table raise a ``ColorModeWarning`` and are otherwise ignored.
    """
    where = f"{source}: " if source else ""
    if isinstance(value, Color):
        return value
    if isinstance(value, Mapping):
        return _parse_color_object(value, where)
    if not isinstance(value, str) or not value.strip():
        raise ColorError(
            f"{where}expected a color name or mnemonic, got {value!r}; {_expected_colors()}"
        )
    text = value.strip()
    if text.upper() in _BY_MNEMONIC and len(text) == 1:
        return _BY_MNEMONIC[text.upper()]
    if text.lower() in _BY_NAME:
        return _BY_NAME[text.lower()]
    if text in _BY_PREFIX:
        return _BY_PREFIX[text]
    # "Green (0xabe36d)" as in concept-agent file names
    m = re.match(r"^([A-Za-z]+)\s*\(", text)
    if m and m.group(1).lower() in _BY_NAME:
        return _BY_NAME[m.group(1).lower()]
    raise ColorError(f"{where}unknown color {value!r}; {_expected_colors()}")


def _expected_colors() -> str:
    """'expected one of Black, Red, ..., White or a mnemonic Z R O Y G B I V A'."""
    return (
        f"expected one of {', '.join(c.name for c in COLORS)} "
        f"or a mnemonic {' '.join(c.mnemonic for c in COLORS)}"
    )


def _parse_color_object(obj: Mapping, where: str) -> Color:
    name = obj.get("color_name") or obj.get("name")
    mnemonic = obj.get("mnemonic_character_value") or obj.get("mnemonic")
    color = None
    if isinstance(name, str) and name.strip().lower() in _BY_NAME:
        color = _BY_NAME[name.strip().lower()]
    elif isinstance(mnemonic, str) and mnemonic.strip().upper() in _BY_MNEMONIC:
        color = _BY_MNEMONIC[mnemonic.strip().upper()]
    if color is None:
        raise ColorError(
            f"{where}color object names no known color (color_name={name!r}, "
            f"mnemonic_character_value={mnemonic!r})"
        )
    problems = []
    if isinstance(mnemonic, str) and mnemonic.strip().upper() != color.mnemonic:
        problems.append(f"mnemonic {mnemonic!r} (canonical {color.mnemonic!r})")
    for axis, key in (
        ("temporal", "temporal_mode"),
        ("spatial", "objectional_mode"),
        ("ontological", "ontological_mode"),
    ):
        embedded = _modes_of(obj.get(key))
        if embedded is None:
            continue
        if set(embedded) != set(color.modes(axis)):
            problems.append(
                f"{axis} {sorted(embedded) or 'none'} (canonical {list(color.modes(axis)) or 'none'})"
            )
    if problems:
        warnings.warn(
            f"{where}color object for {color.name} disagrees with the canonical table: "
            + "; ".join(problems)
            + "; using the canonical modes",
            ColorModeWarning,
            stacklevel=3,
        )
    return color


def _modes_of(value: object) -> list[str] | None:
    """Embedded modes as lower-case names; None when the object leaves the axis out (null)."""
    if value is None:
        return None
    items = value if isinstance(value, list | tuple) else [value]
    # the agent writes the string "None" for an axis without a mode: that is no mode, not a mode
    return [
        str(v).strip().lower()
        for v in items
        if v is not None and str(v).strip() and str(v).strip().lower() not in ("none", "null")
    ]


# --- distributions -----------------------------------------------------------------------------


def _normalize(dist: Sequence[float]) -> tuple[float, float, float]:
    if len(dist) != 3:
        raise ValueError(f"expected a 3-way distribution, got {len(dist)} values")
    vals = [float(x) for x in dist]
    if any(math.isnan(v) or v < 0 for v in vals):
        raise ValueError(f"expected non-negative probabilities, got {vals}")
    total = sum(vals)
    if total <= 0:
        raise ValueError("expected a distribution with positive mass")
    return tuple(v / total for v in vals)  # type: ignore[return-value]


MATCH_METHODS = ("js", "dot")
DEFAULT_MATCH = "js"


def js_distance(p: Sequence[float], q: Sequence[float]) -> float:
    """Jensen-Shannon distance, base 2 (in [0, 1]): scipy.spatial.distance.jensenshannon."""
    m = [(a + b) / 2 for a, b in zip(p, q, strict=True)]
    d = sum(
        0.5 * (a * math.log2(a / c) if a > 0 else 0.0)
        + 0.5 * (b * math.log2(b / c) if b > 0 else 0.0)
        for a, b, c in zip(p, q, m, strict=True)
    )
    return math.sqrt(max(d, 0.0))


def chromatic_match(
    predicted: Mapping[str, Sequence[float]],
    color: object,
    confidence: float | None = None,
    *,
    method: str = DEFAULT_MATCH,
) -> float:
    """How well predicted per-axis distributions match a color, in [0, 1].

    ``method="js"`` (the default): mean over axes of 1 - Jensen-Shannon distance (base 2)
    between prediction and target. Defined for every color: a White or Black target (uniform on
    every axis) rewards an uncommitted prediction, so their candidates are ordered too.
    ``method="dot"``: the mean dot product of predicted and target distributions, which is
    the constant 1/3 for a uniform target whatever the prediction. Scaled by
    ``0.5 + 0.5 * confidence`` when a (calibrated) confidence is given.
    """
    if method not in MATCH_METHODS:
        raise ValueError(f"match method {method!r}: expected one of {', '.join(MATCH_METHODS)}")
    target = parse_color(color).targets()
    total = 0.0
    for axis in AXES:
        p = _normalize(predicted[axis])
        if method == "dot":
            total += sum(a * b for a, b in zip(p, target[axis], strict=True))
        else:
            total += 1.0 - js_distance(p, target[axis])
    match = total / len(AXES)
    if confidence is not None:
        match *= 0.5 + 0.5 * float(confidence)
    return match


def color_divergence(predicted: Mapping[str, Sequence[float]], color: object) -> float:
    """Sum over axes of KL(target || predicted), in nats: 0 when the prediction is the target."""
    c = parse_color(color)
    total = 0.0
    for axis in AXES:
        p = _normalize(predicted[axis])
        for t, q in zip(c.target(axis), p, strict=True):
            total += t * (math.log(t) - math.log(max(q, PROB_FLOOR)))
    return total


def color_likelihoods(predicted: Mapping[str, Sequence[float]]) -> dict[str, float]:
    """Probability of each color given per-axis distributions: a softmax over colors of the
    negative summed KL divergence from each color's targets to the prediction.

    KL (unlike the dot product of the match) is minimised exactly at a color's own targets, so a
    two-mode color such as Indigo is recovered from its own spread-out targets. Black and White
    share the same (uniform) targets: they always tie and share their mass.
    """
    div = {c.name: color_divergence(predicted, c) for c in COLORS}
    best = min(div.values())
    w = {k: math.exp(best - v) for k, v in div.items()}
    z = sum(w.values())
    return {k: v / z for k, v in w.items()}


def predict_color(
    predicted: Mapping[str, Sequence[float]], *, candidates: Sequence[object] | None = None
) -> tuple[Color, float]:
    """The most likely color and its probability; ties resolve in table order.

    ``candidates`` restricts the choice (e.g. to ``ALBUM_COLORS``); probabilities are renormalised
    over them.
    """
    likes = color_likelihoods(predicted)
    pool = [parse_color(c) for c in candidates] if candidates else list(COLORS)
    z = sum(likes[c.name] for c in pool)
    best = max(pool, key=lambda c: likes[c.name])  # max keeps the first on ties
    return best, likes[best.name] / z
