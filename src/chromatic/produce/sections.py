"""The song's sections, as the approved chords define them: what drums, bass and melody build on.

A section is an approved chord loop, ``chords/approved/<label>.mid``; its label names it
("verse", "chorus_2", "bridge"). Everything a part needs is read from what was delivered:

- **timing and pitches from the approved MIDI itself** (read with ``load_score``), so a part
  follows exactly what the human approved, even a hand-edited file. Chord boundaries come from
  the approved candidate's harmonic rhythm in ``chords/review.yml`` when it matches the file's
  length, else one chord per bar (consecutive equal bars merged), with a warning.
- a chord's tones are the pitch classes of the notes starting inside it; its root is the one
  its symbol names (the approved candidate's ``chords`` in chords/review.yml, parsed as the
  chord phase parses a given progression: ``C/E`` and ``I6`` are C with E in the bass;
  ``Bbsus2`` voiced with its C lowest is still Bb), else, with no symbol, the pitch class of
  its lowest note.

Role and energy come from the label by the whole-word rules of ``music.form`` (the one section
vocabulary, FORMATS.md §6; re-exported here): intro low, verse medium,
chorus high, bridge low, outro medium; "pre_chorus" is a pre-chorus (medium), not a chorus;
unknown labels are medium. Song order: the section names of ``production_plan.yml`` when it
exists, else the usual song form: intro first, outro last, and in between by instance number,
then verse < pre-chorus < chorus < bridge (a bridge, solo or breakdown counts as the second
instance, since it usually follows the second chorus). Each section knows the next one (the
last knows none), so parts can lead into it.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from chromatic.errors import ProduceError
from chromatic.music.form import (  # noqa: F401 (re-exported: the part phases read them here)
    ENERGIES,
    ENERGY_VALUE,
    label_words,
    section_energy,
    section_role,
    song_order,
)
from chromatic.music.key import TimeSignature
from chromatic.music.meter import Meter, bar_ticks, meter_of
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.planfile import PLAN_FILE, load_plan
from chromatic.proposals.reader import Proposal

# --- chords as delivered -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChordSpan:
    """One chord of an approved loop: ticks [start, end), pitch classes, the root pitch class
    and the bass pitch class its symbol names (``C/E``: root C, bass E)."""

    start: int
    end: int
    tones: tuple[int, ...]
    root: int
    symbol: str | None = None
    written_bass: int | None = None  # a slash chord's or an inversion's; None: the root

    @property
    def bass(self) -> int:
        """The pitch class the chord has in its bass: a slash chord's, else its root."""
        return self.root if self.written_bass is None else self.written_bass

    def interval(self, *options: int) -> int | None:
        """The first of ``options`` (semitones above the root) that is a chord tone."""
        return next((o for o in options if (self.root + o) % 12 in self.tones), None)

    @property
    def third(self) -> int | None:
        return self.interval(4, 3)

    @property
    def fifth(self) -> int | None:
        return self.interval(7, 6, 8)


@dataclass(frozen=True)
class Section:
    """A section as produced: one approved chord loop read musically (role and energy from its
    label, meter, tempo, bars and chords from its MIDI), linked to the section after it. The
    other section types are other things: ``catalog.manifest.Section`` is a section as a
    manifest writes it (a name and times of a recording), ``planfile.PlanSection`` one
    as planned (repeat, vocals, intensity), ``arrange.plan.ApprovedSection`` the plan's view of
    the same file (its declared bars) and ``arrange.assemble.SectionSpan`` a planned section
    placed in the arrangement."""

    label: str
    role: str
    energy: str
    meter: Meter
    time_signature: TimeSignature
    bpm: float
    bars: int
    chords: tuple[ChordSpan, ...]
    source: Path
    timing: str  # "harmonic_rhythm" (from chords/review.yml) or "bars" (one chord per bar)
    next: str | None = None
    next_energy: str | None = None
    following: ChordSpan | None = None  # the next section's first chord, for lead-ins

    @cached_property
    def bar_ticks(self) -> int:
        return bar_ticks(self.meter)

    @cached_property
    def total_ticks(self) -> int:
        return self.bars * self.bar_ticks

    @cached_property
    def _starts(self) -> list[int]:
        return [c.start for c in self.chords]

    def chord_index(self, tick: int) -> int:
        return max(bisect.bisect_right(self._starts, tick % self.total_ticks) - 1, 0)

    def chord_at(self, tick: int) -> ChordSpan:
        return self.chords[self.chord_index(tick)]

    def next_chord(self, index: int) -> ChordSpan:
        """The chord after chord ``index``: the next in the loop, or after the last one the
        next section's first chord (the loop's own first chord for the last section)."""
        if index + 1 < len(self.chords):
            return self.chords[index + 1]
        return self.following or self.chords[0]

    def summary(self) -> dict:
        return {
            "name": self.label,
            "energy": self.energy,
            "next": self.next,
            "bars": self.bars,
            "chords": len(self.chords),
            "timing": self.timing,
        }


