"""The song form a new production plan lays out: which section plays when, how often, and how
each occurrence differs from the last one.

The form is the style's (``style.form``, styles.yml ``forms:``): a sequence over the chord
phase's materials, e.g. ``[intro, verse, chorus, verse, chorus, bridge, chorus!, outro]``, where
``chorus!`` is the final chorus. A proposal that says it is instrumental (``plan.is_instrumental_proposal``) takes the table's
``instrumental`` form. Each item becomes one plan entry (the plan allows a name twice), played by
the approved chord section of that role (several approved sections of one role, ``verse`` and
``verse_2``, take turns). A color form (``style.color``) names its own sections
("interlude", "jam", "movement_2"): an item that is no role name plays the approved section of
that exact label when there is one, else a section of its role. Items whose role has no approved
section are left out; approved sections the form never names are played once, before the outro.

Repeats: every occurrence is a whole number of phrases (``style.phrase_bars``): a loop of ``b``
bars repeats ``phrase / gcd(b, phrase)`` times at least (a 3-bar loop four times makes three
4-bar phrases). When that minimum would run past ``MAX_UNIT_PHRASES`` phrases (a 5-bar loop in
8-bar phrases), the loop is played whole and the plan says it cannot fill whole phrases. Then
whole units are added to the sections between the intro and the outro (the final chorus first,
then choruses, verses, bridges, then the rest; the shortest so far first; a form too short
for its length at ``MAX_SECTION_PHRASES`` may grow each to 2, 4, 8 times that), until the song
is nearest the target length: the proposal's own (``duration``/``length``/``seconds`` in
proposal.yml, seconds or "m:ss") or ``style.seconds`` (the catalog median is 209.5 s).

Variation (``variation:`` of each entry, chosen here by the seed so a human sees and edits it;
assembly, ``arrange.variation``, plays it): ``fill`` in the section's last bar (by where the song
goes next: ``rhythm.fills.fill_options``), ``phrase_fill`` at the inner phrase ends, ``crash`` on
the downbeat of every section after the first, ``dropout`` (bars at the end of the section before
the final chorus where drums and bass rest), ``lift`` on the final chorus (louder, the melody
doubled an octave up, denser hats), ``vary_melody`` on every pass of a section after its first
(its last bar gets neighbour notes). With probability ``style.variation.key_change`` the final
chorus is lifted a step (``transpose`` +1 or +2); the outro returns home for the cadence.

Modulation (a proposal in "all keys": ``modulation: all_keys``, or a raw key text naming all or
every key): the occurrences between the intro and the final chorus walk the circle of fifths
(C, G, D, A, E, B, F#: transpose 0, -5, +2, -3, +4, -1, +6, so no part drifts more than a
tritone from home), and the final chorus and outro come home (transpose 0).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from chromatic.music import form as roles
from chromatic.paths import within
from chromatic.produce.planfile import MAX_REPEAT
from chromatic.produce.rhythm.fills import fill_options
from chromatic.yamlio import read_yaml

FINAL = "chorus!"
MAX_UNIT_PHRASES = 4  # the longest minimum whole-phrase unit a loop may need, in phrases
MAX_PHRASES = {"intro": 2, "outro": 2}  # phrases an intro / outro grows to at most
MAX_SECTION_PHRASES = 4  # phrases any other occurrence grows to at most
GROW_ORDER = ("chorus!", "chorus", "verse", "bridge")  # who grows first toward the target
CIRCLE_OF_FIFTHS = (0, -5, 2, -3, 4, -1, 6)
LENGTH_KEYS = ("duration_seconds", "length_seconds", "duration", "length", "seconds")
ALL_KEYS = re.compile(r"\b(all|every)\s+keys?\b", re.IGNORECASE)


@dataclass
class Occurrence:
    """One item of the form as planned: the approved section that plays it, its loop bars, how
    many times the loop repeats, and what varies."""

    item: str  # the form's word: "verse", "chorus!"
    name: str  # the approved section label
    bars: int
    unit: int  # repeats that make whole phrases
    repeat: int = 0
    transpose: int = 0
    variation: dict = field(default_factory=dict)

    @property
    def role(self) -> str:
        return self.item.rstrip("!")


@dataclass(frozen=True)
class FormPlan:
    occurrences: tuple[Occurrence, ...]
    target_seconds: float
    target_from: str
    notes: tuple[str, ...]
    modulation: str | None


def target_seconds(raw: dict, default: float) -> tuple[float, str]:
    """The proposal's own length (seconds, or "m:ss") if proposal.yml gives one, else the style's."""
    for k in LENGTH_KEYS:
        v = raw.get(k)
        if isinstance(v, int | float) and 30 <= v <= 1200:
            return float(v), f"proposal.yml {k}"
        if isinstance(v, str) and (m := re.fullmatch(r"\s*(\d+):([0-5]\d)\s*", v)):
            return int(m[1]) * 60 + int(m[2]), f"proposal.yml {k}"
    return float(default), "style"


def modulation_of(proposal, raw: dict) -> str | None:
    """``all_keys`` for a song meant to pass through every key (the proposal's flag, or its raw
    key text), else None."""
    flag = getattr(proposal, "modulation", None) or raw.get("modulation")
    if flag:
        return str(flag)
    return "all_keys" if ALL_KEYS.search(str(raw.get("key", ""))) else None


def raw_proposal(folder: Path) -> dict:
    try:
        path = within(folder, "proposal.yml")
        raw = read_yaml(path, ValueError) if path.is_file() else {}
    except ValueError:
        raw = {}
    return raw if isinstance(raw, dict) else {}


def phrase_unit(bars: int, phrase: int) -> int:
    """Fewest repeats of a ``bars``-bar loop that fill whole ``phrase``-bar phrases."""
    return phrase // math.gcd(bars, phrase)


def _assign(items: list[str], sections: list) -> tuple[list[Occurrence], list[str]]:
    by_role: dict[str, list] = {}
    for s in sections:
        by_role.setdefault(roles.role_of(s.name).name, []).append(s)
    turn: dict[str, int] = {}
    out, notes = [], []
    by_label = {s.name: s for s in sections}
    for item in items:
        role = item.rstrip("!")
        if role not in roles.BY_NAME and role in by_label:  # a color form's own label
            out.append(Occurrence(item, role, by_label[role].bars, 1))
            continue
        role = role if role in roles.BY_NAME else roles.role_of(role).name
        own = {i.rstrip("!") for i in items} - set(roles.BY_NAME)  # labels the form plays itself
        pool = [s for s in by_role.get(role, []) if s.name not in own]
        if not pool:
            notes.append(f"form: no approved {role} section, so the form's {item} is left out")
            continue
        s = pool[turn.get(role, 0) % len(pool)]
        turn[role] = turn.get(role, 0) + 1
        out.append(Occurrence(item, s.name, s.bars, 1))
    used = {o.name for o in out}
    extra = [s for s in sections if s.name not in used]
    # approved sections the form has no place for: an intro opens the song, an outro closes
    # it, anything else plays before the outro
    for s in extra:
        role = roles.role_of(s.name).name
        occ = Occurrence(role, s.name, s.bars, 1)
        if role == "intro":
            out.insert(sum(1 for o in out if o.role == "intro"), occ)
        elif role == "outro":
            out.append(occ)
        else:
            out.insert(next((i for i, o in enumerate(out) if o.role == "outro"), len(out)), occ)
    return out, notes


def _units(occ: list[Occurrence], phrase: int, notes: list[str]) -> None:
    warned = set()
    for o in occ:
        unit = phrase_unit(o.bars, phrase)
        if unit * o.bars > MAX_UNIT_PHRASES * phrase:
            unit = 1
            if o.name not in warned:
                notes.append(
                    f"form: the {o.name} loop is {o.bars} bars, which cannot fill whole "
                    f"{phrase}-bar phrases in a sensible length; it plays as it is"
                )
                warned.add(o.name)
        o.unit = o.repeat = unit


def _grow(occ: list[Occurrence], phrase: int, bar_s: float, target: float) -> None:
    """Add whole units where the song is still short, nearest the target length."""

    for stretch in (1, 2, 4, 8):  # a short form may raise the caps to reach its length
        _grow_once(occ, phrase, bar_s, target, stretch)


def _grow_once(occ: list[Occurrence], phrase: int, bar_s: float, target: float, k: int) -> None:
    def cap(o: Occurrence) -> int:
        return MAX_PHRASES.get(o.role, MAX_SECTION_PHRASES * k) * phrase

    total = sum(o.bars * o.repeat for o in occ) * bar_s
    while True:
        growable = [
            o
            for o in occ
            if o.role not in MAX_PHRASES
            and o.repeat + o.unit <= MAX_REPEAT
            and o.bars * (o.repeat + o.unit) <= max(cap(o), o.bars * o.unit)
        ]
        if not growable:
            return
        pick = min(growable, key=lambda o: (o.bars * o.repeat, _grow_rank(o.item)))
        step = pick.bars * pick.unit * bar_s
        if abs(total + step - target) >= abs(total - target):
            return
        pick.repeat += pick.unit
        total += step


def _grow_rank(item: str) -> int:
    return GROW_ORDER.index(item) if item in GROW_ORDER else len(GROW_ORDER)


def _variations(occ: list[Occurrence], style, rng: random.Random) -> None:
    var = style.variation
    final = next((i for i, o in enumerate(occ) if o.item == FINAL), None)
    seen: set[str] = set()
    for i, o in enumerate(occ):
        nxt = occ[i + 1] if i + 1 < len(occ) else None
        energy = roles.section_energy(o.name)
        v: dict = {}
        if var.fills:
            options = fill_options(energy, roles.section_energy(nxt.name) if nxt else None)
            moving = [f for f in options if f not in ("none", "stop")]
            v["fill"] = rng.choice(moving) if nxt and moving else "none"
            v["phrase_fill"] = rng.choice(("toms", "build")) if energy != "low" else "none"
            v["crash"] = i > 0
        if var.dropout and final is not None and i == final - 1:
            v["dropout"] = 1
        if var.lift and i == final:
            v["lift"] = True
        v["vary_melody"] = o.name in seen or o.repeat > 1
        seen.add(o.name)
        o.variation = v
    if final is not None and rng.random() < var.key_change:
        occ[final].transpose = rng.choice((1, 2))


def _modulate(occ: list[Occurrence]) -> None:
    final = next((i for i, o in enumerate(occ) if o.item == FINAL), len(occ))
    step = 0
    for i, o in enumerate(occ):
        if o.role == "intro" or i >= final or o.role == "outro":
            continue
        o.transpose = CIRCLE_OF_FIFTHS[step % len(CIRCLE_OF_FIFTHS)]
        step += 1


def plan_form(
    sections: list,
    style,
    form_items: tuple[str, ...],
    bar_seconds: float,
    target: tuple[float, str],
    seed: int,
    modulation: str | None = None,
) -> FormPlan:
    """The occurrences of a new plan (see the module docstring); ``sections`` are the approved
    chord sections (``name``, ``bars``)."""
    notes: list[str] = []
    occ, missing = _assign(list(form_items), sections)
    notes += missing
    phrase = max(1, int(style.phrase_bars))
    _units(occ, phrase, notes)
    _grow(occ, phrase, bar_seconds, target[0])
    rng = random.Random(seed)
    _variations(occ, style, rng)
    if modulation == "all_keys":
        _modulate(occ)
        notes.append(
            "modulation all_keys: the sections walk the circle of fifths (transpose), "
            "the final chorus and the outro come home"
        )
    return FormPlan(tuple(occ), target[0], target[1], tuple(notes), modulation)
