"""Backing-vocal operators (the harmony phase). A backing line sings the lead's syllables on
the lead's onsets (or "oo" on its own rhythm in a wordless section), so every operator
changes pitches only and the lyric events stay the parent's:

- ``interval``: one bar's notes take another harmonic interval against the lead note sounding
  at each onset (a third for a sixth, above for below: the nearest other scale tone a third or
  a sixth from the lead), inside the second singer's range;
- ``interval_note``: the same for one note;
- ``chord_tone``: a strong-beat note that is not a chord tone, or dissonant with the lead,
  moves to the nearest chord tone consonant with it;
- ``octave``: one bar moves an octave, inside the range;
- ``neighbour``: a weak-beat note steps a scale degree toward the next note (a counter-line
  gets a passing motion);
- ``side``: ``interval`` on every note at once, on one side of the lead (``evolve.reach``);
- ``open``: every note a tenth (a third and an octave) from the lead on one side, where the
  singer's range allows (open harmony: the line away from the lead, ``evolve.reach``).

Crossover joins two parents only where they share onsets: a counter-line's crossover keeps its
rhythm. The theory is the phase's (``phases.backing.score_line``). Niches: the share of notes
above the lead x the mean distance from it (an octave = full).
"""

from __future__ import annotations

from itertools import pairwise

from chromatic.music.meter import TPQ, strong_ticks
from chromatic.produce.evolve.breeder import Breeder, lineage_details
from chromatic.produce.phases.backing import score_line
from chromatic.produce.phases.parts import PartCandidate
from chromatic.produce.vocals.theory import CONSONANT
from chromatic.yamlio import flow

HARMONIC = (3, 4, 8, 9)  # thirds and sixths, semitones
TENTHS = (15, 16)  # a third and an octave: open harmony (parallel tenths)


def _lead_at(lead, t: int):
    return next((n.pitch for n in lead if n.start <= t < n.end), None)


def _lead_lookup(lead):
    """``_lead_at`` for one lead, remembered per tick (a section's children ask for the same
    onsets thousands of times)."""
    memo: dict[int, int | None] = {}

    def at(_lead, t: int):
        if t not in memo:
            memo[t] = _lead_at(lead, t)
        return memo[t]

    return at


def octave_leaps(notes, period: int | None = None) -> int:
    """Leaps of an octave or more between successive notes less than a quarter apart (inside
    a phrase: ``measure.craft.backing_figures``' ``backing_leaps``). A child with more than its
    parent is refused: a bar moved an octave, or a line only partly opened to tenths, would
    make the singer jump mid-phrase. ``period``: the section's loop length in ticks; the line's
    last note then also leads into its first, as the loop plays again."""
    line = sorted(notes)
    pairs = list(pairwise(line))
    if period and len(line) > 1:
        pairs.append((line[-1], line[0]._replace(start=line[0].start + period)))
    return sum(abs(b.pitch - a.pitch) >= 12 and b.start - a.end < TPQ for a, b in pairs)


