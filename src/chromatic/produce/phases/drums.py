"""The drum phase: per approved chord section, drum loops from the template library, scored on
energy fit (and the chromatic match with a model), written as ``drum_<section>_NN.mid``.

1. Read the approved chord sections (``sections.load_song``; none approved -> refusal) with
   their energy (intro low, verse medium, chorus high, bridge low, outro medium) and next
   section.
2. Genre words -> families (``style.genres``); every template of those families for the
   section's meter is an option, crossed with the fills its transition allows and a crash on
   the first downbeat or not. ``n`` options are drawn per section (seeded); nothing used by
   an earlier section is excluded, so every section gets candidates.
3. Theory = 0.8 energy fit + 0.2 genre-family fit. Energy fit compares the section's target
   (low 0.2, medium 0.5, high 0.85) with the loop's energy: the mean of its template's declared
   level and its measured intensity (velocity-weighted hits per quarter note, cymbals counting
   1.5), so two "medium" templates still differ. Composite = 0.3 theory + 0.7 chromatic match
   with a model.
4. Optional ``humanize``: a named groove template (``rhythm.humanize``), deterministic.

Every note is on channel 10 at a GM percussion key; the same seed gives byte-identical files.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache

from chromatic.music.gm import ACCENT, CRASH, CYMBALS, KIT
from chromatic.music.meter import TPQ, Meter, fine_step, ticks
from chromatic.music.notes import Note
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases import Candidates, PhaseOptions, PhaseResult
from chromatic.produce.phases.parts import (
    PartCandidate,
    TrackSpec,
    check_counts,
    draw_order,
    part_candidates,
    section_rng,
)
from chromatic.produce.rhythm.fills import apply_fill, fill_options
from chromatic.produce.rhythm.humanize import Groove, groove, humanize
from chromatic.produce.rhythm.templates import DrumTemplate, templates_for
from chromatic.produce.sections import ENERGY_VALUE, Section, load_song
from chromatic.produce.sofar import SongSoFar
from chromatic.produce.style import Style, content_seed, style_for
from chromatic.produce.style.genres import FamilyFit, family_fit
from chromatic.yamlio import flow

PHASE = "drums"
# the phase's own options (``PhaseOptions.extra``)
OWN: tuple[str, ...] = ("humanize_with",)
ID_PREFIX = "drum"
STREAM = zlib.crc32(b"chromatic.produce.drums")
TRACK = TrackSpec("drums", program=0, is_drum=True)
#: Velocity-weighted hits per quarter note that count as full energy (a sixteenth-hat rock
#: groove with accents sits near it).
FULL_INTENSITY = 4.0
ENERGY_TOLERANCE = 0.6  # energy distance at which the fit reaches 0
THEORY_TEXT = "0.8 energy_fit + 0.2 family_fit"


@dataclass(frozen=True)
class DrumOption:
    template: DrumTemplate
    fill: str
    crash: bool


def drum_options(section: Section, fit: FamilyFit) -> list[DrumOption]:
    fills = fill_options(section.energy, section.next_energy)
    return [
        DrumOption(t, f, c)
        for t in templates_for(section.meter, tuple(fit.fits))
        for f in fills
        for c in (False, True)
    ]


@lru_cache(maxsize=4096)
def bar_hits(template: DrumTemplate, meter: Meter, fill: str) -> tuple[tuple[int, int, int], ...]:
    """(tick, GM key, velocity) of one bar of ``template`` with ``fill`` (cached: the exact
    fractions are computed once per template, meter and fill)."""
    return tuple(
        (ticks(t), KIT[v], vel) for t, v, vel in apply_fill(template.hits(meter), meter, fill)
    )


def drum_notes(section: Section, opt: DrumOption, g: Groove | None = None) -> tuple[Note, ...]:
    """The loop over the section's bars: the template, its fill in the last bar, the crash."""
    meter, bar = section.meter, section.bar_ticks
    base = bar_hits(opt.template, meter, "none")
    last = bar_hits(opt.template, meter, opt.fill)
    events: dict[tuple[int, int], int] = {}
    for b in range(section.bars):
        for t, pitch, vel in last if b == section.bars - 1 else base:
            key = (b * bar + t, pitch)
            events[key] = max(events.get(key, 0), vel)
    if opt.crash:
        events[(0, CRASH)] = ACCENT
    dur = ticks(fine_step(meter))
    notes = sorted(Note(t, dur, p, v) for (t, p), v in events.items())
    if g is not None:
        notes = humanize(notes, g, section.total_ticks)
    return tuple(notes)


def measured_energy(notes: tuple[Note, ...], section: Section) -> float:
    quarters = section.total_ticks / ticks(1)
    weight = sum(n.velocity / ACCENT * (1.5 if n.pitch in CYMBALS else 1.0) for n in notes)
    return min(1.0, weight / quarters / FULL_INTENSITY)


#: Drum loops made, by what making one reads (the section's label, energies, meter and bars,
#: the option, its family's fit, the groove): each beam branch of ``compose --auto`` draws the
#: same options of the same sections (only the chords differ, which drums do not read).
_LOOPS: dict[tuple, tuple[dict, dict, tuple[Note, ...]]] = {}
_LOOPS_MAX = 4096


