"""The chord phase: progressions in the proposal's key, voiced, scored, rendered, reviewed.

1. Draw ``n`` progressions from the function-transition table (duplicates dropped).
2. Voice each with voice leading in mind; score its theory parts.
3. Give each a harmonic rhythm and a strum pattern suited to the meter (from the same seed).
4. Render the MIDI that will be delivered (rhythm and strum applied) to bytes *once*; with a
   model those exact bytes are scored for the chromatic match (what is heard is what is
   scored, not block chords standing in for it); composite, rank, keep ``top``.
5. Write the kept bytes, a scratch drum beat beside each, and merge into review.yml.

The same seed gives byte-identical candidates and review.yml (one seeded uniform matrix).
"""

from __future__ import annotations

import bisect
import itertools
import zlib
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from chromatic.music.key import Key
from chromatic.music.meter import Meter, meter_of, ticks
from chromatic.music.notes import Note
from chromatic.music.song import loop
from chromatic.music.song_midi import part, write_midi
from chromatic.produce.chords.colour import (
    FAMILY_DRAWS,
    WALK,
    Origin,
    extend,
    extensions,
    family_path,
    usable,
)
from chromatic.produce.chords.progression import (
    DRAWS,
    P_LENGTH_4,
    Colour,
    sample_progressions,
    transition_model,
)
from chromatic.produce.chords.theory import PARTS, TheoryScores, loop_moves, theory_scores
from chromatic.produce.chords.vocab import MODE_FAMILY, ChordSpec, family
from chromatic.produce.chords.voicing import TOP_TARGETS, voice_progression
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases import Candidates, PhaseResult
from chromatic.produce.phases.composite import (
    Scorer,
    Weights,
    composite_text,
    weight_facts,
)
from chromatic.produce.phases.parts import check_counts
from chromatic.produce.phases.rank import score_and_rank
from chromatic.produce.phases.scratch import render_scratch
from chromatic.produce.phases.taste import taste_facts
from chromatic.produce.regenerate import FreshCandidate, Group
from chromatic.produce.rhythm.patterns import (
    HarmonicRhythm,
    harmonic_rhythm,
    strum_patterns,
)
from chromatic.produce.song import header_facts
from chromatic.produce.style import Style, content_seed, style_for
from chromatic.proposals.reader import Proposal
from chromatic.yamlio import flow

PHASE = "chords"
ID_PREFIX = "chord"
STREAM = zlib.crc32(b"chromatic.produce.chords")
MAX_CHORDS = 8
# uniform columns per candidate: progression walk, top-voice target, rhythm profile, 8
# durations, strum, family-or-walk, the family progression's draws, one extension per chord
_COLS = DRAWS + 1 + 1 + MAX_CHORDS + 1 + 1 + FAMILY_DRAWS + MAX_CHORDS


@dataclass(frozen=True)
class ChordCandidate:
    index: int
    path: tuple[int, ...]
    chords: tuple[ChordSpec, ...]
    voicing: np.ndarray  # [n, 4]: bass, upper low..high
    theory: TheoryScores
    rhythm: HarmonicRhythm
    strum: str
    origin: Origin = WALK


def phrase_bars(style: Style) -> int:
    """The loop's phrase length: the style's 4 or 8 bars (anything else: 4)."""
    return style.phrase_bars if style.phrase_bars in (4, 8) else 4


def colour_of(style: Style, key: Key) -> Colour:
    """The style's colour rates and mode; a key in a church mode brings its own colour."""
    mode = key.mode if key.mode in MODE_FAMILY else style.harmony.mode
    return Colour(style.harmony.borrowed, style.harmony.secondary, mode)


def modal_note(style: Style, key: Key) -> str | None:
    """Why a mode's colour was or was not applied, for review.yml's warnings."""
    mode = colour_of(style, key).mode
    if mode and MODE_FAMILY[mode] != family(key):
        return f"{mode} colour needs a {MODE_FAMILY[mode]} key: not applied in {key}"
    return None


