"""The chord phase's scratch beat: a guide to play chords against, beside each chord candidate
(kick, snare and hats on channel 10, the GM drum map; quieter than a real loop)."""

from __future__ import annotations

from chromatic.music.daw import finish_loop
from chromatic.music.meter import Meter, ticks
from chromatic.music.midi import add_track, append_notes, new_score, score_bytes
from chromatic.music.notes import Note
from chromatic.produce.rhythm.patterns import drum_bar
from chromatic.proposals.reader import Proposal


def render_scratch(proposal: Proposal, meter: Meter, bars: int) -> bytes:
    """A kick/snare/hat loop on channel 10 (GM drum map) for the same meter and length."""
    score = new_score(proposal.bpm, proposal.time_signature, proposal.key)
    track = add_track(score, "scratch drums", is_drum=True)
    dur = ticks(meter.step)
    bar = drum_bar(meter)
    append_notes(
        track,
        (
            Note(ticks(b * meter.bar + onset), dur, pitch, vel)
            for b in range(bars)
            for onset, pitch, vel in bar
        ),
    )
    return finish_loop(score_bytes(score), "drums", bars=bars)
