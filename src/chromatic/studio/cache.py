"""The studio's preview cache, ``<folder>/.studio/previews/``: bounded and kept current.

A preview is named ``<phase>__<candidate id>__<content key>.wav``. Each new preview replaces
the older ones of the same candidate (an edited or regenerated loop is a new key); a preview of
a candidate no longer in its phase's review.yml is removed; and the cache is kept under
``max_mb`` megabytes by removing the least recently used previews first (a cache hit touches
its file's modification time, which is the order kept). Every path is checked with
``paths.within`` at the moment of use, so a ``.studio`` that is a link is refused and never
written through.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from chromatic.paths import within
from chromatic.produce.folder import PHASES, ProductionFolder

CACHE_DIR = ".studio/previews"
DEFAULT_MAX_MB = 256.0
SEP = "__"


def preview_path(folder: ProductionFolder, phase: str, cid: str, key: str) -> Path:
    """Where the preview of ``cid`` with content ``key`` lives (checked now)."""
    return within(folder.root, CACHE_DIR, f"{phase}{SEP}{cid}{SEP}{key}.wav")


def touch(path: Path) -> None:
    """Mark a cache hit (least recently used order)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _entries(folder: ProductionFolder) -> list[tuple[Path, os.stat_result]]:
    cache = within(folder.root, CACHE_DIR)
    try:
        names = os.listdir(cache)
    except FileNotFoundError:
        return []
    out = []
    for name in names:
        p = cache / name
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            continue
        if stat.S_ISREG(st.st_mode) and name.endswith(".wav"):
            out.append((p, st))
    return out


def _live_ids(folder: ProductionFolder, phase: str) -> set[str] | None:
    """The candidate ids of ``phase``'s review, or None when it cannot be read now."""
    from chromatic.produce.review import read_review

    try:
        path = folder.review_path(phase)
        return {c.id for c in read_review(path).candidates} if path.is_file() else set()
    except Exception:  # a review being edited by hand: keep its previews this time
        return None


def prune(folder: ProductionFolder, max_mb: float = DEFAULT_MAX_MB, keep: Path | None = None):
    """Remove stale previews (older versions of a candidate, candidates that are gone), then
    the least recently used until the cache holds at most ``max_mb`` MB. ``keep`` (the preview
    just written) is never removed. Returns the names removed."""
    entries = _entries(folder)
    removed: list[str] = []
    live: dict[str, set[str] | None] = {}
    kept = []
    for p, st in entries:
        parts = p.stem.split(SEP)
        stale = len(parts) != 3 or parts[0] not in PHASES
        if not stale:
            phase, cid, _ = parts
            if phase not in live:
                live[phase] = _live_ids(folder, phase)
            ids = live[phase]
            stale = ids is not None and cid not in ids
            prefix = f"{phase}{SEP}{cid}{SEP}"
            if keep is not None and keep.name != p.name and keep.name.startswith(prefix):
                stale = True  # an older version of the candidate just rendered
        if stale and p != keep:
            p.unlink(missing_ok=True)
            removed.append(p.name)
        else:
            kept.append((p, st))
    budget = max_mb * 1e6
    total = sum(st.st_size for _, st in kept)
    for p, st in sorted(kept, key=lambda e: e[1].st_mtime):
        if total <= budget:
            break
        if keep is not None and p == keep:
            continue
        p.unlink(missing_ok=True)
        removed.append(p.name)
        total -= st.st_size
    return removed