@dataclass(frozen=True)
class Song:
    """The song as the part phases build on it: the proposal, the produced sections in song
    order, and what reading them noticed. (The ``song:`` header of review.yml and the plan is
    ``produce.song.SongHeader``.)"""

    proposal: Proposal
    sections: tuple[Section, ...]
    warnings: tuple[str, ...]

    def section(self, label: str) -> Section:
        return next(s for s in self.sections if s.label == label)


# --- dependencies ------------------------------------------------------------------------------


def approved_files(folder: ProductionFolder, phase: str) -> dict[str, Path]:
    return folder.approved_loops(phase)


def refusal(folder: ProductionFolder, phase: str, needed_by: str) -> ProduceError:
    """The error a phase raises when a part it depends on is not approved yet: it names the
    commands to run first."""
    root = folder.root
    return ProduceError(
        f"{needed_by} needs approved {phase}: no approved {phase} in {folder.approved_dir(phase)}; "
        f"run 'chromatic produce {phase} {root}', "
        f"approve candidates in {folder.review_path(phase)}, then 'chromatic promote {root} {phase}'"
    )


def require_approved(folder: ProductionFolder, phase: str, needed_by: str) -> dict[str, Path]:
    files = approved_files(folder, phase)
    if not files:
        raise refusal(folder, phase, needed_by)
    return files


# --- reading -----------------------------------------------------------------------------------


def load_song(folder: ProductionFolder, needed_by: str) -> Song:
    """Every approved chord section in song order, or a refusal naming the commands to run
    (a compose branch reads it once per chord set: ``ProductionFolder.chords_song``)."""
    return folder.chords_song(lambda: _read_song(folder, needed_by))


def _read_song(folder: ProductionFolder, needed_by: str) -> Song:
    proposal = folder.proposal()
    files = require_approved(folder, "chords", needed_by)
    entries = _approved_entries(folder)
    notes: list[str] = []
    order = _plan_order(folder, list(files), notes) or song_order(list(files))
    sections = [
        _read_section(label, files[label], entries.get(label), proposal, notes, folder)
        for label in order
    ]
    linked = []
    for i, s in enumerate(sections):
        nxt = sections[i + 1] if i + 1 < len(sections) else None
        linked.append(
            replace(
                s,
                next=nxt.label if nxt else None,
                next_energy=nxt.energy if nxt else None,
                following=nxt.chords[0] if nxt else None,
            )
        )
    return Song(proposal, tuple(linked), tuple(notes))


def _approved_entries(folder: ProductionFolder) -> dict[str, dict]:
    """Details of each approved chord candidate by normalized label (for its harmonic rhythm):
    ``ProductionFolder.approved_details``, read with ``review.read_review`` on disk, from the
    branch's own review document in a compose search."""
    return folder.approved_details("chords")


def _plan_order(folder: ProductionFolder, labels: list[str], notes: list[str]) -> list[str] | None:
    """The plan's section order (read with ``planfile.load_plan``, the one reader: a plan that
    does not validate is refused here as at assembly), then what it does not list, by form."""
    path = folder.path(PLAN_FILE)
    if not path.is_file():
        return None
    names = [s.name for s in load_plan(path).sections]
    ordered = list(dict.fromkeys(n for n in names if n in labels))
    rest = [x for x in song_order(labels) if x not in ordered]
    if rest:
        notes.append(
            f"{PLAN_FILE} does not list {', '.join(rest)}: placed by song form after its sections"
        )
    return ordered + rest


