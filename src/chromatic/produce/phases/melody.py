"""The melody phase: per approved chord section, sung lines inside one singer's range.

Depends on approved chords only (the chord tones at every moment come from the approved MIDI).
Options: every contour (``contours``) x every rhythm (``phrasing``: four templates, or with
lyrics the ``even`` and ``speech`` placements of one note per syllable); ``n`` drawn per
section (seeded). Each option is realized as:

1. start on the highest chord tone of the first chord from which the contour's planned climb
   stays inside the singer's range (the highest chord tone in range when none leaves room);
2. walk the contour in its pitch space; a move that would leave the range is mirrored;
3. snap every note that starts on a strong beat or a chord change to the nearest chord tone in
   range on the side the contour was moving (within 2 semitones for major and minor triads
   when the move allows; a rising line keeps rising through the chord tones);
4. resolve the last note: the key's tonic when the last chord holds it, else the chord's root.

Theory = mean of:

- ``singability``: 0.6 x interval comfort (steps best; sixths, sevenths, octaves poor; beyond
  an octave 0) + 0.2 x span (an octave or less is best) + 0.2 x tessitura (mean pitch near the
  middle of the singer's range);
- ``chord_tones``: half the duration-weighted share of notes that are tones of their chord,
  half the share of strong-beat notes that were chord tones before snapping;
- ``contour``: mean of one clear high point, leaps recovered by a step the other way, and a
  balance of direction changes (between a quarter and 60 % of the moves).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

import numpy as np

from chromatic.music.gm import PROGRAMS
from chromatic.music.key import Key
from chromatic.music.meter import strong_ticks
from chromatic.music.notes import Note
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.melody.contours import CONTOURS, Contour, move, nearest, pentatonic_pcs
from chromatic.produce.melody.lyrics import SectionLyrics, lyrics_for
from chromatic.produce.melody.phrasing import LYRIC_RHYTHMS, RHYTHMS, lyric_spans, rhythm_spans
from chromatic.produce.melody.singers import Singer, choose_singer, registry
from chromatic.produce.phases import PhaseResult
from chromatic.produce.phases.parts import (
    PartCandidate,
    TrackSpec,
    check_counts,
    draw_order,
    run_part_phase,
    section_rng,
)
from chromatic.produce.phases.scoring import Scorer, Weights
from chromatic.produce.sections import Section, Song, load_song
from chromatic.produce.style import content_seed, style_for
from chromatic.yamlio import flow

PHASE = "melody"
ID_PREFIX = "melody"
STREAM = zlib.crc32(b"chromatic.produce.melody")
PROGRAM = PROGRAMS["voice_oohs"]  # a sung line in any DAW
THEORY_TEXT = "mean of singability, chord_tones, contour"
PLAN_NOTES = 8  # the contour's climb is planned over its first phrase
VEL_STRONG, VEL_WEAK = 96, 84
_INTERVAL = {
    0: 0.85,
    1: 1.0,
    2: 1.0,
    3: 0.9,
    4: 0.9,
    5: 0.8,
    6: 0.5,
    7: 0.65,
    8: 0.5,
    9: 0.5,
    10: 0.35,
    11: 0.35,
    12: 0.35,
}


@dataclass(frozen=True)
class MelodyOption:
    contour: Contour
    rhythm: str


#: Without lyrics, the rhythms a style's density allows: a sparse style leaves out the busiest
#: (every eighth), a dense one the sparsest (one note per beat).
SPARSE, DENSE = 0.4, 0.65


def melody_options(lyrics: SectionLyrics | None, density: float = 0.5) -> list[MelodyOption]:
    rhythms = LYRIC_RHYTHMS if lyrics else RHYTHMS
    if not lyrics and density < SPARSE:
        rhythms = tuple(r for r in rhythms if r != "eighths_breath")
    elif not lyrics and density > DENSE:
        rhythms = tuple(r for r in rhythms if r != "beats")
    return [MelodyOption(c, r) for c in CONTOURS for r in rhythms]


@lru_cache(maxsize=64)
def _scales(key: Key) -> dict[str, tuple[int, ...]]:
    return {"scale": key.scale_pcs(), "pentatonic": pentatonic_pcs(key)}


def _space(contour: Contour, key: Key, chord_tones: tuple[int, ...]) -> tuple[int, ...]:
    return chord_tones if contour.space == "chord" else _scales(key)[contour.space]


def start_pitch(section: Section, singer: Singer, contour: Contour, notes: int, at: int) -> int:
    tones = section.chord_at(at).tones
    in_range = [p for p in range(singer.low, singer.high + 1) if p % 12 in tones]
    room = [p for p in in_range if p + contour.rise(min(notes, PLAN_NOTES)) <= singer.high]
    return max(room or in_range or [int(singer.center)])


def realize_melody(
    section: Section, key: Key, singer: Singer, opt: MelodyOption, spans: list[tuple[int, int]]
) -> tuple[tuple[Note, ...], int, int]:
    """Notes of one option over the given spans, how many notes start on a strong beat or chord
    change, and how many of those had to be snapped to a chord tone."""
    lo, hi = singer.low, singer.high
    strong = set(strong_ticks(section.meter, section.bars)) | {c.start for c in section.chords}
    pitches: list[int] = []
    snapped = on_strong = 0
    for i, (s, _e) in enumerate(spans):
        chord = section.chord_at(s)
        m = 0
        if i == 0:
            p = start_pitch(section, singer, opt.contour, len(spans), s)
        else:
            m = opt.contour.moves[(i - 1) % len(opt.contour.moves)]
            pcs = _space(opt.contour, key, chord.tones)
            p = move(pitches[-1], m, pcs)
            if not lo <= p <= hi:
                m = -m
                p = move(pitches[-1], m, pcs)
            if not lo <= p <= hi:
                p = nearest(pitches[-1], pcs, lo, hi)
        if s in strong:
            on_strong += 1
            if p % 12 not in chord.tones:
                p = _snap(p, chord.tones, lo, hi, pitches[-1] if pitches else p, m)
                snapped += 1
        pitches.append(p)
    if pitches:
        last = section.chord_at(spans[-1][0])
        goal = (key.pc,) if key.pc in last.tones else (last.root,)
        ref = pitches[-2] if len(pitches) > 1 else pitches[-1]
        pitches[-1] = nearest(ref, goal, lo, hi)
    notes = tuple(
        Note(s, e - s, p, VEL_STRONG if s in strong else VEL_WEAK)
        for (s, e), p in zip(spans, pitches, strict=True)
    )
    return notes, on_strong, snapped


def _snap(p: int, tones: tuple[int, ...], lo: int, hi: int, prev: int, move_dir: int) -> int:
    """The nearest chord tone in range, on the side the contour was moving (so a rising line
    keeps rising through the chord instead of falling back onto the previous note)."""
    if move_dir:
        side = [q for q in range(lo, hi + 1) if q % 12 in tones and (q - prev) * move_dir > 0]
        if side:
            return min(side, key=lambda q: (abs(q - p), q))
    return nearest(p, tones, lo, hi, toward=prev)


# --- theory ------------------------------------------------------------------------------------


def singability(pitches: list[int], singer: Singer) -> float:
    moves = [abs(b - a) for a, b in pairwise(pitches)]
    comfort = float(np.mean([_INTERVAL.get(d, 0.0) for d in moves])) if moves else 1.0
    span = max(pitches) - min(pitches)
    span_score = 1.0 if span <= 12 else 0.85 if span <= 16 else 0.6
    half = (singer.high - singer.low) / 2
    tess = 1.0 - 0.5 * min(abs(float(np.mean(pitches)) - singer.center) / half, 1.0)
    return 0.6 * comfort + 0.2 * span_score + 0.2 * tess


def chord_tone_share(section: Section, notes: tuple[Note, ...]) -> float:
    total = sum(n.duration for n in notes)
    inside = sum(n.duration for n in notes if n.pitch % 12 in section.chord_at(n.start).tones)
    return inside / total if total else 0.0


def chord_alignment(
    section: Section, notes: tuple[Note, ...], on_strong: int, snapped: int
) -> float:
    """Half the duration-weighted chord-tone share as delivered, half how well the contour met
    the harmony by itself (the strong-beat notes that needed no snapping): otherwise a rhythm
    with every note on a strong beat would always win, whatever its contour."""
    natural = 1.0 - snapped / on_strong if on_strong else 1.0
    return 0.5 * chord_tone_share(section, notes) + 0.5 * natural


def contour_score(pitches: list[int]) -> float:
    if len(pitches) < 3:
        return 0.5
    top = max(pitches)
    peaks = [i for i, p in enumerate(pitches) if p == top]
    climax = 1.0 if peaks[-1] - peaks[0] <= 2 else 0.6
    moves = [b - a for a, b in pairwise(pitches)]
    leaps = [i for i, m in enumerate(moves[:-1]) if abs(m) > 4]
    recovered = [i for i in leaps if moves[i + 1] * moves[i] < 0 and abs(moves[i + 1]) <= 2]
    recovery = len(recovered) / len(leaps) if leaps else 1.0
    signs = [np.sign(m) for m in moves if m]
    changes = sum(a != b for a, b in pairwise(signs)) / max(len(signs) - 1, 1)
    balance = 1.0 if 0.25 <= changes <= 0.6 else max(0.0, 1.0 - abs(changes - 0.425) * 2)
    return (climax + recovery + balance) / 3


# --- the phase ---------------------------------------------------------------------------------


def melody_candidate(
    song: Song,
    section: Section,
    index: int,
    opt: MelodyOption,
    singer: Singer,
    lyrics: SectionLyrics | None,
    notes_out: list[str],
    finest: int = 16,
) -> PartCandidate:
    if lyrics:
        per_line, cut = lyric_spans(section, lyrics.syllables, opt.rhythm, finest)
        notes_out.extend(w for w in cut if w not in notes_out)
        spans = [sp for line in per_line for sp in line]
    else:
        per_line, spans = [], rhythm_spans(section, opt.rhythm)
    notes, on_strong, snapped = realize_melody(section, song.proposal.key, singer, opt, spans)
    pitches = [n.pitch for n in notes]
    parts = {
        "singability": singability(pitches, singer),
        "chord_tones": chord_alignment(section, notes, on_strong, snapped),
        "contour": contour_score(pitches),
    }
    theory = {k: round(float(v), 4) for k, v in parts.items()}
    theory["total"] = round(float(sum(parts.values()) / len(parts)), 4)
    details = {
        "section": section.label,
        "energy": section.energy,
        "next_section": section.next,
        "singer": singer.name,
        "singer_range": flow([singer.low, singer.high]),
        "contour": opt.contour.name,
        "contour_kind": opt.contour.kind,
        "rhythm": opt.rhythm,
        "start_pitch": pitches[0],
        "range": flow([min(pitches), max(pitches)]),
        "notes": len(notes),
        "snapped": snapped,
        "bars": section.bars,
    }
    if lyrics:
        details["lyrics"] = lyrics.source
        details["syllables"] = flow(lyrics.syllables)
        details["notes_per_line"] = flow([len(line) for line in per_line])
        details["lines"] = [line.text for line in lyrics.lines]
    return PartCandidate(section.label, index, theory, details, notes)


def shifted(singer: Singer, semitones: int) -> Singer:
    """The singer's range moved by the style's ``melody_shift`` (a dark song sits lower)."""
    if not semitones:
        return singer
    return replace(singer, low=singer.low + semitones, high=singer.high + semitones)


def run_melody(
    folder: ProductionFolder,
    *,
    n: int = 40,
    top: int = 5,
    seed: int = 0,
    singer: str | None = None,
    singers_file: str | None = None,
    scorer: Scorer | None = None,
    model: str | None = None,
    weights: Weights = Weights(),
    taste=None,
) -> PhaseResult:
    """Melody candidates for every approved chord section; ``n`` generated and ``top`` kept per section."""
    check_counts(n, top)
    song = load_song(folder, "melody")
    reg = registry(folder.singers_path if folder.singers_path.is_file() else None, singers_file)
    chosen, warning = choose_singer(reg, singer, song.proposal.singer)
    notes = [warning] if warning else []
    style = style_for(song.proposal, folder.root)
    sung = shifted(chosen, style.melody_shift)
    lyrics = lyrics_for(folder, song.sections, song.proposal.lyrics)
    mixed = content_seed(seed, song.proposal)
    cands = {}
    for s in song.sections:
        options = melody_options(lyrics.get(s.label), style.density)
        rng = section_rng(mixed, STREAM, s.label)
        cands[s.label] = [
            melody_candidate(
                song, s, i, options[j], sung, lyrics.get(s.label), notes, style.subdivision
            )
            for i, j in enumerate(draw_order(len(options), n, rng))
        ]
    roles = {s.label: s.role for s in song.sections}
    return run_part_phase(
        folder,
        song,
        phase=PHASE,
        prefix=ID_PREFIX,
        track=lambda c: TrackSpec("melody", style.program("melody", roles[c.section])),
        candidates=cands,
        top=top,
        seed=seed,
        variety="contour",
        scorer=scorer,
        model=model,
        weights=weights,
        taste=taste,
        theory_text=THEORY_TEXT,
        warnings=notes,
        extra={
            "singer": {
                "name": chosen.name,
                "low": chosen.low,
                "high": chosen.high,
                "source": chosen.source,
            },
            "lyrics": {label: lyr.source for label, lyr in lyrics.items()} or None,
            "style": {
                "family": style.family,
                "melody_shift": style.melody_shift,
                "subdivision": style.subdivision,
                "density": round(style.density, 3),
                "programs": {r: style.program("melody", r) for r in sorted(set(roles.values()))},
            },
        },
    )
