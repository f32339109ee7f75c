"""Song form: the one vocabulary of section roles, and how a section's label names one.

A section's label ("verse_2", "Pre-Chorus", "Chorus (final)", "Outro/Coda") names a *role*
(``ROLES``): what the section does in the song, and so its default energy, whether it is sung,
where it sits in the usual song form, how many times the plan plays it, and which chord
progression it gets first. Every layer reads these facts here: the drum phase's energy, the
plan's defaults (repeat, vocals, intensity), the part phases' song order, the melody's lyric
stanzas, compose's default form and chord priority, and the example catalog synthesizer.

Two ways to read a label, kept apart on purpose:

- **whole words** (``section_role``, FORMATS.md §6): the label is split into words
  (``label_words``: lower case letters or digits; "pre chorus" and "pre-chorus" are one word,
  "prechorus"), and the first word that is one of a role's ``words`` names the role; unknown
  labels are ``OTHER``. So "choruses" is no chorus and "pre_chorus" is no chorus either.
- **loose match** (``loose_role``): the first of ``LOOSE_RULES`` whose pattern occurs anywhere
  in the name, case-insensitive. Only the example catalog synthesizer uses it, to give each
  recorded section a plausible energy; it hears "breakdown" as a bridge, "pre-chorus" as a
  chorus, and knows "climax" and "peak". Its outputs are part of the synthesized catalog, so
  its rules stay exactly as they were rather than following the whole-word table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

Energy = Literal["low", "medium", "high"]
ENERGIES: tuple[Energy, ...] = ("low", "medium", "high")
#: The drum phase's target density per energy; the plan's default intensity starts here.
ENERGY_VALUE: dict[str, float] = {"low": 0.2, "medium": 0.5, "high": 0.85}

FIRST, LAST = 0, 9  # song-form positions of the sections that open and close a song


@dataclass(frozen=True)
class Role:
    """One section role. ``words`` are the whole label words that name it (its own name first);
    ``instrumental_words`` name it too, as an instrumental version ("drop": a chorus without
    vocals). ``position`` orders the usual song form (``FIRST`` opens, ``LAST`` closes);
    ``late`` roles come after the second chorus unless numbered; ``repeat`` is how many times the
    plan plays the loop by default; ``chord_rank`` orders who gets the best progressions (0 is
    first, None: after every ranked role)."""

    name: str
    display: str
    energy: Energy
    position: int
    sung: bool
    words: tuple[str, ...]
    instrumental_words: tuple[str, ...] = ()
    late: bool = False
    repeat: int = 1
    chord_rank: int | None = None

    @property
    def all_words(self) -> tuple[str, ...]:
        return self.words + self.instrumental_words

    @property
    def frames_song(self) -> bool:
        """An intro or an outro: usually instrumental, so no lyric stanza is given to it."""
        return self.position in (FIRST, LAST)


# fmt: off
ROLES: tuple[Role, ...] = (
    #    name         display       energy    pos  sung   words
    Role("intro",     "Intro",      "low",    0,   False, ("intro", "opening"), chord_rank=3),
    Role("verse",     "Verse",      "medium", 1,   True,  ("verse",), repeat=2, chord_rank=1),
    Role("prechorus", "Pre-chorus", "medium", 2,   True,  ("prechorus", "build", "buildup")),
    Role("chorus",    "Chorus",     "high",   3,   True,  ("chorus", "refrain", "hook"),
         instrumental_words=("drop",), repeat=2, chord_rank=0),
    Role("bridge",    "Bridge",     "low",    4,   True,  ("bridge", "middle"),
         instrumental_words=("breakdown", "interlude", "drone"), late=True, chord_rank=2),
    Role("solo",      "Solo",       "high",   4,   False, ("solo", "jam"), late=True),
    Role("outro",     "Outro",      "medium", 9,   False, ("outro", "coda", "ending"), chord_rank=4),
)
# fmt: on
#: What a label naming no role is: medium energy, sung, between the bridge and the outro.
OTHER = Role("other", "Other", "medium", 5, True, ())
#: A label word that makes any section instrumental ("verse_instrumental").
INSTRUMENTAL = "instrumental"
#: The form compose writes when asked for none.
DEFAULT_FORM: tuple[str, ...] = ("intro", "verse", "chorus", "bridge", "outro")
#: Loose match (module docstring): (role, regex searched case-insensitively), first match wins.
LOOSE_RULES: tuple[tuple[str, str], ...] = (
    ("intro", "intro"),
    ("bridge", "bridge|interlude|break"),
    ("chorus", "chorus|refrain|climax|peak"),
    ("outro", "outro|coda|ending"),
    ("verse", "verse"),
)

BY_NAME: dict[str, Role] = {r.name: r for r in ROLES}
BY_WORD: dict[str, Role] = {w: r for r in ROLES for w in r.all_words}
#: Words that make a section instrumental: every word of an unsung role, the instrumental
#: versions of sung ones, and ``INSTRUMENTAL``.
INSTRUMENTAL_WORDS: frozenset[str] = frozenset(
    [w for r in ROLES for w in (r.all_words if not r.sung else r.instrumental_words)]
    + [INSTRUMENTAL]
)
#: Role names by chord rank: the sections of a form that get the best progressions first.
CHORD_PRIORITY: tuple[str, ...] = tuple(
    r.name
    for r in sorted((r for r in ROLES if r.chord_rank is not None), key=lambda r: r.chord_rank)
)
_LETTERS = "abcdefgh"  # "verse_a", "verse_b": lettered instances


def label_words(label: str) -> list[str]:
    """The label's words: runs of lower-case letters or of digits; "pre" then "chorus" is one
    word, "prechorus"."""
    words = re.findall(r"[a-z]+|\d+", label.lower())
    out: list[str] = []
    for w in words:
        if w == "chorus" and out and out[-1] == "pre":
            out[-1] = "prechorus"
        else:
            out.append(w)
    return out


def role_of(label: str) -> Role:
    """The role the label's first role word names (whole words), else ``OTHER``."""
    return next((BY_WORD[w] for w in label_words(label) if w in BY_WORD), OTHER)


