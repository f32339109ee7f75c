"""The chord phase's scratch beat: a guide to play chords against, beside each chord candidate
(kick, snare and hats on channel 10, the GM drum map; quieter than a real loop)."""

from __future__ import annotations

from chromatic.music.meter import Meter, ticks
from chromatic.music.notes import Note
from chromatic.music.song_midi import part, write_loop
from chromatic.produce.rhythm.patterns import drum_bar
from chromatic.proposals.reader import Proposal


def render_scratch(proposal: Proposal, meter: Meter, bars: int) -> bytes:
    """A kick/snare/hat loop on channel 10 (GM drum map) for the same meter and length."""
    dur = ticks(meter.step)
    bar = drum_bar(meter)
    notes = (
        Note(ticks(b * meter.bar + onset), dur, pitch, vel)
        for b in range(bars)
        for onset, pitch, vel in bar
    )
    track = part("drums", notes, is_drum=True)
    return write_loop(
        track,
        bpm=proposal.bpm,
        time_signature=proposal.time_signature,
        key=proposal.key,
        bars=bars,
    )
