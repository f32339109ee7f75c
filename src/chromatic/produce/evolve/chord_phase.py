"""Breeding in the chord phase (``produce chords --evolve`` / ``--breed``).

The chord phase (``phases.chords.run_chords``) hands its generated ``ChordCandidate`` list here
and gets back the pool to rank: the generated loops and every child bred from them (or, with
``--breed``, the children of the approved and starred loops only), the MIDI and chromatic
results already computed (nothing is rendered or scored twice), the shortlist order (best of
distinct niches), each child's lineage and niche for review.yml, and the run's facts.

A child is a ``ChordCandidate`` like any other: its chords are ``ChordSpec`` of the key's table,
so its chord symbols (review.yml's ``chords``, the loop's text events that the later phases
read) are computed from the chords it plays, never copied from a parent.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

from chromatic.errors import ProduceError
from chromatic.music.meter import meter_of
from chromatic.produce.chords.colour import WALK, Origin, usable
from chromatic.produce.chords.progression import transition_model
from chromatic.produce.chords.theory import PARTS, TheoryScores, loop_moves
from chromatic.produce.chords.vocab import QUALITIES, family
from chromatic.produce.evolve.chords import (
    GROUP,
    ChordContext,
    chord_breeder,
    slots,
    theory_of,
)
from chromatic.produce.evolve.engine import evolve_section
from chromatic.produce.evolve.parents import PARENT_BASE, chosen
from chromatic.produce.phases.chords import (
    ChordCandidate,
    chord_loop,
    colour_of,
)
from chromatic.produce.phases.composite import (
    anchored_term,
    applied_weights,
    composite,
    score_midi,
)
from chromatic.produce.phases.parts import PartCandidate, section_rng
from chromatic.produce.phases.taste import taste_scores
from chromatic.produce.review import load_review
from chromatic.produce.rhythm.patterns import HarmonicRhythm, strum_patterns
from chromatic.produce.style import style_for

STREAM = zlib.crc32(b"chromatic.produce.evolve.chords")


@dataclass
class ChordBreeding:
    candidates: list  # ChordCandidate: what the phase ranks (shortlist order first)
    order: list[int]  # candidate indices in shortlist order
    details: dict[int, dict]  # index -> lineage / draw / niche for review.yml
    midi: dict[int, bytes] = field(default_factory=dict)
    chroma: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    extra_top: int = 0  # reviewed loops kept (with --breed the children come on top)

    def ranked(self, by_composite: list) -> tuple[list, dict[int, dict]]:
        """The shortlist (best of distinct niches) first, then the rest by composite; and each
        bred candidate's lineage, draw and niche for its details."""
        first = {i: k for k, i in enumerate(self.order)}
        head = sorted((c for c in by_composite if c.index in first), key=lambda c: first[c.index])
        return head + [c for c in by_composite if c.index not in first], self.details


def context(proposal, style, meter) -> ChordContext:
    key = proposal.key
    model = transition_model(family(key), colour_of(style, key))
    progs = usable(model, style.harmony.progressions.get(family(key), []))
    moves = frozenset(m for p in progs for m in loop_moves(tuple(model.index(x) for x in p)))
    h = style.harmony
    return ChordContext(
        model, key, meter, h.borrowed, h.secondary, h.sevenths, h.sus, h.add9, moves
    )


def _idea(origin: Origin) -> str:
    return " ".join(origin.progression) if origin.source == "family" else origin.source


def to_part(c, ctx: ChordContext) -> PartCandidate:
    """A chord candidate as the engine's record: its genome (``evolve.chords.Slot``)."""
    g = slots(c.chords, c.voicing, c.rhythm.bars, ctx.meter)
    details = {"idea": _idea(c.origin), "_origin": c.origin, "_strum": c.strum}
    details["_rhythm"] = c.rhythm
    return PartCandidate(GROUP, c.index, c.theory.to_dict(), details, g)


def to_chord(p: PartCandidate, ctx: ChordContext):
    """The engine's record back as a ``ChordCandidate`` the phase renders."""
    g = p.notes
    bars = tuple(s.bars for s in g)
    parent = p.details["_rhythm"]
    if bars == parent.bars:
        rhythm = parent
    else:
        share = {b: sum(x == b for x in bars) / len(bars) for b in sorted(set(bars))}
        rhythm = HarmonicRhythm("bred", share, bars)
    return ChordCandidate(
        index=p.index,
        path=tuple(ctx.model.index(s.chord.numeral) for s in g),
        chords=tuple(s.chord for s in g),
        voicing=np.array([s.voicing for s in g], dtype=np.int64),
        theory=TheoryScores(**{k: p.theory[k] for k in PARTS}),
        rhythm=rhythm,
        strum=p.details["_strum"],
        origin=p.details["_origin"],
    )


def setting(folder):
    """(proposal, style, meter, chords program, ``ChordContext``) of a production folder."""
    proposal = folder.proposal()
    style = style_for(proposal, folder.root)
    meter = meter_of(proposal.time_signature)
    return proposal, style, meter, style.program("chords"), context(proposal, style, meter)


