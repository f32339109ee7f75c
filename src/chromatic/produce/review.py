"""review.yml: the ranked candidates of one phase, and the human's verdict on them.

The file is generated, then edited by hand (``label``, ``status``, ``notes``, comments), then
regenerated: so it is read with ruamel round-trip, validated against ``ReviewFile`` on every
load, and written atomically. A regeneration keeps every candidate the human touched (status
not pending, a label or notes set, or a ``#`` comment inside it) at its position, with its
files; only untouched pending candidates are replaced by the new best ones. ``rank`` is
recomputed over the whole list by composite score (``chromatic.produce.regenerate``). Per-section phases (drums, bass, melody)
merge each section separately (``regenerate_groups``): a section's candidates carry
``details.section``, get ids like ``drum_verse_01`` and are ranked within their section.

A full-line comment placed *above* a candidate belongs, for YAML, to the candidate before it;
that candidate is then kept too, so the comment survives either way.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml.comments import CommentedMap

from chromatic.errors import ReviewError
from chromatic.fileio import write_text_atomic
from chromatic.paths import PathError, contained, inside
from chromatic.produce.song import SongHeader
from chromatic.yamlio import as_read, dump_yaml, load_rt, loads_rt, parse_yaml, read_bounded

SCHEMA_VERSION = 1
STATUSES = ("pending", "approved", "rejected")
#: The details key that names a candidate's group (its section) in a per-section phase.
GROUP_KEY = "section"
SCRATCH_FIELD = "details.scratch_beat"  # a chord candidate's scratch drum beat, beside it
HEADER = (
    "Review file (schema_version 1). Edit by hand: label (name for approved/<label>.mid),\n"
    "status (pending | approved | rejected), notes; comments are kept. Regenerating this phase\n"
    "keeps every candidate you touched and replaces only untouched pending ones.\n"
    "Then run: chromatic promote <folder> <phase>"
)


class ChromaticScores(BaseModel):
    model_config = ConfigDict(extra="allow")
    temporal: list[float]
    spatial: list[float]
    ontological: list[float]
    confidence: float | None = None  # None: the model has no calibrated confidence
    match: float


class Scores(BaseModel):
    model_config = ConfigDict(extra="allow")
    composite: float
    theory: dict[str, float]
    chromatic: ChromaticScores | None = None


class Candidate(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    rank: int
    status: Literal["pending", "approved", "rejected"] = "pending"
    label: str | None = None
    notes: str | None = None
    midi_file: str
    scores: Scores
    details: dict = Field(default_factory=dict)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, v: object) -> object:
        """Humans type "Approved" or leave the value empty; both mean what they say."""
        if v is None:
            return "pending"
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("label", "notes", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        """A label typed as a number (``label: 2``) is text; an empty one is no label."""
        if isinstance(v, str | int | float) and not isinstance(v, bool):
            return str(v).strip() or None
        return v

    @property
    def touched(self) -> bool:
        star = (self.model_extra or {}).get("star") is True  # marked as a parent to breed from
        return self.status != "pending" or self.label is not None or self.notes is not None or star


class Scoring(BaseModel):
    model_config = ConfigDict(extra="allow")
    weights: dict[str, float]
    model: str | None = None


class ReviewFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    schema_version: int
    phase: str
    song: SongHeader
    seed: int
    scoring: Scoring
    candidates: list[Candidate] = Field(default_factory=list)


@dataclass
class Review:
    """A loaded review.yml: the round-trip document (comments and all) and its validated model."""

    path: Path
    doc: CommentedMap
    model: ReviewFile


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _short(value: object, limit: int = 60) -> str:
    plain = (
        dict(value)
        if isinstance(value, Mapping)
        else list(value)
        if isinstance(value, list)
        else value
    )
    text = repr(plain)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_review(path: str | os.PathLike, *, check_files: bool = True) -> Review:
    """Load and validate a review.yml (round trip: comments kept, for writing back); any problem
    is a ReviewError naming the field."""
    path = Path(path)
    doc = load_rt(path, ReviewError)
    return Review(path, doc, _validate(doc, path, check_files))  # type: ignore[arg-type]


def review_from_text(path: Path, text: str) -> Review:
    """``load_review(path, check_files=False)`` of a review.yml whose text is in memory (a
    compose branch's): the same round-trip document and checks."""
    doc = loads_rt(text, ReviewError, path=path)
    return Review(path, doc, _validate(doc, path, False))  # type: ignore[arg-type]


def validate_review(doc: object, path: Path) -> ReviewFile:
    """A review document already read (plain or round trip) validated as ``read_review``
    validates a file's (without checking that its files exist)."""
    return _validate(doc, path, False)


def read_review(path: str | os.PathLike, *, check_files: bool = False) -> ReviewFile:
    """The same file and checks as ``load_review``, read with the fast C loader, for readers
    that never write it back (the compose search, the song's sections)."""
    path = Path(path)
    raw = read_bounded(path, ReviewError)
    doc = _PARSED.get(raw)
    if doc is None:
        doc = parse_yaml(raw, ReviewError, path=path)
        _remember(raw, doc)
    else:
        _PARSED.move_to_end(raw)
    return _validate(doc, path, check_files)


def remember_written(text: str, doc: object) -> None:
    """Tell the reader the plain document of ``text``, which ``dump_yaml(doc)`` just wrote
    (``yamlemit.as_read``), so a phase's fresh review.yml is not parsed back; nothing is
    remembered where that cannot be known without parsing."""
    plain = as_read(doc)
    if plain is None:
        return
    raw = text.encode("utf-8")
    if os.environ.get("CHROMATIC_YAML_CHECK") and parse_yaml(raw, ReviewError) != plain:
        raise AssertionError("yamlemit.as_read differs from the parsed review")
    _remember(raw, plain)


def remember_approval(old: str, new: str, label_of: Mapping[str, str]) -> None:
    """Tell the reader that ``new`` is ``old`` with exactly the candidates of ``label_of``
    set to approved under their labels (``compose.search.approved_text``'s edit: plain labels,
    nothing else touched), so ``new`` is never parsed: its document is ``old``'s, edited."""
    doc = _PARSED.get(old.encode("utf-8"))
    if not isinstance(doc, Mapping) or not isinstance(doc.get("candidates"), list):
        return
    cands = [
        {**c, "status": "approved", "label": label_of[c["id"]]}
        if isinstance(c, Mapping) and c.get("id") in label_of
        else c
        for c in doc["candidates"]
    ]
    _remember(new.encode("utf-8"), {**doc, "candidates": cands})


def _remember(raw: bytes, doc: object) -> None:
    if len(raw) > _PARSED_BYTES:  # a long-lived process holds at most 64 x 1 MB of files
        return
    _PARSED[raw] = doc
    while len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)