def drum_candidate(
    section: Section, index: int, opt: DrumOption, fit: FamilyFit, g: Groove | None
) -> PartCandidate:
    s = section
    family = fit.fits.get(opt.template.family, 0.0)
    key = (s.label, s.energy, s.next, s.next_energy, s.meter, s.time_signature, s.bars)
    key += (opt, family, repr(g))
    made = _LOOPS.get(key)
    if made is None:
        if len(_LOOPS) >= _LOOPS_MAX:
            _LOOPS.clear()
        made = _LOOPS[key] = _drum_loop(section, opt, family, g)
    theory, details, notes = made  # the containers copied: each candidate's own in its review
    details = {**details, "voices": flow(list(details["voices"]))}
    return PartCandidate(section.label, index, dict(theory), details, notes)


def _drum_loop(
    section: Section, opt: DrumOption, family: float, g: Groove | None
) -> tuple[dict, dict, tuple[Note, ...]]:
    notes = drum_notes(section, opt, g)
    measured = measured_energy(notes, section)
    energy = (ENERGY_VALUE[opt.template.energy] + measured) / 2
    energy_fit = max(0.0, 1.0 - abs(energy - ENERGY_VALUE[section.energy]) / ENERGY_TOLERANCE)
    theory = {
        "energy_fit": round(energy_fit, 4),
        "family_fit": round(family, 4),
        "total": round(0.8 * energy_fit + 0.2 * family, 4),
    }
    details = {
        "section": section.label,
        "energy": section.energy,
        "next_section": section.next,
        "next_energy": section.next_energy,
        "template": opt.template.name,
        "family": opt.template.family,
        "template_energy": opt.template.energy,
        "loop_energy": round(energy, 4),
        "fill": opt.fill,
        "crash_start": opt.crash,
        "groove": g.name if g else None,
        "voices": flow(sorted({v for v, _ in opt.template.voices})),
        "meter": str(section.time_signature),
        "bars": section.bars,
    }
    return theory, details, notes


def generate_drums(
    section: Section, fit: FamilyFit, n: int, seed: int, g: Groove | None = None
) -> list[PartCandidate]:
    """``n`` options of one section drawn in a seeded order (the section's own stream, so
    sections do not depend on each other) and scored."""
    options = drum_options(section, fit)
    rng = section_rng(seed, STREAM, section.label)
    return [
        drum_candidate(section, i, options[j], fit, g)
        for i, j in enumerate(draw_order(len(options), n, rng))
    ]


def style_first(fit: FamilyFit, style: Style) -> FamilyFit:
    """The genre fit with the style's family first (full fit), so the drums agree with the
    chords' and the mix's family; unchanged where the templates have no such family."""
    if not fit.matched or style.family not in fit.fits:
        return fit
    rest = {k: v for k, v in fit.fits.items() if k != style.family}
    return FamilyFit({style.family: 1.0, **rest}, fit.matched)


def style_groove(style: Style) -> Groove | None:
    """The style's swing as a groove: off-beat eighths late by ``swing`` x a sixteenth's
    ticks (0.66, a triplet shuffle, puts the "and" near the last triplet); None when straight."""
    if style.swing <= 0:
        return None
    late = round(style.swing * TPQ / 4)
    return Groove(f"swing_{style.swing:g}", f"the style's swing ({style.swing:g})", swing=late)


def run_drums(folder: ProductionFolder, **keywords) -> PhaseResult:
    """``drums_phase`` with its options as keywords (``PhaseOptions.of``: n 40, top 5), its
    candidates gated at ``folder`` (review.yml written), as a script or a test runs it."""
    return drums_phase(folder, PhaseOptions.of(OWN, **keywords)).gate(folder)


def drums_phase(song_so_far: SongSoFar, options: PhaseOptions) -> Candidates:
    """Drum candidates for every approved chord section; ``n`` generated and ``top`` kept per section."""
    n, seed = options.n, options.seed
    humanize_with = options.extra.get("humanize_with")
    check_counts(n, options.top)
    song = load_song(song_so_far, "drums")
    style = style_for(song.proposal, song_so_far.root)
    g = groove(humanize_with) if humanize_with else style_groove(style)
    fit = style_first(family_fit(song.proposal.genres), style)
    notes = []
    if not fit.matched:
        notes.append(
            f"no genre word recognized in {list(song.proposal.genres)}: every drum family offered"
        )
    mixed = content_seed(seed, song.proposal)
    cands = {s.label: generate_drums(s, fit, n, mixed, g) for s in song.sections}
    return part_candidates(
        song_so_far,
        song,
        phase=PHASE,
        prefix=ID_PREFIX,
        track=TRACK,
        candidates=cands,
        variety="template",
        **options.ranking(),
        theory_text=THEORY_TEXT,
        extra={
            "families": dict(fit.fits),
            "groove": g.name if g else None,
            "style": {"family": style.family, "swing": style.swing},
        },
        warnings=notes,
    )
