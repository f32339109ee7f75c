"""``taste collect``: every decided candidate under production roots, as one parquet table.

A decision is a candidate whose ``status`` a human set to approved or rejected in a phase's
review.yml. The row keeps what the decision was made on and about: the song's facts (from the
review's song header), the candidate's MIDI bytes and their hash, the scores it showed at
decision time (composite, theory, chromatic match, taste), the verdict, label and notes, and
when (the review file's modification time: the file records no clock of its own).

The same candidate can be seen twice: a phase regenerated keeps a touched candidate, a song
folder copied to a second root holds the same files, and a regeneration can produce a MIDI
identical to one already decided. A decision is keyed by (song, phase, MIDI content), so it is
counted once, with its last decision (latest review file, then the later position in it).
Undecided (pending) candidates are left out. A review file that does not validate is reported
in one line and skipped: one bad song never stops the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from chromatic.errors import ChromaticError, TasteError
from chromatic.fileio import atomic_path, sha256_bytes
from chromatic.produce.folder import PHASES, PROPOSAL_FILE, REVIEW_FILE
from chromatic.produce.review import Candidate, ReviewFile, candidate_path, read_review

#: Column order of the decisions table (``midi`` holds the file's bytes).
COLUMNS = (
    "song_id",
    "title",
    "key",
    "bpm",
    "time_signature",
    "color",
    "phase",
    "section",
    "candidate_id",
    "status",
    "label",
    "notes",
    "composite",
    "theory",
    "chromatic_match",
    "taste",
    "midi_sha256",
    "midi",
    "decided_at",
    "review_file",
    "details",
)


@dataclass
class Collected:
    rows: list[dict]
    problems: list[str] = field(default_factory=list)
    reviews: int = 0
    pending: int = 0
    duplicates: int = 0


def song_id(song: dict) -> str:
    """A stable id for a song from the facts its review files share (title, key, meter,
    color): the same song in two roots or two phases gets one id, so it is one group."""
    text = "|".join(str(song.get(k, "")) for k in ("title", "key", "time_signature", "color"))
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def review_files(roots: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Every ``<folder>/<phase>/review.yml`` of every production folder (a folder holding
    proposal.yml) under the roots, in sorted order; symlinked folders are not followed."""
    for root in roots:
        base = Path(root)
        if not base.is_dir():
            raise TasteError(f"{base}: not a folder (expected a production root)")
        for proposal in sorted(base.rglob(PROPOSAL_FILE)):
            folder = proposal.parent
            for phase in PHASES:
                path = folder / phase / REVIEW_FILE
                if path.is_file() and not path.is_symlink():
                    yield path


def _row(review: ReviewFile, path: Path, index: int, cand: Candidate, when: str) -> dict:
    midi_path = candidate_path(path, index, cand.midi_file)
    data = midi_path.read_bytes()
    song = review.song.model_dump()
    chroma = cand.scores.chromatic
    extra = cand.scores.model_extra or {}
    return {
        "song_id": song_id(song),
        "title": song.get("title"),
        "key": str(song.get("key")),
        "bpm": float(song.get("bpm") or 0.0),
        "time_signature": str(song.get("time_signature")),
        "color": str(song.get("color")),
        "phase": review.phase,
        "section": str(cand.details.get("section") or ""),
        "candidate_id": cand.id,
        "status": cand.status,
        "label": cand.label,
        "notes": cand.notes,
        "composite": float(cand.scores.composite),
        "theory": float(cand.scores.theory.get("total", cand.scores.composite)),
        "chromatic_match": None if chroma is None else float(chroma.match),
        "taste": None if extra.get("taste") is None else float(extra["taste"]),
        "midi_sha256": sha256_bytes(data),
        "midi": data,
        "decided_at": when,
        "review_file": str(path),
        "details": json.dumps(cand.details, sort_keys=True, default=str),
    }


def _file_rows(path: Path, collected: Collected) -> list[dict]:
    review = read_review(path)
    when = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    rows = []
    for i, cand in enumerate(review.candidates):
        if cand.status == "pending":
            collected.pending += 1
            continue
        try:
            rows.append(_row(review, path, i, cand, when))
        except (OSError, ChromaticError) as e:
            collected.problems.append(f"{path}: candidates[{i}] ({cand.id}): {e}")
    return rows


def collect(roots: Iterable[str | os.PathLike]) -> Collected:
    """Every decision under ``roots``, once each (see the module docstring)."""
    collected = Collected(rows=[])
    latest: dict[tuple[str, str, str], dict] = {}
    for path in review_files(roots):
        collected.reviews += 1
        try:
            rows = _file_rows(path, collected)
        except ChromaticError as e:
            collected.problems.append(str(e))
            continue
        for row in rows:
            key = (row["song_id"], row["phase"], row["midi_sha256"])
            old = latest.get(key)
            if old is not None:
                collected.duplicates += 1
                if old["decided_at"] > row["decided_at"]:
                    continue
            latest[key] = row
    collected.rows = sorted(
        latest.values(), key=lambda r: (r["song_id"], r["phase"], r["candidate_id"])
    )
    return collected


def write_table(rows: list[dict], out: str | os.PathLike) -> Path:
    """The decisions as parquet (atomically: a reader never sees half a table)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([{c: r.get(c) for c in COLUMNS} for r in rows], schema=_schema(pa))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        pq.write_table(table, tmp)
    return out


def _schema(pa):
    types = {
        "bpm": pa.float64(),
        "composite": pa.float64(),
        "theory": pa.float64(),
        "chromatic_match": pa.float64(),
        "taste": pa.float64(),
        "midi": pa.binary(),
    }
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])


def read_table(path: str | os.PathLike) -> list[dict]:
    """The rows of a decisions table, or a TasteError naming the file and the missing column."""
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise TasteError(
            f"{path}: file not found (expected a table from 'chromatic taste collect')"
        )
    try:
        table = pq.read_table(path)
    except Exception as e:  # pyarrow raises several types on a non-parquet file
        raise TasteError(f"{path}: not a parquet table ({e})") from None
    missing = [
        c for c in ("song_id", "phase", "status", "midi", "key") if c not in table.schema.names
    ]
    if missing:
        raise TasteError(f"{path}: column {missing[0]!r} missing (expected a decisions table)")
    return table.to_pylist()


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
