"""Tempo-map-aware MIDI reading and writing on symusic.

symusic applies a type-1 file's tempo track to every track when it parses, and converts
ticks to seconds through the full tempo map (``score.to("second")``); everything here keeps
that map instead of assuming one tempo.
"""

from __future__ import annotations

import bisect
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from symusic import KeySignature, Score, Tempo, TextMeta, Track
from symusic import TimeSignature as SymTimeSignature

from chromatic.errors import MidiError
from chromatic.fileio import read_regular, write_bytes_atomic
from chromatic.music.key import Key, TimeSignature
from chromatic.music.meter import TPQ
from chromatic.music.notes import Note

DRUM_CHANNEL = 9  # channel 10 in 1-based numbering
#: The largest MIDI file read: a generous bound (a song's MIDI is kilobytes), never a hang.
MAX_MIDI_BYTES = 64 * 1024 * 1024
#: The latest event read, in quarter notes (about 9 hours at 120 bpm): a song is minutes long,
#: and every reader of the notes (rolls, features, scoring windows) is sized by its length.
MAX_QUARTERS = 65536


def load_score(source: str | os.PathLike | bytes, *, name: str | None = None) -> Score:
    """Parse a MIDI file (path or bytes) into a tick-based symusic Score, or raise MidiError."""
    label = name or ("<bytes>" if isinstance(source, bytes | bytearray) else str(source))
    try:
        if isinstance(source, bytes | bytearray):
            if len(source) < 14 or bytes(source[:4]) != b"MThd":
                raise ValueError("expected a Standard MIDI File starting with 'MThd'")
            score = Score.from_midi(bytes(source))
            _check_timing(score)
            _rejoin_lyrics(score)
            return score
        path = Path(source)
        try:  # a FIFO or a device is refused by type before it is opened; the size is counted
            data = read_regular(path, MAX_MIDI_BYTES, MidiError)
        except FileNotFoundError:
            raise MidiError("file not found", path=path) from None
        return load_score(data, name=str(path))
    except MidiError as e:
        if e.path is None:
            raise MidiError(e.detail, path=label) from None
        raise
    except Exception as e:  # symusic raises RuntimeError/ValueError on corrupt input
        raise MidiError(f"cannot parse MIDI: {e}", path=label) from None


def _rejoin_lyrics(score: Score) -> None:
    """Lyric events back on the notes they were written with: symusic reads a MIDI track's
    lyrics into a note-less track of its own (lyric events carry no channel); the first track of
    the same name with notes takes them, so a loop's words travel with its notes."""
    for i in range(len(score.tracks) - 1, -1, -1):
        t = score.tracks[i]
        if len(t.notes) or not len(t.lyrics):
            continue
        home = next((u for u in score.tracks if u.name == t.name and len(u.notes)), None)
        if home is None:
            continue
        add_lyrics(home, read_lyrics(t))
        score.tracks.pop(i)


def _check_timing(score: Score) -> None:
    """A division of 0 ticks per quarter or a tempo of 0 microseconds per quarter makes every
    tick-to-second conversion infinite: refused here, so the MIDI (not its audio) is blamed."""
    if score.tpq <= 0:
        raise MidiError(
            f"expected a positive number of ticks per quarter note in the header, got {score.tpq}"
        )
    for t in score.tempos:
        if t.mspq <= 0 or not math.isfinite(float(t.qpm)):
            raise MidiError(
                f"expected a positive tempo, got {t.mspq} microseconds per quarter at tick {t.time}"
            )
    # symusic holds ticks in 32 bits: deltas adding up past 2**31 wrap to negative times
    first, end = _note_span(score)
    if first < 0 or end < 0 or end > MAX_QUARTERS * score.tpq:
        raise MidiError(
            f"expected notes within {MAX_QUARTERS} quarter notes of the start (about 9 hours "
            f"at 120 bpm), got "
            + (
                "delta times adding up past 2**31 ticks"
                if first < 0 or end < 0
                else f"a note ending at quarter {end / score.tpq:.0f}"
            )
        )


def _note_span(score: Score) -> tuple[int, int]:
    """The earliest note start and the latest note end, in ticks ((0, 0) without notes)."""
    first, end = 0, 0
    for track in score.tracks:
        if len(track.notes):
            n = track.notes.numpy()
            first = min(first, int(n["time"].min()))
            end = max(end, int((n["time"].astype(np.int64) + n["duration"]).max()))
    return first, end


def score_bytes(score: Score) -> bytes:
    return bytes(score.dumps_midi())


def write_score(score: Score, path: str | os.PathLike) -> Path:
    """Write a Score as a Standard MIDI File, atomically."""
    path = Path(path)
    write_bytes_atomic(path, score_bytes(score))
    return path


def new_score(
    bpm: float,
    time_signature: TimeSignature | str = "4/4",
    key: Key | str | None = None,
    *,
    tpq: int = TPQ,
) -> Score:
    """An empty tick-based Score carrying a tempo, time signature and (optionally) key."""
    ts = TimeSignature.parse(time_signature)
    score = Score(tpq)
    score.tempos.append(Tempo(time=0, qpm=float(bpm)))
    score.time_signatures.append(
        SymTimeSignature(time=0, numerator=ts.numerator, denominator=ts.denominator)
    )
    if key is not None:
        k = Key.parse(key)
        score.key_signatures.append(
            KeySignature(time=0, key=k.sharps, tonality=1 if k.is_minor else 0)
        )
    return score


