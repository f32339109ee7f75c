"""The one score-and-rank block of every generating phase (chords and the part phases).

A phase hands over its candidates' keys with their theory totals, what the model hears of each
(its ``music.song.Song``: the scorer reads rolls and features from its note arrays, nothing
encoded, written or parsed; the taste model reads the same) and how to render the delivered
bytes (for review.yml: only the kept ones are encoded); ``score_and_rank`` runs the
fitness model in one batch, the taste model, and the pool composite (per ``group``: a section),
and answers each candidate's composite and its ``scores`` block for review.yml. Rendered bytes
are kept, so a kept candidate is rendered once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from chromatic.produce.phases.composite import (
    NO_MODEL_WARNING,
    ChromaticResult,
    PoolScore,
    Scorer,
    Weights,
    applied_weights,
    chromatic_scores,
    score_midi,
)
from chromatic.produce.phases.taste import taste_scores


@dataclass
class Ranking:
    """What ``score_and_rank`` found: the model's results, the taste, each pool score."""

    applied: Weights
    weight_line: str | None
    chroma: dict[Hashable, ChromaticResult]
    liked: dict[Hashable, float]
    pool: dict[Hashable, PoolScore]
    render: Callable[[Hashable], bytes]
    midi: dict[Hashable, bytes] = field(default_factory=dict)

    def composite(self, key: Hashable) -> float:
        return self.pool[key].composite

    def scores(self, key: Hashable, theory: dict) -> dict:
        """The candidate's ``scores`` in review.yml."""
        out = {
            "composite": self.composite(key),
            "theory": theory,
            "chromatic": chromatic_scores(self.chroma.get(key), self.pool[key], self.applied),
        }
        if key in self.liked:
            out["taste"] = round(self.liked[key], 4)
        return out

    def delivered(self, key: Hashable) -> bytes:
        """The candidate's file, rendered once."""
        if key not in self.midi:
            self.midi[key] = self.render(key)
        return self.midi[key]


def score_and_rank(
    theory: Mapping[Hashable, float],
    *,
    heard: Callable[[Hashable], object],
    render: Callable[[Hashable], bytes],
    label: Callable[[Hashable], str],
    scorer: Scorer | None,
    weights: Weights,
    taste,
    phase: str,
    key: str,
    color: str,
    concept: str,
    notes: list[str],
    group: Callable[[Hashable], Hashable] | None = None,
    scored: Mapping[Hashable, ChromaticResult] | None = None,
) -> Ranking:
    """Score and rank the candidates ``theory`` names (in its order: the scorer's batch order).
    ``heard``: what the model reads of a candidate; ``label``: its id in the batch;
    ``scored``: results found earlier (breeding's), not scored again; ``notes`` gets the
    no-model warning, the weight line and the taste's note, in that order."""
    from chromatic.produce.phases.composite import pool_composite

    chroma: dict[Hashable, ChromaticResult] = dict(scored or {})
    if scorer is not None:
        todo: Sequence[Hashable] = [k for k in theory if k not in chroma]
        ids = {label(k): k for k in todo}
        got = score_midi(
            scorer, [(i, heard(k)) for i, k in ids.items()], color=color, concept=concept
        )
        chroma.update({ids[i]: v for i, v in got.items() if i in ids})
    else:
        notes.append(NO_MODEL_WARNING)
    applied, weight_line = applied_weights(scorer, weights)
    if weight_line:
        notes.append(weight_line)
    ranking = Ranking(applied, weight_line, chroma, {}, {}, render)
    if taste is not None:  # the taste model reads the same Songs: nothing encoded for it
        ranking.liked = taste_scores(taste, phase, {k: heard(k) for k in theory}, key, notes)
    ranking.pool = pool_composite(
        dict(theory), {k: r.match for k, r in chroma.items()}, applied, ranking.liked, group=group
    )
    return ranking