def _paths(model, style: Style, u: np.ndarray, progs) -> list[tuple[tuple[int, ...], Origin]]:
    walks = sample_progressions(model, u[:, :DRAWS])
    base = DRAWS + 1 + 1 + MAX_CHORDS + 1
    out = []
    for row, walk in zip(u.tolist(), walks, strict=True):
        if progs and row[base] < style.harmony.progression_rate:
            eight = row[0] >= P_LENGTH_4
            draws = row[base + 1 : base + 1 + FAMILY_DRAWS]
            out.append(family_path(model, progs, eight, draws))
        else:
            out.append((walk, Origin("walk")))
    return out


def generate(
    proposal: Proposal, n: int, seed: int, style: Style | None = None
) -> list[ChordCandidate]:
    """``n`` progressions (the style's own and walks), duplicates dropped, extended, voiced and
    theory-scored (in draw order)."""
    style = style or style_for(proposal)
    key = proposal.key
    model = transition_model(family(key), colour_of(style, key))
    progs = usable(model, style.harmony.progressions.get(family(key), []))
    moves = frozenset(m for p in progs for m in loop_moves(tuple(model.index(x) for x in p)))
    meter = meter_of(proposal.time_signature)
    strums = list(strum_patterns(meter))
    h = style.harmony
    u = np.random.default_rng([int(seed), STREAM]).random((n, _COLS))
    ext_at = _COLS - MAX_CHORDS
    out, seen = [], set()
    for i, (path, origin) in enumerate(_paths(model, style, u, progs)):
        if path in seen:
            continue
        seen.add(path)
        row = u[i].tolist()
        chords = tuple(
            extend(model.chords[j], row[ext_at + k], h.sevenths, h.sus, h.add9)
            for k, j in enumerate(path)
        )
        rest = row[DRAWS:]
        top_target = TOP_TARGETS[min(int(rest[0] * len(TOP_TARGETS)), len(TOP_TARGETS) - 1)]
        voicing = voice_progression([c.pcs(key) for c in chords], top_target)
        out.append(
            ChordCandidate(
                index=i,
                path=path,
                chords=chords,
                voicing=voicing,
                theory=theory_scores(model, path, voicing, moves, key),
                rhythm=harmonic_rhythm(meter, len(path), rest[1], rest[2:10], phrase_bars(style)),
                strum=strums[min(int(rest[10] * len(strums)), len(strums) - 1)],
                origin=origin,
            )
        )
    return out


# --- rendering ---------------------------------------------------------------------------------


def _voices(row: list[int], voices: str) -> list[int]:
    picks = {"all": row, "bass": row[:1], "upper": row[1:]}
    return picks[voices] if voices in picks else [row[1 + int(voices[1])]]  # u0 / u1 / u2


@lru_cache(maxsize=64)
def _pattern_ticks(meter: Meter, name: str) -> tuple[tuple[tuple[int, int, int, str], ...], str]:
    """A strum pattern's hits in ticks (exact: every meter's grid divides the TPQ-tick quarter)."""
    pattern = strum_patterns(meter)[name]
    return tuple(
        (ticks(h.onset), ticks(h.duration), h.velocity, h.voices) for h in pattern.hits
    ), pattern.fill


def chord_events(cand: ChordCandidate, meter: Meter) -> list[tuple[int, int, int, list[int]]]:
    """(start, end, velocity, pitches) in ticks: the strum pattern laid bar by bar over the
    harmonic rhythm, clipped at chord changes; a change between hits sounds the pattern's fill
    (block chord or bass) until the next hit on the same notes."""
    hits, fill = _pattern_ticks(meter, cand.strum)
    rows = cand.voicing.tolist()
    bar = ticks(meter.bar)
    starts, t = [], 0
    for bars in cand.rhythm.bars:
        starts.append(t)
        t += ticks(bars * meter.bar)
    ends = [*starts[1:], t]
    events = []
    for b in range(cand.rhythm.total_bars):
        for onset, dur, vel, voices in hits:
            onset += b * bar
            ci = bisect.bisect_right(starts, onset) - 1
            events.append((onset, min(onset + dur, ends[ci]), vel, _voices(rows[ci], voices)))
    onsets = {e[0] for e in events}
    for ci, start in enumerate(starts):
        if start in onsets:
            continue
        pitches = _voices(rows[ci], fill)
        later = [e[0] for e in events if start < e[0] < ends[ci] and set(e[3]) & set(pitches)]
        events.append((start, min(later, default=ends[ci]), hits[0][2], pitches))
    return sorted(events, key=lambda e: (e[0], e[1]))


