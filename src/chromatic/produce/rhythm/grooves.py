"""The generic groove table (``grooves.yml`` beside this module): for every genre family and
energy, the voices of one bar as layers of hits on named sets of cells, built from the meter's
beat groups. The file says what each set means; this module reads it once, checks it (one error
naming the file and the field) and plays a family and energy in a meter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

from chromatic.errors import ProduceError
from chromatic.music.form import ENERGIES
from chromatic.music.gm import VOICES
from chromatic.music.meter import Meter, fine_step, strong_onsets
from chromatic.produce.style.genres import FAMILIES
from chromatic.yamlio import read_yaml

TABLE = Path(__file__).with_name("grooves.yml")
HITS = "Xxo."
SETS = (
    "first", "strong", "second_strong", "groups", "last_group", "off", "even_rest", "eighths",
    "offbeats", "alternate_offbeats", "sixteenths", "before", "after_first", "skips",
)  # fmt: skip
_LAYER = re.compile(r"\s*(\S)\s+on\s+(.+?)\s*")
_TERM = re.compile(r"\s*(?:euclid\(\s*(\d+)\s*(?:,\s*([^)]*))?\)|([a-z_]+))\s*(\+|$)")
_ROTATE = re.compile(r"\d+|cells/[1-9]\d*|eighth")


@dataclass(frozen=True)
class Euclid:
    """``k`` onsets spread over the bar's cells, rotated by ``ints`` + cells // each of
    ``divisors`` + ``eighths`` eighths."""

    k: int
    ints: int = 0
    divisors: tuple[int, ...] = ()
    eighths: int = 0


Term = str | Euclid
Layer = tuple[str, tuple[Term, ...]]  # (hit, the sets it plays on)


def _rotate(text: str, where: str) -> tuple[int, tuple[int, ...], int]:
    ints, divisors, eighths = 0, [], 0
    for part in text.split("+"):
        part = part.strip()
        if not _ROTATE.fullmatch(part):
            raise ProduceError(
                f"expected a rotation of whole numbers, cells/N and eighth joined by '+', got {text!r}",
                path=TABLE,
                field=where,
            )
        if part == "eighth":
            eighths += 1
        elif part.startswith("cells/"):
            divisors.append(int(part[6:]))
        else:
            ints += int(part)
    return ints, tuple(divisors), eighths


def parse_layer(text: object, where: str) -> Layer:
    """One layer, ``"HIT on SET + SET ..."``; a bad one is a ProduceError naming ``where``."""
    m = _LAYER.fullmatch(text) if isinstance(text, str) else None
    if m is None or m.group(1) not in HITS:
        raise ProduceError(
            f"expected 'HIT on POSITIONS' with HIT one of {' '.join(HITS)}, got {text!r}",
            path=TABLE,
            field=where,
        )
    terms: list[Term] = []
    rest = m.group(2)
    while rest:
        t = _TERM.match(rest)
        if (
            t is None
            or (t.group(3) and t.group(3) not in SETS)
            or (t.group(4) == "+" and not rest[t.end() :])
        ):
            raise ProduceError(
                f"expected positions from {', '.join(SETS)} or euclid(K[, ROTATE]) joined by '+', "
                f"got {m.group(2)!r}",
                path=TABLE,
                field=where,
            )
        if t.group(3):
            terms.append(t.group(3))
        else:
            terms.append(Euclid(int(t.group(1)), *_rotate(t.group(2) or "0", where)))
        rest = rest[t.end() :]
    return m.group(1), tuple(terms)


@cache
def load_grooves() -> dict[tuple[str, str], tuple[tuple[str, tuple[Layer, ...]], ...]]:
    """(family, energy) -> the voices in order, each with its layers; read and checked once."""
    doc = read_yaml(TABLE, ProduceError)
    if not isinstance(doc, dict) or set(doc) != set(FAMILIES):
        got = sorted(doc) if isinstance(doc, dict) else type(doc).__name__
        raise ProduceError(f"expected the families {', '.join(FAMILIES)}, got {got}", path=TABLE)
    out = {}
    for family in FAMILIES:
        levels = doc[family]
        if not isinstance(levels, dict) or set(levels) != set(ENERGIES):
            raise ProduceError(
                f"expected the energies {', '.join(ENERGIES)}", path=TABLE, field=family
            )
        for energy in ENERGIES:
            voices = levels[energy]
            where = f"{family}.{energy}"
            if not isinstance(voices, dict) or not voices:
                raise ProduceError("expected a mapping of voices", path=TABLE, field=where)
            rows = []
            for voice, layers in voices.items():
                if voice not in VOICES:
                    raise ProduceError(
                        f"expected a drum voice ({', '.join(VOICES)}), got {voice!r}",
                        path=TABLE,
                        field=where,
                    )
                layers = layers if isinstance(layers, list) else [layers]
                rows.append(
                    (
                        voice,
                        tuple(
                            parse_layer(t, f"{where}.{voice}[{i}]") for i, t in enumerate(layers)
                        ),
                    )
                )
            out[family, energy] = tuple(rows)
    return out


def _euclid(k: int, n: int, rotate: int = 0) -> list[int]:
    """k onsets spread as evenly as possible over n cells (a Euclidean rhythm), rotated."""
    k = max(1, min(k, n))
    return sorted({((i * n) // k + rotate) % n for i in range(k)})


@dataclass(frozen=True)
class Grid:
    """One bar of a meter on its finest grid: ``cells`` cells, ``eighth`` cells per eighth, and
    the named sets of ``SETS``."""

    cells: int
    eighth: int
    sets: dict[str, list[int]]

    @classmethod
    def of(cls, meter: Meter) -> Grid:
        fine: Fraction = fine_step(meter)
        cells = int(meter.bar / fine)
        e = max(int(meter.step / fine), 1)
        groups = [int(o / fine) for o in meter.onsets]
        strong = [int(o / fine) for o in strong_onsets(meter)]
        if len(groups) == 3 and len(set(meter.groups)) == 1:
            off = groups[1:]  # waltz: backbeat on 2 and 3
        else:
            off = groups[1::2] or groups[-1:]
        eighths = list(range(0, cells, e))
        unit = int(meter.unit / fine)
        offbeats = (
            [i for i in eighths if i % unit]
            if unit > e
            else [i for i in eighths if i not in groups]
        )
        sets = {
            "first": strong[:1],
            "strong": strong,
            "second_strong": strong[1:2] or groups[-1:],
            "groups": groups,
            "last_group": groups[-1:],
            "off": off,
            "even_rest": groups[0::2][1:],
            "eighths": eighths,
            "offbeats": offbeats,
            "alternate_offbeats": offbeats[::2],
            "sixteenths": list(range(cells)),
            "before": [(g - e) % cells for g in strong[1:]],
            "after_first": [groups[0] + e],
            "skips": [(g - 1) % cells for g in off] if e > 1 else [],
        }
        return cls(cells, e, sets)

    def positions(self, term: Term) -> list[int]:
        if isinstance(term, str):
            return self.sets[term]
        rotate = (
            term.ints + sum(self.cells // d for d in term.divisors) + term.eighths * self.eighth
        )
        return _euclid(term.k, self.cells, rotate)

    def line(self, layers: tuple[Layer, ...]) -> str:
        """One voice's pattern string: each layer's hit on its positions, later layers on top."""
        row = ["."] * self.cells
        for hit, terms in layers:
            for term in terms:
                for i in self.positions(term):
                    row[i % self.cells] = hit
        return "".join(row)
