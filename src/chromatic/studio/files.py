"""Serving a file of a production folder: the studio's one way to answer with a file.

``serve_path(folder, "arrangement.wav")`` is the path to hand to ``FileResponse``, checked at
the moment of the request (``paths.within``): no symbolic link anywhere below the folder, the
file itself included, and a regular file (never a FIFO or a device, which would hang or never
end). A route that serves a download (stems, the MIDI, a zip) should call it with the file's
name relative to the folder, right before building the response.
"""

from __future__ import annotations

import os
from pathlib import Path

from chromatic.fileio import special_kind
from chromatic.paths import within
from chromatic.produce.folder import ProductionFolder
from chromatic.studio.errors import NotFound


def serve_path(folder: ProductionFolder, *parts: str) -> Path:
    """``folder.root / parts`` when it may be served now; NotFound when absent; PathError
    (403-like 400, naming the link) when a link or a special file is on the way."""
    path = within(folder.root, *parts, what="file to serve")
    try:
        kind = special_kind(os.lstat(path).st_mode)
    except FileNotFoundError:
        raise NotFound("file not found", path=path) from None
    if kind is not None:
        raise NotFound(f"expected a regular file to serve, found {kind}", path=path)
    return path
