"""Atomic file writes: a crash never leaves half a file where a human or a later step reads one."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
    try:
        try:
            yield tmp_path
            os.replace(tmp_path, path)
        except OSError as e:  # name the file being written, never the temporary (or none)
            if e.filename is None or str(e.filename) == str(tmp_path):
                named = OSError(e.errno, e.strerror or str(e), str(path))
                named.action = "cannot write"
                raise named from e
            raise
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_umask = current_umask


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_with(path: str | os.PathLike, writer: Callable[[Path], None]) -> None:
    """Call ``writer(tmp_path)`` and move the result into place atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(src, dst)


def clone_tree(src: str | os.PathLike, dst: str | os.PathLike, ignore=None) -> None:
    """``dst`` as a copy of the folder ``src`` whose files are hard links to ``src``'s (copies
    where the file system has none). Only for trees that chromatic alone writes, and only with
    the writers above: they replace a file by a rename, so a write to one tree never shows in
    the other. A compose's beam branches are cloned so (1,600 files; copying them took about
    2 s of a compose's 7 s of phases)."""
    shutil.copytree(src, dst, ignore=ignore, copy_function=_link_or_copy)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_kind(mode: int) -> str | None:
    """What a non-regular file is ("a named pipe (FIFO)", "a folder"), None for a regular one."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_regular(path: str | os.PathLike, error: type[Exception] | None = None) -> None:
    """Refuse, before it is opened, anything but a regular file where a file is expected: a
    FIFO (an open would block forever), a device (``/dev/zero`` never ends), a socket, a
    folder. ``error`` (a ``ChromaticError`` class) names the file; FileNotFoundError passes."""
    from chromatic.errors import ChromaticError

    kind = special_kind(os.stat(path).st_mode)
    if kind is not None:
        raise (error or ChromaticError)(f"expected a regular file, found {kind}", path=path)


def read_regular(
    path: str | os.PathLike, max_bytes: int, error: type[Exception] | None = None
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``: the type is checked before the
    open (``check_regular``) and again on the open descriptor (opened non-blocking, so a file
    swapped for a FIFO in between cannot hang), and the bound counts the bytes actually read,
    never ``st_size`` (which a device or a growing file gets wrong)."""
    from chromatic.errors import ChromaticError

    err = error or ChromaticError
    check_regular(path, err)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        kind = special_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise err(f"expected a regular file, found {kind}", path=path)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise err(
                    f"expected a file of at most {_size(max_bytes)}, it holds more", path=path
                )
        return b"".join(chunks)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n // (1 << 20)} MB" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{n} bytes"


#: The environment variable naming the user's cache folder ("off" turns every cache off).
CACHE_ENV = "CHROMATIC_CACHE"


def user_cache(kind: str) -> Path | None:
    """The user-level cache folder for ``kind`` (``$CHROMATIC_CACHE/<kind>``, else
    ``$XDG_CACHE_HOME/chromatic/<kind>``, else ``~/.cache/chromatic/<kind>``), or None when
    ``CHROMATIC_CACHE`` is off, none, 0 or false. Never a user's song or model folder."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.lower() in ("off", "none", "0", "false"):
        return None
    if value:
        return Path(value).expanduser() / kind
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "chromatic" / kind
