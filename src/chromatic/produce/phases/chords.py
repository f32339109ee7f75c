"""The chord phase: progressions in the proposal's key, voiced, scored, rendered, reviewed.

1. Draw ``n`` progressions from the function-transition table (duplicates dropped).
2. Voice each with voice leading in mind; score its theory parts.
3. Give each a harmonic rhythm and a strum pattern suited to the meter (from the same seed).
4. Render the MIDI that will be delivered (rhythm and strum applied) to bytes *once*; with a
   model those exact bytes are scored for the chromatic match (the old system scored block
   chords and delivered something else); composite, rank, keep ``top``.
5. Write the kept bytes, a scratch drum beat beside each, and merge into review.yml.

The same seed gives byte-identical candidates and review.yml: every random choice comes from
one numpy Generator seeded with (seed, a fixed stream id), drawn as one uniform matrix.
"""

from __future__ import annotations

import bisect
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from chromatic.music.gm import PROGRAMS
from chromatic.music.meter import Meter, meter_of, ticks
from chromatic.music.midi import add_track, append_notes, new_score, score_bytes
from chromatic.music.notes import Note
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.harmony.progression import DRAWS, sample_progressions, transition_model
from chromatic.produce.harmony.theory import TheoryScores, theory_scores
from chromatic.produce.harmony.vocab import ChordSpec, family
from chromatic.produce.harmony.voicing import TOP_TARGETS, voice_progression
from chromatic.produce.phases import PhaseResult
from chromatic.produce.phases.parts import check_counts
from chromatic.produce.phases.scoring import (
    NO_MODEL_WARNING,
    THEORY_ONLY,
    ChromaticResult,
    Scorer,
    Weights,
    composite,
    score_midi,
)
from chromatic.produce.regenerate import FreshCandidate, regenerate
from chromatic.produce.rhythm.patterns import (
    HarmonicRhythm,
    drum_bar,
    harmonic_rhythm,
    strum_patterns,
)
from chromatic.proposals.reader import Proposal
from chromatic.yamlio import flow

PHASE = "chords"
ID_PREFIX = "chord"
STREAM = zlib.crc32(b"chromatic.produce.chords")
# uniform columns per candidate: progression, top-voice target, rhythm profile, 8 durations, strum
_COLS = DRAWS + 1 + 1 + 8 + 1
PAD_PROGRAM, PIANO_PROGRAM = PROGRAMS["warm_pad"], PROGRAMS["acoustic_grand_piano"]
_PAD_WORDS = ("ambient", "drone", "pad", "electronic", "synth", "new age", "shoegaze", "dream")


@dataclass(frozen=True)
class ChordCandidate:
    index: int
    path: tuple[int, ...]
    chords: tuple[ChordSpec, ...]
    voicing: np.ndarray  # [n, 4]: bass, upper low..high
    theory: TheoryScores
    rhythm: HarmonicRhythm
    strum: str


def gm_program(genres: tuple[str, ...]) -> int:
    """A warm pad for ambient/electronic material, else piano."""
    text = " ".join(genres).lower()
    return PAD_PROGRAM if any(w in text for w in _PAD_WORDS) else PIANO_PROGRAM


def generate(proposal: Proposal, n: int, seed: int) -> list[ChordCandidate]:
    """``n`` progressions drawn, duplicates dropped, voiced and theory-scored (in draw order)."""
    key = proposal.key
    model = transition_model(family(key))
    meter = meter_of(proposal.time_signature)
    strums = list(strum_patterns(meter))
    u = np.random.default_rng([int(seed), STREAM]).random((n, _COLS))
    paths = sample_progressions(model, u[:, :DRAWS])
    out, seen = [], set()
    for i, path in enumerate(paths):
        if path in seen:
            continue
        seen.add(path)
        row = u[i, DRAWS:].tolist()
        chords = tuple(model.chords[j] for j in path)
        top_target = TOP_TARGETS[min(int(row[0] * len(TOP_TARGETS)), len(TOP_TARGETS) - 1)]
        voicing = voice_progression([c.pcs(key) for c in chords], top_target)
        out.append(
            ChordCandidate(
                index=i,
                path=path,
                chords=chords,
                voicing=voicing,
                theory=theory_scores(model, path, voicing),
                rhythm=harmonic_rhythm(meter, len(path), row[1], row[2:10]),
                strum=strums[min(int(row[10] * len(strums)), len(strums) - 1)],
            )
        )
    return out


# --- rendering ---------------------------------------------------------------------------------


def _voices(row: list[int], voices: str) -> list[int]:
    if voices == "all":
        return row
    if voices == "bass":
        return row[:1]
    if voices == "upper":
        return row[1:]
    return [row[1 + int(voices[1])]]  # u0 / u1 / u2


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


def render_chords(cand: ChordCandidate, proposal: Proposal, meter: Meter, program: int) -> bytes:
    score = new_score(proposal.bpm, proposal.time_signature, proposal.key)
    track = add_track(score, "chords", program=program)
    append_notes(track, _notes(chord_events(cand, meter)))
    return score_bytes(score)


