"""The standard symbolic-music metrics (Dong et al., MusPy, ISMIR 2020), computed here on a
:class:`~chromatic.measure.musicality.Piece` so that a composed song, a Bach chorale and an Essen
tune are measured alike.

Why not MusPy itself: its last release (0.5.0, 2022) pins an old stack and reads files through
its own converters; the definitions are short, so they are written out here as MusPy defines
them (times in quarters, pitched notes only, drums left out):

- **pitch range**: highest minus lowest pitch (semitones);
- **pitch classes used**: distinct pitch classes;
- **polyphony**: mean number of notes sounding, over the time steps (``STEPS`` per quarter)
  where at least one sounds;
- **empty-beat rate**: share of the beats (quarters) up to the last note in which no note
  starts;
- **scale consistency**: the largest share of notes inside one major or (natural) minor scale
  over the 24 keys;
- **groove consistency**: 1 minus the mean Hamming distance (as a share of the bar's steps)
  between the onset vectors of consecutive bars, all pitched notes.
"""

from __future__ import annotations

import math

import numpy as np

from chromatic.measure.musicality import Piece, PNote

STEPS = 12  # per quarter: sixteenths and eighth triplets
_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)


def _notes(piece: Piece) -> list[PNote]:
    return [n for n in piece.pitched if n.duration > 0]


def pitch_range(notes: list[PNote]) -> float | None:
    return float(max(n.pitch for n in notes) - min(n.pitch for n in notes)) if notes else None


def pitch_classes_used(notes: list[PNote]) -> float | None:
    return float(len({n.pitch % 12 for n in notes})) if notes else None


def polyphony(notes: list[PNote]) -> float | None:
    if not notes:
        return None
    end = math.ceil(max(n.onset + n.duration for n in notes) * STEPS) + 1
    count = np.zeros(end, dtype=np.int32)
    for n in notes:
        a = round(n.onset * STEPS)
        b = max(a + 1, round((n.onset + n.duration) * STEPS))
        count[a:b] += 1
    on = count[count > 0]
    return float(on.mean()) if on.size else None


def empty_beat_rate(notes: list[PNote]) -> float | None:
    if not notes:
        return None
    beats = math.floor(max(n.onset for n in notes)) + 1
    struck = {math.floor(n.onset + 1e-6) for n in notes}
    return 1.0 - len(struck) / beats


def scale_consistency(notes: list[PNote]) -> float | None:
    if not notes:
        return None
    pcs = np.bincount([n.pitch % 12 for n in notes], minlength=12)
    best = 0
    for tonic in range(12):
        for steps in (_MAJOR, _MINOR):
            best = max(best, int(sum(pcs[(tonic + s) % 12] for s in steps)))
    return best / len(notes)


def groove_consistency(notes: list[PNote], bar_quarters: float) -> float | None:
    steps = round(bar_quarters * STEPS)
    if not notes or steps <= 0:
        return None
    bars = math.floor(max(n.onset for n in notes) / bar_quarters) + 1
    if bars < 2:
        return None
    grid = np.zeros((bars, steps), dtype=bool)
    for n in notes:
        k = round(n.onset * STEPS)
        grid[min(k // steps, bars - 1), k % steps] = True
    return float(1.0 - (grid[1:] != grid[:-1]).mean(axis=1).mean())


def standard_metrics(piece: Piece) -> dict[str, float | None]:
    notes = _notes(piece)
    return {
        "std_pitch_range": pitch_range(notes),
        "std_pcs_used": pitch_classes_used(notes),
        "std_polyphony": polyphony(notes),
        "std_empty_beats": empty_beat_rate(notes),
        "std_scale": scale_consistency(notes),
        "std_groove": groove_consistency(notes, piece.bar_quarters),
    }
