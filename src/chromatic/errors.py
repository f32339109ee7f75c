"""Named exceptions at each boundary. Their messages name the file, the field and what was
expected; the CLI prints them as one line and exits non-zero."""

from __future__ import annotations


class ChromaticError(Exception):
    """Base class: an error a user can act on, shown without a traceback."""

    def __init__(self, message: str, *, path: object = None, field: str | None = None):
        self.path = str(path) if path is not None else None
        self.field = field
        self.detail = message
        parts = []
        if self.path:
            parts.append(self.path)
        if field:
            parts.append(field)
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ManifestError(ChromaticError):
    """A song manifest that cannot be read or does not follow the schema."""


class LrcError(ChromaticError):
    """An LRC lyric file that cannot be read."""


class MidiError(ChromaticError):
    """A MIDI file that cannot be parsed or written."""


class MusicError(ChromaticError, ValueError):
    """A key, time signature or other musical value that cannot be understood."""


class CatalogError(ChromaticError):
    """A catalog-level problem: duplicates, stale tables, strict-mode failures."""


class RenderError(ChromaticError):
    """Audio rendering failed (FluidSynth or the soundfont missing)."""


class ChainError(ChromaticError):
    """Concept-chain output (threads, shrinkwrapped folders, constraints) that cannot be used."""


class DatasetError(ChromaticError):
    """The built dataset (segments and media) cannot be verified, exported or published."""


class ProposalError(ChromaticError):
    """A concept-agent song proposal whose title, key, bpm, meter or color cannot be understood."""


class ReviewError(ChromaticError):
    """A review.yml that does not follow its schema (unknown status, duplicate ids, missing files)."""


class TasteError(ChromaticError):
    """Decisions that cannot be collected, too few to learn from, or a taste model that cannot
    be loaded."""


class ProduceError(ChromaticError):
    """A production step that cannot run: missing folder or phase, scorer unavailable, promotion refused."""


_OS_HINTS = {
    "ENOSPC": "the disk is full: free some space and run again (no file was half-written)",
    "EDQUOT": "the disk quota is used up: free some space and run again",
    "EROFS": "the file system is read-only: choose a writable folder",
    "EACCES": "permission denied: choose a folder you may write to, or fix its permissions",
    "EPERM": "operation not permitted here",
    "ENOTDIR": "a file is where a folder is expected",
    "EISDIR": "a folder is where a file is expected",
    "ENOENT": "no such file or folder",
    "ENAMETOOLONG": "the name is too long for the file system",
    "EMFILE": "too many open files",
}


def describe_os_error(e: OSError, action: str | None = None) -> str:
    """One line for an error the system gave: the file, what was being done, why, what to do
    ("/s/chords/review.yml: cannot write: the disk is full: free some space ...")."""
    import errno as _errno

    name = _errno.errorcode.get(e.errno or -1, "")
    why = _OS_HINTS.get(name) or (e.strerror or str(e) or type(e).__name__)
    where = e.filename if e.filename is not None else None
    parts = [str(where)] if where is not None else []
    action = action or getattr(e, "action", None)
    if action:
        parts.append(action)
    parts.append(why)
    if e.filename2 is not None:
        parts.append(f"(and {e.filename2})")
    return ": ".join(parts)