#: The plain documents of the review files read lately, by their bytes: a compose search reads
#: each phase's approved review.yml again for every later phase and branch (the bytes decide,
#: so an edited or replaced file is parsed afresh; the documents are never modified).
_PARSED: OrderedDict[bytes, object] = OrderedDict()
_PARSED_MAX = 64
_PARSED_BYTES = 1 << 20


def _validate(doc: object, path: Path, check_files: bool) -> ReviewFile:
    """``doc`` as a ReviewFile: schema, unique ids, and every name that becomes a path (id,
    ``midi_file``) inside the phase folder (``chromatic.paths``): a hand-edited
    ``../../precious`` is refused here, before anything is read, copied or deleted."""
    if not isinstance(doc, Mapping):
        raise ReviewError(f"expected a mapping, got {type(doc).__name__}", path=path)
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ReviewError(
            f"expected schema_version {SCHEMA_VERSION}, got {version!r}",
            path=path,
            field="schema_version",
        )
    try:
        model = ReviewFile.model_validate(doc)
    except ValidationError as e:
        err = e.errors()[0]
        got = "" if err["type"] == "missing" else f", got {_short(err.get('input'))}"
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        raise ReviewError(
            f"{err['msg']}{got}{more}", path=path, field=_field_name(err["loc"])
        ) from None
    seen: dict[str, int] = {}
    for i, cand in enumerate(model.candidates):
        if cand.id in seen:
            raise ReviewError(
                f"duplicate id {cand.id!r} (also candidates[{seen[cand.id]}])",
                path=path,
                field=f"candidates[{i}].id",
            )
        seen[cand.id] = i
        _contain(
            inside,
            path.parent / "candidates",
            f"{cand.id}.mid",
            path,
            f"candidates[{i}].id",
            "candidate id",
        )
        midi = _contain(
            contained, path.parent, cand.midi_file, path, f"candidates[{i}].midi_file", "midi_file"
        )
        if check_files and not midi.is_file():
            raise ReviewError(
                f"file not found: {cand.midi_file}", path=path, field=f"candidates[{i}].midi_file"
            )
    return model


