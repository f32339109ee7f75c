"""The chord phase on the artist's own progression (``produce chords --progression``).

A section's progression (``chords.given``) is the chord part: it is voiced for voice leading
from each of the voicing's top-voice targets and strummed by each of the meter's strum patterns,
and every distinct rendering is a candidate of that section (``chord_<section>_NN``,
``details.section`` naming the section, so promote's label defaults to it). With ``vary``, the
progression is also the parent the phase varies from: each chord in turn is swapped for the
other diatonic chords of its function (the rhythm, and every other chord, kept), ranked below
the given ones by the same scores. The chords and their harmonic rhythm are recorded in the
candidate's details exactly as given, so the approved loop's chord names (its text events),
the sections the later phases read and the arrangement's chord track say what the artist wrote.

Progressions come from, in rising priority: the proposal's ``progressions:`` mapping
(section: chords), a small YAML file of the same shape, and ``--progression SECTION=CHORDS`` on
the command line. Everything is parsed and checked before anything is written.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import replace
from fractions import Fraction
from functools import partial
from pathlib import Path

import numpy as np

from chromatic.errors import ProduceError
from chromatic.music.key import Key
from chromatic.music.meter import Meter, meter_of
from chromatic.produce.chords.given import GivenProgression, parse_assignment, parse_progression
from chromatic.produce.chords.theory import melody_score, variety_score, voice_leading_score
from chromatic.produce.chords.vocab import VOCAB, ChordSpec, family
from chromatic.produce.chords.voicing import BASS_FIRST, BASS_RANGE, TOP_TARGETS, voice_progression
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases import Candidates, PhaseOptions, PhaseResult
from chromatic.produce.phases.chords import (
    PHASE,
    ChordCandidate,
    candidate_details,
    chord_loop,
    chords_candidates,
    render_chords,
)
from chromatic.produce.phases.composite import (
    NO_MODEL_WARNING,
    THEORY_ONLY,
    Scorer,
    Weights,
    composite,
    composite_text,
    score_midi,
)
from chromatic.produce.phases.parts import check_counts
from chromatic.produce.phases.scratch import render_scratch
from chromatic.produce.phases.taste import taste_facts, taste_scores
from chromatic.produce.regenerate import FreshCandidate, Group
from chromatic.produce.review import GROUP_KEY, SCRATCH_FIELD, detail_file
from chromatic.produce.rhythm.patterns import HarmonicRhythm, strum_patterns
from chromatic.produce.sofar import SongSoFar
from chromatic.produce.song import header_facts
from chromatic.produce.style import content_seed, style_for
from chromatic.yamlio import read_yaml

PROPOSAL_FIELD = "progressions"

# the phase's own options (``PhaseOptions.extra``)
OWN: tuple[str, ...] = ("progression", "progression_file", "vary")


class GivenOrigin:
    """Where a given candidate's chords came from, for its details (``style.source``)."""

    def __init__(self, text: str, variation: str = "") -> None:
        self.text, self.variation = text, variation

    def to_dict(self) -> dict:
        out = {"source": "given", "given": self.text}
        return {**out, "variation": self.variation} if self.variation else out


def _check_section(label: str, where: str) -> str:
    from chromatic.produce.promote import normalize_label

    norm = normalize_label(label)
    if not norm or norm != label:
        raise ProduceError(
            f"{where}: expected a section label of lower-case letters, digits and '_' "
            f"(like verse, chorus_2), got {label!r}"
        )
    return norm


def _mapping(data: object, where: str) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProduceError(
            f"{where}: expected a mapping of section: chords, got {type(data).__name__}"
        )
    out = {}
    for k, v in data.items():
        if not isinstance(v, str):
            raise ProduceError(
                f"{where}: {k}: expected chords as text like 'Am7 | F | C | G', got {v!r}"
            )
        out[_check_section(str(k), where)] = v
    return out


