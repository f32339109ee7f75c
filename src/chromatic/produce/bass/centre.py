"""The bass line's part in the key a listener hears.

The chords of a section are fixed when its bass is chosen, but the bass still tips the key:
a minor loop on i-VI-III-VII whose bass sits on VI and VII (D and E in F# minor) is heard as
B minor (III and IV of B minor) by music21's default listener (Aarden-Essen), while a bass
that plays the fifth over i or the third over VI (D/F#) keeps F# minor in the ear.

``bass_centre`` builds the section's pitch-class profile as a listener hears it: every chord
tone weighted by the chord's length, and every bass note by its length times ``BASS_WEIGHT``
(the bass is the loudest single voice and the one the ear takes the harmony from), and scores
it with the chord phase's centre (``chords.theory.profile_centre``: the lower of the
Krumhansl-Kessler and Aarden-Essen readings, 1 when the planned tonic wins, 0 when a rival
leads by 0.25).

The planned key is the one the section's chords are heard in (``produce.heard.heard_key``):
the proposal's key for a loop that stays in it, its relative or parallel key for a loop the
chords themselves set there. The bass keeps the centre the chords give; it does not pull a
loop that dwells on the relative major back to the proposal's tonic.
"""

from __future__ import annotations

import numpy as np

from chromatic.music.key import Key
from chromatic.music.notes import Note
from chromatic.produce.chords.theory import profile_centre
from chromatic.produce.heard import heard_key
from chromatic.produce.sections import Section

BASS_WEIGHT = 2.0
MARGIN = 0.1  # the planned key's lead over any rival at which the part reaches 1


def section_profile(section: Section, notes: tuple[Note, ...]) -> np.ndarray:
    """[12]: chord tones by chord length, plus the bass notes by length x ``BASS_WEIGHT``."""
    profile = np.zeros(12)
    for c in section.chords:
        for pc in set(c.tones):
            profile[pc % 12] += c.end - c.start
    for n in notes:
        profile[n.pitch % 12] += BASS_WEIGHT * n.duration
    return profile


def bass_centre(section: Section, notes: tuple[Note, ...], key: Key) -> float:
    """The centre part of the section with this bass line (see the module docstring);
    ``key`` is the proposal's."""
    heard = heard_key(section, key)
    return profile_centre(section_profile(section, notes), heard.pc, heard.is_minor, MARGIN)
