"""The studio's request errors: each carries the HTTP status the page receives as JSON."""

from __future__ import annotations

from chromatic.errors import ChromaticError


class StudioError(ChromaticError):
    """A request the studio refuses; ``status`` is the HTTP status (400 unless said)."""

    status = 400


class NotFound(StudioError):
    status = 404


class Forbidden(StudioError):
    status = 403


class TooLarge(StudioError):
    status = 413


class Conflict(StudioError):
    """A write refused because the file changed on disk since the page read it: ``changes``
    says what changed, ``version`` is the file's version now."""

    status = 409

    def __init__(self, message: str, *, changes: list[dict], version: str, path: object = None):
        super().__init__(message, path=path)
        self.changes = changes
        self.version = version
