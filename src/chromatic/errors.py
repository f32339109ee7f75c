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
