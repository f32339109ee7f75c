"""The scorer's rewritten graphs kept on disk per model, so a process that finds them there
never imports the onnx package (its import costs about 0.7-0.9 CPU s, mostly ml_dtypes; the
rewrites themselves cost about 10 ms).

``--evolve`` runs the scorer's graph with its GELUs fused (``graph.scorer_graph``) and its roll
encoder cropped (``crop.cropped_session``); both are pure functions of the model file's bytes and
of this code. They are stored under the user's cache (``$CHROMATIC_CACHE``, else
``$XDG_CACHE_HOME/chromatic``, else ``~/.cache/chromatic``, as the concept vectors are;
``CHROMATIC_CACHE=off`` turns it off), in ``graph/``, named by the SHA-256 of the input graph
and ``VERSION`` (raise it whenever a rewrite changes), never beside the user's model. Each file
is written atomically; a missing, unreadable or unwritable cache only means building again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from chromatic.fileio import sha256_bytes, user_cache, write_bytes_atomic

#: Part of every key: raise it when ``fuse_gelu`` or ``crop_graph`` write other bytes.
VERSION = 1


def cache_dir() -> Path | None:
    """The folder the rewritten graphs are kept in, or None when the cache is turned off."""
    return user_cache("graph")


def key(data: bytes, kind: str) -> str:
    """The name stem of ``kind``'s rewrite of the graph ``data``."""
    return f"{sha256_bytes(data)}-v{VERSION}-{kind}"


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data)
    except OSError:  # a read-only or full cache: the graph was built, only not kept
        pass


def fused(data: bytes, build: Callable[[], bytes]) -> bytes:
    """The fused graph of the model file's bytes ``data``: from the cache, else ``build()``
    (kept for the next process)."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{key(data, 'fused')}.onnx"
    found = _read(path)
    if found is not None:
        return found
    out = build()
    _write(path, out)
    return out


def cropped(
    data: bytes, build: Callable[[], tuple[list, bytes, bytes] | None]
) -> tuple[list, bytes, bytes] | None:
    """(convolutions, cropped graph, roll encoder graph) of the graph ``data``, or None when
    its encoder cannot be cropped: from the cache, else ``build()`` (kept). The convolutions'
    file is written last and read first, so a half-written entry reads as missing."""
    folder = cache_dir()
    if folder is None:
        return build()
    stem = key(data, "crop")
    meta, graph, encoder = (folder / f"{stem}{s}" for s in (".json", ".onnx", ".encoder.onnx"))
    text = _read(meta)
    if text is not None:
        try:
            convs = json.loads(text)
        except ValueError:
            convs = False
        if convs is None:
            return None
        if isinstance(convs, list):
            g, e = _read(graph), _read(encoder)
            if g is not None and e is not None:
                return [tuple(tuple(x) for x in c) for c in convs], g, e
    out = build()
    if out is not None:
        _write(graph, out[1])
        _write(encoder, out[2])
    _write(meta, json.dumps(None if out is None else out[0]).encode())
    return out