def render_scratch(proposal: Proposal, meter: Meter, bars: int) -> bytes:
    """A kick/snare/hat loop on channel 10 (GM drum map) for the same meter and length."""
    score = new_score(proposal.bpm, proposal.time_signature, proposal.key)
    track = add_track(score, "scratch drums", is_drum=True)
    dur = ticks(meter.step)
    bar = drum_bar(meter)
    append_notes(
        track,
        (
            Note(ticks(b * meter.bar + onset), dur, pitch, vel)
            for b in range(bars)
            for onset, pitch, vel in bar
        ),
    )
    return score_bytes(score)


def candidate_details(cand: ChordCandidate, proposal: Proposal, program: int) -> dict:
    key = proposal.key
    return {
        "progression": flow([c.numeral for c in cand.chords]),
        "chords": flow([c.symbol(key) for c in cand.chords]),
        "kinds": flow([c.kind for c in cand.chords]),
        "functions": flow([c.function for c in cand.chords]),
        "sources": {c.numeral: c.source for c in cand.chords if c.source}
        or None,  # borrowed/secondary
        "voicing": [flow([int(p) for p in row]) for row in cand.voicing],
        "harmonic_rhythm": {**cand.rhythm.to_dict(), "bars": flow(cand.rhythm.to_dict()["bars"])},
        "strum": cand.strum,
        "program": program,
    }


# --- the phase ---------------------------------------------------------------------------------


def run_chords(
    folder: ProductionFolder,
    *,
    n: int = 200,
    top: int = 10,
    seed: int = 0,
    scorer: Scorer | None = None,
    model: str | None = None,
    weights: Weights = Weights(),
) -> PhaseResult:
    """Generate, score and keep the best ``top`` of ``n`` chord candidates in ``folder``."""
    check_counts(n, top)
    proposal = folder.proposal()
    meter = meter_of(proposal.time_signature)
    program = gm_program(proposal.genres)
    notes = list(proposal.warnings)
    if family(proposal.key) != proposal.key.mode:
        notes.append(
            f"{proposal.key}: chords use the {family(proposal.key)} table (labels relative to {family(proposal.key)})"
        )
    cands = generate(proposal, n, seed)
    midi: dict[int, bytes] = {}
    chroma: dict[int, ChromaticResult] = {}
    if scorer is not None:
        midi = {c.index: render_chords(c, proposal, meter, program) for c in cands}
        scored = score_midi(
            scorer,
            [(f"c{i:05d}", b) for i, b in midi.items()],
            color=proposal.color.name,
            concept=proposal.concept,
        )
        chroma = {int(k[1:]): v for k, v in scored.items()}
        applied = weights
    else:
        notes.append(NO_MODEL_WARNING)
        applied = THEORY_ONLY
    comp = {
        c.index: round(
            composite(c.theory.total, chroma[c.index].match if chroma else None, applied), 4
        )
        for c in cands
    }
    ranked = sorted(cands, key=lambda c: (-comp[c.index], c.index))

    scratch: dict[int, bytes] = {}  # by loop length in bars: the beat depends on nothing else

    def fresh():
        """Kept candidates rendered on demand, best first (regenerate stops when it has enough)."""
        for c in ranked:
            bars = c.rhythm.total_bars
            if bars not in scratch:
                scratch[bars] = render_scratch(proposal, meter, bars)
            scores = {
                "composite": comp[c.index],
                "theory": c.theory.to_dict(),
                "chromatic": chroma[c.index].to_dict() if c.index in chroma else None,
            }
            data = midi.get(c.index) or render_chords(c, proposal, meter, program)
            yield FreshCandidate(
                scores,
                candidate_details(c, proposal, program),
                data,
                {"scratch_beat": ("_scratch", scratch[bars])},
            )

    facts = {
        "schema_version": 1,
        "phase": PHASE,
        "song": {
            "title": proposal.title,
            "key": str(proposal.key),
            "bpm": proposal.bpm,
            "time_signature": str(proposal.time_signature),
            "color": proposal.color.name,
            "proposal": "../proposal.yml",
        },
        "seed": int(seed),
        "generated": int(n),
        "distinct": len(cands),
        "scoring": {
            "weights": applied.to_dict(),
            "model": str(model) if model else None,
            "composite": "theory only"
            if scorer is None
            else f"{applied.theory:g} theory + {applied.chromatic:g} chromatic match",
            "theory": "mean of melody, voice_leading, variety, transition",
        },
        "warnings": notes,
    }
    with folder.locked():
        folder.ensure_phase(PHASE)
        merge = regenerate(
            folder.phase_dir(PHASE), facts=facts, fresh=fresh(), prefix=ID_PREFIX, top=top
        )
    return PhaseResult(PHASE, merge, n, len(cands), {}, tuple(notes), applied)
