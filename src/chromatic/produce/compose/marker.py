"""The marker compose writes into a folder it owns: who wrote it, with which options, and the
SHA-256 of every file a human edits there, so a rerun can tell its own folder (killed or
finished) from one a human has worked in."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from chromatic.fileio import write_text_atomic
from chromatic.paths import within
from chromatic.produce.compose.options import ComposeOptions
from chromatic.produce.folder import PHASES, REVIEW_FILE

MARKER = ".compose-run.json"
PLAN_NAME = "production_plan.yml"


def _human_files(root: Path) -> dict[str, str]:
    """SHA-256 of each file a human edits by hand (the plan, every review.yml, the approved
    loops), by relative path."""
    names = [PLAN_NAME, *(f"{phase}/{REVIEW_FILE}" for phase in PHASES)]
    names += sorted(
        p.relative_to(root).as_posix()
        for phase in PHASES
        for p in (root / phase / "approved").glob("*.mid")
    )
    return {
        n: hashlib.sha256((root / n).read_bytes()).hexdigest()
        for n in names
        if (root / n).is_file()
    }


def edited_files(root: Path, marker: dict) -> list[str]:
    now, then = _human_files(root), marker.get("files") or {}
    return [n for n, digest in now.items() if then.get(n) != digest]


def read_marker(root: Path) -> dict | None:
    try:
        data = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (
        data
        if isinstance(data, dict) and data.get("writer") == "chromatic compose --auto"
        else None
    )


def write_marker(root: Path, opts: ComposeOptions, source: str | Path, state: str) -> None:
    """Written first (``running``) and last (``done``, with the hashes of the human files), so a
    rerun can tell its own folder, killed or finished, from one a human has worked in."""
    data = {
        "writer": "chromatic compose --auto",
        "state": state,
        "source": str(source),
        "options": {
            "n": opts.n,
            "beam": opts.beam,
            "seed": opts.seed,
            "model": str(opts.model or ""),
            "form": list(opts.form),
        },
        "files": _human_files(root) if state == "done" else {},
    }
    write_text_atomic(within(root, MARKER), json.dumps(data, indent=2, sort_keys=True) + "\n")