def _notes(events: list[tuple[int, int, int, list[int]]]) -> list[Note]:
    """Notes from events, each note cut where the same pitch sounds again (no overlaps)."""
    by_pitch: dict[int, list[tuple[int, int, int]]] = {}
    for start, end, vel, pitches in events:
        for p in pitches:
            by_pitch.setdefault(p, []).append((start, end, vel))
    notes = []
    for p, items in sorted(by_pitch.items()):
        items.sort()
        for cur, nxt in zip(items, [*items[1:], None], strict=True):
            end = min(cur[1], nxt[0]) if nxt else cur[1]
            if end > cur[0]:
                notes.append(Note(cur[0], end - cur[0], p, cur[2]))
    notes.sort(key=lambda n: (n.start, n.pitch))
    return notes


def chord_changes(cand: ChordCandidate, meter: Meter, key: Key) -> list[tuple[int, str]]:
    """(tick, chord symbol) at each chord change of the loop: its chord names for a DAW."""
    starts = [0, *itertools.accumulate(ticks(b * meter.bar) for b in cand.rhythm.bars)]
    return [(t, c.symbol(key)) for t, c in zip(starts, cand.chords, strict=False)]


def chord_loop(cand: ChordCandidate, proposal: Proposal, meter: Meter, program: int):
    """A chord candidate as its loop (a Song): its chord names at each change."""
    track = part("chords", _notes(chord_events(cand, meter)), program=program)
    changes = chord_changes(cand, meter, proposal.key)
    p, bars = proposal, cand.rhythm.total_bars
    return loop(
        track, bpm=p.bpm, time_signature=p.time_signature, key=p.key, bars=bars, chords=changes
    )


def render_chords(cand: ChordCandidate, proposal: Proposal, meter: Meter, program: int) -> bytes:
    return write_midi(chord_loop(cand, proposal, meter, program))


def style_details(cand: ChordCandidate, style: Style, key: Key) -> dict:
    """Which of the style's rules this candidate shows: where its progression came from, its
    extensions, the mode's colour, the phrase its loop fills, the programs per section."""
    return {
        "family": style.family,
        **cand.origin.to_dict(),
        "extensions": flow(extensions(cand.chords)) or None,
        "mode": colour_of(style, key).mode if modal_note(style, key) is None else None,
        "phrase_bars": phrase_bars(style),
        "section_programs": {
            role: style.program("chords", role) for role in sorted(style.section_programs)
        }
        or None,
    }


def candidate_details(
    cand: ChordCandidate, proposal: Proposal, program: int, style: Style | None = None
) -> dict:
    key = proposal.key
    out = {
        "progression": flow([c.numeral for c in cand.chords]),
        "chords": flow([c.symbol(key) for c in cand.chords]),
        "kinds": flow([c.kind for c in cand.chords]),
        "qualities": flow([c.quality for c in cand.chords]),
        "functions": flow([c.function for c in cand.chords]),
        "sources": {c.numeral: c.source for c in cand.chords if c.source}
        or None,  # borrowed/secondary
        "voicing": [flow([int(p) for p in row]) for row in cand.voicing],
        "harmonic_rhythm": {**cand.rhythm.to_dict(), "bars": flow(cand.rhythm.to_dict()["bars"])},
        "strum": cand.strum,
        "program": program,
    }
    if style is not None:
        out["style"] = style_details(cand, style, key)
    return out


# --- the phase ---------------------------------------------------------------------------------


