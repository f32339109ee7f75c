"""Cutting one segment's window out of a track's audio and MIDI.

MIDI slices keep what a listener would hear at the window start: the tempo, time signature and
key in force there (and every change inside the window), and notes that cross a window edge
are clipped to it, never dropped or left without their note-on or note-off. Working in ticks
through the full tempo map is what makes a type-1 file's tempo track apply to every track.

Audio slices are range reads (seek + read): a segment never decodes the whole file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import soundfile as sf
from symusic import KeySignature, Note, Score, Tempo, Track
from symusic import TimeSignature as SymTimeSignature

from chromatic.music.midi import TempoMap

SILENCE_DBFS = -40.0


def _in_force(events, tick: int):
    current = None
    for ev in events:
        if ev.time > tick:
            break
        current = ev
    return current


def slice_midi(score: Score, start: float, end: float) -> Score:
    """The part of a tick-based Score between ``start`` and ``end`` seconds, re-based to 0."""
    tm = TempoMap.of(score)
    t0 = round(tm.seconds_to_tick(start))
    t1 = round(tm.seconds_to_tick(end))
    out = Score(score.tpq)
    tempos = sorted(score.tempos, key=lambda t: t.time)
    first = _in_force(tempos, t0)
    out.tempos.append(Tempo(time=0, qpm=float(first.qpm) if first is not None else 120.0))
    out.tempos.extend(
        Tempo(time=int(t.time) - t0, qpm=float(t.qpm)) for t in tempos if t0 < t.time < t1
    )
    sigs = sorted(score.time_signatures, key=lambda t: t.time)
    ts = _in_force(sigs, t0)
    if ts is not None:
        out.time_signatures.append(
            SymTimeSignature(time=0, numerator=ts.numerator, denominator=ts.denominator)
        )
    out.time_signatures.extend(
        SymTimeSignature(time=int(s.time) - t0, numerator=s.numerator, denominator=s.denominator)
        for s in sigs
        if t0 < s.time < t1
    )
    keys = sorted(score.key_signatures, key=lambda k: k.time)
    ks = _in_force(keys, t0)
    if ks is not None:
        out.key_signatures.append(KeySignature(time=0, key=ks.key, tonality=ks.tonality))
    out.key_signatures.extend(
        KeySignature(time=int(k.time) - t0, key=k.key, tonality=k.tonality)
        for k in keys
        if t0 < k.time < t1
    )
    for track in score.tracks:
        new = Track(name=track.name, program=track.program, is_drum=track.is_drum)
        if len(track.notes):
            arr = track.notes.numpy()
            on = arr["time"].astype(np.int64)
            off = on + arr["duration"].astype(np.int64)
            keep = (on < t1) & (off > t0) | ((on >= t0) & (on < t1))  # zero-length notes inside
            a = np.maximum(on[keep], t0) - t0
            b = np.minimum(np.maximum(off[keep], on[keep]), t1) - t0
            for s, e, p, v in zip(a, b, arr["pitch"][keep], arr["velocity"][keep], strict=True):
                new.notes.append(
                    Note(time=int(s), duration=int(max(e - s, 0)), pitch=int(p), velocity=int(v))
                )
        if len(new.notes):
            out.tracks.append(new)
    return out


@dataclass
class AudioSlice:
    samples: np.ndarray  # mono float32
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0

    @property
    def rms_dbfs(self) -> float:
        if not len(self.samples):
            return -np.inf
        rms = float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64))))
        return 20 * np.log10(rms) if rms > 0 else -np.inf

    @property
    def silent(self) -> bool:
        return self.rms_dbfs < SILENCE_DBFS

    def flac_bytes(self) -> bytes:
        buf = io.BytesIO()
        sf.write(
            buf, np.clip(self.samples, -1.0, 1.0), self.sample_rate, format="FLAC", subtype="PCM_16"
        )
        return buf.getvalue()


def read_audio_slice(handle: sf.SoundFile, start: float, end: float) -> AudioSlice:
    """Read [start, end) seconds from an open file (a seek and a read), mixed to mono."""
    sr = handle.samplerate
    a = max(0, round(start * sr))
    b = min(handle.frames, round(end * sr))
    if b <= a:
        return AudioSlice(np.zeros(0, dtype=np.float32), sr)
    handle.seek(a)
    data = handle.read(b - a, dtype="float32", always_2d=True)
    return AudioSlice(data.mean(axis=1).astype(np.float32), sr)


def decode_flac(data: bytes) -> tuple[np.ndarray, int]:
    samples, sr = sf.read(io.BytesIO(data), dtype="float32")
    return samples, sr
