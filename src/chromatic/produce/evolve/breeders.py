"""The breeder of each phase that breeds (``evolve.drums``, ``evolve.bass``, ``evolve.melody``)."""

from __future__ import annotations

from chromatic.errors import ProduceError
from chromatic.produce.evolve.breeder import Breeder


def breeder_for(phase: str, song, section, context: dict) -> Breeder:
    if phase == "drums":
        from chromatic.produce.evolve.drums import drum_breeder

        return drum_breeder(section)
    if phase == "bass":
        from chromatic.produce.evolve.bass import bass_breeder

        return bass_breeder(song, section, context["kicks"][section.label])
    if phase == "melody":
        from chromatic.produce.evolve.melody import melody_breeder

        return melody_breeder(song, section, context["singer"], context.get("lyrics"))
    if phase == "harmony":
        from chromatic.produce.evolve.backing import backing_breeder

        return backing_breeder(song, section, context["leads"][section.label], context["singer"])
    raise ProduceError(f"no breeder for phase {phase!r}")
