"""Containment: every path built from user text (a manifest's media path, a candidate id, a
label, a ``midi_file`` in a review, a title turned into a folder name) goes through here.

``contained(base, text)`` resolves ``text`` against ``base`` and returns the path only when it
stays inside ``base`` after symlinks are followed; an absolute path, a ``..`` that climbs out, a
symlink that points outside, an empty name, a NUL byte or a name too long for the file system is
a ``PathError`` naming the file and field that held the text. ``safe_name`` checks one path
component (a file or folder name made from a label or an id).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from chromatic.errors import ChromaticError

# Most file systems allow 255 bytes per name; keep room for suffixes such as ".mid" and ".tmp".
MAX_NAME_BYTES = 200


class PathError(ChromaticError):
    """A path from user text that would leave its folder, or is not a usable name."""


def contained(
    base: str | os.PathLike,
    text: str | os.PathLike,
    *,
    path: object = None,
    field: str | None = None,
    what: str = "path",
) -> Path:
    """``base / text`` resolved, when it stays inside ``base`` (symlinks followed).

    ``path`` and ``field`` name where ``text`` came from (the manifest, the review file) so the
    error says which file and field to fix."""
    raw = os.fspath(text)
    if not isinstance(raw, str) or not raw.strip():
        raise PathError(
            f"expected a relative {what} inside {base}, got {raw!r}", path=path, field=field
        )
    if "\x00" in raw:
        raise PathError(f"expected a {what} without NUL bytes, got {raw!r}", path=path, field=field)
    if (
        PurePosixPath(raw).is_absolute()
        or PureWindowsPath(raw).is_absolute()
        or PureWindowsPath(raw).drive
    ):
        raise PathError(
            f"expected a {what} relative to {base}, got the absolute path {raw!r}",
            path=path,
            field=field,
        )
    for part in PurePosixPath(raw.replace("\\", "/")).parts:
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise PathError(
                f"expected names of at most {MAX_NAME_BYTES} bytes, got one of {len(part.encode())} in {what}",
                path=path,
                field=field,
            )
    root = Path(base).resolve()
    target = (root / raw).resolve()
    if target != root and root not in target.parents:
        raise PathError(
            f"expected a {what} inside {root}, got {raw!r} (leads to {target})",
            path=path,
            field=field,
        )
    return target


def is_contained(base: str | os.PathLike, text: str | os.PathLike) -> bool:
    try:
        contained(base, text)
    except PathError:
        return False
    return True


def safe_name(
    text: str, *, path: object = None, field: str | None = None, what: str = "name"
) -> str:
    """``text`` when it is one usable file or folder name: no separators, not ``.``/``..``, no
    NUL, not empty, at most ``MAX_NAME_BYTES`` bytes."""
    if not isinstance(text, str) or not text.strip():
        raise PathError(f"expected a non-empty {what}, got {text!r}", path=path, field=field)
    if text in (".", "..") or "/" in text or "\\" in text or "\x00" in text:
        raise PathError(
            f"expected a {what} without path separators or '..', got {text!r}",
            path=path,
            field=field,
        )
    if len(text.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise PathError(
            f"expected a {what} of at most {MAX_NAME_BYTES} bytes, got {len(text.encode())}",
            path=path,
            field=field,
        )
    return text


def inside(
    base: str | os.PathLike,
    name: str,
    *,
    path: object = None,
    field: str | None = None,
    what: str = "name",
) -> Path:
    """``base / name`` for one safe name (``safe_name``), contained in ``base``."""
    return contained(
        base, safe_name(name, path=path, field=field, what=what), path=path, field=field, what=what
    )


SLUG_MAX = 80


def slugify(text: str, max_len: int = SLUG_MAX) -> str:
    """The one folder name made from a title (production folders, shrinkwrapped threads):
    lower-case ASCII words joined by '-' ("Déjà Vu: Part II" -> "deja-vu-part-ii"), at most
    ``max_len`` characters, cut on a word boundary; "untitled" when no word is left."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = "-".join(words)
    if len(slug) > max_len:
        cut = slug[: max_len + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_len]
        slug = slug[:max_len].strip("-")
    return slug or "untitled"