def progressions_for(
    folder: ProductionFolder,
    given: list[str] | tuple[str, ...] | dict[str, str] | None = None,
    file: str | os.PathLike | None = None,
) -> dict[str, str]:
    """The progressions to use, by section: the proposal's, then the file's, then ``given``
    (``SECTION=CHORDS`` strings or a mapping), each later one replacing a section's earlier."""
    written = folder.proposal().progressions
    out = _mapping(dict(written) if written else None, f"{folder.proposal_path}: {PROPOSAL_FIELD}")
    if file is not None:
        out.update(_mapping(read_yaml(Path(file), ProduceError), str(file)))
    items = given.items() if isinstance(given, dict) else (parse_assignment(g) for g in given or ())
    for section, chords in items:
        out[_check_section(section, "--progression")] = chords
    return out


def parse_all(progressions: dict[str, str], key: Key, meter: Meter) -> list[GivenProgression]:
    """Every section's progression parsed (the first bad one is a one-line ProduceError)."""
    return [parse_progression(text, key, meter, label) for label, text in progressions.items()]


def voice_given(chords: tuple[ChordSpec, ...], key: Key, top_target: int) -> np.ndarray:
    """[n, 4] voicing of the chords; the bass plays each chord's bass note (a slash chord's),
    moving to the nearest octave of it."""
    voicing = voice_progression([c.pcs(key) for c in chords], top_target)
    prev = None
    for i, c in enumerate(chords):
        pc = (key.pc + c.root) % 12 if not hasattr(c, "bass") else c.bass
        lo, hi = BASS_FIRST if prev is None else BASS_RANGE
        options = [p for p in range(lo, hi + 1) if p % 12 == pc]
        prev = options[0] if prev is None else min(options, key=lambda p: (abs(p - prev), p))
        voicing[i, 0] = prev
    return voicing


def theory_of(chords: tuple[ChordSpec, ...], voicing: np.ndarray) -> dict[str, float]:
    """Melody (top voice), voice leading and variety of a voiced given progression, and their
    mean: the parts the transition table and the style's families cannot judge are left out."""
    names = [(c.root, c.intervals) for c in chords]
    index = {n: i for i, n in enumerate(dict.fromkeys(names))}
    parts = {
        "melody": melody_score(voicing[:, 3]),
        "voice_leading": voice_leading_score(voicing),
        "variety": variety_score(tuple(index[n] for n in names)),
    }
    parts["total"] = sum(parts.values()) / len(parts)
    return {k: round(float(v), 4) for k, v in parts.items()}


def variations(prog: GivenProgression, key: Key) -> list[tuple[tuple[ChordSpec, ...], str]]:
    """Each chord in turn swapped for the other diatonic chords of its function."""
    table = [c for c in VOCAB[family(key)] if c.kind == "diatonic"]
    out = []
    for i, c in enumerate(prog.chords):
        for alt in table:
            if alt.function == c.function and alt.root != c.root:
                chords = (*prog.chords[:i], alt, *prog.chords[i + 1 :])
                out.append((chords, f"chord {i + 1}: {c.symbol(key)} -> {alt.symbol(key)}"))
    return out


def given_candidates(
    prog: GivenProgression, key: Key, meter: Meter, n: int, vary: bool = False
) -> list[tuple[ChordCandidate, GivenOrigin, dict]]:
    """Up to ``n`` candidates: the progression under each top-voice target and strum pattern
    (and with ``vary`` its variations), duplicates dropped, in a fixed order."""
    rhythm = HarmonicRhythm("given", {}, tuple(Fraction(b) for b in prog.bars))
    sets = [(prog.chords, "")] + (variations(prog, key) if vary else [])
    out, seen = [], set()
    for (chords, note), target, strum in itertools.product(
        sets, TOP_TARGETS, list(strum_patterns(meter))
    ):
        if len(out) >= n:
            break
        voicing = voice_given(chords, key, target)
        sig = (tuple(c.symbol(key) for c in chords), voicing.tobytes(), strum)
        if sig in seen:
            continue
        seen.add(sig)
        cand = ChordCandidate(
            len(out), tuple(range(len(chords))), chords, voicing, None, rhythm, strum
        )
        out.append((cand, GivenOrigin(prog.text, note), theory_of(chords, voicing)))
    return out


