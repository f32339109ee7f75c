"""The melody phase: per approved chord section, a sung tune inside one singer's range.

Depends on approved chords only (the chord tones at every moment come from the approved MIDI).
Options: every contour (``contours``: the motif's moves) x every pace (``setting.PACES``: how
syllables are spaced); ``n`` drawn per section (seeded with the proposal's content). Each
option is realized as a tune (``melody.tune``):

1. the section's lines (its lyric lines, else two-bar wordless phrases) share all its bars;
2. each line's syllables are set to rhythm by prosody (``melody.prosody``: CMU stress) and
   metre (``melody.setting``: stressed syllables on strong beats, the last one held, a breath
   after), with melismas where a line is sparse for its span;
3. pitches walk the motif and its development (repetition, sequence, inversion, return) from
   an anchor in the singer's range (a chorus sits higher than a verse), leaps answered by a
   step, strong-beat notes on chord tones, lines closing open / closed in pairs.

Every note carries its lyric event (``music.midi.MELISMA`` for a melisma's continuation, "oo"
throughout a wordless section: a vocal synth sings it as a vocalise).

Theory = mean of:

- ``singability``: 0.6 x interval comfort (steps best; sixths, sevenths, octaves poor; beyond
  an octave 0) + 0.2 x span (an octave or less is best) + 0.2 x tessitura (mean pitch near the
  middle of the singer's range);
- ``chord_tones``: half the duration-weighted share of notes that are tones of their chord,
  half the share of strong-beat notes that were chord tones before snapping;
- ``contour``: mean of one clear high point, leaps recovered by a step the other way, and a
  balance of direction changes (between a quarter and 60 % of the moves);
- ``prosody``: the share of syllables whose metric placement costs nothing (stressed on a beat,
  a light syllable of a word off it), over the sung syllables.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

import numpy as np

from chromatic.music.gm import PROGRAMS
from chromatic.music.key import Key
from chromatic.music.midi import MELISMA
from chromatic.music.notes import Note
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.melody.contours import CONTOURS, Contour, nearest, pentatonic_pcs
from chromatic.produce.melody.lines import set_section
from chromatic.produce.melody.lyrics import SectionLyrics, lyrics_for
from chromatic.produce.melody.prosody import syllables_of
from chromatic.produce.melody.setting import PACES, Pace
from chromatic.produce.melody.singers import Singer, choose_singer, registry
from chromatic.produce.melody.tune import Line, walk
from chromatic.produce.phases import PhaseOptions, PhaseResult
from chromatic.produce.phases.parts import (
    PartCandidate,
    TrackSpec,
    check_counts,
    draw_order,
    run_part_phase,
    section_rng,
)
from chromatic.produce.sections import Section, Song, load_song
from chromatic.produce.sofar import SongSoFar
from chromatic.produce.style import content_seed, style_for
from chromatic.yamlio import flow

PHASE = "melody"
# the phase's own options (``PhaseOptions.extra``)
OWN: tuple[str, ...] = ("singer", "singers_file")
ID_PREFIX = "melody"
STREAM = zlib.crc32(b"chromatic.produce.melody")
PROGRAM = PROGRAMS["voice_oohs"]  # a sung line in any DAW
THEORY_TEXT = "mean of singability, chord_tones, contour, prosody"
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
    pace: Pace

    @property
    def rhythm(self) -> str:
        return self.pace.name


def melody_options(lyrics: SectionLyrics | None = None, density: float = 0.5) -> list[MelodyOption]:
    """Every contour with every pace; a sparse style (``density`` under 0.4) leaves out the
    flowing pace, a dense one (over 0.65) the spacious one."""
    paces = [p for p in PACES if not (density < 0.4 and p.name == "flowing")]
    paces = [p for p in paces if not (density > 0.65 and p.name == "spacious")]
    return [MelodyOption(c, p) for c in CONTOURS for p in paces]


@lru_cache(maxsize=64)
def _scales(key: Key) -> dict[str, tuple[int, ...]]:
    return {"scale": key.scale_pcs(), "pentatonic": pentatonic_pcs(key)}


def _space_for(key: Key):
    def space(contour: Contour, chord_tones: tuple[int, ...]) -> tuple[int, ...]:
        return chord_tones if contour.space == "chord" else _scales(key)[contour.space]

    return space


def realize_melody(
    section: Section, key: Key, singer: Singer, opt: MelodyOption, lines: tuple[Line, ...]
) -> tuple[tuple[Note, ...], int, int]:
    """Notes of one option over the set lines, how many notes start on a strong beat or chord
    change, and how many of those had to be snapped to a chord tone."""
    pitches, on_strong, snapped = walk(
        section, key, singer, opt.contour, list(lines), _space_for(key), _snap
    )
    strong = {c.start for c in section.chords}
    flat = [n for line in lines for n in line.notes]
    notes = tuple(
        Note(n.start, n.end - n.start, p, VEL_STRONG if n.start in strong else VEL_WEAK)
        for n, p in zip(flat, pitches, strict=True)
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
    seed: int = 0,
    density: float = 0.5,
) -> PartCandidate:
    setting = _setting(section, lyrics, opt.pace, finest, seed, density)
    notes_out.extend(w for w in setting.warnings if w not in notes_out)
    notes, on_strong, snapped = realize_melody(
        section, song.proposal.key, singer, opt, setting.lines
    )
    pitches = [n.pitch for n in notes]
    parts = {
        "singability": singability(pitches, singer),
        "chord_tones": chord_alignment(section, notes, on_strong, snapped),
        "contour": contour_score(pitches),
        "prosody": setting.prosody,
    }
    theory = {k: round(float(v), 4) for k, v in parts.items()}
    theory["total"] = round(float(sum(parts.values()) / len(parts)), 4)
    melismas = sum(t == MELISMA for t in setting.lyrics)
    details = {
        "section": section.label,
        "energy": section.energy,
        "next_section": section.next,
        "singer": singer.name,
        "singer_range": flow([singer.low, singer.high]),
        "contour": opt.contour.name,
        "contour_kind": opt.contour.kind,
        "rhythm": opt.rhythm,
        "start_pitch": pitches[0] if pitches else None,
        "range": flow([min(pitches), max(pitches)]) if pitches else None,
        "notes": len(notes),
        "snapped": snapped,
        "bars": section.bars,
        "lines_bars": flow(
            [
                round((ln.notes[-1].end - ln.notes[0].start) / section.bar_ticks, 2)
                for ln in setting.lines
                if ln.notes
            ]
        ),
        "melisma_notes": melismas,
    }
    if setting.answer_bars:
        details["answer_bars"] = setting.answer_bars  # the last bars: the band answers the lines
    if lyrics:
        details["lyrics"] = lyrics.source
        details["syllables"] = flow([len(syllables_of(line.text)) for line in lyrics.lines])
        details["notes_per_line"] = flow([len(line.notes) for line in setting.lines])
        details["lines"] = [line.text for line in lyrics.lines]
    words = tuple((n.start, t) for n, t in zip(notes, setting.lyrics, strict=True))
    return PartCandidate(section.label, index, theory, details, notes, words)


@lru_cache(maxsize=256)
def _setting(section, lyrics, pace: Pace, finest: int, seed: int, density: float):
    """The rhythm of a section at one pace: it depends on the words and the pace, not on the
    contour, so every contour of a pace shares it (and the search runs once per pace)."""
    rng = np.random.default_rng(
        [seed, zlib.crc32(section.label.encode()), zlib.crc32(pace.name.encode())]
    )
    return set_section(section, lyrics, pace, finest, rng, density)


def shifted(singer: Singer, semitones: int) -> Singer:
    """The singer's range moved by the style's ``melody_shift`` (a dark song sits lower)."""
    if not semitones:
        return singer
    return replace(singer, low=singer.low + semitones, high=singer.high + semitones)


def run_melody(folder: ProductionFolder, **keywords) -> PhaseResult:
    """``melody_phase`` with its options as keywords (``PhaseOptions.of``: n 40, top 5)."""
    return melody_phase(folder, PhaseOptions.of(OWN, **keywords))


def melody_phase(song_so_far: SongSoFar, options: PhaseOptions) -> PhaseResult:
    """Melody candidates for every approved chord section; ``n`` generated and ``top`` kept per section."""
    n, seed = options.n, options.seed
    singer = options.extra.get("singer")
    singers_file = options.extra.get("singers_file")
    check_counts(n, options.top)
    song = load_song(song_so_far, "melody")
    reg = registry(
        song_so_far.singers_path if song_so_far.singers_path.is_file() else None, singers_file
    )
    chosen, warning = choose_singer(reg, singer, song.proposal.singer)
    notes = [warning] if warning else []
    style = style_for(song.proposal, song_so_far.root)
    sung = shifted(chosen, style.melody_shift)
    lyrics = lyrics_for(song_so_far, song.sections, song.proposal.lyrics)
    mixed = content_seed(seed, song.proposal)
    cands = {}
    for s in song.sections:
        choices = melody_options(lyrics.get(s.label), style.density)
        rng = section_rng(mixed, STREAM, s.label)
        cands[s.label] = [
            melody_candidate(
                song,
                s,
                i,
                choices[j],
                sung,
                lyrics.get(s.label),
                notes,
                style.subdivision,
                mixed,
                style.density,
            )
            for i, j in enumerate(draw_order(len(choices), n, rng))
        ]
    roles = {s.label: s.role for s in song.sections}
    # the words of each drawn candidate, by (section, draw index): a bred child's track is
    # looked up by its first ancestor's index (``parts.inherit_track``)
    events = {(c.section, c.index): c.lyrics for cs in cands.values() for c in cs}
    return run_part_phase(
        song_so_far,
        song,
        phase=PHASE,
        prefix=ID_PREFIX,
        track=lambda c: TrackSpec(
            "melody",
            style.program("melody", roles[c.section]),
            lyrics=events.get((c.section, c.index), ()),
        ),
        candidates=cands,
        variety="contour",
        **options.ranking(),
        theory_text=THEORY_TEXT,
        warnings=notes,
        context={"singer": sung, "lyrics": events},  # breeding: a displaced line's words
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
