"""A part's measurable style: the figures a reference track and a generated part are compared by.

Per role (chords, bass, melody, harmony, drums), from the notes of that role:

- ``density``: note onsets per bar (notes struck together count once);
- ``register``: the mean pitch (not for drums);
- ``velocity``: the mean velocity, and ``velocity_sd`` its spread (the dynamics' feel);
- ``timing``: the mean distance of an onset from the sixteenth grid, in sixteenths (0 on the
  grid; a played or humanized part sits off it);
- ``syncopation``: the share of onsets off the beat (the meter's unit: a quarter in 4/4);
- ``program``: the GM program most of its notes are played on (instrumentation; not drums);

and for the chords, ``chord_rhythm``: how often the sounding pitch classes change, per bar
(checked at every beat). ``distance`` is the mean of the figures' differences, each over the
scale a listener hears as a clear change (``SCALES``), capped at 1; a program counts 0 when it is
the same and 1 when not.

A reference MIDI file's tracks get their roles from the ``part: <phase>`` text event chromatic
writes, else from their names (``bass``, ``lead``, ``vocal``, ``melody``, ``chord``, ``pad``,
``piano``, ``guitar``), else by register: the drum channel is the drums, the lowest pitched track
the bass, the highest the melody and any between them the chords (one pitched track: the
melody).
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from pathlib import Path

from chromatic.errors import ChromaticError, ProduceError
from chromatic.music.daw import part_roles
from chromatic.music.midi import load_score, time_signature_at

ROLES = ("chords", "bass", "melody", "harmony", "drums")
FIGURES = ("density", "register", "velocity", "velocity_sd", "timing", "syncopation")
SCALES = {
    "density": 8.0,
    "register": 12.0,
    "velocity": 24.0,
    "velocity_sd": 12.0,
    "timing": 0.25,
    "syncopation": 0.5,
    "chord_rhythm": 2.0,
}
_NAMES = (
    ("bass", "bass"),
    ("lead", "melody"),
    ("vocal", "melody"),
    ("melody", "melody"),
    ("soprano", "melody"),
    ("voice", "melody"),
    ("chord", "chords"),
    ("pad", "chords"),
    ("piano", "chords"),
    ("guitar", "chords"),
    ("harmony", "harmony"),
    ("drum", "drums"),
)


def _tracks(score) -> list[tuple[object, list[tuple[int, int, int, int]]]]:
    scale = 480 / score.tpq
    out = []
    for t in score.tracks:
        notes = [
            (round(n.time * scale), round(n.duration * scale), int(n.pitch), int(n.velocity))
            for n in t.notes
        ]
        if notes:
            out.append((t, sorted(notes)))
    return out


def assign_roles(path: str | os.PathLike, score) -> dict[str, list[tuple]]:
    """Each role's notes (ticks at 480 a quarter) and programs, by the rules of the docstring."""
    tagged = part_roles(path) if not isinstance(path, bytes) else {}
    tracks = _tracks(score)
    roles: dict[str, list[tuple]] = {}
    programs: dict[str, Counter] = {}
    loose = []
    for t, notes in tracks:
        name = (t.name or "").lower()
        role = tagged.get(t.name)
        if role not in ROLES:
            role = "drums" if t.is_drum else next((r for w, r in _NAMES if w in name), None)
        if role is None:
            loose.append((t, notes))
            continue
        roles.setdefault(role, []).extend(notes)
        programs.setdefault(role, Counter())[int(t.program)] += len(notes)
    loose.sort(key=lambda x: sum(n[2] for n in x[1]) / len(x[1]))
    for i, (t, notes) in enumerate(loose):
        if len(loose) == 1:
            role = "melody" if "melody" not in roles else "chords"
        else:
            role = "bass" if i == 0 else "melody" if i == len(loose) - 1 else "chords"
        role = role if role not in roles or role == "chords" else "chords"
        roles.setdefault(role, []).extend(notes)
        programs.setdefault(role, Counter())[int(t.program)] += len(notes)
    return {r: (sorted(n), programs[r].most_common(1)[0][0]) for r, n in roles.items()}


def part_figures(notes: list[tuple], bar: int, beat: int, program: int | None, drums: bool) -> dict:
    """The figures of one role's notes (see the module docstring)."""
    onsets = sorted({n[0] for n in notes})
    bars = max(1, -(-max(n[0] + n[1] for n in notes) // bar))
    vel = [n[3] for n in notes]
    mean_v = sum(vel) / len(vel)
    six = 120
    out = {
        "density": round(len(onsets) / bars, 3),
        "velocity": round(mean_v, 2),
        "velocity_sd": round((sum((v - mean_v) ** 2 for v in vel) / len(vel)) ** 0.5, 2),
        "timing": round(sum(min(t % six, six - t % six) for t in onsets) / len(onsets) / six, 4),
        "syncopation": round(sum(t % beat > six // 4 for t in onsets) / len(onsets), 4),
    }
    if not drums:
        out["register"] = round(sum(n[2] for n in notes) / len(notes), 2)
        out["program"] = program
    return out


def chord_rhythm(notes: list[tuple], bar: int, beat: int) -> float:
    """Changes of the sounding pitch-class set per bar, checked at every beat."""
    end = max(n[0] + n[1] for n in notes)
    sets = []
    for t in range(0, end, beat):
        here = frozenset(n[2] % 12 for n in notes if n[0] <= t < n[0] + n[1])
        if here:
            sets.append(here)
    changes = sum(a != b for a, b in itertools.pairwise(sets))
    return round(changes / max(1, -(-end // bar)), 3)


def figures_of(source: str | os.PathLike | bytes, only: str | None = None) -> dict[str, dict]:
    """Every role's figures of a MIDI file (``only``: all its notes are that role)."""
    try:
        score = load_score(source)
    except ChromaticError as e:
        raise ProduceError(e.detail, path=None if isinstance(source, bytes) else source) from None
    ts = time_signature_at(score, 0) if len(score.time_signatures) else None
    num, den = (ts.numerator, ts.denominator) if ts else (4, 4)
    bar, beat = 480 * 4 * num // den, 480 * 4 // den
    if only is not None:
        tracks = _tracks(score)
        notes = sorted(n for _, ns in tracks for n in ns)
        prog = Counter(int(t.program) for t, ns in tracks for _ in ns).most_common(1)
        roles = {only: (notes, prog[0][0] if prog else None)} if notes else {}
    else:
        roles = assign_roles(source, score)
    if not roles:
        where = "" if isinstance(source, bytes) else f"{Path(source).name}: "
        raise ProduceError(f"{where}the file holds no notes")
    out = {}
    for role, (notes, program) in roles.items():
        out[role] = part_figures(notes, bar, beat, program, role == "drums")
        if role == "chords":
            out[role]["chord_rhythm"] = chord_rhythm(notes, bar, beat)
    return out


def distance(ref: dict[str, dict], got: dict[str, dict]) -> float | None:
    """Mean scaled difference over the figures both have, roles in both (see the docstring)."""
    diffs = []
    for role in ref.keys() & got.keys():
        a, b = ref[role], got[role]
        for f, scale in SCALES.items():
            if f in a and f in b and a[f] is not None and b[f] is not None:
                diffs.append(min(1.0, abs(a[f] - b[f]) / scale))
        if a.get("program") is not None and b.get("program") is not None:
            diffs.append(float(a["program"] != b["program"]))
    return sum(diffs) / len(diffs) if diffs else None
