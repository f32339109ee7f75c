"""What the drum, bass and melody phases share: one MIDI track per candidate, one batch for the
model, ranking within each section, and review.yml merged section by section.

Like the chord phase, the bytes a model scores are the bytes delivered: with a model every
candidate is rendered once, scored, and the kept ones are written from those same bytes;
without one, only the kept candidates are rendered (on demand, best first). Composite = theory
with no model (and the visible warning), else the weighted mean of theory and chromatic match.
The kept few of a section are spread over kinds (``variety``: template, style or contour)
before any kind repeats.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from chromatic.errors import ProduceError
from chromatic.music.notes import Note
from chromatic.music.song import loop
from chromatic.music.song_midi import part, write_midi
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases import Candidates
from chromatic.produce.phases.composite import (
    ChromaticResult,
    Scorer,
    Weights,
    anchor,
    applied_weights,
    composite,
    composite_text,
    score_midi,
    weight_facts,
)
from chromatic.produce.phases.rank import score_and_rank
from chromatic.produce.phases.taste import taste_facts, taste_scores
from chromatic.produce.regenerate import FreshCandidate, Group
from chromatic.produce.sections import Section, Song

ID_DIGITS = 2  # drum_verse_01


@dataclass(frozen=True)
class TrackSpec:
    """How a part's notes become a MIDI track a DAW opens as the right instrument."""

    name: str
    program: int
    is_drum: bool = False
    lyrics: tuple[tuple[int, str], ...] = ()  # (tick, text) lyric events (the melody's words)


@dataclass(frozen=True)
class PartCandidate:
    section: str
    index: int  # draw order within the section: the tie-breaker, so ranks are stable
    theory: dict[str, float]  # the parts and their "total"
    details: dict
    notes: tuple[Note, ...]
    lyrics: tuple[tuple[int, str], ...] = ()  # (tick, syllable) events: a sung part's words


def part_song(song: Song, section: Section, track: TrackSpec, notes: tuple[Note, ...]):
    """One candidate as a Song: one track on the section's tempo and meter and the song's key,
    exactly the section's bars long, named by instrument, its lyrics on it."""
    return loop(
        part(track.name, notes, program=track.program, is_drum=track.is_drum, lyrics=track.lyrics),
        bpm=section.bpm,
        time_signature=section.time_signature,
        key=song.proposal.key,
        bars=section.bars,
    )


def render_part(song: Song, section: Section, track: TrackSpec, notes: tuple[Note, ...]) -> bytes:
    """One track for a DAW (``music.song_midi.write_midi``): named by instrument, on the
    phase's channel, exactly the section's bars long."""
    return write_midi(part_song(song, section, track, notes))


def scored_part(song: Song, section: Section, track: TrackSpec, notes: tuple[Note, ...]):
    """What the scorer reads of the candidate ``render_part`` delivers: the candidate's Song,
    whose rolls and features the scorer computes from its note arrays (nothing written, parsed
    or converted; the same numbers as the delivered file's)."""
    return part_song(song, section, track, notes)


def song_facts(song: Song, phase: str, seed: int) -> dict:
    p = song.proposal
    return {
        "schema_version": 1,
        "phase": phase,
        "song": {
            "title": p.title,
            "key": str(p.key),
            "bpm": p.bpm,
            "time_signature": str(p.time_signature),
            "color": p.color.name,
            "proposal": "../proposal.yml",
        },
        "seed": int(seed),
    }