def role_named(name: str) -> Role:
    """The role of a role name ("chorus"), ``OTHER`` for any other name."""
    return BY_NAME.get(name, OTHER)


def section_role(label: str) -> tuple[str, str, int]:
    """(role, energy, song-form position) of a label; unknown words -> ("other", medium, 5)."""
    role = role_of(label)
    return (role.name, role.energy, role.position)


def section_energy(label: str) -> str:
    return role_of(label).energy


def is_instrumental(label: str) -> bool:
    """Whether any word of the label marks an instrumental section (``INSTRUMENTAL_WORDS``)."""
    return not INSTRUMENTAL_WORDS.isdisjoint(label_words(label))


def instance(label: str) -> int:
    """Which instance of its role a label is: its first number ("verse_2" -> 2), else a letter
    after the first word ("verse_b" -> 2), else 0 (unnumbered)."""
    words = label_words(label)
    for w in words:
        if w.isdigit():
            return int(w)
    for w in words[1:]:
        if len(w) == 1 and w in _LETTERS:
            return _LETTERS.index(w) + 1
    return 0


def _form_key(label: str) -> tuple:
    role = role_of(label)
    n = instance(label)
    if role.position == FIRST:
        return (0, n, 0, label)
    if role.position == LAST:
        return (2, n, 0, label)
    if role.late and n == 0:
        n = 2
    return (1, max(n, 1), role.position, label)


def song_order(labels: list[str]) -> list[str]:
    """Labels in the usual song form: intro first, outro last, and in between by instance
    number, then verse < pre-chorus < chorus < bridge (an unnumbered late role, a bridge or a
    solo, counts as the second instance: it usually follows the second chorus)."""
    return sorted(labels, key=_form_key)


@cache
def _loose_patterns() -> tuple[tuple[re.Pattern, Role], ...]:
    return tuple((re.compile(rx, re.I), BY_NAME[name]) for name, rx in LOOSE_RULES)


def loose_role(name: str) -> Role:
    """The role of a free-form section name by loose match (module docstring), else ``OTHER``."""
    return next((role for rx, role in _loose_patterns() if rx.search(name)), OTHER)


def energy_level(energy: str) -> int:
    """An energy as a level 0 (low), 1 (medium), 2 (high)."""
    return ENERGIES.index(energy)  # type: ignore[arg-type]
