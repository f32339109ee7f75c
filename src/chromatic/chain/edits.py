"""Reruns of shrinkwrap keep what the user did to a thread's output folder.

- ``foreign_files``: files the user added (anything the folder's previous manifest does not list
  as kept, outside ``manifest.yml`` and ``.debug/``) are carried into the rebuilt folder, also
  when the thread moves to a new folder name. A user file where shrinkwrap now writes one of its
  own is refused by name (the caller raises), never overwritten.
- ``merged_manifest``: a hand-edited ``manifest.yml`` (one holding comments) is updated in place
  with ruamel round-trip (``yamlio.load_rt``): comments and layout stay, values are brought up
  to date; when its values already match, its bytes are kept as they are.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from chromatic.chain.artifacts import DEBUG_DIR
from chromatic.errors import ChainError
from chromatic.yamlio import dump_yaml as dump_rt
from chromatic.yamlio import load_rt, parse_yaml

MANIFEST = "manifest.yml"


def foreign_files(folder: Path, manifest: dict | None) -> dict[str, Path]:
    """Regular files in a thread folder that shrinkwrap did not write: not ``manifest.yml``, not
    under ``.debug/``, not listed in the folder's manifest as kept. Symlinks are left out."""
    files = manifest.get("files") if isinstance(manifest, dict) else None
    kept = files.get("kept") if isinstance(files, dict) else None
    ours = {str(k) for k in kept} if isinstance(kept, list) else set()
    found = {}
    for p in folder.rglob("*"):
        if p.is_symlink() or not p.is_file():
            continue
        rel = p.relative_to(folder).as_posix()
        if rel == MANIFEST or rel.startswith(f"{DEBUG_DIR}/") or rel in ours:
            continue
        found[rel] = p
    return found


def merged_manifest(old_path: Path | None, planned: dict, planned_bytes: bytes) -> bytes:
    """The planned manifest; when the old one was edited by hand (its bytes differ), its
    comments and layout are kept and only its values are brought up to date."""
    if old_path is None:
        return planned_bytes
    try:
        raw = old_path.read_bytes()
    except OSError:
        return planned_bytes
    if raw == planned_bytes or b"#" not in raw:
        return planned_bytes
    try:
        doc = load_rt(old_path, ChainError)
    except ChainError:
        return planned_bytes
    if not isinstance(doc, dict):
        return planned_bytes
    if parse_yaml(raw, ChainError, path=old_path) == planned:
        return raw
    for key in [k for k in doc if k not in planned]:
        del doc[key]
    for key, value in planned.items():
        if doc.get(key) != value:
            doc[key] = value
    return dump_rt(doc).encode("utf-8")


# --- folder swaps -------------------------------------------------------------------------------


def clear_leftovers(out: Path) -> None:
    for d in out.iterdir():
        if d.is_dir() and (d.name.startswith(".tmp-") or d.name.startswith(".old-")):
            shutil.rmtree(d, ignore_errors=True)


def replace_dir(final: Path, new: Path | None, out: Path) -> None:
    """Swap ``new`` in for ``final`` (or just remove ``final``): the old folder is renamed aside
    first and deleted last, so no reader ever sees a half-built folder."""
    old = None
    if final.is_dir():
        old = Path(tempfile.mkdtemp(prefix=f".old-{final.name[:40]}-", dir=out))
        os.replace(final, old / "d")
    if new is not None:
        os.replace(new, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def same_content(
    folder: Path,
    files: dict[str, Path],
    manifest: bytes,
    foreign: dict[str, Path],
    manifest_name: str = "manifest.yml",
) -> bool:
    present = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    if present.keys() - foreign.keys() != files.keys() | {manifest_name}:
        return False
    if present[manifest_name].read_bytes() != manifest:
        return False
    for rel, src in files.items():
        dst = present[rel]
        if dst.stat().st_size != src.stat().st_size or dst.read_bytes() != src.read_bytes():
            return False
    return True


def write_if_changed(path: Path, data: bytes) -> bool:
    from chromatic.fileio import write_bytes_atomic

    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_bytes_atomic(path, data)
    return True
