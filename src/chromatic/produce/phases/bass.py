"""The bass phase: per approved chord section, bass lines over exactly what was approved.

Depends on approved chords (the sections, their chord timing and roots, read from the approved
MIDI) and approved drums (the kicks to lock with). With no approved drums at all it refuses and
names the commands to run. A section whose drums are not approved (a drumless intro, say)
aligns to the chord phase's scratch beat for the meter instead, and review.yml says so
(``kick_source: scratch`` and a warning): refusing would make a drumless section impossible.

Options: every bass template for the meter (``bassline``) x register (low, mid) x approach
(chromatic below, chromatic above, diatonic); ``n`` drawn per section (seeded).

Theory = mean of:

- ``root_adherence``: of the strong beats (``rhythm.meter.strong_onsets``) where the bass
  sounds, the share where it sounds the root of the chord at that moment;
- ``kick_alignment``: 0.6 x the share of kicks with a bass onset within 30 ticks (kick
  coverage) + 0.4 x the share of bass onsets on a kick; 1.0 when the drums have no kick;
- ``voice_leading``: root-to-root motion at the chord changes (loop included): a step or a
  repeat scores 1, up to a fourth 0.9, a fifth 0.75, wider less;
- ``centre``: the section (its chords and this bass line) keeps the planned tonal centre to
  both key listeners (``bass.centre``): a bass dwelling on VI and VII of a minor key that makes
  it sound like the key of iv ranks lower. The planned centre is the key the section's chords
  are heard in (``produce.heard.heard_key``: the proposal's, or its relative or parallel key
  when both listeners hear the chords there; ``heard_key`` in the candidate's details then).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from chromatic.music.gm import KICK, KICKS
from chromatic.music.gm import PROGRAMS as GM_PROGRAMS
from chromatic.music.meter import strong_ticks, ticks
from chromatic.music.notes import Note, sounding_each
from chromatic.produce.bass.centre import bass_centre
from chromatic.produce.bass.line import APPROACHES, REGISTERS, BassOption, bass_templates, realize
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.heard import heard_key
from chromatic.produce.phases import Candidates, PhaseOptions, PhaseResult
from chromatic.produce.phases.parts import (
    PartCandidate,
    TrackSpec,
    check_counts,
    draw_order,
    part_candidates,
    section_rng,
)
from chromatic.produce.rhythm.patterns import drum_bar
from chromatic.produce.sections import Section, Song, approved_files, load_song, require_approved
from chromatic.produce.sofar import SongSoFar
from chromatic.produce.style import content_seed, style_for
from chromatic.yamlio import flow

PHASE = "bass"
# the phase's own options (``PhaseOptions.extra``)
OWN: tuple[str, ...] = ()
ID_PREFIX = "bass"
STREAM = zlib.crc32(b"chromatic.produce.bass")
KICK_TOLERANCE = 30  # ticks: a humanized kick still counts
THEORY_TEXT = "mean of root_adherence, kick_alignment, voice_leading, centre"
#: GM programs: acoustic bass for acoustic families, synth bass for electronic, else finger bass.
PROGRAMS = {
    "folk": GM_PROGRAMS["acoustic_bass"],
    "jazz": GM_PROGRAMS["acoustic_bass"],
    "classical": GM_PROGRAMS["acoustic_bass"],
    "electronic": GM_PROGRAMS["synth_bass"],
}
FINGER_BASS = GM_PROGRAMS["fingered_bass"]


@dataclass(frozen=True)
class Kicks:
    ticks: tuple[int, ...]
    source: str  # "drums" (the approved loop) or "scratch" (the chord phase's scratch beat)


def section_kicks(section: Section, drums) -> Kicks:
    """Kick onsets over the section: the approved drum loop's (``drums``: a ``music.song.Song``
    as ``loops.read_loop`` reads it; tiled if shorter), else, with None, the scratch beat's."""
    if drums is None:
        one = [ticks(t) for t, p, _ in drum_bar(section.meter) if p == KICK]
        return Kicks(
            tuple(b * section.bar_ticks + t for b in range(section.bars) for t in one), "scratch"
        )
    hits = sorted({n.start for t in drums.tracks for n in t.notes if n.pitch in KICKS})
    loop = max(1, math.ceil(drums.end_tick / section.bar_ticks)) * section.bar_ticks
    tiled = sorted(
        {k + r * loop for r in range(math.ceil(section.total_ticks / loop)) for k in hits}
    )
    return Kicks(tuple(k for k in tiled if k < section.total_ticks), "drums")


def sounding(notes: tuple[Note, ...], tick: int) -> Note | None:
    return next((n for n in notes if n.sounds_at(tick)), None)


def root_adherence(section: Section, notes: tuple[Note, ...]) -> float:
    hits = roots = 0
    strong = strong_ticks(section.meter, section.bars)
    for t, n in zip(strong, sounding_each(notes, strong), strict=True):
        if n is not None:
            hits += 1
            roots += n.pitch % 12 == section.chord_at(t).root
    return roots / hits if hits else 0.0


