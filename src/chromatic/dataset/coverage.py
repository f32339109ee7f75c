"""How much of each color the segments table covers: segment rows, and the share of them that
carry audio, MIDI and a lyric; per song, how many distinct segments it was cut into.

One computation serves ``chromatic verify`` (table, JSON, chart) and the dataset card of
``chromatic dataset export``, so the numbers a user checks locally are the ones published.
Every album color is listed even when it has no rows: a color that vanished from the data is
exactly what a coverage report must show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chromatic.taxonomy import ALBUM_COLORS, COLORS, parse_color

#: A song cut into fewer distinct segments than this is flagged (too little to learn from).
MIN_SEGMENTS_PER_SONG = 3
#: The columns of the segments table that coverage reads.
COVERAGE_COLUMNS = (
    "song_id",
    "title",
    "color",
    "segment_index",
    "has_audio",
    "has_midi",
    "has_lyric",
)


@dataclass(frozen=True)
class ColorCoverage:
    """Counts of segment rows of one color (or of all colors, ``color == "all"``)."""

    color: str
    mnemonic: str
    hex: str
    songs: int
    segments: int
    audio: int
    midi: int
    lyric: int

    def _pct(self, n: int) -> float | None:
        return round(100.0 * n / self.segments, 2) if self.segments else None

    @property
    def audio_pct(self) -> float | None:
        return self._pct(self.audio)

    @property
    def midi_pct(self) -> float | None:
        return self._pct(self.midi)

    @property
    def lyric_pct(self) -> float | None:
        return self._pct(self.lyric)

    def to_json(self) -> dict:
        return {
            "color": self.color,
            "mnemonic": self.mnemonic,
            "hex": self.hex,
            "songs": self.songs,
            "segments": self.segments,
            "audio": self.audio,
            "midi": self.midi,
            "lyric": self.lyric,
            "audio_pct": self.audio_pct,
            "midi_pct": self.midi_pct,
            "lyric_pct": self.lyric_pct,
        }


@dataclass(frozen=True)
class SongCoverage:
    song_id: str
    color: str
    title: str
    segments: int  # distinct segment_index values (a segment holds one row per track)
    rows: int

    @property
    def short(self) -> bool:
        return self.segments < MIN_SEGMENTS_PER_SONG

    def to_json(self) -> dict:
        return {
            "song_id": self.song_id,
            "color": self.color,
            "title": self.title,
            "segments": self.segments,
            "rows": self.rows,
        }


@dataclass
class Coverage:
    colors: list[ColorCoverage]
    total: ColorCoverage
    songs: list[SongCoverage] = field(default_factory=list)

    @property
    def short_songs(self) -> list[SongCoverage]:
        return [s for s in self.songs if s.short]

    def to_json(self) -> dict:
        return {
            "colors": [c.to_json() for c in self.colors],
            "total": self.total.to_json(),
            "min_segments_per_song": MIN_SEGMENTS_PER_SONG,
            "short_songs": [s.to_json() for s in self.short_songs],
            "songs": [s.to_json() for s in self.songs],
        }


def coverage_of(
    rows: Iterable[Mapping],
    *,
    known_songs: Mapping[str, tuple[str, str]] | None = None,
    colors: Iterable[str] | None = None,
) -> Coverage:
    """Coverage of segment rows (mappings with ``COVERAGE_COLUMNS``).

    ``known_songs`` ({song_id: (color, title)}, from the tracks table) adds songs that have no
    segment rows at all, with 0 segments; ``colors`` limits the color list (default: every
    album color plus any other color present).
    """
    per_color: dict[str, dict] = {}
    per_song: dict[str, dict] = {}
    for r in rows:
        c = per_color.setdefault(
            r["color"], {"songs": set(), "segments": 0, "audio": 0, "midi": 0, "lyric": 0}
        )
        c["songs"].add(r["song_id"])
        c["segments"] += 1
        c["audio"] += bool(r["has_audio"])
        c["midi"] += bool(r["has_midi"])
        c["lyric"] += bool(r["has_lyric"])
        s = per_song.setdefault(
            r["song_id"],
            {"color": r["color"], "title": r["title"] or "", "indices": set(), "rows": 0},
        )
        s["indices"].add(r["segment_index"])
        s["rows"] += 1
    for song, (color, title) in (known_songs or {}).items():
        per_song.setdefault(
            song, {"color": color, "title": title or "", "indices": set(), "rows": 0}
        )
        per_color.setdefault(
            color, {"songs": set(), "segments": 0, "audio": 0, "midi": 0, "lyric": 0}
        )
    if colors is None:
        present = {parse_color(name) for name in per_color}
        listed = [c for c in COLORS if c in ALBUM_COLORS or c in present]
    else:
        listed = [parse_color(c) for c in colors]
    empty = {"songs": set(), "segments": 0, "audio": 0, "midi": 0, "lyric": 0}
    out = []
    for color in listed:
        c = per_color.get(color.name, empty)
        out.append(
            ColorCoverage(
                color.name,
                color.mnemonic,
                color.hex,
                len(c["songs"]),
                c["segments"],
                c["audio"],
                c["midi"],
                c["lyric"],
            )
        )
    wanted = {c.name for c in listed}
    total = ColorCoverage(
        "all",
        "",
        "",
        sum(c.songs for c in out),
        sum(c.segments for c in out),
        sum(c.audio for c in out),
        sum(c.midi for c in out),
        sum(c.lyric for c in out),
    )
    songs = [
        SongCoverage(song, s["color"], s["title"], len(s["indices"]), s["rows"])
        for song, s in sorted(per_song.items())
        if s["color"] in wanted
    ]
    return Coverage(out, total, songs)


def _dark(hex_color: str) -> bool:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b < 110


def write_coverage_chart(
    cov: Coverage, path: str | Path, *, title: str = "Segment coverage per color"
) -> Path:
    """A PNG of audio / MIDI / lyric % per color (bars in the color's own hex, told apart by
    hatching) above the segment count per color. Written atomically."""
    from matplotlib.figure import Figure  # a bare Figure needs no GUI backend (Agg renders it)

    from chromatic.fileio import atomic_path

    colors = cov.colors
    names = [c.color for c in colors]
    x = list(range(len(colors)))
    fig = Figure(figsize=(max(6.0, 1.1 * len(colors) + 2), 7.0), dpi=100)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    width = 0.26
    kinds = (("audio", "audio_pct", ""), ("MIDI", "midi_pct", "//"), ("lyric", "lyric_pct", ".."))
    for k, (label, attr, hatch) in enumerate(kinds):
        values = [getattr(c, attr) or 0.0 for c in colors]
        bars = top.bar(
            [i + (k - 1) * width for i in x],
            values,
            width,
            color=[c.hex for c in colors],
            edgecolor="#555555",
            hatch=hatch,
            label=label,
        )
        for patch, c in zip(bars, colors, strict=True):  # hatching visible on dark colors too
            patch.set_hatchcolor("#cccccc" if _dark(c.hex) else "#444444")
    top.set_ylim(0, 105)
    top.set_ylabel("% of segment rows")
    top.set_title(title)
    legend = top.legend(loc="upper right", fontsize="small")
    for handle in legend.legend_handles:  # the legend tells kinds apart by hatch, not by color
        handle.set_facecolor("#dddddd")
        handle.set_hatchcolor("#444444")
    counts = [c.segments for c in colors]
    bars = bottom.bar(x, counts, 0.6, color=[c.hex for c in colors], edgecolor="#555555")
    bottom.bar_label(bars, fontsize="small")
    bottom.set_ylabel("segment rows")
    bottom.set_xticks(x, names)
    bottom.set_ylim(0, max([*counts, 1]) * 1.2)
    fig.tight_layout()
    out = Path(path)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png")
    return out
