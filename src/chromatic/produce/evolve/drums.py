"""Drum operators. A loop's groove is every bar but the last (the last holds the section's
fill), so pattern edits apply to all of those bars at once and the loop stays a loop; hits
move only inside their beat group (``Meter.groups``: 2+2+3 stays 2+2+3).

- ``add_hit``: a kit piece the loop already plays gets one more hit on the fine grid;
- ``remove_hit``: one hit of the pattern goes (never the downbeat kick);
- ``shift_hit``: a kick or snare hit moves one grid step inside its beat group;
- ``ghost_notes``: quiet snare strokes one step before each backbeat;
- ``phrase_fill``: a snare-and-tom run over the last beat group of a phrase's last bar
  (every fourth bar, and the section's last);
- ``bar_swap``: two bars change places (the last stays).

Theory is scored as the phase does (``phases.drums``: 0.8 energy fit from the template's
declared level and the measured intensity, 0.2 family fit). Niches: density (velocity-free
hits per quarter, 6 = full) x syncopation (the share of hits off the meter's units).
"""

from __future__ import annotations

from chromatic.music.gm import CRASH, GHOST, KICKS, SNARE, TOM_HIGH, TOM_LOW, TOM_MID
from chromatic.music.meter import fine_step, ticks
from chromatic.music.notes import Note
from chromatic.produce.evolve.breeder import Breeder, lineage_details
from chromatic.produce.evolve.ops import bar_swap, group_bounds
from chromatic.produce.evolve.reach import drum_ops
from chromatic.produce.phases.drums import ENERGY_TOLERANCE, measured_energy
from chromatic.produce.phases.parts import PartCandidate
from chromatic.produce.sections import ENERGY_VALUE


def _pattern(notes, section) -> list[Note]:
    """Bar one's hits (relative onsets): the groove the pattern edits work on."""
    bar = section.bar_ticks
    return [n for n in notes if n.start < bar and not (n.start == 0 and n.pitch == CRASH)]


