"""One module per production phase (chords, drums, bass, melody, harmony). Each turns the song
so far (``produce.sofar.SongSoFar``: the proposal and the phases it depends on, approved; a
production folder, or a compose branch in memory) into ranked candidates and a review.

This package module holds what every phase shares, and nothing that imports a phase: the
``Phase`` protocol, the ``PhaseOptions`` it runs with and the ``PhaseResult`` it returns. The
phases themselves are listed in ``phases.registry``, which compose and the CLI look up; a phase
module imports these types from here, so the registry can import every phase without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from chromatic.produce.phases.composite import Weights

if TYPE_CHECKING:
    from chromatic.produce.phases.composite import Scorer
    from chromatic.produce.regenerate import MergeResult
    from chromatic.produce.sofar import SongSoFar


@dataclass(frozen=True)
class PhaseOptions:
    """What one phase run is asked for: the same fields for every phase, plus ``extra`` for a
    phase's own options by keyword (drums: ``humanize_with``; melody: ``singer``,
    ``singers_file``), so a caller never needs a phase-specific signature."""

    n: int  # candidates to generate (chords: in all; the other phases: per section)
    top: int  # candidates to keep in review.yml (chords: in all; the others: per section)
    seed: int = 0
    scorer: Scorer | None = None
    model: str | None = None  # the model's path as review.yml records it
    weights: Weights = field(default_factory=Weights)
    extra: Mapping[str, object] = field(default_factory=dict)
    taste: object | None = None  # a loaded taste model (chromatic.scoring.taste.TasteModel)
    evolve: object | None = None  # breeding (chromatic.produce.evolve.Evolve); None: rank only

    @classmethod
    def of(
        cls,
        own: tuple[str, ...] = (),
        /,
        n: int = 40,
        top: int = 5,
        seed: int = 0,
        scorer: Scorer | None = None,
        model: str | None = None,
        weights: Weights | None = None,
        taste: object | None = None,
        evolve: object | None = None,
        **extra: object,
    ) -> PhaseOptions:
        """Options from keywords, as a script or a test calls a phase (``run_drums(folder,
        n=8, top=3, humanize_with="swing")``): ``own`` names the phase's own keywords, which go
        to ``extra``; any other keyword is a TypeError, as with a function's signature."""
        unknown = sorted(set(extra) - set(own))
        if unknown:
            raise TypeError(f"unexpected phase option(s) {', '.join(unknown)}; own: {own}")
        return cls(
            n, top, seed, scorer, model, weights or Weights(), extra, taste=taste, evolve=evolve
        )

    def ranking(self) -> dict[str, object]:
        """The keywords the part phases' score-and-rank block (``parts.part_candidates``) takes
        from these options."""
        return {
            "top": self.top,
            "seed": self.seed,
            "scorer": self.scorer,
            "model": self.model,
            "weights": self.weights,
            "taste": self.taste,
            "evolve": self.evolve,
        }


@dataclass(frozen=True)
class PhaseResult:
    """What a phase run did, the same shape for every phase."""

    phase: str
    merge: MergeResult  # what review.yml kept, added and replaced
    generated: int  # candidates generated in all
    distinct: int  # of them distinct (chords drop duplicate progressions)
    by_section: Mapping[str, int]  # generated per section; empty for chords (labelled later)
    warnings: tuple[str, ...]
    weights: Weights  # the weights applied (theory only without a model)


class Phase(Protocol):
    """A production phase: its folder name, the phases whose approved loops it reads, and one
    way to run it: ``run`` gives the phase's ``Candidates`` and writes nothing; its caller gates
    them (``Candidates.gate``) where a review is wanted (``produce <phase>``, compose's kept
    branch), or holds, compares or drops them without a review written."""

    @property
    def name(self) -> str: ...

    @property
    def depends_on(self) -> tuple[str, ...]: ...

    def run(self, song_so_far: SongSoFar, options: PhaseOptions) -> Candidates: ...


@dataclass(frozen=True)
class Candidates:
    """What a phase's score-and-rank block returns, before any review is written: its ranked
    ``groups`` (``regenerate.Group``s of ``FreshCandidate``s: a part as its Song, its scores,
    its details, its bytes made when a file is wanted), the review's ``facts`` and the run's
    counts. ``gate`` writes them where the song so far keeps reviews (a folder's review.yml
    under its lock, or a compose branch's outbox in memory) and gives the ``PhaseResult``;
    nothing is written before. ``then`` is a second step that reads the review this one wrote
    (the chord phase on a proposal's given progressions: its generated loops are gated first,
    then the given ones, which keep them beside theirs): it runs at the gate, and its
    ``PhaseResult`` is the one given."""

    phase: str
    facts: dict
    groups: list
    digits: int
    generated: int
    distinct: int
    by_section: Mapping[str, int]
    warnings: tuple[str, ...]
    weights: Weights
    then: Callable[[SongSoFar], Candidates] | None = None

    def gate(self, song_so_far: SongSoFar) -> PhaseResult:
        merge = song_so_far.write_review(
            self.phase, facts=self.facts, groups=self.groups, digits=self.digits
        )
        if self.then is not None:
            return self.then(song_so_far).gate(song_so_far)
        return PhaseResult(
            self.phase,
            merge,
            self.generated,
            self.distinct,
            self.by_section,
            self.warnings,
            self.weights,
        )
