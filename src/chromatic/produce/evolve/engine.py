"""The generational loop of one section: tournament selection with elitism, crossover at
phrase boundaries, the phase's mutation operators, and a MAP-Elites archive of the best of
each niche.

Everything is seeded (one numpy generator per section), and the fitness is the caller's
``evaluate``: the phase's own composite (theory, chromatic match, taste), scored in one batch
per generation, so breeding optimises exactly what the human is shown. Children that repeat a
part already scored are dropped before scoring (they would only cost budget).

Why not DEAP or pyribs: DEAP's value is its toolbox of operators over fixed-length genomes and
``creator``'s module-level classes; ours are phase-specific note operators over variable-length
parts, and tournament plus elitism is a dozen lines. pyribs' archives store fixed-dimension
float solution vectors for its emitters; a part is a tuple of notes. A grid of dicts is the
whole MAP-Elites archive we need (``evolve.archive``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from chromatic.produce.evolve.archive import Archive, cell, niche_floors, niche_name, spread_order
from chromatic.produce.evolve.breeder import unshared
from chromatic.produce.evolve.ops import crossover
from chromatic.produce.evolve.pipeline import run_steps
from chromatic.produce.phases.parts import spread
from chromatic.yamlio import flow

#: How many candidates a ranking shows per section (``compose``'s PART_TOP): the shortlist's
#: quality floor is the worst of those (``shown_floor``).
FLOOR_RANK = 5


def shown_floor(initial: list, fit: dict[int, float], kind: str) -> float:
    """The fitness of the worst candidate generate-and-rank would show from ``initial``: its
    best ``FLOOR_RANK`` spread over kinds (``phases.parts.spread``: one template, style or
    contour of each before a second). The bred shortlist never shows a candidate below it."""
    ranked = sorted(initial, key=lambda c: (-fit[c.index], c.index))
    shown = spread(ranked, lambda c: c.details.get(kind))[:FLOOR_RANK]
    return min(fit[c.index] for c in shown)


@dataclass
class Bred:
    """One section's outcome: the candidates to rank (archive elites, or the last population),
    every fitness computed, each child's lineage and the initial ancestor whose track (the
    melody's lyric events) it inherits."""

    kept: list
    fitness: dict[int, float]
    scored: int
    niches: int
    origin: dict[int, int] = field(default_factory=dict)


def tournament(pop: Sequence, fit: dict[int, float], k: int, rng):
    """The fittest of ``k`` drawn at random (lower index breaks ties)."""
    picks = [pop[int(i)] for i in rng.integers(len(pop), size=max(1, k))]
    return min(picks, key=lambda c: (-fit[c.index], c.index))


def evolve_section(
    section,
    initial: list,
    breeder,
    evaluate: Callable[[list], list[float]],
    options,
    rng,
    progress: Callable[[int, int, float], None] | None = None,
) -> Bred:
    """Evolve one section's candidates for ``options.generations`` generations of
    ``options.population`` children each (``evolve_steps`` with each batch scored here)."""
    return run_steps(evolve_steps(section, initial, breeder, options, rng, progress), evaluate)


def evolve_steps(section, initial: list, breeder, options, rng, progress=None, seen=None):
    """``evolve_section`` as a generator: it yields each batch to score (the initial
    candidates, then each generation's children) and is sent their fitness; it returns the
    ``Bred``. Breeding never waits on a score it has not been sent, so a caller may score one
    section's batch while another section breeds (``evolve.pipeline``); the outcome depends
    only on the fitness sent, never on when it came. ``seen``: the ids of the details objects
    other sections' shortlists hold (``breeder.unshared``; one set for one review.yml)."""
    fit = dict(zip([c.index for c in initial], (yield initial), strict=True))
    pool = {c.index: c for c in initial}
    origin = {c.index: c.index for c in initial}
    roots = {c.index: (_name(c),) for c in initial}
    archive = Archive(options.bins)
    point = {c.index: breeder.descriptor(section, c.notes) for c in initial}  # once each
    for c in initial:
        archive.add(c.index, fit[c.index], point[c.index])
    seen = {c.notes for c in initial}
    pop = sorted(initial, key=lambda c: (-fit[c.index], c.index))[: options.population]
    nxt = max(pool) + 1
    scored = len(initial)
    for g in range(options.generations):
        children = []
        for _ in range(options.population * 4):
            if len(children) >= options.population:
                break
            made = _make_child(
                section, pop, pool, fit, archive, breeder, options, rng, nxt, g, point, seen
            )
            if made is None or made[0].notes in seen:
                continue
            child, first = made
            seen.add(child.notes)
            origin[child.index] = origin[first]
            up = child.details["lineage"].pop("_up")
            roots[child.index] = tuple(dict.fromkeys(r for p in up for r in roots[p]))
            child.details["lineage"]["roots"] = flow(list(roots[child.index]))
            children.append(child)
            nxt += 1
        if children:
            for c, f in zip(children, (yield children), strict=True):
                fit[c.index] = f
                pool[c.index] = c
                point[c.index] = breeder.descriptor(section, c.notes)
                archive.add(c.index, f, point[c.index])
            scored += len(children)
        pop = _select(pop + children, fit, options, rng)
        if progress is not None:
            progress(g + 1, options.generations, max(fit.values()))
    if options.archive:
        floor = shown_floor(initial, fit, breeder.kind)
        if options.niche_floor:
            span = max(fit[c.index] for c in initial) - floor
            floors = niche_floors(list(pool), fit, point.__getitem__, floor, span)
            floor = floors.__getitem__
        keys = spread_order(
            list(pool),
            fit,
            lambda k: cell(point[k], options.bins),
            point.__getitem__,
            options.shortlist,
            floor,
        )
    else:
        keys = [c.index for c in pop]
    seen = set() if seen is None else seen
    kept = [_with_niche(pool[k], point[k], options.bins, seen) for k in keys]
    return Bred(kept, fit, scored, len(archive), origin)