def add_track(score: Score, name: str, *, program: int = 0, is_drum: bool = False) -> Track:
    track = Track(name=name, program=program, is_drum=is_drum)
    score.tracks.append(track)
    return score.tracks[-1]


def append_notes(track: Track, notes: Iterable[Note]) -> None:
    """Append the project's notes to a symusic track, in the order given."""
    for n in notes:
        track.notes.append(n.to_symusic())


# --- lyric meta events -------------------------------------------------------------------------
#: The lyric of a note that continues the syllable before it (a melisma): a lone "-", as vocal
#: synthesizers that import Standard MIDI lyrics read it (Synthesizer V, Vocaloid, UTAU and
#: ACE Studio all take "-" as "hold the previous vowel"). A syllable that continues its word
#: ends in "-" ("lad-", "der"), the karaoke (.kar) and MusicXML convention.
MELISMA = "-"
LYRIC_TOLERANCE = 0.25  # quarters: how far a performed onset may sit from its lyric's grid time
STRUCK_TOGETHER = 0.09  # quarters: notes this close are one onset (a doubling, spread)


def add_lyrics(track: Track, events: Iterable[tuple[int, str]]) -> None:
    """Lyric meta events (type 5, written on the note's own track) at the given ticks."""
    for time, text in events:
        track.lyrics.append(TextMeta(time=int(time), text=str(text)))


def read_lyrics(track: Track) -> list[tuple[int, str]]:
    """A track's lyric events as (tick, text), in time order."""
    return sorted(((int(e.time), str(e.text)) for e in track.lyrics), key=lambda e: e[0])


def align_lyrics(score: Score) -> None:
    """Every lyric moved onto the onset of the note it was written for, and every note onset
    of a track with lyrics given one: a note a variation or the performance added continues the
    syllable before it (``MELISMA``). Why: humanized timing moves notes off the grid the lyrics
    were written on, and a reader (a vocal synth, music21) pairs a lyric with the note that
    starts at its tick. Notes struck within ``STRUCK_TOGETHER`` of each other (an octave
    doubling, spread by the performance) are one sung onset, the first of them (the tick a
    reader such as music21 gives the chord it makes of them)."""
    tpq = score.ticks_per_quarter
    tol, together = round(LYRIC_TOLERANCE * tpq), round(STRUCK_TOGETHER * tpq)
    for track in score.tracks:
        if not len(track.lyrics) or not len(track.notes):
            continue
        onsets = _sung_onsets(track, together)
        placed: dict[int, str] = {}
        for time, text in read_lyrics(track):
            free = [o for o in onsets if abs(o - time) <= tol and o not in placed]
            if free:
                placed[min(free, key=lambda o: (abs(o - time), o))] = text
        first = min(placed) if placed else None
        for o in onsets:
            if o not in placed and first is not None and o > first:
                placed[o] = MELISMA
        track.lyrics.clear()
        add_lyrics(track, sorted(placed.items()))


def _sung_onsets(track: Track, together: int) -> list[int]:
    """One onset per group of notes struck together: the first."""
    notes = sorted((int(n.time), int(n.pitch)) for n in track.notes)
    out: list[int] = []
    group: list[tuple[int, int]] = []
    for t, p in notes:
        if group and t - group[0][0] > together:
            out.append(group[0][0])
            group = []
        group.append((t, p))
    if group:
        out.append(group[0][0])
    return out


@dataclass(frozen=True)
class TempoMap:
    """Tempo changes as (seconds, ticks, qpm), sorted; answers tempo and tick/second queries."""

    tpq: int
    seconds: tuple[float, ...]
    ticks: tuple[int, ...]
    qpm: tuple[float, ...]

    @classmethod
    def of(cls, score: Score) -> TempoMap:
        tempos = sorted(score.tempos, key=lambda t: t.time)
        if not tempos or tempos[0].time > 0:
            tempos = [Tempo(time=0, qpm=120.0), *tempos]  # the MIDI default until the first event
        secs, ticks, qpms = [], [], []
        t_sec = 0.0
        for i, t in enumerate(tempos):
            if i:
                prev = tempos[i - 1]
                t_sec += (t.time - prev.time) / score.tpq * 60.0 / prev.qpm
            if ticks and ticks[-1] == t.time:  # two events at one tick: the later wins
                secs[-1], qpms[-1] = t_sec, float(t.qpm)
                continue
            secs.append(t_sec)
            ticks.append(int(t.time))
            qpms.append(float(t.qpm))
        return cls(score.tpq, tuple(secs), tuple(ticks), tuple(qpms))

    def qpm_at(self, seconds: float) -> float:
        i = bisect.bisect_right(self.seconds, seconds + 1e-9) - 1
        return self.qpm[max(i, 0)]

    def tick_to_seconds(self, tick: float) -> float:
        i = max(bisect.bisect_right(self.ticks, tick) - 1, 0)
        return self.seconds[i] + (tick - self.ticks[i]) / self.tpq * 60.0 / self.qpm[i]

    def seconds_to_tick(self, seconds: float) -> float:
        i = max(bisect.bisect_right(self.seconds, seconds) - 1, 0)
        return self.ticks[i] + (seconds - self.seconds[i]) * self.qpm[i] / 60.0 * self.tpq


def time_signature_at(score: Score, tick: int) -> TimeSignature:
    current = TimeSignature(4, 4)
    for ts in sorted(score.time_signatures, key=lambda t: t.time):
        if ts.time > tick:
            break
        current = TimeSignature(int(ts.numerator), int(ts.denominator))
    return current
