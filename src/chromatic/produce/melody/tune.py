"""A section's tune: its lines laid over the whole section, rhythm set, pitches walked.

Why phrases and not a loop of notes: a tune is heard as a motif and what becomes of it. A
section's lines (the lyric lines, or for a wordless section two-bar phrases) are arranged as
antecedent / consequent pairs over a plan the listener can follow:

- **spans**: the lines share the section's bars (``line_spans``), so the melody spans every line
  once and fills the section (no loop wrapping inside a section);
- **motif and development**: the first line's moves (the option's contour) are the motif; the
  second line repeats it a step higher (sequence), the third inverts it (or, for a repeated-note
  contour, varies it) and reaches the section's climax, the fourth returns to the motif and
  cadences; longer sections cycle the plan;
- **register by role**: every line starts near the section's anchor in the singer's range,
  higher for a chorus than a verse (the chorus is heard as a lift), the middle for a bridge;
  the anchor is a degree of the key's scale (``scale_anchor``) and the section's window
  centres on it, so a register shift of a semitone moves the tune, not reshapes its lines;
- **leaps** of more than a fourth are answered by a step the other way, and no move exceeds a
  sixth (a larger one is folded an octave toward the anchor);
- **light syllables recite**: a light syllable after a light one, off the strong beats, keeps
  its pitch on every other chance, as speech recites;
- **cadences**: an antecedent line ends on a chord tone other than the tonic (open), a
  consequent line on the tonic when its chord holds it (else the chord's root); a melisma's
  second note is a step from its first;
- **the period**: the section's second half answers its first. The
  line that ends the first half closes on a half cadence (the key's fifth, second or seventh
  when its chord holds one, else any chord tone but the tonic), and the section's last line on
  the most stable degree its chord holds (the tonic, else the fifth, then the third, else the
  chord's root): the same rhythm cells (``lines.set_section`` echoes the line two before), a
  different contour (the inversion) and a firmer ending, as an answering phrase;
- strong-beat notes sit on chord tones (``_snap``), as before, and on a coloured chord on its
  frame (``core_tones``): an add9's ninth, a sus chord's suspension or an added fourth is the
  accompaniment's colour, and a melody that sings it on the beat doubles a tension the band may
  voice elsewhere (or resolve): the tune takes the root, third, fifth and seventh there, as a
  singer holds the chord's tones and leaves the suspension to the band (in a minor key a
  colour that is a tone of the home chord stays: ``home_colours``). Line starts and cadences
  land on the same frame.

Wordless sections take the same road with synthetic stress patterns (``wordless_lines``): a
motif pattern, repeated, contrasted and varied, so their bar rhythms vary like sung ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from chromatic.music.key import Key
from chromatic.music.meter import strong_ticks
from chromatic.produce.melody.contours import Contour, move, nearest
from chromatic.produce.melody.setting import SungNote
from chromatic.produce.melody.singers import Singer
from chromatic.produce.sections import Section

ANCHOR = {"chorus": 0.6, "verse": 0.42, "prechorus": 0.5, "bridge": 0.5}
WINDOW = 7  # semitones either side of the anchor a section's tune moves in (a range of 8-15)
DEFAULT_ANCHOR = 0.45
MAX_MOVE = 9  # semitones: a larger move is folded an octave toward the anchor
LEAP = 5  # semitones: a leap beyond a fourth is answered by a step back
FEET = ((2, 0), (2,), (0, 2), (2, 0, 0), (0, 2, 0))  # wordless stress patterns' building blocks


@dataclass(frozen=True)
class Line:
    """A set line: its notes and, per note, the syllable's stress (for reciting) and whether
    the line is the first half of a pair (an antecedent: it ends open)."""

    notes: tuple[SungNote, ...]
    stress: tuple[int, ...]
    antecedent: bool


def line_spans(section: Section, n_lines: int) -> list[tuple[int, int]]:
    """The part of the section each of ``n_lines`` lines gets: whole bars, as evenly as the bars
    allow (the longer spans first), covering the whole section; half-bars or finer when there
    are more lines than bars."""
    bar, bars = section.bar_ticks, section.bars
    if n_lines <= 0:
        return []
    if n_lines <= bars:
        base, extra = divmod(bars, n_lines)
        out, at = [], 0
        for i in range(n_lines):
            length = (base + (1 if i < extra else 0)) * bar
            out.append((at, at + length))
            at += length
        return out
    total = section.total_ticks
    return [(total * i // n_lines, total * (i + 1) // n_lines) for i in range(n_lines)]


PHRASE_BARS = (1, 2, 4, 8)  # the phrase lengths a sung line may take, in bars


def sung_spans(section: Section, n_lines: int, natural_bars: float) -> tuple[list, int]:
    """The spans of ``n_lines`` sung lines and the bars left after them (an instrumental
    answer: the melody rests, the band plays on). Lines take one phrase length each, from
    ``PHRASE_BARS``, at most twice what their words need (``natural_bars``) so a short line is
    not stretched over eight bars; the whole section when the lines fill it at such a length;
    shared bars (``line_spans``) when there are more lines than the section holds."""
    bars = section.bars
    if n_lines <= 0:
        return [], bars
    cap = max(2.0, 2 * natural_bars)
    if bars % n_lines == 0 and bars // n_lines in PHRASE_BARS and bars // n_lines <= cap:
        return line_spans(section, n_lines), 0
    fits = [p for p in PHRASE_BARS if p * n_lines <= bars and p <= cap]
    if not fits:
        return line_spans(section, n_lines), 0
    per = max(fits) * section.bar_ticks
    return [(i * per, (i + 1) * per) for i in range(n_lines)], bars - max(fits) * n_lines


def wordless_lines(section: Section, unit: int, rng: np.random.Generator, fill: float) -> list:
    """Stress patterns (lists of (stress, in a word)) for a section without words: two-bar
    phrases (one bar for a section of one bar), a motif pattern repeated, contrasted, varied."""
    n = max(1, section.bars // 2)
    spans = line_spans(section, n)
    motif = _pattern(rng, spans[0], unit, fill)
    contrast = _pattern(rng, spans[0], unit, fill * 1.25)
    out = []
    for i, span in enumerate(spans):
        pick = motif if i % 4 in (0, 1) else contrast if i % 4 == 2 else _vary(motif, rng)
        room = max(1, (span[1] - span[0]) // unit - 2)
        out.append(pick[:room])
    return out


def _pattern(rng: np.random.Generator, span: tuple[int, int], unit: int, fill: float) -> list:
    want = max(3, round((span[1] - span[0]) / unit * fill))
    out: list[tuple[int, bool]] = []
    while len(out) < want:
        foot = FEET[int(rng.integers(len(FEET)))]
        out += [(s, len(foot) > 1 and s == 0) for s in foot]
    return out[:want]


def _vary(pattern: list, rng: np.random.Generator) -> list:
    if len(pattern) < 4:
        return list(pattern)
    cut = int(rng.integers(1, len(pattern) - 1))
    return [*pattern[:cut], (0, False), *pattern[cut:-1]]


def anchor_pitch(singer: Singer, role: str) -> float:
    return singer.low + ANCHOR.get(role, DEFAULT_ANCHOR) * (singer.high - singer.low)


def scale_anchor(anchor: float, scale, lo: int, hi: int) -> int:
    """The section's anchor as a degree of the key's scale: the scale pitch nearest the
    anchor (ties: the one nearer the unrounded anchor). Lines start a number of scale steps
    above it (``line_offsets``), and ``move`` counts an off-scale start's first scale pitch as
    a step: from an off-scale anchor the lines would climb one degree less, so a register shift
    of one semitone (the style's ``melody_shift``, e.g. a color's dark feel) that moved the
    anchor onto an off-scale pitch reshaped every line instead of only lowering it."""
    return nearest(round(anchor), scale, lo, hi, toward=anchor)


def line_moves(contour: Contour, index: int) -> tuple[int, ...]:
    """The moves of line ``index``: the motif, its sequence, its inversion, the motif again."""
    if index % 4 == 2 and contour.kind != "repeated":
        return tuple(-m for m in contour.moves)
    return contour.moves


def line_offsets(n: int) -> list[int]:
    """Scale steps above the anchor each line starts at: rising to a late climax line, then
    home (4 lines: 0, 1, 2, 0)."""
    climax = max(0, n - 2) if n >= 3 else n - 1
    return [min(i, 2) if i <= climax else 0 for i in range(n)]


def walk(
    section: Section,
    key: Key,
    singer: Singer,
    contour: Contour,
    lines: list[Line],
    space_of,
    snap,
) -> tuple[list[int], int, int]:
    """Pitches for every note of ``lines`` (see the module docstring); returns the pitches, the
    notes on a strong beat or chord change and how many of those were snapped to a chord tone."""
    scale = key.scale_pcs()
    centre = scale_anchor(anchor_pitch(singer, section.role), scale, singer.low, singer.high)
    lo = max(singer.low, centre - WINDOW)
    hi = min(singer.high, centre + WINDOW)
    strong = set(strong_ticks(section.meter, section.bars)) | {c.start for c in section.chords}
    offsets = line_offsets(len(lines))
    home = home_colours(key)
    end = end_rank(section, key, lines)
    pitches: list[int] = []
    on_strong = snapped = 0
    for li, line in enumerate(lines):
        moves = line_moves(contour, li)
        start = move(centre, offsets[li], scale) if offsets[li] else centre
        recover = 0
        for ni, n in enumerate(line.notes):
            chord = section.chord_at(n.start)
            prev = pitches[-1] if pitches else None
            m = moves[(ni - 1) % len(moves)] if ni else 0
            if ni == 0:
                p = nearest(start, core_tones(chord, home), lo, hi, toward=prev)
            elif n.melisma:
                p = move(prev, -1 if m <= 0 else 1, scale)
            elif recover:
                p, m = move(prev, recover, scale), recover
            elif _recites(line, ni, strong, n.start):
                p, m = prev, 0
            else:
                p = move(prev, m, space_of(contour, chord.tones))
            if not lo <= p <= hi and prev is not None:
                m = -m
                p = move(prev, m, space_of(contour, chord.tones))
            if prev is not None and abs(p - prev) > MAX_MOVE:
                p += -12 if p > prev else 12
            if not lo <= p <= hi:
                p = nearest(prev if prev is not None else centre, scale, lo, hi)
            if n.start in strong:
                on_strong += 1
                frame = core_tones(chord, home)
                if p % 12 not in frame:
                    p = snap(p, frame, lo, hi, prev if prev is not None else p, m)
                    snapped += 1
            recover = 0
            if prev is not None and abs(p - prev) >= LEAP and ni:
                recover = -1 if p > prev else 1
            pitches.append(p)
        _cadence(
            section,
            key,
            line,
            pitches,
            lo,
            hi,
            last=li == len(lines) - 1,
            half=li == half_close(len(lines)),
            end=end,
        )
    return pitches, on_strong, snapped


def core_tones(chord, home: tuple[int, ...] = ()) -> tuple[int, ...]:
    """The chord's frame for a sung strong beat: its tones without the added colours. With a
    third: no added second/ninth, fourth/eleventh or sharp eleventh beside the fifth; without
    one (a sus chord): the root and fifth (the suspension is the band's); a chord that is all
    colour keeps its tones. A colour that is one of ``home`` (the key's tonic triad: the ninth
    of iv in minor is the key's fifth) stays singable: a common tone with the tonic chord keeps
    the home key in the ear."""
    tones, r = chord.tones, chord.root
    has = lambda i: (r + i) % 12 in tones  # noqa: E731
    if has(3) or has(4):
        drop = {(r + 2) % 12, (r + 5) % 12} | ({(r + 6) % 12} if has(7) else set())
    else:
        drop = {(r + 2) % 12, (r + 5) % 12}
    return tuple(t for t in tones if t not in drop - set(home)) or tones


def home_triad(key: Key) -> tuple[int, ...]:
    """The key's tonic triad (pitch classes)."""
    return tuple((key.pc + d) % 12 for d in (0, 3 if key.is_minor else 4, 7))


def home_colours(key: Key) -> tuple[int, ...]:
    """The colours a minor key's tune keeps on the beat: its tonic triad (a minor key's centre
    is the easier one to lose to iv or the relative major; the ninth of iv is its fifth). A
    major key keeps none."""
    return home_triad(key) if key.is_minor else ()


def half_close(n_lines: int) -> int:
    """The index of the line that ends a period's first half (-1: none, a section of one or two
    lines, whose first line is already the open half)."""
    return n_lines // 2 - 1 if n_lines >= 3 else -1


DOMINANT_DEGREES = (7, 2, 11)  # semitones above the tonic a half cadence lands on, in order


def rank(pc: int, key: Key) -> int:
    """How firmly a degree closes: 0 the tonic, 1 the fifth, 2 the third, 3 any other."""
    return {0: 0, 7: 1, (3 if key.is_minor else 4): 2}.get((pc - key.pc) % 12, 3)


def end_rank(section: Section, key: Key, lines: list[Line]) -> int:
    """The ``rank`` of the degree the section's last line lands on (``_cadence``: the most
    stable one its last chord's frame holds); 3 when there is no sung note."""
    last = next((ln for ln in reversed(lines) if ln.notes), None)
    if last is None:
        return 3
    tones = core_tones(section.chord_at(last.notes[-1].start), home_colours(key))
    return min(rank(t, key) for t in tones)


def _recites(line: Line, i: int, strong: set[int], at: int) -> bool:
    """A light syllable after a light one, off the strong beats and not the line's last, keeps
    its pitch on every other chance (speech recites light syllables; a tune does not always)."""
    return (
        i % 2 == 0
        and i < len(line.notes) - 1
        and line.stress[i] == 0
        and line.stress[i - 1] == 0
        and at not in strong
    )


def _cadence(
    section,
    key,
    line: Line,
    pitches: list[int],
    lo: int,
    hi: int,
    last: bool,
    half: bool,
    end: int = 0,
) -> None:
    """The line's last note: open (a chord tone, not the tonic) after an antecedent, a half
    cadence at the end of the period's first half (``half``), closed (the tonic, else the
    chord's root) after a consequent, and at the section's end the most stable degree the
    chord holds. The half cadence stays less stable than the end (``end``, its ``rank``): a
    section whose last chord holds no tonic or fifth (a loop ending on vi) ends on the third,
    so its first half closes on the second or seventh, not the fifth, and the end still
    answers it."""
    if not line.notes:
        return
    chord = section.chord_at(line.notes[-1].start)
    chord = SimpleNamespace(tones=core_tones(chord, home_colours(key)), root=chord.root)
    ref = pitches[-2] if len(pitches) > 1 else pitches[-1]
    if last:
        third = 3 if key.is_minor else 4
        stable = [(key.pc + d) % 12 for d in (0, 7, third)]
        goal = next(((t,) for t in stable if t in chord.tones), (chord.root,))
    elif half:
        dominant = [(key.pc + d) % 12 for d in DOMINANT_DEGREES]
        goal = tuple(t for t in dominant if t in chord.tones and rank(t, key) > end)
        goal = goal or tuple(t for t in chord.tones if rank(t, key) > max(end, 0))
        goal = goal or tuple(t for t in dominant if t in chord.tones)
        goal = goal or tuple(t for t in chord.tones if t != key.pc) or chord.tones
    elif line.antecedent:
        goal = tuple(t for t in chord.tones if t != key.pc) or chord.tones
    else:
        goal = (key.pc,) if key.pc in chord.tones else (chord.root,)
    pitches[-1] = nearest(ref, goal, lo, hi)
