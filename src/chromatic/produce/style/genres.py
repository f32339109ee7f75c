"""Genre words -> drum families, by whole words.

By whole words because a substring can name another family than its word ("americana", folk,
contains shorter words a substring match would find first). A genre string is split into words
("dark ambient" -> dark, ambient; "post-punk" -> post-punk, post, punk) and only whole words,
or whole two-word phrases ("new age", "field recording"), are looked up in ``WORDS``.

Within one genre string the last family word is the head ("ambient folk" is a kind of folk,
"folk rock" a kind of rock) and counts 1; earlier ones count 0.5. Across strings the first
genre counts most (weight 1, then 0.8, 0.6 ... down to 0.4), since the agent lists the main
genre first. The families' weights, divided by the largest, are their ``fit`` (1 for the main
family). No family word at all: every family with fit 0.5, and the caller says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FAMILIES: tuple[str, ...] = (
    "ambient",
    "electronic",
    "krautrock",
    "rock",
    "classical",
    "experimental",
    "folk",
    "jazz",
    "pop",
)

# fmt: off
WORDS: dict[str, str] = {
    # ambient
    "ambient": "ambient", "drone": "ambient", "drones": "ambient", "soundscape": "ambient",
    "soundscapes": "ambient", "new age": "ambient", "meditation": "ambient", "meditative": "ambient",
    "lullaby": "ambient", "hypnagogic": "ambient", "ethereal": "ambient", "shoegaze": "rock",
    # electronic
    "electronic": "electronic", "electronica": "electronic", "techno": "electronic", "glitch": "electronic",
    "idm": "electronic", "synth": "electronic", "synthwave": "electronic", "electro": "electronic",
    "house": "electronic", "trance": "electronic", "edm": "electronic", "dubstep": "electronic",
    "disco": "electronic", "trap": "electronic", "industrial": "electronic", "breakbeat": "electronic",
    "dnb": "electronic", "jungle": "electronic", "downtempo": "electronic", "trip-hop": "electronic",
    "hip-hop": "electronic", "hip hop": "electronic", "microsound": "electronic",
    # krautrock / motorik
    "krautrock": "krautrock", "kraut": "krautrock", "motorik": "krautrock", "kosmische": "krautrock",
    # rock
    "rock": "rock", "punk": "rock", "post-punk": "rock", "grunge": "rock", "metal": "rock",
    "garage": "rock", "indie": "rock", "psychedelic": "rock", "emo": "rock", "math": "rock",
    # classical
    "classical": "classical", "neo-classical": "classical", "neoclassical": "classical",
    "orchestral": "classical", "chamber": "classical", "requiem": "classical", "choral": "classical",
    "sacred": "classical", "baroque": "classical", "symphonic": "classical", "elegy": "classical",
    "minimalism": "classical", "minimalist": "classical", "polyphony": "classical",
    # experimental
    "experimental": "experimental", "avant-garde": "experimental", "avant": "experimental",
    "noise": "experimental", "musique": "experimental", "concrète": "experimental", "concrete": "experimental",
    "tape": "experimental", "electroacoustic": "experimental", "field recording": "experimental",
    "found sound": "experimental", "microtonal": "experimental", "generative": "experimental",
    "psychoacoustic": "experimental", "sound art": "experimental",
    # folk
    "folk": "folk", "neo-folk": "folk", "americana": "folk", "acoustic": "folk",
    "singer-songwriter": "folk", "ballad": "folk", "country": "folk", "bluegrass": "folk",
    "pastoral": "folk",
    # jazz
    "jazz": "jazz", "swing": "jazz", "bebop": "jazz", "bossa": "jazz", "bossa nova": "jazz",
    "fusion": "jazz", "lounge": "jazz",
    # pop (the real proposals: experimental pop, art pop, dream pop, synth-pop, electro-pop)
    "pop": "pop", "art-pop": "pop", "electropop": "pop", "electro-pop": "pop", "synth-pop": "pop",
    "synthpop": "pop", "dream pop": "pop",
}
# fmt: on


def genre_families(genre: str) -> list[str]:
    """The families one genre string names, head last: whole words and two-word phrases only
    (a phrase wins over its words; a hyphenated compound not in the table counts its parts):
    "folk rock" -> [folk, rock]; "post-rock" -> [rock]; "americana" -> [folk]."""
    raw = re.findall(r"[\w]+(?:-[\w]+)*", genre.lower())
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(raw):
        pair = f"{raw[i]} {raw[i + 1]}" if i + 1 < len(raw) else None
        if pair in WORDS:
            found.append((i, WORDS[pair]))
            i += 2
            continue
        w = raw[i]
        if w in WORDS:
            found.append((i, WORDS[w]))
        elif "-" in w:
            found.extend((i, WORDS[p]) for p in w.split("-") if p in WORDS)
        i += 1
    out: list[str] = []
    for _, fam in found:
        if fam in out:
            out.remove(fam)
        out.append(fam)  # a later mention moves a family to the head position
    return out


@dataclass(frozen=True)
class FamilyFit:
    """Families in order of fit (1.0 for the main family); ``matched`` False when no genre word
    was recognized and every family is offered."""

    fits: dict[str, float]
    matched: bool

    @property
    def main(self) -> str:
        return next(iter(self.fits))


def family_fit(genres: tuple[str, ...] | list[str]) -> FamilyFit:
    votes: dict[str, float] = {}
    for i, g in enumerate(genres):
        weight = max(1.0 - 0.2 * i, 0.4)
        fams = genre_families(g)
        for j, fam in enumerate(fams):
            votes[fam] = votes.get(fam, 0.0) + weight * (1.0 if j == len(fams) - 1 else 0.5)
    if not votes:
        return FamilyFit(dict.fromkeys(FAMILIES, 0.5), matched=False)
    top = max(votes.values())
    ordered = sorted(votes, key=lambda f: (-votes[f], FAMILIES.index(f)))
    return FamilyFit({f: round(votes[f] / top, 4) for f in ordered}, matched=True)
