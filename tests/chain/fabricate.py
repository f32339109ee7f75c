"""Fabricated thread folders in the real layout, for the cases the real threads do not cover."""

from __future__ import annotations

from pathlib import Path

import yaml


def proposal(title: str, **fields) -> dict:
    base = {
        "title": title,
        "bpm": 100,
        "key": "A minor",
        "tempo": {"numerator": 4, "denominator": 4},
        "rainbow_color": "G",
        "concept": f"A concept about {title.lower()} and its echoes.",
        "mood": ["calm"],
        "genres": ["ambient"],
        "agent_name": "Test Agent",
        "iteration_id": title.lower().replace(" ", "_") + "_v1",
        "iteration_number": None,
        "timestamp": None,
    }
    base.update(fields)
    return base


def make_thread(
    root: Path,
    thread_id: str,
    iterations: list[dict] | None,
    *,
    files: dict[str, str] | None = None,
) -> Path:
    """A thread folder in the real layout: ``yml/all_song_proposals_<id>.yml`` listing
    ``iterations`` (None: no list file), plus extra files (relative path -> text)."""
    folder = root / thread_id
    (folder / "yml").mkdir(parents=True, exist_ok=True)
    if iterations is not None:
        (folder / "yml" / f"all_song_proposals_{thread_id}.yml").write_text(
            yaml.safe_dump({"iterations": iterations}, sort_keys=False), encoding="utf-8"
        )
    for rel, text in (files or {}).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