def kick_alignment(notes: tuple[Note, ...], kicks: tuple[int, ...]) -> float:
    if not kicks:
        return 1.0
    onsets = np.array([n.start for n in notes])
    k = np.array(kicks)
    near = np.abs(onsets[:, None] - k[None, :]) <= KICK_TOLERANCE
    return 0.6 * float(near.any(axis=0).mean()) + 0.4 * float(near.any(axis=1).mean())


def _move_score(d: int) -> float:
    return 1.0 if d <= 2 else 0.9 if d <= 5 else 0.75 if d <= 7 else max(0.0, 1.0 - d / 16)


def voice_leading(section: Section, notes: tuple[Note, ...]) -> float:
    at = [next((n.pitch for n in notes if n.start == c.start), None) for c in section.chords]
    played = [p for p in at if p is not None]
    if len(played) < 2:
        return 1.0
    loop = [*played, played[0]]
    return float(np.mean([_move_score(abs(b - a)) for a, b in pairwise(loop)]))


def bass_options(section: Section) -> list[BassOption]:
    return [
        BassOption(t, r, a)
        for t in bass_templates(section.meter)
        for r in REGISTERS
        for a in APPROACHES
    ]


def bass_candidate(
    song: Song, section: Section, index: int, opt: BassOption, kicks: Kicks
) -> PartCandidate:
    notes, roots = realize(section, song.proposal.key, opt)
    parts = {
        "root_adherence": root_adherence(section, notes),
        "kick_alignment": kick_alignment(notes, kicks.ticks),
        "voice_leading": voice_leading(section, notes),
        "centre": bass_centre(section, notes, song.proposal.key),
    }
    theory = {k: round(float(v), 4) for k, v in parts.items()}
    theory["total"] = round(float(sum(parts.values()) / len(parts)), 4)
    details = {
        "section": section.label,
        "energy": section.energy,
        "next_section": section.next,
        "template": opt.template.name,
        "style": opt.template.style,
        "register": opt.register,
        "approach": opt.approach,
        "roots": flow(roots),
        "range": flow([min(n.pitch for n in notes), max(n.pitch for n in notes)]),
        "kick_source": kicks.source,
        "kicks": len(kicks.ticks),
        "bars": section.bars,
    }
    heard = heard_key(section, song.proposal.key)
    if heard != song.proposal.key:  # the chords are heard in the relative or parallel key
        details["heard_key"] = str(heard)
    return PartCandidate(section.label, index, theory, details, notes)


def generate_bass(
    song: Song, section: Section, kicks: Kicks, n: int, seed: int
) -> list[PartCandidate]:
    options = bass_options(section)
    rng = section_rng(seed, STREAM, section.label)
    return [
        bass_candidate(song, section, i, options[j], kicks)
        for i, j in enumerate(draw_order(len(options), n, rng))
    ]


def run_bass(folder: ProductionFolder, **keywords) -> PhaseResult:
    """``bass_phase`` with its options as keywords (``PhaseOptions.of``: n 40, top 5), its
    candidates gated at ``folder`` (review.yml written), as a script or a test runs it."""
    return bass_phase(folder, PhaseOptions.of(OWN, **keywords)).gate(folder)


def bass_phase(song_so_far: SongSoFar, options: PhaseOptions) -> Candidates:
    """Bass candidates for every approved chord section; ``n`` generated and ``top`` kept per section."""
    n, seed = options.n, options.seed
    check_counts(n, options.top)
    song = load_song(song_so_far, "bass")
    require_approved(song_so_far, "drums", "bass")
    drums = approved_files(song_so_far, "drums")
    kicks = {
        s.label: section_kicks(
            s, song_so_far.loop_song(drums[s.label]) if s.label in drums else None
        )
        for s in song.sections
    }
    notes = []
    scratch = [label for label, k in kicks.items() if k.source == "scratch"]
    if scratch:
        notes.append(
            f"no approved drums for {', '.join(scratch)}: the bass aligns to the scratch beat there"
        )
    unused = sorted(set(drums) - set(kicks))
    if unused:
        notes.append(f"approved drums without approved chords ignored: {', '.join(unused)}")
    style = style_for(song.proposal, song_so_far.root)
    mixed = content_seed(seed, song.proposal)
    cands = {s.label: generate_bass(song, s, kicks[s.label], n, mixed) for s in song.sections}
    roles = {s.label: s.role for s in song.sections}
    programs = {label: style.program("bass", role) for label, role in roles.items()}
    return part_candidates(
        song_so_far,
        song,
        phase=PHASE,
        prefix=ID_PREFIX,
        track=lambda c: TrackSpec("bass", programs[c.section]),
        candidates=cands,
        variety="style",
        **options.ranking(),
        theory_text=THEORY_TEXT,
        extra={"program": style.program("bass"), "programs": programs, "family": style.family},
        warnings=notes,
        context={"kicks": kicks},
    )
