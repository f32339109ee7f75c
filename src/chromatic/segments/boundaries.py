"""Segmentation: where a song's training segments begin and end. Pure functions over a
manifest's structure and LRC lines; no media is touched here.

Rules (FORMATS.md §3):

- With LRC, each lyric line runs to the next line's start; the last line runs to the end of its
  section (or of the audio when no section holds it); a last line sung within a second of its
  section's end runs on to the end of the next section.
- A boundary within ``SNAP_SECONDS`` of a structure boundary snaps to it. A line's start only
  snaps *back* (to a boundary at or before the line, after the previous line), so every line's
  timestamp stays inside its own segment; the end of a segment is the next segment's start.
- The time before the first lyric line and after the last line's segment is covered by the
  structure sections there, as instrumental segments (lyric text empty): an intro is training
  data too.
- Without LRC, each structure section is a segment.
- A segment longer than ``MAX_SECONDS`` is split into equal windows that overlap by
  ``OVERLAP_SECONDS`` (never a sliver of a last window).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SNAP_SECONDS = 2.0
MAX_SECONDS = 30.0
OVERLAP_SECONDS = 2.0
MIN_SECONDS = 0.05  # shorter spans (duplicate timestamps, snapping) are not segments
MIN_LAST_LINE_SECONDS = 1.0


@dataclass(frozen=True)
class Span:
    """A section of the structure, in seconds."""

    name: str
    start: float
    end: float


@dataclass(frozen=True)
class TimedLine:
    time: float
    text: str


@dataclass(frozen=True)
class SegmentSpec:
    index: int  # 0-based, in time order
    start: float
    end: float
    section: str
    lyric: str  # "" for instrumental segments
    source: str  # "lrc" | "structure"
    window: int = 0  # position within a split segment
    windows: int = 1

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def has_lyric(self) -> bool:
        return bool(self.lyric)


def clean_sections(sections: Sequence[Span], song_end: float) -> list[Span]:
    """Sections sorted by start, clipped to the song, without zero/negative lengths."""
    out = []
    for s in sorted(sections, key=lambda s: (s.start, s.end)):
        end = min(s.end, song_end)
        if end - s.start >= MIN_SECONDS:
            out.append(Span(s.name, s.start, end))
    return out


def section_at(sections: Sequence[Span], t: float) -> Span | None:
    for s in sections:
        if s.start <= t < s.end:
            return s
    return None


def split_windows(
    start: float, end: float, max_len: float = MAX_SECONDS, overlap: float = OVERLAP_SECONDS
) -> list[tuple[float, float]]:
    """Equal windows of at most ``max_len`` covering [start, end], consecutive ones overlapping
    by exactly ``overlap``."""
    length = end - start
    if length <= max_len:
        return [(start, end)]
    n = math.ceil((length - overlap) / (max_len - overlap))
    width = (length + (n - 1) * overlap) / n
    step = width - overlap
    out = [(start + k * step, start + k * step + width) for k in range(n)]
    out[-1] = (out[-1][0], end)  # exact end despite float error
    return out


def _boundaries(sections: Sequence[Span]) -> list[float]:
    return sorted({b for s in sections for b in (s.start, s.end)})


def _snap_back(t: float, floor: float, bounds: Sequence[float], snap: float) -> float:
    """The nearest boundary in (floor, t] within ``snap`` seconds of t, else t."""
    best = t
    for b in bounds:
        if floor < b <= t and t - b <= snap and (best == t or t - b < t - best):
            best = b
    return best


def _structure_pieces(
    sections: Sequence[Span], start: float, end: float
) -> list[tuple[float, float, str]]:
    """The parts of sections that lie inside [start, end]."""
    out = []
    for s in sections:
        a, b = max(s.start, start), min(s.end, end)
        if b - a >= MIN_SECONDS:
            out.append((a, b, s.name))
    return out


def segment_song(
    sections: Sequence[Span],
    lines: Sequence[TimedLine] | None,
    song_end: float,
    *,
    snap: float = SNAP_SECONDS,
    max_len: float = MAX_SECONDS,
    overlap: float = OVERLAP_SECONDS,
) -> list[SegmentSpec]:
    """Segments of one song, in time order, each at most ``max_len`` long."""
    secs = clean_sections(sections, song_end)
    raw: list[tuple[float, float, str, str, str]] = []  # start, end, section, lyric, source
    lines = sorted((ln for ln in (lines or []) if 0 <= ln.time < song_end), key=lambda ln: ln.time)
    if lines:
        bounds = _boundaries(secs)
        starts: list[float] = []
        prev_time = -math.inf
        for ln in lines:
            s = _snap_back(ln.time, prev_time, bounds, snap)
            if starts and s <= starts[-1]:
                s = ln.time  # never collapse onto the previous line's start
            starts.append(s)
            prev_time = ln.time
        last = lines[-1]
        own = section_at(secs, last.time)
        last_end = own.end if own is not None else song_end
        if last_end - last.time < MIN_LAST_LINE_SECONDS:
            # a line sung right at its section's end carries on into the next section
            nxt = section_at(secs, last_end)
            last_end = nxt.end if nxt is not None else song_end
        ends = [*starts[1:], min(last_end, song_end)]
        # instrumental structure before the first line
        for a, b, name in _structure_pieces(secs, 0.0, starts[0]):
            raw.append((a, b, name, "", "structure"))
        pending_text: list[str] = []
        for ln, s, e in zip(lines, starts, ends, strict=True):
            text = " / ".join([*pending_text, ln.text]) if pending_text else ln.text
            if e - s < MIN_SECONDS:  # duplicate timestamps: the text joins the next line
                pending_text.append(ln.text)
                continue
            pending_text = []
            sec = section_at(secs, ln.time) or section_at(secs, s)
            raw.append((s, e, sec.name if sec else "", text, "lrc"))
        # instrumental structure after the last line's segment
        for a, b, name in _structure_pieces(secs, ends[-1], song_end):
            raw.append((a, b, name, "", "structure"))
    else:
        for s in secs:
            raw.append((s.start, s.end, s.name, "", "structure"))
    raw.sort(key=lambda r: r[0])
    out: list[SegmentSpec] = []
    for start, end, section, lyric, source in raw:
        windows = split_windows(start, end, max_len, overlap)
        for k, (a, b) in enumerate(windows):
            out.append(
                SegmentSpec(
                    len(out), round(a, 6), round(b, 6), section, lyric, source, k, len(windows)
                )
            )
    return out


def spans_of_manifest(manifest) -> list[Span]:
    return [Span(s.section_name, s.start, s.end) for s in manifest.structure]


def lines_of_lrc(lrc) -> list[TimedLine]:
    return [TimedLine(ln.time, ln.text) for ln in lrc.lines] if lrc is not None else []
