"""Which section plays which progression, as the song's key is heard.

A listener names a song's key from all of it, weighted by how long each pitch sounds
(music21's ``analyze('key')``, Aarden-Essen, and Krumhansl-Kessler), so the section heard
most decides it: a verse played 8 times outweighs an intro played once. The chord phase ranks
every progression on its own (``chords.theory``: its ``centre`` part is 1 when the planned
tonic leads every rival tonic to both listeners), and compose gives the best-ranked of a set to
the section heard most (``music.form.CHORD_PRIORITY``). A progression can rank first for its
melody and voice leading while a rival tonic leads it: F# minor's Aeolian i-i-VI-VII (F#m
F#sus2 Dmaj7 E7) dwells on D and E, the third and fourth of B minor, and Aarden-Essen, whose
heaviest degree is the fifth, hears the F# as B minor's fifth. Played as the verse, two thirds
of the song, it makes the whole song read B minor whatever the melody and bass do.

``key_first`` orders a set so that the sections heard most take the progressions that hold
the planned key on their own, in rank order, and the colour progressions (modal, borrowed,
or simply ambiguous: a rival tonic leads) go to the sections heard less (intro, breakdown,
outro), in rank order. The set itself is unchanged, so the song keeps the same progressions
and the style's colour; only where each is heard changes. A set where every progression holds
the key, or none does, keeps its rank order.

It is not the ordinary order: a loop's own centre does not tell how the whole song will be
heard (most songs whose verse loop a rival tonic leads are still heard in their key, and a
song of loops that each hold it can be heard in a neighbour's), so compose uses it only in its
search for the key, when no branch it kept is heard in the planned key (``compose.heard``).
"""

from __future__ import annotations

from collections.abc import Sequence

from chromatic.produce.review import Candidate

#: The theory ``centre`` part at or above which a progression holds the key on its own (1:
#: the planned tonic leads every rival tonic to both listeners).
HOLDS = 1.0 - 1e-6


def holds_key(candidate: Candidate) -> bool:
    """Whether the progression holds the planned key on its own (a candidate scored without
    a key, or before the centre part existed, counts as holding it)."""
    return float(candidate.scores.theory.get("centre", 1.0)) >= HOLDS


def key_first(group: Sequence[Candidate]) -> list[Candidate]:
    """``group`` in the order the sections heard most take it (see the module docstring)."""
    return sorted(group, key=lambda c: (not holds_key(c), c.rank))
