"""Melody operators. The rhythm of a melody is its lyric setting (stressed syllables on strong
beats, ``melody.setting``), so every operator changes pitches only: onsets and durations stay,
and with them each syllable's place and the prosody score. Crossover joins two parents only
where they share that rhythm (the same pace over the same words), so the child's lyric events
are its parents'.

- ``transpose``: one bar's motif moves one or two scale steps up or down;
- ``sequence``: a bar repeats the previous bar's intervals from a step higher or lower;
- ``inversion``: a bar's intervals turn upside down around its first note;
- ``ornament``: a weak-beat note between two notes a third apart becomes the passing tone, or
  between two equal notes, their upper neighbour;
- ``simplify``: a weak-beat note that leaps from the one before becomes the chord tone
  nearest it (never the same pitch: repeated notes are not a simplification a singer hears).

- ``displace``: rhythmic displacement: one bar's motif shifts an eighth, a quarter, half a bar
  or a bar earlier or later, across the bar line too (into the rest before or after it: the
  motif keeps its place between its neighbours), each note carrying its syllable (the child's
  lyric events move with its notes). It is re-set against the lyric's stresses: accepted only
  where every moved syllable keeps a metric place (of the bar it lands in) that costs it no
  more (``setting.syllable_cost``) whatever its stress: a note on a strong beat stays on one, a
  note on a beat lands on a beat at least as strong, an off-beat note stays on an off-beat
  (never onto a beat), so no syllable placed at no cost loses it and the prosody score holds.
  Where no shift of a bar passes, there is no child.

After each operator the line is re-snapped: pitches folded into the singer's range and every
note on a strong beat or a chord change moved to the nearest chord tone (the phase's own rule),
so the child sits on the harmony. Niches: register (mean pitch over the singer's range) x
motion (mean interval, 6 semitones = full).
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from types import SimpleNamespace

from chromatic.music.meter import strong_ticks
from chromatic.produce.evolve.breeder import Breeder, lineage_details
from chromatic.produce.evolve.keep import keeps_tune, tune_window
from chromatic.produce.evolve.reach import melody_ops
from chromatic.produce.melody.contours import nearest
from chromatic.produce.phases.melody import (
    chord_tone_share,
    contour_score,
    singability,
)
from chromatic.produce.phases.parts import PartCandidate
from chromatic.yamlio import flow


@cache
def _scale_step(p: int, steps: int, scale: tuple[int, ...]) -> int:
    """``p`` moved ``steps`` scale steps (chromatic notes first land on the scale); kept per
    (pitch, steps, scale): breeding asks the same few hundred again and again."""
    q = p
    for _ in range(abs(steps)):
        q += 1 if steps > 0 else -1
        while q % 12 not in scale:
            q += 1 if steps > 0 else -1
    return q


def _bar_slice(notes, section, rng, need: int = 1):
    per_bar: dict[int, int] = {}  # notes starting in each bar, counted in one pass
    for n in notes:
        per_bar[n.start // section.bar_ticks] = per_bar.get(n.start // section.bar_ticks, 0) + 1
    bars = [b for b in range(section.bars) if per_bar.get(b, 0) >= need]
    if not bars:
        return None
    b = bars[int(rng.integers(len(bars)))]
    idx = [
        i
        for i, n in enumerate(notes)
        if b * section.bar_ticks <= n.start < (b + 1) * section.bar_ticks
    ]
    return b, idx


def _with_pitches(notes, idx, pitches):
    out = list(notes)
    for i, p in zip(idx, pitches, strict=True):
        out[i] = out[i]._replace(pitch=int(p))
    return tuple(out)


def make_ops(scale: tuple[int, ...]):
    def transpose(notes, section, rng):
        got = _bar_slice(notes, section, rng)
        if got is None:
            return None
        _, idx = got
        steps = int(rng.choice([-2, -1, 1, 2]))
        return _with_pitches(notes, idx, [_scale_step(notes[i].pitch, steps, scale) for i in idx])

    def sequence(notes, section, rng):
        got = _bar_slice(notes, section, rng, need=2)
        if got is None:
            return None
        b, src = got
        lo = (b + 1) * section.bar_ticks
        dst = [i for i, n in enumerate(notes) if lo <= n.start < lo + section.bar_ticks]
        if not dst:
            return None
        moves = [notes[j].pitch - notes[i].pitch for i, j in pairwise(src)] or [0]
        p = _scale_step(notes[src[0]].pitch, int(rng.choice([-1, 1])), scale)
        out = []
        for k in range(len(dst)):
            out.append(p)
            p += moves[k % len(moves)]
        return _with_pitches(notes, dst, out)

    def inversion(notes, section, rng):
        got = _bar_slice(notes, section, rng, need=3)
        if got is None:
            return None
        _, idx = got
        first = notes[idx[0]].pitch
        return _with_pitches(notes, idx, [2 * first - notes[i].pitch for i in idx])

    def ornament(notes, section, rng):
        strong = _strong(section)
        spots = [
            i
            for i in range(1, len(notes) - 1)
            if notes[i].start not in strong
            and (
                abs(notes[i + 1].pitch - notes[i - 1].pitch) in (3, 4)
                or notes[i + 1].pitch == notes[i - 1].pitch
            )
        ]
        if not spots:
            return None
        i = spots[int(rng.integers(len(spots)))]
        a, c = notes[i - 1].pitch, notes[i + 1].pitch
        p = _scale_step(a, 1 if c >= a else -1, scale) if a != c else _scale_step(a, 1, scale)
        return _with_pitches(notes, [i], [p])

    def simplify(notes, section, rng):
        strong = _strong(section)
        spots = [
            i
            for i in range(1, len(notes))
            if notes[i].start not in strong and abs(notes[i].pitch - notes[i - 1].pitch) > 2
        ]
        if not spots:
            return None
        i = spots[int(rng.integers(len(spots)))]
        prev = notes[i - 1].pitch
        tones = section.chord_at(notes[i].start).tones
        near = [p for p in range(prev - 4, prev + 5) if p != prev and p % 12 in tones]
        if not near:
            return None
        return _with_pitches(notes, [i], [min(near, key=lambda p: (abs(p - prev), p))])

    return (
        ("displace", displace),
        ("transpose", transpose),
        ("sequence", sequence),
        ("inversion", inversion),
        ("ornament", ornament),
        ("simplify", simplify),
    )


def _class_ok(old: int, new: int) -> bool:
    """A syllable moved from metric level ``old`` to ``new`` costs no more, whatever its stress
    (``setting``: levels 4 downbeat, 3 strong beat, 2 beat, 1 half beat, 0 finer)."""
    if old >= 3:
        return new >= 3
    if old == 2:
        return new >= 2
    return new == 1 if old == 1 else new in (0, 1)


def displace(notes, section, rng):
    """See the module docstring: a bar's motif shifted an eighth or a quarter, prosody held."""
    from chromatic.music.meter import TPQ
    from chromatic.produce.melody.setting import levels, unit_ticks

    got = _bar_slice(notes, section, rng)
    if got is None:
        return None
    _, idx = got
    bar = section.bar_ticks
    unit = unit_ticks(section.meter, section.bpm)
    lv = levels(section.meter, unit)
    shifts = list(dict.fromkeys([TPQ // 2, -TPQ // 2, TPQ, -TPQ, bar // 2, -bar // 2, bar, -bar]))
    for k in rng.permutation(len(shifts)).tolist():
        d = shifts[k]
        moved = [notes[i]._replace(start=notes[i].start + d) for i in idx]
        before = notes[idx[0] - 1] if idx[0] > 0 else None
        after = notes[idx[-1] + 1] if idx[-1] + 1 < len(notes) else None
        if moved[0].start < 0 or moved[-1].start >= section.total_ticks:
            continue
        if before is not None and before.start >= moved[0].start:
            continue
        if after is not None and after.start <= moved[-1].start:
            continue  # across the bar line only into a rest
        if not all(
            _class_ok(lv.get(notes[i].start % bar, 0), lv.get(m.start % bar, 0))
            for i, m in zip(idx, moved, strict=True)
        ):
            continue
        out = list(notes)
        if before is not None and before.start + before.duration > moved[0].start:
            out[idx[0] - 1] = before._replace(duration=moved[0].start - before.start)
        end = after.start if after is not None else section.total_ticks
        for i, m in zip(idx, moved, strict=True):
            nxt = out[i + 1].start + (d if i + 1 in idx else 0) if i + 1 < len(out) else end
            out[i] = m._replace(duration=max(1, min(m.duration, nxt - m.start)))
        return tuple(out)
    return None


def lyric_events(parent_events, parent_notes, child_notes):
    """The child's lyric events: each note keeps the syllable of the parent's note at the same
    place in the line (the operators keep the number and order of notes)."""
    texts = [t for _, t in parent_events]
    if len(texts) != len(parent_notes) or len(child_notes) != len(parent_notes):
        return None
    return tuple((n.start, t) for n, t in zip(child_notes, texts, strict=True))


MAX_REPEATS = 0.25  # Bach soprano lines repeat 6-25 % of their moves (benchmarks/musicality.py)


def repeats(pitches: list[int]) -> float:
    moves = list(pairwise(pitches))
    return sum(a == b for a, b in moves) / len(moves) if moves else 0.0


def _strong(section) -> frozenset[int]:
    """The section's strong beats and chord changes (kept on the section: asked per child)."""
    own = section.__dict__
    got = own.get("_evolve_strong")
    if got is None:
        got = own["_evolve_strong"] = frozenset(strong_ticks(section.meter, section.bars)) | {
            c.start for c in section.chords
        }
    return got


def resnap(notes, section, singer) -> tuple[tuple, int, int]:
    """Fold into the singer's range, then strong-beat notes onto chord tones: (notes, strong
    notes, of them snapped)."""
    strong = _strong(section)
    out, on, snapped, prev = [], 0, 0, None
    for n in notes:
        p = n.pitch
        while p > singer.high:
            p -= 12
        while p < singer.low:
            p += 12
        if n.start in strong:
            on += 1
            tones = section.chord_at(n.start).tones
            if p % 12 not in tones:
                snapped += 1
                p = nearest(p, tones, singer.low, singer.high, toward=prev)
        out.append(n._replace(pitch=p))
        prev = p
    return tuple(out), on, snapped


def descriptor_for(singer):
    def descriptor(section, notes) -> tuple[float, float]:
        pitches = [n.pitch for n in notes]
        if not pitches:
            return 0.0, 0.0
        reg = (sum(pitches) / len(pitches) - singer.low) / max(1, singer.high - singer.low)
        moves = [abs(b - a) for a, b in pairwise(pitches)]
        motion = (sum(moves) / len(moves)) / 6.0 if moves else 0.0
        return min(1.0, max(0.0, reg)), min(1.0, motion)

    return descriptor


def melody_breeder(song, section, singer, events: dict | None = None) -> Breeder:
    """``events``: (section, draw index) -> the lyric events of the generated candidates and
    the parents; a displaced child's own events are added to it (``Breeder.lyrics``). A child
    is folded into the section's tune window and keeps its parent's moves and cadences
    (``evolve.keep``); the niches stay measured over the singer's whole range."""
    key = song.proposal.key
    scale = key.scale_pcs()
    events = events if events is not None else {}
    lo, hi = tune_window(singer, section.role, scale)
    band = SimpleNamespace(low=lo, high=hi)  # where the generator's tune moves

    def child(sec, notes, parent: PartCandidate, index: int, lineage: dict):
        notes, on, snapped = resnap(notes, sec, band)
        if not keeps_tune(notes, parent.notes, sec, key):
            return None  # a wider move, a weaker ending or a lost answer than its parent's
        mine = lyric_events(events.get((sec.label, parent.index), ()), parent.notes, notes)
        if mine is not None:  # every child's words sit on its own onsets
            events[(sec.label, index)] = mine
        elif [n.start for n in notes] != [n.start for n in parent.notes]:
            return None  # no syllables to carry: a displacement would lose the words
        pitches = [n.pitch for n in notes]
        if repeats(pitches) > max(repeats([n.pitch for n in parent.notes]), MAX_REPEATS):
            return None  # a monotone line: repeated pitches the reference melodies rarely have
        natural = 1.0 - snapped / on if on else 1.0
        parts = {
            "singability": singability(pitches, singer),
            "chord_tones": 0.5 * chord_tone_share(sec, notes) + 0.5 * natural,
            "contour": contour_score(pitches),
            "prosody": parent.theory["prosody"],
        }
        theory = {k: round(float(v), 4) for k, v in parts.items()}
        theory["total"] = round(float(sum(parts.values()) / len(parts)), 4)
        details = lineage_details(
            parent.details,
            lineage,
            start_pitch=pitches[0],
            range=flow([min(pitches), max(pitches)]),
            snapped=snapped,
        )
        return PartCandidate(sec.label, index, theory, details, notes)

    def compatible(a, b) -> bool:
        return [n.start for n in a.notes] == [n.start for n in b.notes]

    return Breeder(
        make_ops(scale) + melody_ops(scale, band, _scale_step),
        child,
        descriptor_for(singer),
        compatible,
        kind="contour",
        lyrics=events,
        keeps_notes=False,  # re-snapped into the window
    )