def part_candidates(
    folder: ProductionFolder,
    song: Song,
    *,
    phase: str,
    prefix: str,
    track: TrackSpec | Callable[[PartCandidate], TrackSpec],
    candidates: dict[str, list[PartCandidate]],
    top: int,
    variety: str | None = None,
    seed: int,
    scorer: Scorer | None,
    model: str | None,
    weights: Weights,
    theory_text: str,
    taste=None,
    extra: dict | None = None,
    warnings: list[str] | None = None,
    evolve=None,
    context: dict | None = None,
) -> Candidates:
    """Score and rank per section: the kept ones as ``Candidates`` (nothing written).

    With ``evolve`` (a ``produce.evolve.Evolve``) the generated candidates are first bred
    with this composite as the fitness (``context``: what the phase's breeder needs), and
    the section's shortlist is the best of distinct niches."""
    notes = [*song.warnings, *(warnings or [])]
    track_of = track if callable(track) else (lambda _c: track)
    sections = {s.label: s for s in song.sections}
    chroma: dict[tuple[str, int], ChromaticResult] = {}
    generated = {label: len(cs) for label, cs in candidates.items()}
    extra_top: dict[str, int] = {}
    ordered: frozenset = frozenset()
    if evolve is not None:
        safe = section_track(track_of, candidates)
        fit = evolve.fitness(scorer)  # the fused graph (``produce.evolve.fitness``)
        evaluate = part_evaluator(song, phase, sections, safe, fit, weights, taste, chroma)
        context = {**(context or {}), "phase_dir": folder.phase_dir(phase)}
        bred = evolve.breed(phase, song, candidates, evaluate, context, seed)
        candidates, extra_top, ordered = bred.candidates, bred.extra_top, bred.ordered
        track_of = inherit_track(track_of, safe, bred.origin, bred.lyrics)
        extra = {**(extra or {}), "evolve": bred.facts}

    def render(c: PartCandidate) -> bytes:
        return render_part(song, sections[c.section], track_of(c), c.notes)

    every = {(c.section, c.index): c for label in candidates for c in candidates[label]}
    ranking = score_and_rank(
        {k: c.theory["total"] for k, c in every.items()},
        heard=lambda k: scored_part(song, sections[k[0]], track_of(every[k]), every[k].notes),
        render=lambda k: render(every[k]),
        label=lambda k: f"{k[0]}#{k[1]}",
        scorer=scorer,
        weights=weights,
        taste=taste,
        phase=phase,
        key=str(song.proposal.key),
        color=song.proposal.color.name,
        concept=song.proposal.concept,
        notes=notes,
        group=lambda k: k[0],  # the chromatic term is relative to the section's candidates
        scored=chroma,
    )
    applied, weight_line, liked = ranking.applied, ranking.weight_line, ranking.liked

    def comp(c: PartCandidate) -> float:
        return ranking.composite((c.section, c.index))

    def fresh(ranked: list[PartCandidate]) -> Iterator[FreshCandidate]:
        for c in ranked:
            key = (c.section, c.index)
            render = partial(ranking.delivered, key)  # encoded when its file is wanted
            made = partial(part_song, song, sections[c.section], track_of(c), c.notes)
            yield FreshCandidate(ranking.scores(key, c.theory), c.details, render, song=made)

    groups = []
    for s in song.sections:
        ranked = sorted(candidates.get(s.label, []), key=lambda c: (-comp(c), c.index))
        if s.label in ordered:  # bred: best of distinct niches first (``evolve.archive``)
            ranked = list(candidates[s.label])
        elif variety:
            ranked = spread(ranked, lambda c: c.details.get(variety))
        keep = top + extra_top.get(s.label, 0)
        groups.append(Group(s.label, f"{prefix}_{s.label}", fresh(ranked), keep))
    facts = {
        **song_facts(song, phase, seed),
        "generated": generated,
        "sections": [s.summary() for s in song.sections],
        "scoring": {
            "weights": applied.to_dict(),
            "model": str(model) if model else None,
            "composite": composite_text(applied, scorer is not None, bool(liked)),
            **(weight_facts(weights, applied, weight_line) if scorer is not None else {}),
            "theory": theory_text,
            **({"taste": taste_facts(taste, applied.taste)} if liked else {}),
        },
        **(extra or {}),
        "warnings": notes,
    }
    total = sum(generated.values())
    if ordered:  # bred: every candidate scored, children included
        scored = {k: v["scored"] for k, v in extra["evolve"]["sections"].items()}  # type: ignore[index]
        total = sum(scored.get(k, n) for k, n in generated.items())
    return Candidates(
        phase, facts, groups, ID_DIGITS, total, total, generated, tuple(notes), applied
    )


