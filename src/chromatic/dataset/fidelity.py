"""Fidelity of the built media: does each segment's stored audio and MIDI decode into what its
row describes?

Audio must decode at 8-96 kHz, last the row's duration (within 0.5 s), hold only finite samples
and peak at most 2.0. MIDI must parse and hold notes with pitches 0-127, and must start at the
tempo the *source* file has at the segment's start: a slicer that loses the tempo map gives later
segments the wrong tempo, so the slice is compared with the catalog's MIDI file itself when it is reachable,
and only otherwise with the tempo recorded in the row at build time (which a build that lost the
tempo would have recorded wrong too).

Media is read one song at a time, so memory stays flat however many rows are checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chromatic.errors import ChromaticError, MidiError
from chromatic.segments.build import MEDIA_DIR

SAMPLE_RATE_MIN, SAMPLE_RATE_MAX = 8000, 96000
DURATION_TOLERANCE_S = 0.5
PEAK_MAX = 2.0
#: A tempo written to MIDI is rounded to whole microseconds per quarter note; 0.01 qpm is far
#: above that rounding and far below any real tempo change.
TEMPO_TOLERANCE_QPM = 0.01


@dataclass(frozen=True)
class Failure:
    segment_id: str
    check: str  # "audio" | "midi" | "media"
    reason: str

    def to_json(self) -> dict:
        return {"segment_id": self.segment_id, "check": self.check, "reason": self.reason}


@dataclass
class Fidelity:
    selected: int = 0
    of: int = 0  # rows that matched the filters
    sampled: bool = False
    seed: int | None = None
    audio_checked: int = 0
    midi_checked: int = 0
    tempo_from_source: int = 0  # slices compared with the catalog's MIDI file
    tempo_from_row: int = 0  # slices compared with the tempo recorded at build time
    failures: list[Failure] = field(default_factory=list)

    @property
    def failed_segments(self) -> int:
        return len({f.segment_id for f in self.failures})

    @property
    def passed(self) -> int:
        return self.selected - self.failed_segments

    def to_json(self) -> dict:
        return {
            "selected": self.selected,
            "of": self.of,
            "sampled": self.sampled,
            "seed": self.seed,
            "passed": self.passed,
            "failed": self.failed_segments,
            "audio_checked": self.audio_checked,
            "midi_checked": self.midi_checked,
            "tempo_from_source": self.tempo_from_source,
            "tempo_from_row": self.tempo_from_row,
            "failures": [f.to_json() for f in self.failures],
        }


def check_audio(flac: bytes | None, expected_seconds: float) -> list[str]:
    """Why a segment's FLAC bytes are not the audio the row describes (empty: it is)."""
    from chromatic.segments.slicing import decode_flac

    if not flac:
        return ["no audio bytes in the media file"]
    try:
        samples, sr = decode_flac(flac)
    except Exception as e:  # soundfile raises its own error types on corrupt input
        return [f"audio does not decode: {getattr(e, 'error_string', None) or e}"]
    problems = []
    if not SAMPLE_RATE_MIN <= sr <= SAMPLE_RATE_MAX:
        problems.append(f"sample rate {sr} Hz outside {SAMPLE_RATE_MIN}-{SAMPLE_RATE_MAX}")
    seconds = len(samples) / sr if sr else 0.0
    if abs(seconds - expected_seconds) > DURATION_TOLERANCE_S:
        problems.append(f"decoded {seconds:.3f} s, the row says {expected_seconds:.3f} s")
    finite = np.isfinite(samples)
    if not finite.all():
        problems.append(f"{int((~finite).sum())} NaN/Inf samples")
    peak = float(np.abs(samples[finite]).max()) if finite.any() else 0.0
    if peak > PEAK_MAX:
        problems.append(f"peak {peak:.3f} above {PEAK_MAX}")
    return problems


