"""Endings: the song closes on a cadence to the tonic, every part with it.

The last two bars of the song become the style's cadence (``style.ending.cadence``): the
penultimate bar holds the cadence chord (``authentic`` V, ``plagal`` IV/iv, ``modal`` bVII), the
last bar the tonic chord. Every chordal part (chords, pads, harmony) plays those chords in its own
register; the bass plays their roots; a melody singing in the last bars lands on the tonic on the
last downbeat (its strong-beat notes in the penultimate bar snap to cadence chord tones), and the
song's last melody note is the tonic in any case. The drums stop: the last bar holds only a kick
and a crash on its downbeat. ``style.ending.kind`` shapes the close:

- ``final_hit``: the tonic chord is struck on the last downbeat and rings half a bar, then silence;
- ``ritardando``: tempo events slow the last two bars to ``RIT_FLOOR`` of the tempo, the tonic
  held for the whole last bar;
- ``fade``: a CC11 (expression) ramp on every track over the last ``FADE_BARS`` bars, down to
  ``FADE_FLOOR``, over a held tonic.

Nothing rings past the end: every note is cut at the song's last tick.
"""

from __future__ import annotations

from dataclasses import dataclass

from chromatic.music.gm import CRASH, KICK
from chromatic.music.meter import TPQ, Meter
from chromatic.produce.arrange.variation import Hit, TrackKey, cut

CADENCES = {  # root above the tonic, and the chord's intervals (None: the key's own third)
    "authentic": (7, (0, 4, 7)),
    "plagal": (5, None),
    "modal": (10, (0, 4, 7)),
}
RIT_FLOOR = 0.7
FADE_BARS, FADE_FLOOR = 4, 30
PITCHED_LEAD = ("melody", "bass")


@dataclass(frozen=True)
class Close:
    """What the ending adds beside notes: tempo changes ``(tick, qpm)`` and CC11 points
    ``(tick, value)`` for every track."""

    tempos: tuple[tuple[int, float], ...] = ()
    expression: tuple[tuple[int, int], ...] = ()


