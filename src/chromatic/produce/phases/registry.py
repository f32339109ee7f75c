"""The production phases, in the order they run: one explicit table.

Compose (``produce.compose``) and the CLI's phase commands look phases up here by name (and gate
the ``Candidates`` a phase's ``run`` gives: the CLI for a human, compose once for what it
keeps); a new
phase (harmony, say) is its module plus one ``PHASES`` entry (and its folder name in
``produce.folder.PHASES``, the folder layout). The table is written out rather than filled in
by each phase module registering itself on import: the order is the one you read, a phase is
there whether or not something imported its module first, and this module is the only one that
imports every phase (each phase imports only the shared types in ``produce.phases``), so there
is no import cycle to avoid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from chromatic.errors import ProduceError
from chromatic.produce.phases import (
    Candidates,
    Phase,
    PhaseOptions,
    backing,
    bass,
    drums,
    given_chords,
    melody,
)

REFERENCE_FILE = "reference.yml"  # produce.reference.bias: its figures bias every phase

if TYPE_CHECKING:
    from chromatic.produce.sofar import SongSoFar


@dataclass(frozen=True)
class FunctionPhase:
    """A phase whose work is one public function ``<phase>_phase(song_so_far, options)`` (a
    ``produce.sofar.SongSoFar``: the folder for ``produce <phase>``, a compose branch in
    memory); ``own`` names the keywords it accepts in ``PhaseOptions.extra``. It gives the
    phase's ``Candidates``, nothing written; the caller gates them."""

    name: str
    depends_on: tuple[str, ...]
    function: Callable[..., Candidates]
    own: tuple[str, ...] = ()
    breeds: bool = False  # takes ``evolve`` (``produce.evolve``); others run without it

    def run(self, song_so_far: SongSoFar, options: PhaseOptions) -> Candidates:
        folder = song_so_far
        folder.check_phase_tree(self.name)  # a linked phase folder is refused before any work
        unknown = sorted(set(options.extra) - set(self.own))
        if unknown:
            raise ProduceError(
                f"phase {self.name!r} has no option {', '.join(map(repr, unknown))}; "
                f"it takes {', '.join(self.own) or 'none of its own'}"
            )
        if folder.path(REFERENCE_FILE).is_file():  # a reference track biases the phase
            from chromatic.produce.reference.bias import run_with_reference

            return run_with_reference(self, folder, options)  # its copy holds none
        return self.function(folder, options if self.breeds else replace(options, evolve=None))


PHASES: tuple[Phase, ...] = (
    FunctionPhase("chords", (), given_chords.chords_phase, own=given_chords.OWN, breeds=True),
    FunctionPhase("drums", ("chords",), drums.drums_phase, own=drums.OWN, breeds=True),
    FunctionPhase("bass", ("chords", "drums"), bass.bass_phase, own=bass.OWN, breeds=True),
    FunctionPhase("melody", ("chords",), melody.melody_phase, own=melody.OWN, breeds=True),
    FunctionPhase(
        "harmony", ("chords", "melody"), backing.harmony_phase, own=backing.OWN, breeds=True
    ),
)
REGISTRY: dict[str, Phase] = {p.name: p for p in PHASES}


def find(name: str) -> Phase | None:
    """The phase called ``name``, or None where there is none."""
    return REGISTRY.get(name)


def get(name: str) -> Phase:
    """The phase called ``name``; an unknown one is a ProduceError listing those there are."""
    phase = find(name)
    if phase is None:
        raise ProduceError(f"unknown phase {name!r}; expected one of {', '.join(REGISTRY)}")
    return phase