def kept_order(items: list, score, top: int) -> list:
    """Which renderings are kept first: the given progression's best ``top // 2`` (at least
    one), then each variation's best, then the rest, each tier best first (review.yml ranks
    the kept ones by composite)."""
    best: dict[str, int] = {}
    tiers = []
    for item in sorted(items, key=lambda x: (-score(x), x[0].index)):
        note = item[1].variation
        seen = best.get(note, 0)
        best[note] = seen + 1
        first = seen < max(1, top // 2) if not note else seen == 0
        tier = (0 if first else 2) if not note else (1 if first else 3)
        tiers.append((tier, -score(item), item[0].index, item))
    return [t[-1] for t in sorted(tiers, key=lambda t: t[:3])]


def run_given_chords(folder: ProductionFolder, progressions: dict[str, str], **kw) -> PhaseResult:
    """``given_chords_candidates`` with their review written at ``folder``'s gate."""
    return given_chords_candidates(folder, progressions, **kw).gate(folder)


def given_chords_candidates(
    folder: ProductionFolder,
    progressions: dict[str, str],
    *,
    n: int = 200,
    top: int = 10,
    seed: int = 0,
    scorer: Scorer | None = None,
    model: str | None = None,
    weights: Weights = Weights(),
    taste=None,
    vary: bool = False,
) -> Candidates:
    """Candidates of each given section's progression, scored, for review.yml (one group per
    section; ``top`` kept per section). Nothing is written: the caller gates them; a bad
    progression is refused before."""
    check_counts(n, top)
    proposal = folder.proposal()
    style = style_for(proposal, folder.root)
    meter = meter_of(proposal.time_signature)
    program = style.program("chords")
    parsed = parse_all(progressions, proposal.key, meter)
    notes = list(proposal.warnings)
    cands = {p.section: given_candidates(p, proposal.key, meter, n, vary) for p in parsed}
    midi = {
        (label, c.index): render_chords(c, proposal, meter, program)
        for label, items in cands.items()
        for c, _, _ in items
    }
    chroma = {}
    if scorer is not None:
        ids = {f"{label}#{i}": (label, i) for label, i in midi}
        scored = score_midi(
            scorer,
            [(k, midi[v]) for k, v in ids.items()],
            color=proposal.color.name,
            concept=proposal.concept,
        )
        chroma = {ids[k]: v for k, v in scored.items() if k in ids}
        applied = weights
    else:
        notes.append(NO_MODEL_WARNING)
        applied = THEORY_ONLY.with_taste(weights.taste)
    liked = taste_scores(taste, PHASE, midi, str(proposal.key), notes) if taste is not None else {}

    def comp(label: str, c: ChordCandidate, theory: dict) -> float:
        key = (label, c.index)
        match = chroma[key].match if key in chroma else None
        return round(composite(theory["total"], match, applied, liked.get(key)), 4)

    scratch: dict[int, bytes] = {}

    def fresh(label: str):
        items = kept_order(cands[label], lambda x: comp(label, x[0], x[2]), top)
        for c, origin, theory in items:
            bars = c.rhythm.total_bars
            if bars not in scratch:
                scratch[bars] = render_scratch(proposal, meter, bars)
            key = (label, c.index)
            scores = {
                "composite": comp(label, c, theory),
                "theory": theory,
                "chromatic": chroma[key].to_dict() if key in chroma else None,
            }
            if key in liked:
                scores["taste"] = round(liked[key], 4)
            details = candidate_details(c, proposal, program, style)
            details["style"]["source"] = "given"
            details = {"section": label, **details, "given": origin.to_dict()}
            yield FreshCandidate(
                scores,
                details,
                midi[key],
                {"scratch_beat": ("_scratch", scratch[bars])},
                partial(chord_loop, c, proposal, meter, program),  # what ``midi[key]`` encodes
            )

    facts = {
        "schema_version": 1,
        "phase": PHASE,
        "song": header_facts(proposal, "../proposal.yml"),
        "seed": int(seed),
        "content_seed": content_seed(seed, proposal),
        "style": style.to_dict(),
        "generated": sum(len(v) for v in cands.values()),
        "distinct": sum(len(v) for v in cands.values()),
        "given": dict(progressions),
        "scoring": {
            "weights": applied.to_dict(),
            "model": str(model) if model else None,
            "composite": composite_text(applied, scorer is not None, bool(liked)),
            "theory": "mean of melody, voice_leading, variety (the given chords are not judged)",
            **({"taste": taste_facts(taste, applied.taste)} if liked else {}),
        },
        "warnings": notes,
    }
    groups = [Group(label, f"chord_{label}", fresh(label), top) for label in cands]
    free = generated_candidates(folder)
    if free:  # the generated progressions stay beside the given ones, for the other sections
        groups.append(Group(None, "chord", iter(free), len(free)))
    by = {label: len(v) for label, v in cands.items()}
    total = sum(by.values())
    return Candidates(PHASE, facts, groups, 3, total, total, by, tuple(notes), applied)


def generated_candidates(folder: ProductionFolder) -> list[FreshCandidate]:
    """The generated (section-less) candidates of an existing chords/review.yml, as fresh ones
    with their own bytes, so a run on given progressions keeps them (in rank order)."""
    review = folder.review(PHASE)
    if review is None:
        return []
    phase_dir = folder.phase_dir(PHASE)
    out = []
    for c in sorted(review.candidates, key=lambda c: c.rank):
        midi = folder.file_bytes(phase_dir / c.midi_file)
        if c.details.get(GROUP_KEY) or midi is None:
            continue
        details = dict(c.details)
        beat = details.pop("scratch_beat", None)
        extra = {}
        at = detail_file(folder.review_path(PHASE), beat, SCRATCH_FIELD)
        data = folder.file_bytes(at) if at else None
        if data is not None:
            extra["scratch_beat"] = ("_scratch", data)
        scores = c.scores.model_dump(exclude_none=False)
        out.append(FreshCandidate(scores, details, midi, extra))
    return out


def chords_phase(song_so_far: SongSoFar, options: PhaseOptions) -> Candidates:
    """The registry's chord phase: the artist's progressions where there are any (given here,
    in a file or in the proposal), else the generated ones (``chords_candidates``, unchanged). Nothing is
    written: the caller gates the candidates."""
    progression = options.extra.get("progression")
    progression_file = options.extra.get("progression_file")
    ranking = options.ranking()  # ``evolve`` breeds the generated loops, never the given ones
    plain = {k: v for k, v in ranking.items() if k != "evolve"}
    given = progressions_for(song_so_far, progression, progression_file)
    if not given:
        return chords_candidates(song_so_far, n=options.n, **ranking)
    proposal = song_so_far.proposal()  # every progression checked before anything is written
    parse_all(given, proposal.key, meter_of(proposal.time_signature))
    vary = bool(options.extra.get("vary", False))

    def given_ones(at: SongSoFar) -> Candidates:  # they keep the generated ones of its review
        return given_chords_candidates(at, given, vary=vary, n=options.n, **plain)

    if progression is None and progression_file is None:  # the proposal's (compose): the
        # sections it gives no chords get generated ones, gated first, then the given ones
        generated = chords_candidates(song_so_far, n=options.n, **ranking)
        return replace(generated, then=given_ones)
    return given_ones(song_so_far)
