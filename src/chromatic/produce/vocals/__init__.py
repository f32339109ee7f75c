"""Backing vocals for the harmony phase: a second singer's line against the approved lead.

``theory`` measures two voices (parallel fifths and octaves, range, voice leading, consonance
on strong beats); ``lines`` writes them (a third or sixth beside a sung lead, a counter-melody
under a wordless one). Named apart from ``produce.chords``, the chord vocabulary.
"""

from chromatic.music.gm import PROGRAMS

PROGRAM = PROGRAMS["choir_aahs"]  # a backing choir when the style names no harmony program
