"""What assembly makes: the arrangement (its score, where each planned section landed, the
instruments) as the other arrangement steps (performance, preview, notation, summary) read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from symusic import Score

from chromatic.produce.planfile import PlanSection


@dataclass(frozen=True)
class SectionSpan:
    """Where one planned section landed: the plan's entry (``planned``: name, bars per repeat,
    repeat), bars and seconds from the song start, and the notes each phase plays in it. Not a
    ``sections.Section``: that is one chord loop read for the part phases, before any plan;
    this is a plan entry laid out on the arrangement's timeline, repeats included."""

    planned: PlanSection
    start_bar: int
    start_seconds: float
    end_seconds: float
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.planned.name

    @property
    def repeat(self) -> int:
        return self.planned.repeat

    @property
    def bars(self) -> int:
        """Bars per repeat."""
        return self.planned.bars

    @property
    def total_bars(self) -> int:
        return self.bars * self.repeat


@dataclass(frozen=True)
class Instrument:
    name: str
    phase: str
    program: int
    is_drum: bool


@dataclass(frozen=True)
class Arrangement:
    score: Score
    sections: tuple[SectionSpan, ...]
    instruments: tuple[Instrument, ...]
    bar_seconds: float
    warnings: tuple[str, ...]

    @property
    def total_bars(self) -> int:
        return sum(s.total_bars for s in self.sections)

    @property
    def seconds(self) -> float:
        return self.total_bars * self.bar_seconds