def part_evaluator(song, phase, sections, track_of, scorer, weights, taste, chroma):
    """The batch fitness breeding uses: this phase's composite of each candidate (theory,
    chromatic match, taste), its chromatic results kept in ``chroma`` so the final ranking
    scores nothing twice."""
    applied, _ = applied_weights(scorer, weights)
    anchors: dict[str, Callable] = {}  # section: the term on its first pool's scale

    def term(section: str, match: float | None) -> float | None:
        """The chromatic term on the scale of the section's first pool (the generated
        candidates): the same transform as the final ranking's, with fixed statistics, so a
        child and an elite of an earlier generation are compared on one scale."""
        if match is None or section not in anchors:
            return None
        return anchors[section](match)

    def evaluate(cands: list[PartCandidate]) -> list[float]:
        keys = [(c.section, c.index) for c in cands]
        if scorer is not None:
            heard = [
                (
                    f"{c.section}#{c.index}",
                    scored_part(song, sections[c.section], track_of(c), c.notes),
                )
                for c in cands
            ]
            got = score_midi(
                scorer, heard, color=song.proposal.color.name, concept=song.proposal.concept
            )
            chroma.update({k: got[f"{k[0]}#{k[1]}"] for k in keys})
        liked: dict = {}
        if taste is not None:
            heard = {
                (c.section, c.index): scored_part(song, sections[c.section], track_of(c), c.notes)
                for c in cands
            }
            liked = taste_scores(taste, phase, heard, str(song.proposal.key), [])
        for section in {c.section for c in cands} - set(anchors):
            first = [(c, k) for c, k in zip(cands, keys, strict=True) if c.section == section]
            if all(k in chroma for _, k in first):
                anchors[section] = anchor(
                    [chroma[k].match for _, k in first], [c.theory["total"] for c, _ in first]
                )
        return [
            round(
                composite(
                    c.theory["total"],
                    term(c.section, chroma[k].match if k in chroma else None),
                    applied,
                    liked.get(k),
                ),
                4,
            )
            for c, k in zip(cands, keys, strict=True)
        ]

    evaluate.chroma = chroma  # type: ignore[attr-defined]  # what a benchmark reads back
    return evaluate


def section_track(track_of, candidates: dict) -> Callable:
    """The track of a candidate the phase did not generate (a bred child, a parent read back
    from review.yml): its section's (name, program, drum flag) without lyric events. Breeding
    scores children on it (the scorer hears no lyrics; a child's ancestor is known only once
    its section is bred)."""
    known = {(c.section, c.index) for cs in candidates.values() for c in cs}
    first = {label: cs[0] for label, cs in candidates.items() if cs}

    def of(c: PartCandidate) -> TrackSpec:
        if (c.section, c.index) in known:
            return track_of(c)
        return replace(track_of(first[c.section]), lyrics=())

    return of


def inherit_track(track_of, safe, origin: dict, lyrics: dict) -> Callable:
    """A bred child's track is its first initial ancestor's (the melody's lyric events: the
    child keeps that ancestor's onsets); a parent read back from review.yml brings its own."""

    def of(c: PartCandidate) -> TrackSpec:
        first = origin.get(c.section, {}).get(c.index, c.index)
        if (c.section, first) in lyrics:
            return replace(safe(c), lyrics=lyrics[(c.section, first)])
        return track_of(c if first == c.index else PartCandidate(c.section, first, {}, {}, ()))

    return of


def spread(
    ranked: list[PartCandidate], key: Callable[[PartCandidate], object]
) -> list[PartCandidate]:
    """Best first, but one of each kind before a second of any (round robin over ``key`` in
    rank order): the kept few of a section show different templates, styles or contours
    rather than five fills of one groove. Ranks stay by composite."""
    rounds: dict[object, int] = {}
    tagged = []
    for pos, c in enumerate(ranked):
        k = key(c)
        rounds[k] = rounds.get(k, -1) + 1
        tagged.append((rounds[k], pos, c))
    return [c for _, _, c in sorted(tagged, key=lambda x: (x[0], x[1]))]


def check_counts(n: int, top: int) -> None:
    """Every phase generates ``n`` and keeps ``top`` (per section): both at least one."""
    if n < 1 or top < 1:
        raise ProduceError(f"expected n >= 1 and top >= 1, got n={n}, top={top}")


def section_rng(seed: int, stream: int, label: str) -> np.random.Generator:
    """A generator for one section of one phase: stable across runs (no Python ``hash``), and
    independent between sections, so regenerating one section never shifts another."""
    return np.random.default_rng([int(seed), stream, zlib.crc32(label.encode())])


def draw_order(n_options: int, n: int, rng) -> list[int]:
    """``n`` distinct option indices in a seeded order (all of them, shuffled, when n >= n_options)."""
    order = rng.permutation(n_options).tolist()
    return order[: min(n, n_options)]