def check_midi(midi: bytes | None, expected_qpm: float | None) -> list[str]:
    """Why a segment's MIDI bytes are not a usable slice (empty: they are). ``expected_qpm`` is
    the source's tempo at the segment start (None: not compared)."""
    from chromatic.music.midi import TempoMap, load_score

    if not midi:
        return ["no MIDI bytes in the media file"]
    try:
        score = load_score(midi)
    except MidiError as e:
        return [f"MIDI does not parse: {e.detail}"]
    problems = []
    if not score.note_num():
        problems.append("MIDI has no notes")
    # pitches are 7-bit in a MIDI file; this guards against a parser or writer that wraps them
    pitches = [t.notes.numpy()["pitch"].astype(np.int64) for t in score.tracks if len(t.notes)]
    bad = sum(int(((p < 0) | (p > 127)).sum()) for p in pitches)
    if bad:
        problems.append(f"{bad} note(s) with pitch outside 0-127")
    if expected_qpm is not None:
        got = TempoMap.of(score).qpm_at(0.0)
        if abs(got - expected_qpm) > TEMPO_TOLERANCE_QPM:
            problems.append(
                f"tempo {got:.3f} qpm at the slice start, the source has {expected_qpm:.3f}"
            )
    return problems


class SourceTempos:
    """The tempo of a catalog MIDI file at a time, each file parsed once. Unreadable or missing
    sources answer None (the caller falls back to the tempo recorded in the row)."""

    def __init__(self, catalog: Path | None):
        self.catalog = catalog
        self._maps: dict[tuple[str, str], object] = {}

    def qpm_at(self, song: str, midi_source: str | None, seconds: float) -> float | None:
        from chromatic.music.midi import TempoMap, load_score

        if self.catalog is None or not midi_source:
            return None
        key = (song, midi_source)
        if key not in self._maps:
            path = self.catalog / song / midi_source
            try:
                self._maps[key] = TempoMap.of(load_score(path)) if path.is_file() else None
            except ChromaticError:
                self._maps[key] = None
        tm = self._maps[key]
        return tm.qpm_at(seconds) if tm is not None else None


def media_by_song(
    data: Path, rows: Sequence[Mapping]
) -> Iterator[tuple[list[Mapping], dict[str, dict] | None, str | None]]:
    """(rows of one song, their media or None, why not) — one song's media in memory at a time."""
    from chromatic.segments.build import read_media

    by_song: dict[str, list[Mapping]] = {}
    for r in rows:
        by_song.setdefault(r["song_id"], []).append(r)
    for song in sorted(by_song):
        song_rows = by_song[song]
        path = data / MEDIA_DIR / f"{song}.parquet"
        if not path.is_file():
            yield song_rows, None, f"media file {path} not found"
            continue
        try:
            media = read_media(data, song, [r["segment_id"] for r in song_rows])
        except Exception as e:  # a truncated or foreign parquet file
            yield song_rows, None, f"cannot read {path}: {type(e).__name__}: {e}"
            continue
        yield song_rows, media, None


def check_fidelity(data: Path, rows: Sequence[Mapping], catalog: Path | None) -> Fidelity:
    """Decode and check the media of ``rows``; every problem becomes a ``Failure``."""
    fid = Fidelity(selected=len(rows))
    tempos = SourceTempos(catalog)
    for song_rows, media, why_not in media_by_song(data, rows):
        for row in song_rows:
            sid = row["segment_id"]
            if media is None or sid not in media:
                fid.failures.append(
                    Failure(sid, "media", why_not or "no media row for this segment")
                )
                continue
            m = media[sid]
            if row["has_audio"]:
                fid.audio_checked += 1
                for reason in check_audio(m["audio_flac"], row["duration_seconds"]):
                    fid.failures.append(Failure(sid, "audio", reason))
            if row["has_midi"]:
                fid.midi_checked += 1
                expected = tempos.qpm_at(row["song_id"], row["midi_source"], row["start_seconds"])
                if expected is not None:
                    fid.tempo_from_source += 1
                else:
                    expected = row["midi_qpm"]
                    fid.tempo_from_row += expected is not None
                for reason in check_midi(m["midi"], expected):
                    fid.failures.append(Failure(sid, "midi", reason))
    return fid
