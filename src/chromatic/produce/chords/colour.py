"""What a style does to the chord phase's progressions: the family's own progressions (possibly
varied), and extensions (sevenths, sus, add9) on a share of the chords.

A style's ``harmony.progressions`` are Roman numerals of the key's table (``vocab``). A share
``progression_rate`` of the candidates starts from one of them instead of the Markov walk, and
is played as written, rotated (the loop started on another chord) or with one chord replaced
by another of the same function (a substitution a musician would make: IV for ii, vi for I).
An 8-chord candidate is the progression followed by its varied copy. Numerals the key's table
lacks (a mode's chord in a key that does not allow it) rule a progression out.

Extensions: each chord's own uniform picks it for a seventh (``sevenths``: maj7 / m7 / 7 on a
dominant / m7b5), a suspension (``sus``: sus4 or sus2, triads only) or an added ninth
(``add9``) by the style's rates, in that order. Every random choice comes from the caller's
uniforms, so the same seed gives the same candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chromatic.produce.chords.progression import TransitionModel
from chromatic.produce.chords.vocab import QUALITIES, ChordSpec

#: Uniform columns a family progression uses: which progression, which variation, where,
#: with what.
FAMILY_DRAWS = 4
VARIATIONS = ("as written", "rotated", "substituted")
#: Seventh of each triad quality: a dominant-function major chord takes the minor seventh.
_SEVENTH = {"maj": "maj7", "min": "min7", "dim": "hdim7"}
_ADD9 = {"maj": "add9", "min": "madd9"}


@dataclass(frozen=True)
class Origin:
    """Where a candidate's progression came from, for its details."""

    source: str  # "family" or "walk"
    progression: tuple[str, ...] = ()  # the family progression it started from
    variation: str = ""

    def to_dict(self) -> dict:
        if self.source == "walk":
            return {"source": "walk"}
        return {
            "source": "family",
            "progression": list(self.progression),
            "variation": self.variation,
        }


def usable(model: TransitionModel, progressions: list[list[str]]) -> list[tuple[str, ...]]:
    """The style's progressions whose every numeral is in the key's table."""
    names = set(model.numerals)
    return [tuple(p) for p in progressions if p and set(p) <= names]


def _vary(
    model: TransitionModel, prog: tuple[int, ...], u: list[float]
) -> tuple[tuple[int, ...], str]:
    kind = VARIATIONS[min(int(u[0] * len(VARIATIONS)), len(VARIATIONS) - 1)]
    n = len(prog)
    if kind == "rotated":
        r = 1 + min(int(u[1] * (n - 1)), n - 2) if n > 1 else 0
        return prog[r:] + prog[:r], kind
    if kind == "substituted":
        at = min(int(u[1] * n), n - 1)
        chord = model.chords[prog[at]]
        alike = [
            i
            for i, c in enumerate(model.chords)
            if c.function == chord.function
            and i != prog[at]
            and c.kind != "secondary"
            and i != prog[at - 1]
            and i != prog[(at + 1) % n]
        ]
        if alike:
            pick = alike[min(int(u[2] * len(alike)), len(alike) - 1)]
            return (*prog[:at], pick, *prog[at + 1 :]), kind
    return prog, "as written"


def family_path(
    model: TransitionModel, progs: list[tuple[str, ...]], eight: bool, u: list[float]
) -> tuple[tuple[int, ...], Origin]:
    """One candidate's chord indices from the style's progressions (``u``: FAMILY_DRAWS
    uniforms): the progression varied, or written then varied for an 8-chord loop."""
    chosen = progs[min(int(u[0] * len(progs)), len(progs) - 1)]
    base = tuple(model.index(x) for x in chosen)
    varied, kind = _vary(model, base, u[1:])
    if eight:
        return base + varied, Origin("family", chosen, f"written, then {kind}")
    return varied, Origin("family", chosen, kind)


def extend(chord: ChordSpec, u: float, sevenths: float, sus: float, add9: float) -> ChordSpec:
    """``chord`` with the extension its uniform ``u`` picks (or unchanged)."""
    q = chord.quality
    if q not in ("maj", "min", "dim"):
        return chord
    if u < sevenths:
        new = "dom7" if q == "maj" and chord.function == "dominant" else _SEVENTH[q]
    elif u < sevenths + sus and q != "dim":
        new = "sus4" if (u - sevenths) < sus / 2 else "sus2"
    elif u < sevenths + sus + add9 and q in _ADD9:
        new = _ADD9[q]
    else:
        return chord
    return replace(chord, quality=new, base=q)


def extensions(chords: tuple[ChordSpec, ...]) -> list[str]:
    """What was extended, as "V: 7" (numeral and the added quality's symbol suffix)."""
    return [f"{c.numeral}: {QUALITIES[c.quality][1]}" for c in chords if c.base]


WALK = Origin("walk")
