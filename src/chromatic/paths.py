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
import stat
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


def within(
    root: str | os.PathLike,
    *parts: str,
    path: object = None,
    field: str | None = None,
    what: str = "path",
) -> Path:
    """``root / parts`` for a file or folder chromatic reads, writes, deletes or serves inside
    a folder the user gave (a production folder, the studio's songs): the one containment rule.

    Call it at the moment of use, right before the open, the write, the unlink or the response,
    never once at start-up: it looks at the file system as it is now. Every existing component
    below ``root`` (``root`` itself may be a link the user chose) must be a real folder or, for
    the last one, a real file or folder: a symbolic link anywhere below ``root`` is refused,
    even one that points back inside, because a folder chromatic writes into is never meant to
    hold one and a link that is harmless today may be repointed tomorrow. Components that do
    not exist yet are fine (the caller creates them, and they can only be made inside). Each
    part may hold several names ("chords/approved"); ``..``, absolute parts, empty names and
    NUL bytes are refused. Errors are ``PathError`` naming the offending path.

    Reuse: ``within(folder.root, "arrangement.wav")`` before serving a file, ``within(root,
    ".studio", "previews")`` before writing a cache entry. ``ProductionFolder``'s paths go
    through it, so ``folder.approved_dir(phase)`` is already checked when it is returned."""
    base = Path(root)
    names: list[str] = []
    for part in parts:
        raw = os.fspath(part)
        if "\x00" in raw or PurePosixPath(raw).is_absolute():
            raise PathError(f"expected a relative {what}, got {raw!r}", path=path, field=field)
        for name in raw.split("/"):
            if name in ("", "."):
                continue
            if name == "..":
                raise PathError(
                    f"expected a {what} without '..', got {raw!r}", path=path, field=field
                )
            names.append(name)
    current = base
    for i, name in enumerate(names):
        current = current / name
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return base.joinpath(*names)
        except NotADirectoryError:
            raise PathError(
                f"expected a folder at {current.parent}, found a file", path=path, field=field
            ) from None
        if stat.S_ISLNK(st.st_mode):
            raise PathError(
                f"{current} is a symbolic link (to {os.readlink(current)}); chromatic never "
                f"follows links inside {base} (replace it with a real folder or file)",
                path=path,
                field=field,
            )
        if i < len(names) - 1 and not stat.S_ISDIR(st.st_mode):
            raise PathError(f"expected a folder, found a file: {current}", path=path, field=field)
    return base.joinpath(*names)


def within_all(root: str | os.PathLike, paths, **kw) -> None:
    """``within`` for every path in ``paths`` (each under ``root``): one call before a batch of
    writes, so a refused batch writes nothing."""
    base = Path(root)
    for p in paths:
        within(base, str(Path(p).relative_to(base)), **kw)
