"""MIDI files the page hands to a DAW: a candidate's loop, an approved loop, the arrangement, and
one instrument of the arrangement on its own (with the song's tempo, meter, key, section markers
and, for a sung part, its lyrics).

Every file is found through the checks the studio already makes: a candidate through its
review.yml entry (``audio.context_of``), an approved loop by one safe name inside the phase's
``approved/`` folder, the arrangement at its fixed name; both through ``studio.files.serve_path``
(no link, a regular file, checked at the request). The name a download is saved under is made of
the song, phase and candidate, reduced to safe characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from chromatic.paths import PathError
from chromatic.produce.folder import ProductionFolder
from chromatic.studio.errors import NotFound
from chromatic.studio.files import serve_path
from chromatic.studio.songs import check_phase_name

MIDI_TYPE = "audio/midi"


@dataclass(frozen=True)
class Download:
    """Bytes (or a file) and the name the browser saves them under."""

    filename: str
    path: Path | None = None
    data: bytes | None = None


def safe_name(*parts: str, ext: str = ".mid") -> str:
    """``song-phase-id.mid`` with anything but letters, digits, ``-``, ``_`` and ``.`` made
    ``_`` (a header-safe, file-system-safe name)."""
    stem = "-".join(p for p in parts if p)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "chromatic"
    return stem[:120] + ext


def candidate_midi(folder: ProductionFolder, phase: str, cid: str) -> Download:
    from chromatic.studio.audio import context_of

    ctx = context_of(folder, phase, cid)
    return Download(safe_name(folder.root.name, phase, cid), path=ctx.candidate)


def approved_midi(folder: ProductionFolder, phase: str, name: str) -> Download:
    check_phase_name(phase)
    if not name.endswith(".mid"):
        raise NotFound(f"expected an approved loop's file name ending in .mid, got {name!r}")
    try:
        path = serve_path(folder, phase, "approved", name)
    except PathError as e:
        raise NotFound(e.detail, field="name") from None
    except NotFound:
        path = None
    if path is None or not path.is_file():
        raise NotFound(f"no approved loop {name!r} in {phase}/approved", field="name")
    return Download(safe_name(folder.root.name, phase, name[: -len(".mid")]), path=path)


def _arrangement(folder: ProductionFolder) -> Path:
    try:
        path = serve_path(folder, "arrangement.mid")  # no link, a regular file, checked now
    except NotFound:
        path = None
    if path is None or not path.is_file():
        raise NotFound("no arrangement yet (assemble first)", path=folder.root / "arrangement.mid")
    return path


def arrangement_midi(folder: ProductionFolder) -> Download:
    return Download(safe_name(folder.root.name, "arrangement"), path=_arrangement(folder))


def track_midi(folder: ProductionFolder, index: str) -> Download:
    """Track ``index`` of the arrangement (as the page's roll numbers them) alone."""
    from chromatic.music.midi import load_score, score_bytes

    score = load_score(_arrangement(folder))
    if not index.isdigit() or int(index) >= len(score.tracks):
        raise NotFound(
            f"expected a track number 0-{len(score.tracks) - 1}, got {index!r}", field="track"
        )
    track = score.tracks[int(index)]
    name = track.name or f"track {index}"
    score.tracks = [track]
    return Download(safe_name(folder.root.name, name), data=score_bytes(score))