def _bar(notes, section, rng):
    bars = sorted({n.start // section.bar_ticks for n in notes})
    if not bars:
        return None
    b = bars[int(rng.integers(len(bars)))]
    return [i for i, n in enumerate(notes) if n.start // section.bar_ticks == b]


def make_ops(lead, singer, scale):
    lead_at = _lead_lookup(lead)

    def interval(notes, section, rng, one=False, whole=False, steps=HARMONIC):
        idx = list(range(len(notes))) if whole else _bar(notes, section, rng)
        if idx is None:
            return None
        if one:
            idx = [idx[int(rng.integers(len(idx)))]]
        side = int(rng.choice([-1, 1]))
        out = list(notes)
        for i in idx:
            lp = lead_at(lead, notes[i].start)
            if lp is None:
                continue
            options = [
                lp + side * d
                for d in steps
                if (lp + side * d) % 12 in scale and singer.low <= lp + side * d <= singer.high
            ]
            options = [p for p in options if p != notes[i].pitch]
            if options:
                out[i] = notes[i]._replace(
                    pitch=min(options, key=lambda p: abs(p - notes[i].pitch))
                )
        return tuple(out)

    def octave(notes, section, rng):
        idx = _bar(notes, section, rng)
        if idx is None:
            return None
        shift = int(rng.choice([-12, 12]))
        if not all(singer.low <= notes[i].pitch + shift <= singer.high for i in idx):
            return None
        out = list(notes)
        for i in idx:
            out[i] = notes[i]._replace(pitch=notes[i].pitch + shift)
        return tuple(out)

    def neighbour(notes, section, rng):
        beats = {c.start for c in section.chords}
        spots = [
            i
            for i in range(len(notes) - 1)
            if notes[i].start not in beats and notes[i + 1].pitch != notes[i].pitch
        ]
        if not spots:
            return None
        i = spots[int(rng.integers(len(spots)))]
        up = notes[i + 1].pitch > notes[i].pitch
        p = notes[i].pitch + (1 if up else -1)
        while p % 12 not in scale:
            p += 1 if up else -1
        if not singer.low <= p <= singer.high:
            return None
        out = list(notes)
        out[i] = notes[i]._replace(pitch=p)
        return tuple(out)

    def interval_note(notes, section, rng):
        return interval(notes, section, rng, one=True)

    def side(notes, section, rng):
        return interval(notes, section, rng, whole=True)

    def open_line(notes, section, rng):
        return interval(notes, section, rng, whole=True, steps=TENTHS)

    def chord_tone(notes, section, rng):
        spots = []
        for t in strong_ticks(section.meter, section.bars):
            i = next((k for k, n in enumerate(notes) if n.start <= t < n.end), None)
            lp = lead_at(lead, t)
            if i is None or lp is None:
                continue
            p = notes[i].pitch
            if p % 12 not in section.chord_at(t).tones or (p - lp) % 12 not in CONSONANT:
                spots.append((i, lp))
        if not spots:
            return None
        i, lp = spots[int(rng.integers(len(spots)))]
        tones = section.chord_at(notes[i].start).tones
        options = [
            p
            for p in range(singer.low, singer.high + 1)
            if p % 12 in tones and (p - lp) % 12 in CONSONANT and p != lp
        ]
        if not options:
            return None
        out = list(notes)
        out[i] = notes[i]._replace(pitch=min(options, key=lambda p: (abs(p - notes[i].pitch), p)))
        return tuple(out)

    return (
        ("interval", interval),
        ("interval_note", interval_note),
        ("chord_tone", chord_tone),
        ("octave", octave),
        ("neighbour", neighbour),
        ("side", side),  # evolve.reach: the whole line to one side of the lead
        ("open", open_line),  # evolve.reach: the whole line a tenth from the lead
    )


def backing_breeder(song, section, lead, singer) -> Breeder:
    scale = song.proposal.key.scale_pcs()
    lead_at = _lead_lookup(lead)

    def child(sec, notes, parent: PartCandidate, index: int, lineage: dict):
        notes = tuple(notes)
        loop = sec.total_ticks
        if octave_leaps(notes, loop) > octave_leaps(parent.notes, loop):
            return None  # a backing singer does not leap an octave inside a phrase (or its loop)
        pitches = [n.pitch for n in notes]
        details = lineage_details(parent.details, lineage, range=flow([min(pitches), max(pitches)]))
        return PartCandidate(sec.label, index, score_line(sec, lead, notes, singer), details, notes)

    def descriptor(sec, notes) -> tuple[float, float]:
        gaps = [n.pitch - lp for n in notes if (lp := lead_at(lead, n.start)) is not None]
        if not gaps:
            return 0.0, 0.0
        above = sum(g > 0 for g in gaps) / len(gaps)
        return above, min(1.0, sum(abs(g) for g in gaps) / len(gaps) / 12)

    def compatible(a, b) -> bool:
        return [n.start for n in a.notes] == [n.start for n in b.notes]

    return Breeder(make_ops(lead, singer, scale), child, descriptor, compatible, kind="kind")