def _with_niche(c, point: tuple[float, float], bins: int, seen: set[int]):
    niche = niche_name(cell(point, bins))
    # draw: what lineages cite
    details = {**unshared(c.details, seen), "draw": c.index, "niche": niche}
    seen.add(id(details))
    return type(c)(c.section, c.index, c.theory, details, c.notes)


def _parent(pop, fit, archive, options, rng, pool):
    if options.from_archive and len(archive) > 1 and rng.random() < options.from_archive:
        keys = archive.keys()
        return pool[keys[int(rng.integers(len(keys)))]]
    return tournament(pop, fit, options.tournament, rng)


def _target(archive, options, rng) -> tuple[float, float]:
    """Where an exploring child should land: the centre of a cell no candidate reached yet
    (drawn at random), or of any cell once the grid is full."""
    bins = options.bins
    empty = [(i, j) for i in range(bins) for j in range(bins) if (i, j) not in archive.elites]
    cells = empty or [(i, j) for i in range(bins) for j in range(bins)]
    i, j = cells[int(rng.integers(len(cells)))]
    return (i + 0.5) / bins, (j + 0.5) / bins


def _explore(section, pool, archive, breeder, options, rng, point, goal):
    """A directed child (the archive's emitter toward the empty niches): the elite nearest
    ``goal`` (an empty cell's centre, ``_target``), and of ``options.tries`` mutations of it
    (one or two operators each, no fitness spent) the one whose descriptors land nearest the
    goal. Returns (parent, notes, operator names) or None."""

    def far(p) -> float:
        return (p[0] - goal[0]) ** 2 + (p[1] - goal[1]) ** 2

    a = pool[min(archive.keys(), key=lambda k: (far(point[k]), k))]
    best = None
    for _ in range(options.tries):
        notes, ops = a.notes, []
        for _ in range(1 + int(rng.random() < options.double)):
            name, op = breeder.operators[int(rng.integers(len(breeder.operators)))]
            out = op(notes, section, rng)
            if out is not None and out != notes:
                notes, ops = out, [*ops, name]
        if ops:
            d = far(breeder.descriptor(section, notes))
            if best is None or d < best[0]:
                best = (d, notes, ops)
    return None if best is None else (a, best[1], best[2])


def _make_child(
    section, pop, pool, fit, archive, breeder, options, rng, index: int, gen: int, point, seen
):
    """A child, with the initial ancestor whose track it inherits, or None: no operator
    applied, the breeder refused it, or (for a breeder that keeps the notes it is given) a
    part already seen, dropped before its child is built."""
    if options.archive and options.explore and len(archive) and rng.random() < options.explore:
        goal = _target(archive, options, rng)
        found = _explore(section, pool, archive, breeder, options, rng, point, goal)
        if found is None:
            return None
        a, notes, ops = found
        if breeder.keeps_notes and tuple(notes) in seen:
            return None
        lineage = {"parents": [_name(a)], "operators": ops, "generation": gen + 1, "_up": [a.index]}
        child = breeder.child(section, notes, a, index, lineage)
        return None if child is None else (child, a.index)
    a = _parent(pop, fit, archive, options, rng, pool)
    parents, ops, notes, up = [_name(a)], [], a.notes, [a.index]
    if rng.random() < options.crossover:
        mates = [c for c in pop if c.index != a.index and breeder.compatible(a, c)]
        if mates:
            b = tournament(mates, fit, options.tournament, rng)
            crossed = (breeder.cross or crossover)(a.notes, b.notes, section, rng)
            if crossed is not None:
                notes, label = crossed
                parents.append(_name(b))
                up.append(b.index)
                ops.append(label)
    if rng.random() < options.mutation or notes == a.notes:
        for _ in range(1 + int(rng.random() < options.double)):
            name, op = breeder.operators[int(rng.integers(len(breeder.operators)))]
            out = op(notes, section, rng)
            if out is not None and out != notes:
                notes = out
                ops.append(name)
    if not ops or not notes or (breeder.keeps_notes and tuple(notes) in seen):
        return None
    lineage = {"parents": parents, "operators": ops, "generation": gen + 1, "_up": up}
    child = breeder.child(section, notes, a, index, lineage)
    return None if child is None else (child, a.index)  # None: the breeder refused it


def _name(c):
    """How a lineage cites a parent: its review.yml id when it came from one, else its draw
    index (``draw`` in the details of every bred shortlist)."""
    return c.details.get("review_id", c.index)


def _select(pool: list, fit: dict[int, float], options, rng) -> list:
    """The next population: the ``elitism`` fittest, then tournament winners (distinct)."""
    ranked = sorted({c.index: c for c in pool}.values(), key=lambda c: (-fit[c.index], c.index))
    nxt = ranked[: options.elitism]
    chosen = {c.index for c in nxt}
    for _ in range(options.population * 3):
        if len(nxt) >= min(options.population, len(ranked)):
            break
        w = tournament(ranked, fit, options.tournament, rng)
        if w.index not in chosen:
            chosen.add(w.index)
            nxt.append(w)
    return nxt
