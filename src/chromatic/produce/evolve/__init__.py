"""Breeding: evolutionary search over a phase's candidates, with the phase's composite as the
fitness and a quality-diversity archive for the shortlist (``docs/evolve.md``).

The phases know nothing of this package: ``PhaseOptions.evolve`` carries an ``Evolve`` whose
``breed`` the shared part runner (``phases.parts.part_candidates``) calls with the generated
candidates, a batch ``evaluate`` (the same composite review.yml shows) and the phase's context
(kicks, genre fit, singer); the operators live in ``evolve.drums``, ``evolve.bass`` and
``evolve.melody``. A candidate is the phases' own ``PartCandidate`` (section, draw index,
theory, details, notes): a light in-memory record a later Song type can adopt by mapping a
track's notes to ``notes``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from chromatic.errors import ProduceError

STREAM = zlib.crc32(b"chromatic.produce.evolve")
PHASES = ("drums", "bass", "melody", "harmony")


@dataclass(frozen=True)
class Evolve:
    """How to breed. Defaults: 6 generations of 24 children, tournament of 2 (mild pressure,
    the archive keeps the diversity), 2 elites, mutation on 90 % of children (one operator, a
    second on 30 %), crossover on 60 %, a parent drawn from the archive's elites 30 % of the
    time, half the children aimed at the archive's empty cells (``explore``), and the shortlist
    taken from the archive (best of distinct niches, each above its niche's floor).

    The artist's earlier implementation is ``Evolve.earlier()``: 8 x 30, tournament 3,
    elitism 2, mutation 0.15, crossover always, no archive."""

    generations: int = 6
    population: int = 24
    tournament: int = 2
    elitism: int = 2
    mutation: float = 0.9
    crossover: float = 0.6
    double: float = 0.3
    from_archive: float = 0.3
    archive: bool = True
    bins: int = 5
    from_review: bool = False  # --breed: the approved or starred candidates are the parents
    shortlist: int = 10  # candidates ordered for diversity before the rest by fitness
    explore: float = 0.5  # a child aimed at an empty niche (``engine._explore``; with archive)
    tries: int = 4  # mutations tried per exploring child, the nearest the empty niche kept
    niche_floor: bool = True  # the shortlist's floor relative to each niche (archive.niche_floors)
    workers: int = 1  # threads scoring one section while the next breeds (0: one thread)
    fuse: bool = True  # the fitness runs the model with its GELUs fused (``evolve.fitness``)
    progress: Callable[[str, int, int, float], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.generations < 1 or self.population < 2 or self.tournament < 1:
            raise ProduceError(
                "expected --generations >= 1 and --population >= 2, got "
                f"generations={self.generations}, population={self.population}"
            )

    @classmethod
    def earlier(cls, **kw) -> Evolve:
        return cls(8, 30, 3, 2, 0.15, 1.0, 0.0, 0.0, False, explore=0.0, **kw)

    def facts(self) -> dict:
        return {
            "generations": self.generations,
            "population": self.population,
            "tournament": self.tournament,
            "elitism": self.elitism,
            "mutation": self.mutation,
            "crossover": self.crossover,
            "archive": f"MAP-Elites {self.bins}x{self.bins}" if self.archive else None,
            **({"explore": self.explore} if self.archive and self.explore else {}),
            **({"floor": "relative to the niche"} if self.archive and self.niche_floor else {}),
            **({"from": "approved or starred candidates"} if self.from_review else {}),
        }

    def fitness(self, scorer):
        """The scorer the fitness calls: ``scorer``'s fused twin (``evolve.fitness``) with
        ``fuse``, else ``scorer``."""
        from chromatic.produce.evolve.fitness import fused

        return fused(scorer) if self.fuse else scorer

    def chords(self, folder, cands: list, seed: int, scorer, weights, taste):
        """Breed the chord phase's generated loops (``evolve.chord_phase``): a
        ``ChordBreeding`` the phase ranks and writes."""
        from chromatic.produce.evolve.chord_phase import breed_chords

        return breed_chords(self, folder, cands, seed, scorer, weights, taste)

    def breed(self, phase: str, song, candidates: dict, evaluate, context: dict, seed: int):
        """Evolve every section (from its approved or starred candidates with ``from_review``,
        read from ``context["phase_dir"]``)."""
        from chromatic.produce.evolve.breeders import breeder_for
        from chromatic.produce.evolve.engine import evolve_steps
        from chromatic.produce.evolve.parents import Parents, review_parents
        from chromatic.produce.evolve.pipeline import InOrder, interleave
        from chromatic.produce.phases.parts import section_rng

        if phase not in PHASES:
            raise ProduceError(f"--evolve is not available for {phase!r}; it breeds {PHASES}")
        parents = review_parents(context["phase_dir"]) if self.from_review else Parents({}, {}, {})
        lyrics = {**parents.lyrics}
        if phase == "melody":  # a displaced child's lyric events move with its notes
            context = {**context, "lyrics": {**(context.get("lyrics") or {}), **lyrics}}
        out, origin, per, extra_top = {}, {}, {}, {}
        jobs = []  # (section, its chosen parents, its breeder, its steps)
        for s in song.sections:
            chosen = parents.by_section.get(s.label)
            initial = chosen or candidates.get(s.label) or []
            if not initial or (self.from_review and not chosen):
                out[s.label] = initial
                continue
            jobs.append((s, chosen, breeder_for(phase, song, s, context), initial))
        order = InOrder([s.label for s, *_ in jobs], self.progress) if self.progress else None
        steps, seen = [], set()  # one review.yml: no details object in two shortlists
        for s, _chosen, breeder, initial in jobs:
            tick = None
            if order is not None:
                tick = lambda g, n, best, _l=s.label: order(_l, g, n, best)  # noqa: E731
            rng = section_rng(seed, STREAM, s.label)
            steps.append(evolve_steps(s, initial, breeder, self, rng, tick, seen))
        for (s, chosen, breeder, _), bred in zip(
            jobs, interleave(steps, evaluate, self.workers), strict=True
        ):
            out[s.label] = [c for c in bred.kept if not chosen or "lineage" in c.details]
            origin[s.label] = bred.origin
            for c in out[s.label]:  # a child with its own rhythm brings its own words
                own = (breeder.lyrics or {}).get((s.label, c.index))
                if own is not None:
                    origin[s.label][c.index] = c.index
                    lyrics[(s.label, c.index)] = own
            per[s.label] = {"scored": bred.scored, "niches": bred.niches}
            if chosen:
                per[s.label]["parents"] = [c.details["review_id"] for c in chosen]
                extra_top[s.label] = parents.kept.get(s.label, 0)
        facts = {**self.facts(), "sections": per}
        return Breeding(out, origin, facts, lyrics, extra_top, frozenset(per))


@dataclass(frozen=True)
class Breeding:
    """What ``Evolve.breed`` hands back to the phase: the candidates to rank per section, each
    child's initial ancestor (whose track, lyric events included, it inherits), the facts for
    review.yml, the parents' own lyric events, and how many reviewed candidates a bred section
    keeps (its children are written on top of them)."""

    candidates: dict
    origin: dict
    facts: dict
    lyrics: dict
    extra_top: dict
    ordered: frozenset = frozenset()  # the sections bred: their candidates in shortlist order