def chords_of(tonic: int, minor: bool, cadence: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The cadence chord's and the tonic chord's pitch classes, roots first."""
    third = (0, 3, 7) if minor else (0, 4, 7)
    root, shape = CADENCES[cadence]
    pre = tuple((tonic + root + i) % 12 for i in (shape or third))
    return pre, tuple((tonic + i) % 12 for i in third)


def _place(pcs: tuple[int, ...], centre: int) -> list[int]:
    """The chord voiced closely around ``centre``: root at or below it, the rest above the root."""
    root = centre - (centre - pcs[0]) % 12
    return [root + (pc - pcs[0]) % 12 for pc in pcs]


def _near(pc: int, pitch: int) -> int:
    below = pitch - (pitch - pc) % 12
    return below if pitch - below <= 6 else below + 12


def _centre(hits: list[Hit], start: int, default: int) -> int:
    around = sorted(p for t, _, p, _ in hits if t >= start) or sorted(p for _, _, p, _ in hits)
    return around[len(around) // 2] if around else default


def end_song(
    tracks: dict[TrackKey, list[Hit]],
    end: int,
    meter_bar: int,
    meter: Meter,
    tonic: int,
    minor: bool,
    cadence: str,
    kind: str,
    bpm: float,
    keep: frozenset[str] = frozenset(),
) -> Close:
    """Rewrite the last bars of every track into the ending, in place; the phases in ``keep``
    (parts the artist played, imported into the last section) stay as played, cut at the end."""
    two = min(2, max(1, end // meter_bar))
    pre_at, last_at = end - two * meter_bar, end - meter_bar
    pre, home = chords_of(tonic, minor, cadence)
    ring = meter_bar // 2 if kind == "final_hit" else meter_bar
    playing = _closing_tracks(tracks, pre_at - meter_bar)
    for key, hits in tracks.items():
        phase, _, drum = key
        if phase in keep:
            continue
        if drum:
            hits[:] = [
                *cut(hits, last_at, end),
                (last_at, TPQ, KICK, 118),
                (last_at, TPQ, CRASH, 118),
            ]
        elif phase == "melody":
            hits[:] = _melody(hits, pre_at, last_at, meter_bar, pre, home[0], ring)
        elif key in playing:
            _chordal(hits, phase == "bass", pre_at, last_at, meter_bar, pre, home, ring, two)
    for hits in tracks.values():
        hits[:] = sorted((t, min(d, end - t), p, v) for t, d, p, v in hits if t < end)
    return Close(
        _ritardando(last_at, end, pre_at, meter, bpm) if kind == "ritardando" else (),
        _fade(end, meter_bar, meter) if kind == "fade" else (),
    )


def _closing_tracks(tracks: dict[TrackKey, list[Hit]], since: int) -> set[TrackKey]:
    """The pitched accompaniment that plays the cadence: every track sounding in the last bars,
    the bass in any case (the song's last bass note is its root), and, when no chord track
    sounds there, the chord track that played last."""
    out = {
        k
        for k, hits in tracks.items()
        if not k[2] and k[0] != "melody" and any(t + d > since for t, d, _, _ in hits)
    }
    out |= {k for k, hits in tracks.items() if k[0] == "bass" and hits}
    chords = [k for k, hits in tracks.items() if k[0] == "chords" and hits]
    if chords and not out & set(chords):
        out.add(max(chords, key=lambda k: max(t + d for t, d, _, _ in tracks[k])))
    return out


def _chordal(hits, bass, pre_at, last_at, bar, pre, home, ring, two) -> None:
    if not hits:
        return
    centre = _centre(hits, pre_at, 40 if bass else 60)
    vel = round(sum(v for *_, v in hits[-8:]) / len(hits[-8:]))
    kept = cut(hits, pre_at, pre_at + two * bar)
    if two == 2:
        kept += [
            (pre_at, bar, p, vel)
            for p in (_place(pre, centre)[:1] if bass else _place(pre, centre))
        ]
    chord = _place(home, centre)
    kept += [(last_at, ring, p, vel) for p in (chord[:1] if bass else chord)]
    hits[:] = kept


def _melody(hits, pre_at, last_at, bar, pre, tonic, ring) -> list[Hit]:
    if not hits:
        return hits
    sings = any(t >= pre_at for t, *_ in hits)
    if not sings:  # the song's last melody note(s), a doubling included, land on the tonic
        last = hits[-1][0]
        return [(t, d, _near(tonic, p) if t == last else p, v) for t, d, p, v in hits]
    out = []
    for t, d, p, v in hits:
        if pre_at <= t < last_at and (t - pre_at) % (bar // 2) == 0 and p % 12 not in pre:
            p = min((_near(pc, p) for pc in pre), key=lambda q: abs(q - p))
        out.append((t, d, p, v))
    kept = cut(out, last_at, last_at + bar)
    ref = kept[-1] if kept else hits[-1]
    return [*kept, (last_at, ring, _near(tonic, ref[2]), ref[3])]


def _ritardando(last_at: int, end: int, pre_at: int, meter: Meter, bpm: float):
    beat = round(meter.unit * TPQ)
    ticks = list(range(pre_at, end, beat))
    n = len(ticks)
    return tuple(
        (t, round(bpm * (1 - (1 - RIT_FLOOR) * (i + 1) / n), 3)) for i, t in enumerate(ticks)
    )


def _fade(end: int, bar: int, meter: Meter):
    start = max(0, end - FADE_BARS * bar)
    beat = round(meter.unit * TPQ)
    ticks = list(range(start, end, beat))
    n = max(1, len(ticks) - 1)
    return tuple((t, round(127 - (127 - FADE_FLOOR) * i / n)) for i, t in enumerate(ticks))
