"""What a compose run is asked for and what its search keeps: the options, a branch of the beam
search, a phase's report, and the names they share.

A leaf of ``produce.compose``: ``run`` (the entry points), ``search`` (the beam search) and
``summary`` (what a run leaves behind) all import it, and it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from chromatic.errors import ProduceError
from chromatic.music.form import DEFAULT_FORM
from chromatic.produce.phases.composite import Weights
from chromatic.produce.promote import normalize_label

if TYPE_CHECKING:
    from chromatic.produce.compose.branch import HeldSong

FORM: tuple[str, ...] = DEFAULT_FORM  # music.form: the form compose writes when asked for none
SUMMARY = "compose_summary"
WORK_DIR = ".compose"


@dataclass(frozen=True)
class ComposeOptions:
    n: int = 50
    beam: int = 3
    seed: int = 0
    model: Path | None = None
    weights: Weights = field(default_factory=Weights)
    form: tuple[str, ...] = FORM
    render: bool = True
    soundfont: Path | None = None
    audio_format: str = "wav"
    sample_rate: int = 44100
    force: bool = False
    keep_work: bool = False
    quantized: bool = False  # the arrangement on the grid, without the performance's humanizing
    stems: bool = False  # also render one audio file per instrument (stems/<track>.wav)
    key: str | None = None  # compose --key: replaces the proposal's key ("D minor")
    trust_model: bool = False  # compose --trust-model: use a model that failed its gates
    taste: Path | None = None  # compose --taste: the artist's learned taste, a composite term
    evolve: object | None = None  # compose --evolve: a produce.evolve.Evolve for the part phases

    def __post_init__(self) -> None:
        if self.n < 1 or self.beam < 1 or self.seed < 0:
            raise ProduceError(
                f"expected n >= 1, beam >= 1 and seed >= 0, got n={self.n}, beam={self.beam}, "
                f"seed={self.seed}"
            )
        if (
            not self.form
            or len(set(self.form)) != len(self.form)
            or any(normalize_label(s) != s for s in self.form)
        ):
            raise ProduceError(
                f"expected distinct section labels (lower case, digits, '_'), got {list(self.form)}"
            )


@dataclass
class Branch:
    song: HeldSong  # the song so far (``compose.branch``), in memory
    lineage: tuple[int, ...] = ()
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # phase -> section -> id
    composites: dict[str, dict[str, float]] = field(
        default_factory=dict
    )  # phase -> section -> score

    @property
    def phase_scores(self) -> dict[str, float]:
        return {ph: sum(c.values()) / len(c) for ph, c in self.composites.items() if c}

    @property
    def score(self) -> float:
        s = self.phase_scores
        return sum(s.values()) / len(s) if s else 0.0


@dataclass(frozen=True)
class PhaseReport:
    phase: str
    seconds: float
    branches: int
    generated: int
    alternatives: int
    kept: tuple[tuple[str, float], ...]  # (lineage, branch score)
