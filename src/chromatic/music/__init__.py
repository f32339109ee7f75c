"""Music core: keys, meters, tempo-map-aware MIDI I/O, piano rolls and rendering.

Import the submodules directly (``chromatic.music.midi``); this package stays import-light.
"""

from chromatic.music.key import Key, TimeSignature

__all__ = ["Key", "TimeSignature"]
