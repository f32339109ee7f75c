"""``chromatic verify``: is the built dataset what it claims to be?

Two questions. Coverage: how many segment rows each color has, and how many of them carry
audio, MIDI and a lyric (``coverage.py``). Fidelity: for the selected rows, does the stored
media decode into what the row describes (``fidelity.py``)? A large table is checked on a
seeded random sample, so a rerun checks the same rows; ``--extract`` writes the checked
segments as WAV, MID and JSON files so a human can listen to what the numbers say.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from chromatic.catalog.tracks import TRACKS_FILE
from chromatic.dataset.coverage import COVERAGE_COLUMNS, Coverage, coverage_of, write_coverage_chart
from chromatic.dataset.fidelity import Fidelity, check_fidelity, media_by_song
from chromatic.errors import ChromaticError, DatasetError
from chromatic.segments.build import SEGMENTS_FILE

CHART_FILE = "verify/coverage.png"
#: Without ``--random``, every selected row is checked up to this many; above, a seeded sample.
DEFAULT_SAMPLE = 200


@dataclass
class VerifyReport:
    data: Path
    filters: dict
    coverage: Coverage
    fidelity: Fidelity
    catalog: Path | None
    chart: Path | None = None
    extracted: int = 0
    extract_dir: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.fidelity.failures

    def to_json(self) -> dict:
        return {
            "data": str(self.data),
            "filters": self.filters,
            "catalog": str(self.catalog) if self.catalog else None,
            "ok": self.ok,
            "coverage": self.coverage.to_json(),
            "fidelity": self.fidelity.to_json(),
            "chart": str(self.chart) if self.chart else None,
            "extract_dir": str(self.extract_dir) if self.extract_dir else None,
            "extracted": self.extracted,
        }


def read_segments(data: Path) -> list[dict]:
    path = data / SEGMENTS_FILE
    if not path.is_file():
        raise DatasetError(
            f"{path} not found; run 'chromatic segments build CATALOG --data {data}' first"
        )
    from chromatic.segments.inputs import require_segments_fresh

    require_segments_fresh(data, DatasetError)
    return pq.read_table(path).to_pylist()


def known_songs(data: Path) -> dict[str, tuple[str, str]]:
    """{song_id: (color, title)} of every song of the tracks table (empty when there is none)."""
    path = data / TRACKS_FILE
    if not path.is_file():
        return {}
    rows = pq.read_table(path, columns=["song_id", "color", "title"]).to_pylist()
    return {r["song_id"]: (r["color"], r["title"]) for r in rows}


def catalog_of(data: Path) -> Path | None:
    """The catalog the tracks table was built from, when it is still there."""
    from chromatic.catalog.tracks import read_build_meta

    path = data / TRACKS_FILE
    if not path.is_file():
        return None
    try:
        catalog = read_build_meta(path).get("catalog")
    except ChromaticError:
        return None
    return Path(catalog) if catalog and Path(catalog).is_dir() else None


def color_name(value: str) -> str:
    """The taxonomy name of a color given by mnemonic, name or prefix ("G", "green", "05")."""
    from chromatic.taxonomy import ColorError, parse_color

    try:
        return parse_color(value).name
    except ColorError as e:
        raise DatasetError(str(e), field="--color") from None


def filter_rows(
    rows: Sequence[Mapping], *, color: str | None = None, song: str | None = None
) -> list[Mapping]:
    """Rows of one color (mnemonic or name) and/or one song; an unknown color or a song without
    rows is an error."""
    out = list(rows)
    if color:
        name = color_name(color)
        out = [r for r in out if r["color"] == name]
    if song:
        out = [r for r in out if r["song_id"] == song]
        if not out:
            raise DatasetError(
                f"no segment rows for song {song!r}" + (f" of color {color!r}" if color else ""),
                field="--song",
            )
    return out


def select_rows(
    rows: Sequence[Mapping], *, random_n: int | None = None, seed: int = 0, all_rows: bool = False
) -> tuple[list[Mapping], bool]:
    """The rows to check and whether they are a sample: all of them when asked or when few,
    else ``random_n`` (default ``DEFAULT_SAMPLE``) drawn with ``seed``, in segment order."""
    ordered = sorted(rows, key=lambda r: r["segment_id"])
    n = random_n if random_n is not None else (len(ordered) if all_rows else DEFAULT_SAMPLE)
    if n < 0:
        raise DatasetError(f"expected a sample size >= 0, got {n}", field="--random")
    if n >= len(ordered):
        return ordered, False
    picked = random.Random(seed).sample(range(len(ordered)), n)
    return [ordered[i] for i in sorted(picked)], True


def extract_segments(data: Path, rows: Sequence[Mapping], out: Path) -> int:
    """Write ``<segment_id>.wav`` / ``.mid`` / ``.png`` (piano roll) / ``.json`` for each row, to
    listen to and look at; returns
    how many segments were written. Media that does not decode is skipped (verify reports it)."""
    import soundfile as sf

    from chromatic.fileio import atomic_path, write_bytes_atomic, write_text_atomic
    from chromatic.segments.slicing import decode_flac

    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for song_rows, media, _ in media_by_song(data, rows):
        for row in song_rows:
            sid = row["segment_id"]
            m = (media or {}).get(sid)
            if m is None:
                continue
            if m["audio_flac"]:
                try:
                    samples, sr = decode_flac(m["audio_flac"])
                except Exception:  # undecodable audio: nothing to listen to (verify reports it)
                    pass
                else:
                    with atomic_path(out / f"{sid}.wav") as tmp:
                        sf.write(str(tmp), samples, sr, format="WAV", subtype="PCM_16")
            if m["midi"]:
                write_bytes_atomic(out / f"{sid}.mid", m["midi"])
                try:
                    from chromatic.music.pianoroll import piano_roll, save_roll_png

                    save_roll_png(
                        piano_roll(m["midi"]),
                        out / f"{sid}.png",
                        title=f"{sid}  ({row['section']})",
                    )
                except Exception:  # an unreadable slice: nothing to draw (verify reports it)
                    pass
            write_text_atomic(
                out / f"{sid}.json",
                json.dumps(dict(row), indent=2, ensure_ascii=False, default=str),
            )
            written += 1
    return written


def verify(
    data_dir: str | Path,
    *,
    color: str | None = None,
    song: str | None = None,
    random_n: int | None = None,
    seed: int = 0,
    all_rows: bool = False,
    catalog: str | Path | None = None,
    use_catalog: bool = True,
    extract: str | Path | None = None,
    chart: bool = True,
) -> VerifyReport:
    """Coverage of the (filtered) segments table, fidelity of the selected rows, the chart at
    ``DATA/verify/coverage.png`` and, with ``extract``, the selected segments as files.

    The source MIDI is looked up in ``catalog``, by default the catalog recorded in the tracks
    table; ``use_catalog=False`` compares with the tempo recorded in the rows instead.
    """
    data = Path(data_dir)
    rows = read_segments(data)
    picked = filter_rows(rows, color=color, song=song)
    songs = known_songs(data)
    if song:
        songs = {k: v for k, v in songs.items() if k == song}
    colors = None
    if color:
        colors = [color_name(color)]
        songs = {k: v for k, v in songs.items() if v[0] in colors}
    cov = coverage_of(
        ({k: r[k] for k in COVERAGE_COLUMNS} for r in picked), known_songs=songs, colors=colors
    )
    selected, sampled = select_rows(picked, random_n=random_n, seed=seed, all_rows=all_rows)
    source = None
    if use_catalog:
        source = Path(catalog) if catalog is not None else catalog_of(data)
        if source is not None and not source.is_dir():
            raise DatasetError(f"catalog folder {source} not found", field="--catalog")
    fid = check_fidelity(data, selected, source)
    fid.of, fid.sampled, fid.seed = len(picked), sampled, seed if sampled else None
    report = VerifyReport(
        data=data,
        filters={"color": color, "song": song, "random": random_n, "seed": seed, "all": all_rows},
        coverage=cov,
        fidelity=fid,
        catalog=source,
    )
    if chart:
        report.chart = write_coverage_chart(
            cov, data / CHART_FILE, title=f"Segment coverage per color: {data}"
        )
    if extract is not None:
        report.extract_dir = Path(extract)
        report.extracted = extract_segments(data, selected, report.extract_dir)
    return report