def _read_section(
    label: str,
    path: Path,
    entry: dict | None,
    proposal: Proposal,
    notes: list[str],
    folder: ProductionFolder,
) -> Section:
    loop = folder.loop_song(path)  # the loop as its file reads (``produce.loops``)
    ts = _meter_at_start(loop) or proposal.time_signature
    if ts != proposal.time_signature:
        notes.append(
            f"{label}: the approved chords are in {ts}, the proposal in {proposal.time_signature}; using {ts}"
        )
    meter = meter_of(ts)
    bpm = float(loop.tempos[0].qpm) if loop.tempos else proposal.bpm
    events = sorted(
        (n.start, n.start + n.duration, n.pitch)
        for t in loop.tracks
        if not t.is_drum
        for n in t.notes
    )
    if not events:
        raise ProduceError("the approved chords hold no notes", path=path)
    bar = bar_ticks(meter)
    bars = max(1, math.ceil(max(e for _, e, _ in events) / bar))
    bounds, symbols, timing = _bounds_from_review(entry, bars * bar, bar)
    if bounds is None:
        if entry is None:
            notes.append(
                f"{label}: no approved entry in chords/review.yml; one chord per bar, read from the MIDI"
            )
        else:
            notes.append(
                f"{label}: the harmonic rhythm in chords/review.yml does not match the file; one chord per bar"
            )
        bounds = [(b * bar, (b + 1) * bar) for b in range(bars)]
    spans = []
    for i, (s, e) in enumerate(bounds):
        inside = [p for t0, _, p in events if s <= t0 < e] or [
            p for t0, t1, p in events if t0 < s < t1
        ]
        if not inside:
            if spans:  # nothing new sounds: the previous chord goes on
                prev = spans.pop()
                spans.append(replace(prev, end=e))
                continue
            inside = [events[0][2]]
        sym = symbols[i] if symbols else None
        root, bass = symbol_root(sym, proposal, label) or (min(inside) % 12, None)
        spans.append(ChordSpan(s, e, tuple(sorted({p % 12 for p in inside})), root, sym, bass))
    if timing == "bars":
        spans = _merge_equal(spans)
    role, energy, _ = section_role(label)
    return Section(label, role, energy, meter, ts, bpm, bars, tuple(spans), path, timing)


def _meter_at_start(loop) -> TimeSignature | None:
    """The loop's time signature at its start (4/4 when its first comes later; None when it
    has none)."""
    if not loop.meters:
        return None
    at = [m for m in sorted(loop.meters, key=lambda m: m.tick) if m.tick <= 0]
    return TimeSignature(at[-1].numerator, at[-1].denominator) if at else TimeSignature(4, 4)


def symbol_root(symbol: str | None, proposal: Proposal, label: str) -> tuple[int, int] | None:
    """The root and bass pitch classes the approved chord's symbol names (the chord phase's
    own parser, ``produce.chords.given.parse_symbol``: ``C/E``, ``Asus2``, ``I6``, ``V65``),
    or None when there is no symbol or it does not parse (then the root is the lowest note's
    pitch class)."""
    if not symbol:
        return None
    from chromatic.produce.chords.given import parse_symbol

    try:
        chord = parse_symbol(symbol, proposal.key, label)
    except ProduceError:
        return None
    return (proposal.key.pc + chord.root) % 12, chord.bass % 12


def _bounds_from_review(entry: dict | None, total: int, bar: int):
    rhythm = (entry or {}).get("harmonic_rhythm") or {}
    try:
        lengths = [round(float(b) * bar) for b in rhythm.get("bars") or []]
    except (TypeError, ValueError):
        lengths = []
    if not lengths or sum(lengths) != total or min(lengths) <= 0:
        return None, None, "bars"
    bounds, t = [], 0
    for n in lengths:
        bounds.append((t, t + n))
        t += n
    symbols = [str(x) for x in entry.get("chords") or []]  # type: ignore[union-attr]
    return bounds, symbols if len(symbols) == len(bounds) else None, "harmonic_rhythm"


def _merge_equal(spans: list[ChordSpan]) -> list[ChordSpan]:
    out: list[ChordSpan] = []
    for s in spans:
        if out and (out[-1].tones, out[-1].root) == (s.tones, s.root):
            out[-1] = replace(out[-1], end=s.end)
        else:
            out.append(s)
    return out