def candidate_path(review_path: Path, index: int, rel: str, field: str = "midi_file") -> Path:
    """A file a candidate names (``midi_file``, an attachment), inside the phase folder."""
    return _contain(
        contained, review_path.parent, rel, review_path, f"candidates[{index}].{field}", field
    )


def _contain(check, base: Path, text: str, path: Path, field: str, what: str) -> Path:
    """``chromatic.paths`` ``contained``/``inside``, its PathError as a ReviewError."""
    try:
        return check(base, text, path=path, field=field, what=what)
    except PathError as e:
        raise ReviewError(e.detail, path=path, field=field) from None


def approve(path: str | os.PathLike, label_of: Mapping[str, str]) -> None:
    """Approve exactly the candidates ``label_of`` names (id -> label) and set their labels;
    every other approved one goes back to pending. A round trip (comments, order, quoting and
    flow lists kept), validated, written atomically: the writer compose's search uses."""
    review = load_review(path, check_files=False)
    missing = set(label_of) - {c.id for c in review.model.candidates}
    if missing:
        raise ReviewError(f"no candidate {sorted(missing)[0]!r} to approve", path=review.path)
    for c in review.doc["candidates"]:
        if c["id"] in label_of:
            c["status"], c["label"] = "approved", label_of[c["id"]]
        elif c.get("status") == "approved":
            c["status"] = "pending"
    save_review(review)


def save_review(review: Review) -> None:
    """Write a loaded review back: validated like a hand edit, comments and order kept,
    atomically (a reader never sees half a file)."""
    _validate(review.doc, review.path, False)
    write_text_atomic(review.path, dump_yaml(review.doc))


def has_comment(node: object) -> bool:
    """Whether a round-trip node carries a ``#`` comment anywhere inside it."""
    ca = getattr(node, "ca", None)
    if ca is not None and _tokens_have_hash([ca.comment, *ca.items.values()]):
        return True
    if isinstance(node, Mapping):
        return any(has_comment(v) for v in node.values())
    if isinstance(node, list):
        return any(has_comment(v) for v in node)
    return False


def _tokens_have_hash(tokens: object) -> bool:
    if tokens is None:
        return False
    if isinstance(tokens, list | tuple):
        return any(_tokens_have_hash(t) for t in tokens)
    return "#" in str(getattr(tokens, "value", ""))


def detail_file(review_path: Path, value: object, field: str) -> Path | None:
    """A file a candidate's details name beside its review (``scratch_beat``), or None when the
    value is not a name. A name that leads outside the phase folder (``..``, an absolute path,
    a link out) is a ``PathError`` naming the review and the field: the file is never read."""
    if not isinstance(value, str):
        return None
    contained(review_path.parent, value, path=review_path, field=field)
    return review_path.parent / value
