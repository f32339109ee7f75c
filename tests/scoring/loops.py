"""MIDI loops for scorer tests (imports no torch, so a subprocess can use it)."""

from __future__ import annotations

from symusic import Note

from chromatic.music.midi import add_track, new_score, score_bytes


def loop(pitches, bpm=120, bars=8) -> bytes:
    s = new_score(bpm, "4/4", "A minor")
    tr = add_track(s, "keys")
    for b in range(bars):
        for k, p in enumerate(pitches):
            tr.notes.append(Note(time=b * 1920 + k * 480, duration=450, pitch=p, velocity=90))
    return score_bytes(s)
