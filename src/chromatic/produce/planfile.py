"""production_plan.yml as a file: its schema and its one reader.

A leaf of ``produce`` beside ``song`` (it imports no phase, no part of ``sections`` and nothing
of ``arrange``), so the plan's writer and assembly (``arrange``) and the part phases' song order
(``sections``) all read the plan through ``load_plan`` from below.

Bounds, checked on every load (a plan outside them is one error naming the field): ``bpm``
``MIN_BPM``-``MAX_BPM`` (10-400; the catalog's own songs span 16-222), ``repeat``
0-``MAX_REPEAT`` (16), ``bars`` 1-``MAX_BARS`` (256) per section, and the whole song, repeats
included, at most ``MAX_MINUTES`` (20) minutes, so an edit cannot make assembly render for hours.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml.comments import CommentedMap

from chromatic.errors import ChromaticError, ProduceError
from chromatic.music.key import TimeSignature
from chromatic.paths import within
from chromatic.produce.song import SongHeader
from chromatic.yamlio import load_rt

SCHEMA_VERSION = 1
PLAN_FILE = "production_plan.yml"
MIN_BPM, MAX_BPM = 10.0, 400.0
MAX_REPEAT, MAX_BARS, MAX_MINUTES = 16, 256, 20
BarsFrom = Literal["harmonic_rhythm", "midi", "chords"]
Fill = Literal["none", "build", "toms", "drop", "stop"]
MAX_TRANSPOSE = 12


class Variation(BaseModel):
    """How one occurrence of a section differs from the loop as approved (``arrange.form``
    chooses, ``arrange.variation`` plays): ``fill`` in its last bar, ``phrase_fill`` at its inner
    phrase ends, ``crash`` on its downbeat, ``dropout`` bars at its end without drums and bass,
    ``lift`` (louder, melody doubled an octave up, denser hats), ``vary_melody`` (neighbour notes
    in the last bar)."""

    model_config = ConfigDict(extra="forbid")
    fill: Fill = "none"
    phrase_fill: Fill = "none"
    crash: bool = False
    dropout: int = Field(default=0, ge=0, le=8)
    lift: bool = False
    vary_melody: bool = False


class PlanSong(SongHeader):
    """The song header (``song.SongHeader``, the one a review.yml carries too), with the tempo
    bounded: the plan's tempo is what assembly renders at, and a hand edit may change it."""

    bpm: float = Field(ge=MIN_BPM, le=MAX_BPM)


class PlanSection(BaseModel):
    """A section as planned: the producer's decisions about one approved chord section."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)
    bars: int = Field(ge=1, le=MAX_BARS)
    repeat: int = Field(default=1, ge=0, le=MAX_REPEAT)
    vocals: bool = False
    intensity: float = Field(default=0.5, ge=0.0, le=1.0)
    notes: str | None = None
    approved: bool = True
    bars_from: BarsFrom | None = None
    transpose: int = Field(default=0, ge=-MAX_TRANSPOSE, le=MAX_TRANSPOSE)
    variation: Variation | None = None  # None: the loop as approved


class PlanFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    schema_version: int
    song: PlanSong
    sections: list[PlanSection] = Field(min_length=1)


@dataclass
class Plan:
    """A loaded production_plan.yml: the round-trip document and its validated model."""

    path: Path
    doc: CommentedMap
    model: PlanFile

    @property
    def sections(self) -> list[PlanSection]:
        return self.model.sections


def validate(doc: object, path: Path) -> PlanFile:
    """The plan model of a document, or one ProduceError naming the first bad field."""
    try:
        model = PlanFile.model_validate(doc)
    except ValidationError as e:
        err = e.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
        got = "" if err["type"] == "missing" else f", got {err.get('input')!r}"
        raise ProduceError(f"{err['msg']}{got}", path=path, field=where or None) from None
    try:
        bar_s = TimeSignature.parse(model.song.time_signature).bar_seconds(model.song.bpm)
    except ChromaticError as e:
        raise ProduceError(e.detail, path=path, field="song.time_signature") from None
    seconds = bar_s * sum(s.bars * s.repeat for s in model.sections if s.approved)
    if seconds > MAX_MINUTES * 60:
        raise ProduceError(
            f"expected a song of at most {MAX_MINUTES} minutes (repeats included), got "
            f"{seconds / 60:.1f} minutes: lower repeat or bars",
            path=path,
            field="sections",
        )
    return model


def load_plan(path: str | os.PathLike) -> Plan:
    """Load and validate a production_plan.yml; a problem is a ProduceError naming the field."""
    path = Path(path)
    doc = load_rt(path, ProduceError)
    if not isinstance(doc, dict):
        raise ProduceError(f"expected a mapping, got {type(doc).__name__}", path=path)
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise ProduceError(
            f"expected schema_version {SCHEMA_VERSION}, got {doc.get('schema_version')!r}",
            path=path,
            field="schema_version",
        )
    return Plan(path, doc, validate(doc, path))  # type: ignore[arg-type]


def plan_path(folder_path: str | os.PathLike) -> Path:
    return within(folder_path, PLAN_FILE)  # checked at use: a linked plan is refused