def _apply(notes, section, edit) -> tuple:
    """``edit`` (relative notes of one bar -> new relative notes) on every bar but the last
    (on the only bar of a one-bar section); the opening crash stays. Bars with the same hits
    are edited once (an edit is a function of them), and a hit the edit keeps is the bar's own
    note again (the same values, not rebuilt)."""
    bar = section.bar_ticks
    edited = max(1, section.bars - 1)
    limit = edited * bar
    crash = [n for n in notes if n[0] == 0 and n[2] == CRASH]
    skip = set(crash)  # a Note equals (and hashes as) its plain tuple
    out = []
    bars: list[list[Note]] = [[] for _ in range(edited)]  # each bar's notes, in order
    for n in notes:
        s = n[0]
        if s >= limit:
            out.append(n)
        elif s >= 0:
            bars[s // bar].append(n)
    done: dict[tuple, list] = {}  # a groove (the bar's relative hits) -> its edited hits
    make = Note._make
    for b, own in enumerate(bars):
        lo = b * bar
        if lo:
            rel = [(s - lo, d, p, v) for s, d, p, v in own]
            back = dict(zip(rel, own, strict=True))
        else:
            rel, back = own, None  # bar one: its notes are their own relative notes
        key = tuple(r for r in rel if r not in skip) if skip else tuple(rel)
        hits = done.get(key)
        if hits is None:
            hits = done[key] = edit([make(r) for r in key])
        if back is None:
            out += hits
            continue
        for n in hits:
            kept = back.get(n)
            out.append(kept if kept is not None else make((n[0] + lo, n[1], n[2], n[3])))
    return tuple(sorted(set(out + crash)))


def add_hit(notes, section, rng):
    pat = _pattern(notes, section)
    voices = sorted({n.pitch for n in pat if n.pitch != CRASH})
    if not voices:
        return None
    pitch = voices[int(rng.integers(len(voices)))]
    step = ticks(fine_step(section.meter))
    used = {n.start for n in pat if n.pitch == pitch}
    free = [t for t in range(0, section.bar_ticks, step) if t not in used]
    if not free:
        return None
    t = free[int(rng.integers(len(free)))]
    vel = sorted(n.velocity for n in pat if n.pitch == pitch)[len(used) // 2] if used else 80
    return _apply(notes, section, lambda rel: [*rel, Note(t, step, pitch, vel)])


def remove_hit(notes, section, rng):
    pat = [n for n in _pattern(notes, section) if not (n.start == 0 and n.pitch in KICKS)]
    if len(pat) < 2:
        return None
    gone = pat[int(rng.integers(len(pat)))]
    return _apply(
        notes,
        section,
        lambda rel: [n for n in rel if (n.start, n.pitch) != (gone.start, gone.pitch)],
    )


def shift_hit(notes, section, rng):
    pat = [n for n in _pattern(notes, section) if n.pitch in KICKS or n.pitch == SNARE]
    pat = [n for n in pat if n.start > 0]
    if not pat:
        return None
    hit = pat[int(rng.integers(len(pat)))]
    step = ticks(fine_step(section.meter))
    bounds = [(a, b) for a, b in group_bounds(section.meter) if a <= hit.start < b]
    lo, hi = bounds[0] if bounds else (0, section.bar_ticks)
    moves = [t for t in (hit.start - step, hit.start + step) if lo <= t < hi]
    if not moves:
        return None
    to = moves[int(rng.integers(len(moves)))]

    def edit(rel):
        return [
            n._replace(start=to) if (n.start, n.pitch) == (hit.start, hit.pitch) else n for n in rel
        ]

    return _apply(notes, section, edit)


def ghost_notes(notes, section, rng):
    pat = _pattern(notes, section)
    backbeats = sorted({n.start for n in pat if n.pitch == SNARE and n.velocity > GHOST})
    step = ticks(fine_step(section.meter))
    ghosts = [t - step for t in backbeats if t - step >= 0]
    if not ghosts:
        return None
    vel = int(GHOST * (0.8 + 0.4 * rng.random()))
    return _apply(notes, section, lambda rel: [*rel, *(Note(t, step, SNARE, vel) for t in ghosts)])


def phrase_fill(notes, section, rng):
    bar = section.bar_ticks
    ends = sorted({b for b in range(3, section.bars, 4)} | {section.bars - 1})
    b = ends[int(rng.integers(len(ends)))]
    lo, hi = group_bounds(section.meter)[-1]
    step = ticks(fine_step(section.meter))
    start, end = b * bar + lo, b * bar + hi
    kept = [n for n in notes if not (start <= n.start < end) or n.pitch in KICKS]
    voices = (SNARE, TOM_HIGH, TOM_MID, TOM_LOW)
    hits = list(range(start, end, step))
    run = [
        Note(t, step, voices[min(3, i * 4 // max(1, len(hits)))], 70 + 40 * i // max(1, len(hits)))
        for i, t in enumerate(hits)
    ]
    return tuple(sorted(set(kept + run)))


OPERATORS = (
    ("add_hit", add_hit),
    ("remove_hit", remove_hit),
    ("shift_hit", shift_hit),
    ("ghost_notes", ghost_notes),
    ("phrase_fill", phrase_fill),
    ("bar_swap", bar_swap),
    *drum_ops(_apply, _pattern),
)


def descriptor(section, notes) -> tuple[float, float]:
    quarters = section.total_ticks / ticks(1)
    unit = ticks(section.meter.unit)
    hits = [n[0] for n in notes if n[2] != CRASH]
    density = min(1.0, len(hits) / quarters / 6.0)
    off = sum(1 for t in hits if t % unit) / len(hits) if hits else 0.0
    return density, off


def drum_breeder(section) -> Breeder:
    def child(sec, notes, parent: PartCandidate, index: int, lineage: dict) -> PartCandidate:
        measured = measured_energy(notes, sec)
        declared = ENERGY_VALUE[parent.details["template_energy"]]
        energy = (declared + measured) / 2
        fit = max(0.0, 1.0 - abs(energy - ENERGY_VALUE[sec.energy]) / ENERGY_TOLERANCE)
        family = parent.theory["family_fit"]
        theory = {
            "energy_fit": round(fit, 4),
            "family_fit": family,
            "total": round(0.8 * fit + 0.2 * family, 4),
        }
        details = lineage_details(parent.details, lineage, loop_energy=round(energy, 4))
        return PartCandidate(sec.label, index, theory, details, tuple(notes))

    return Breeder(OPERATORS, child, descriptor)
