"""What the page's piano roll draws, in seconds: every track's notes with its instrument's name,
the lyric on each sung note, the drum kit's pieces by name (one lane each), the bar and beat grid
from the file's meters, the chord symbols (the text events a loop or arrangement carries) and
the section markers.

Ticks become seconds through the file's own tempo map (symusic's ``to("second")``), so a
ritardando moves the grid with the notes and the page's playhead (the audio's current time)
lines up with what it draws.
"""

from __future__ import annotations

import math
from pathlib import Path

from symusic import Score, TextMeta

from chromatic.music.gm import instrument_name

MAX_GRID_BARS = 2000  # a grid line per bar past this is noise on any screen


def drum_name(key: int) -> str:
    """The GM percussion name of ``key`` ("Acoustic Snare"), or "Drum <key>" off the map."""
    from pretty_midi import note_number_to_drum_name

    return note_number_to_drum_name(int(key)) or f"Drum {key}"


def gm_table() -> dict:
    """The 128 GM program names and the GM percussion map, for the page's labels."""
    from pretty_midi import program_to_instrument_name

    return {
        "programs": [program_to_instrument_name(p) for p in range(128)],
        "drums": {str(k): drum_name(k) for k in range(35, 82)},
    }


def to_seconds(score: Score, ticks: list[int]) -> list[float]:
    """Tick positions of ``score`` in seconds, through its tempo map."""
    if not ticks:
        return []
    probe = Score(score.ticks_per_quarter)
    probe.tempos = score.tempos.copy()
    for t in ticks:
        probe.markers.append(TextMeta(time=int(t), text=""))
    return [round(float(m.time), 4) for m in probe.to("second").markers]


def grid_ticks(score: Score, end: int) -> tuple[list[int], list[int]]:
    """Bar and beat starts (ticks) up to ``end``, meter changes followed."""
    tpq = score.ticks_per_quarter
    meters = sorted((int(ts.time), ts.numerator, ts.denominator) for ts in score.time_signatures)
    if not meters or meters[0][0] > 0:
        meters.insert(0, (0, 4, 4))
    bars: list[int] = []
    beats: list[int] = []
    for i, (start, num, den) in enumerate(meters):
        stop = meters[i + 1][0] if i + 1 < len(meters) else end
        beat = max(1, tpq * 4 // max(den, 1))
        bar = beat * max(num, 1)
        t = start
        while t < stop and len(bars) < MAX_GRID_BARS:
            bars.append(t)
            beats += [t + k * beat for k in range(1, num)]
            t += bar
    bars.append(bars[-1] + bar if bars else end)  # the closing bar line
    return bars, beats


def flat_key(score: Score) -> bool:
    """Whether the file's key signature has flats (note names then say Bb, not A#)."""
    return bool(len(score.key_signatures)) and score.key_signatures[0].key < 0


def roll_of(
    score: Score,
    *,
    markers: bool = False,
    chords: list[tuple[int, str]] = (),
    own: int | None = None,
) -> dict:
    """The roll of ``score``: tracks (the first ``own`` are the candidate's, the rest its
    context), grid, chord symbols and (with ``markers``) section markers, all in seconds."""
    sec = score.to("second")
    end_tick = max(int(score.end()), 1)
    tracks = []
    for i, t in enumerate(sec.tracks):
        notes = [
            [round(n.time, 4), round(n.duration, 4), int(n.pitch), int(n.velocity)] for n in t.notes
        ]
        track = {
            "name": t.name,
            "drum": bool(t.is_drum),
            "program": int(t.program),
            "instrument": instrument_name(t.program, bool(t.is_drum)),
            "notes": notes,
            "lyrics": [[round(x.time, 4), x.text] for x in t.lyrics],
        }
        if t.is_drum:
            track["lanes"] = {str(p): drum_name(p) for p in sorted({n[2] for n in notes})}
        if own is not None:
            track["candidate"] = i < own
        tracks.append(track)
    bars, beats = grid_ticks(score, end_tick)
    chords = [c for c in chords if c[0] < end_tick]
    out = {
        "seconds": round(float(sec.end()), 3),
        "tracks": tracks,
        "bars": to_seconds(score, bars),
        "beats": to_seconds(score, beats),
        "chords": [
            {"time": s, "text": text}
            for s, (_, text) in zip(to_seconds(score, [c[0] for c in chords]), chords, strict=True)
        ],
        "flats": flat_key(score),
    }
    if markers:
        out["markers"] = [{"time": round(m.time, 3), "text": m.text} for m in sec.markers]
    return out


def loop_chords(path: Path, tpq: int, bar: int, length: int) -> list[tuple[int, str]]:
    """The chord symbols of a loop (its text events), at ``tpq``, tiled over ``length`` ticks
    as the preview tiles the loop's notes."""
    from chromatic.music.daw import chord_texts
    from chromatic.music.midi import load_score

    found = chord_texts(path)
    if not found:
        return []
    loop = load_score(path)
    scale = tpq / loop.ticks_per_quarter
    period = max(bar, math.ceil(max(loop.end() * scale, 1) / bar) * bar)
    out = []
    for k in range(math.ceil(length / period)):
        out += [(round(t * scale) + k * period, name) for t, name in found]
    return [c for c in out if c[0] < length]