def run_chords(folder: ProductionFolder, **keywords) -> PhaseResult:
    """``chords_candidates`` with their review written at ``folder``'s gate (a script, a test)."""
    return chords_candidates(folder, **keywords).gate(folder)


def chords_candidates(
    folder: ProductionFolder,
    *,
    n: int = 200,
    top: int = 10,
    seed: int = 0,
    scorer: Scorer | None = None,
    model: str | None = None,
    weights: Weights = Weights(),
    taste=None,
    evolve=None,
) -> Candidates:
    """Generate, score and keep the best ``top`` of ``n`` chord candidates of ``folder`` (nothing
    written: the caller gates them)."""
    check_counts(n, top)
    proposal = folder.proposal()
    style = style_for(proposal, folder.root)
    meter = meter_of(proposal.time_signature)
    program = style.program("chords")
    notes = list(proposal.warnings)
    if modal_note(style, proposal.key):
        notes.append(modal_note(style, proposal.key))
    if family(proposal.key) != proposal.key.mode:
        notes.append(
            f"{proposal.key}: chords use the {family(proposal.key)} table (labels relative to {family(proposal.key)})"
        )
    cands = generate(proposal, n, content_seed(seed, proposal), style)
    bred = evolve and evolve.chords(folder, cands, seed, scorer, weights, taste)
    cands = bred.candidates if bred else cands
    by_index = {c.index: c for c in cands}
    ranking = score_and_rank(
        {c.index: c.theory.total for c in cands},
        heard=lambda i: chord_loop(by_index[i], proposal, meter, program),
        render=lambda i: (
            (bred and bred.midi.get(i))
            or write_midi(chord_loop(by_index[i], proposal, meter, program))
        ),
        label=lambda i: f"c{i:05d}",
        scorer=scorer,
        weights=weights,
        taste=taste,
        phase=PHASE,
        key=str(proposal.key),
        color=proposal.color.name,
        concept=proposal.concept,
        notes=notes,
        scored=bred.chroma if bred else None,
    )
    applied, weight_line, liked = ranking.applied, ranking.weight_line, ranking.liked
    ranked = sorted(cands, key=lambda c: (-ranking.composite(c.index), c.index))
    ranked, lineage = bred.ranked(ranked) if bred else (ranked, {})  # best of distinct niches
    scratch: dict[int, bytes] = {}  # by loop length in bars: the beat depends on nothing else

    def fresh():
        """Kept candidates rendered on demand, best first (regenerate stops when it has enough)."""
        for c in ranked:
            bars = c.rhythm.total_bars
            if bars not in scratch:
                scratch[bars] = render_scratch(proposal, meter, bars)
            yield FreshCandidate(
                ranking.scores(c.index, c.theory.to_dict()),
                {**candidate_details(c, proposal, program, style), **lineage.get(c.index, {})},
                ranking.delivered(c.index),
                {"scratch_beat": ("_scratch", scratch[bars])},
                None
                if bred and c.index in bred.midi
                else partial(chord_loop, c, proposal, meter, program),
            )

    facts = {
        "schema_version": 1,
        "phase": PHASE,
        "song": header_facts(proposal, "../proposal.yml"),
        "seed": int(seed),
        "content_seed": content_seed(seed, proposal),
        "style": style.to_dict(),
        "generated": int(n),
        "distinct": len(cands),
        "scoring": {
            "weights": applied.to_dict(),
            "model": str(model) if model else None,
            "composite": composite_text(applied, scorer is not None, bool(liked)),
            **(weight_facts(weights, applied, weight_line) if scorer is not None else {}),
            "theory": "mean of " + ", ".join(PARTS),
            **({"taste": taste_facts(taste, applied.taste)} if liked else {}),
        },
        **(bred.facts if bred else {}),
        "warnings": notes,
    }
    top += bred.extra_top if bred else 0  # --breed: the children come on top of the reviewed
    groups = [Group(None, ID_PREFIX, fresh(), top)]
    return Candidates(PHASE, facts, groups, 3, n, len(cands), {}, tuple(notes), applied)