def chord_evaluator(folder, scorer, weights, taste, midi: dict, chroma: dict):
    """The batch fitness of chord genomes: the chord phase's composite (theory, the chromatic
    term anchored on the first batch, taste), the chromatic results kept in ``chroma`` so the
    phase scores nothing twice. The scorer and the taste model hear each loop as its Song:
    nothing is encoded while breeding (``midi`` stays for loops a caller rendered)."""
    proposal, _style, meter, program, ctx = setting(folder)
    applied, _ = applied_weights(scorer, weights)
    anchor: list = []

    def evaluate(batch: list[PartCandidate]) -> list[float]:
        chords = [to_chord(p, ctx) for p in batch]
        loops = {c.index: chord_loop(c, proposal, meter, program) for c in chords}  # in memory
        if scorer is not None:
            got = score_midi(
                scorer,
                [(f"c{c.index}", loops[c.index]) for c in chords],
                color=proposal.color.name,
                concept=proposal.concept,
            )
            chroma.update({c.index: got[f"c{c.index}"] for c in chords})
            if not anchor:
                anchor.append(
                    ([chroma[c.index].match for c in chords], [c.theory.total for c in chords])
                )
        liked = {}
        if taste is not None:
            liked = taste_scores(taste, "chords", loops, str(proposal.key), [])
        out = []
        for c in chords:
            term = anchored_term(chroma[c.index].match, *anchor[0]) if c.index in chroma else None
            out.append(round(composite(c.theory.total, term, applied, liked.get(c.index)), 4))
        return out

    evaluate.chroma = chroma  # type: ignore[attr-defined]  # what a benchmark reads back
    return evaluate


def breed_chords(evolve, folder, cands, seed: int, scorer, weights, taste) -> ChordBreeding:
    """Breed the chord candidates ``cands`` (see the module docstring)."""
    proposal, _style, _meter, _program, ctx = setting(folder)
    parents, kept = (
        review_parents(folder.phase_dir("chords"), ctx, proposal) if evolve.from_review else ([], 0)
    )
    if evolve.from_review and not parents:
        return ChordBreeding(cands, [], {})
    initial = parents or [to_part(c, ctx) for c in cands]
    midi: dict[int, bytes] = {}
    chroma: dict = {}
    evaluate = chord_evaluator(folder, evolve.fitness(scorer), weights, taste, midi, chroma)

    tick = None
    if evolve.progress is not None:
        tick = lambda g, n, best: evolve.progress("chords", g, n, best)  # noqa: E731
    bred = evolve_section(
        ctx, initial, chord_breeder(ctx), evaluate, evolve, section_rng(seed, STREAM, GROUP), tick
    )
    keep = [p for p in bred.kept if not parents or "lineage" in p.details]
    out = [to_chord(p, ctx) for p in keep]
    details = {
        p.index: {k: p.details[k] for k in ("lineage", "draw", "niche") if k in p.details}
        for p in keep
    }
    per = {"scored": bred.scored, "niches": bred.niches}
    if parents:
        per["parents"] = [p.details["review_id"] for p in parents]
    facts = {"evolve": {**evolve.facts(), "sections": {GROUP: per}}}
    order = [p.index for p in keep[: evolve.shortlist]] if evolve.archive else []
    return ChordBreeding(out, order, details, midi, chroma, facts, kept)


def review_parents(phase_dir, ctx: ChordContext, proposal) -> tuple[list[PartCandidate], int]:
    """The approved or starred loops of chords/review.yml as genomes (read from the details
    review.yml records: chords, qualities, voicing, harmonic rhythm, strum), and how many
    reviewed loops the phase keeps."""
    path = phase_dir / "review.yml"
    if not path.is_file():
        return [], 0
    review = load_review(path, check_files=True).model
    out, kept = [], 0
    for i, c in enumerate(review.candidates):
        if c.touched or (c.model_extra or {}).get("star"):
            kept += 1
        if not chosen(c) or c.details.get("section"):
            continue
        out.append(_parent(c, i, ctx, proposal, path))
    return out, kept


def _parent(c, i: int, ctx: ChordContext, proposal, path) -> PartCandidate:
    d = c.details
    where = f"candidates[{i}].details"
    try:
        numerals, qualities = list(d["progression"]), list(d["qualities"])
        voicing = [[int(p) for p in row] for row in d["voicing"]]
        rhythm = d["harmonic_rhythm"]
        bars = tuple(Fraction(str(b)) for b in rhythm["bars"])
        chords = []
        for x, q in zip(numerals, qualities, strict=True):
            base = ctx.model.chords[ctx.model.index(x)]
            if q not in QUALITIES:
                raise ValueError(q)
            chords.append(
                base if q == base.quality else replace(base, quality=q, base=base.quality)
            )
        if len(voicing) != len(chords) or len(bars) != len(chords):
            raise ValueError("lengths")
    except (KeyError, ValueError, TypeError) as e:
        raise ProduceError(
            f"expected the progression, qualities, voicing and harmonic_rhythm of a generated "
            f"loop to breed from ({e})",
            path=path,
            field=where,
        ) from None
    symbols = [ch.symbol(proposal.key) for ch in chords]
    if list(d.get("chords") or []) != symbols:
        raise ProduceError(
            f"expected chords {symbols} for progression {numerals}, got {d.get('chords')}",
            path=path,
            field=f"{where}.chords",
        )
    g = slots(chords, voicing, bars, ctx.meter)
    origin = (
        WALK
        if (d.get("style") or {}).get("source", "walk") != "family"
        else Origin(
            "family", tuple(d["style"].get("progression") or ()), d["style"].get("variation", "")
        )
    )
    if str(d.get("strum")) not in strum_patterns(ctx.meter):
        raise ProduceError(
            f"expected one of {sorted(strum_patterns(ctx.meter))}, got {d.get('strum')!r}",
            path=path,
            field=f"{where}.strum",
        )
    dist = {Fraction(str(k)): float(v) for k, v in (rhythm.get("distribution") or {}).items()}
    hr = HarmonicRhythm(str(rhythm.get("profile", "bred")), dist, bars)
    details = {
        "idea": _idea(origin),
        "_origin": origin,
        "_strum": str(d.get("strum")),
        "_rhythm": hr,
        "review_id": c.id,
    }
    index = PARENT_BASE + i
    return PartCandidate(GROUP, index, theory_of(ctx, g), details, g)
