"""The musical material of synthesized tracks: which instrument a track description names,
a chord plan along the song's structure (sections map to energy: intro low, verse medium,
chorus high, bridge low, outro medium), and the notes of each part (harmony, bass, lead, a
vocal line that follows the LRC timing, a drum kit). Used by ``chromatic.synth.catalog``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from chromatic.catalog.lrc import Lrc
from chromatic.catalog.manifest import LoadedManifest
from chromatic.errors import ChromaticError
from chromatic.music import form
from chromatic.music.gm import (
    CLAP,
    CRASH,
    HAT_CLOSED,
    HAT_OPEN,
    HAT_PEDAL,
    KICK,
    PROGRAMS,
    RIDE,
    RIM,
    SNARE,
    SYNTH_KIT,
    TOM_HIGH,
    TOM_LOW,
    TOM_MID,
)
from chromatic.music.key import Key, TimeSignature
from chromatic.music.meter import TPQ
from chromatic.music.notes import Note

# --- instruments ---------------------------------------------------------------------------

ROLE_RULES: tuple[tuple[str, re.Pattern], ...] = (
    (
        "drums",
        re.compile(
            r"\b(drums?|kick|snare|hi-?hats?|cymbals?|toms?|percussion|overheads?|room|ride|crash|cajon|shaker)\b",
            re.I,
        ),
    ),
    ("bass", re.compile(r"\bbass\b", re.I)),
    ("vocals", re.compile(r"\b(vocals?|voices?|choir|sing(ing|er)?|vox)\b", re.I)),
    (
        "lead",
        re.compile(
            r"\b(lead|flute|melody|solo|sequence|sequencer|arpeggio|whistle|trumpet|sax(ophone)?|clarinet|violin|mandolin)\b",
            re.I,
        ),
    ),
)
PROGRAM_RULES: tuple[tuple[re.Pattern, int], ...] = (
    (re.compile(r"\bsynth bass|bass synth\b", re.I), PROGRAMS["synth_bass"]),
    (re.compile(r"\bupright|double bass|acoustic bass\b", re.I), PROGRAMS["acoustic_bass"]),
    (re.compile(r"\bbass\b", re.I), PROGRAMS["fingered_bass"]),
    (re.compile(r"\b(vocals?|voices?|vox|sing)", re.I), PROGRAMS["voice_oohs"]),
    (re.compile(r"\bchoir\b", re.I), PROGRAMS["choir_aahs"]),
    (re.compile(r"\bflute\b", re.I), PROGRAMS["flute"]),
    (re.compile(r"\bwhistle\b", re.I), PROGRAMS["whistle"]),
    (re.compile(r"\btrumpet\b", re.I), PROGRAMS["trumpet"]),
    (re.compile(r"\bsax", re.I), PROGRAMS["alto_sax"]),
    (re.compile(r"\bclarinet\b", re.I), PROGRAMS["clarinet"]),
    (re.compile(r"\bviolin\b", re.I), PROGRAMS["violin"]),
    (re.compile(r"\bmandolin\b", re.I), PROGRAMS["mandolin"]),
    (re.compile(r"\borgan|wurlitzer\b", re.I), PROGRAMS["drawbar_organ"]),
    (re.compile(r"\b(electric piano|rhodes|keys)\b", re.I), PROGRAMS["electric_piano"]),
    (re.compile(r"\bpiano\b", re.I), PROGRAMS["acoustic_grand_piano"]),
    (re.compile(r"\bstrings?\b", re.I), PROGRAMS["strings"]),
    (re.compile(r"\b(acoustic guitar|nylon)\b", re.I), PROGRAMS["steel_guitar"]),
    (re.compile(r"\bguitar\b", re.I), PROGRAMS["clean_guitar"]),
    (re.compile(r"\bpad\b", re.I), PROGRAMS["warm_pad"]),
    (re.compile(r"\b(lead|sequence|arpeggio)\b", re.I), PROGRAMS["saw_lead"]),
    (re.compile(r"\bsynth", re.I), PROGRAMS["polysynth_pad"]),
)
DRUM_VOICE_RULES: tuple[tuple[re.Pattern, frozenset[int]], ...] = (
    (re.compile(r"\bkick\b", re.I), frozenset({KICK})),
    (
        re.compile(r"\bsnare\b", re.I),
        frozenset({SNARE, RIM, CLAP, HAT_CLOSED, HAT_PEDAL, HAT_OPEN}),
    ),
    (re.compile(r"\bhi-?hats?\b", re.I), frozenset({HAT_CLOSED, HAT_PEDAL, HAT_OPEN})),
    (re.compile(r"\b(cymbals?|ride|crash)\b", re.I), frozenset({CRASH, RIDE, HAT_OPEN})),
    (re.compile(r"\btoms?\b", re.I), frozenset({TOM_HIGH, TOM_MID, TOM_LOW})),
)


def track_role(description: str) -> str:
    for role, rx in ROLE_RULES:
        if rx.search(description):
            return role
    return "harmony"


def track_program(description: str, role: str) -> int:
    for rx, program in PROGRAM_RULES:
        if rx.search(description):
            return program
    return {
        "bass": PROGRAMS["fingered_bass"],
        "vocals": PROGRAMS["voice_oohs"],
        "lead": PROGRAMS["saw_lead"],
    }.get(role, PROGRAMS["warm_pad"])


def drum_voices(description: str) -> frozenset[int] | None:
    """The kit pieces a drum stem hears (None: the whole kit, e.g. a room mic)."""
    for rx, voices in DRUM_VOICE_RULES:
        if rx.search(description):
            return voices
    return None


def section_energy(name: str) -> int:
    """A recorded section's energy level (0 low, 1 medium, 2 high) by the section vocabulary's
    loose match (``music.form.loose_role``: substrings, so "Breakdown" is a bridge), which the
    synthesized example catalog is built from."""
    return form.energy_level(form.loose_role(name).energy)


# --- harmony ---------------------------------------------------------------------------------

MAJOR_PROGRESSIONS = (
    (1, 5, 6, 4),
    (1, 4, 5, 4),
    (6, 4, 1, 5),
    (1, 6, 4, 5),
    (4, 1, 5, 6),
    (1, 3, 4, 4),
)
MINOR_PROGRESSIONS = (
    (1, 6, 3, 7),
    (1, 4, 5, 1),
    (1, 7, 6, 7),
    (1, 4, 6, 5),
    (6, 7, 1, 1),
    (1, 3, 7, 4),
)


def triad(key: Key, degree: int) -> list[int]:
    """Pitch classes of the diatonic triad on a scale degree (1-7)."""
    scale = key.scale_pcs()
    i = degree - 1
    return [scale[i % 7], scale[(i + 2) % 7], scale[(i + 4) % 7]]


def _place(pc: int, low: int, high: int) -> int:
    """The lowest pitch of class ``pc`` at or above ``low`` (wrapping below ``high``)."""
    p = low + (pc - low) % 12
    return p if p <= high else p - 12


@dataclass
class SongPlan:
    """Bars of the song in ticks, each with its chord and section energy."""

    bpm: float
    ts: TimeSignature
    key: Key
    bar_ticks: int
    bars: list[tuple[int, int, list[int], int]]  # (start_tick, end_tick, chord pcs, energy)
    end_tick: int

    def sec_to_tick(self, seconds: float) -> int:
        return round(seconds * self.bpm / 60.0 * TPQ)


def plan_song(loaded: LoadedManifest, rng: np.random.Generator, end_seconds: float) -> SongPlan:
    m = loaded.manifest
    ts, key, bpm = m.time_signature, m.key_obj, float(m.bpm)
    bar_ticks = round(float(ts.quarters_per_bar) * TPQ)
    progs = MINOR_PROGRESSIONS if key.is_minor else MAJOR_PROGRESSIONS
    per_name: dict[str, tuple[int, ...]] = {}
    plan = SongPlan(bpm, ts, key, bar_ticks, [], 0)
    plan.end_tick = plan.sec_to_tick(end_seconds)
    sections = sorted((s for s in m.structure if s.end > s.start), key=lambda s: s.start)
    if not sections:
        raise ChromaticError(
            "no section with a positive length", path=loaded.path, field="structure"
        )
    for sec in sections:
        start = plan.sec_to_tick(sec.start)
        end = min(plan.sec_to_tick(min(sec.end, end_seconds)), plan.end_tick)
        if end <= start:
            continue
        family = re.sub(r"[\d\s]+$", "", sec.section_name.lower()).strip()  # "verse 2" -> "verse"
        if family not in per_name:
            per_name[family] = progs[int(rng.integers(len(progs)))]
        prog = per_name[family]
        energy = section_energy(sec.section_name)
        t, i = start, 0
        while t < end:
            plan.bars.append((t, min(t + bar_ticks, end), triad(key, prog[i % len(prog)]), energy))
            t += bar_ticks
            i += 1
    return plan


# --- parts -----------------------------------------------------------------------------------


def _beats(plan: SongPlan) -> list[int]:
    """Beat offsets within a bar (in ticks), grouping compound and odd meters musically: the
    catalog's own grouping (not ``meter_of``'s for 4/8, 8/8, 10/8, 11/8, 13/8; files pinned)."""
    ts = plan.ts
    unit = round(4 / ts.denominator * TPQ)
    if ts.denominator >= 8 and ts.numerator == 7:
        groups = (3, 2, 2)
    elif ts.is_compound:
        groups = (3,) * (ts.numerator // 3)
    elif ts.denominator >= 8 and ts.numerator in (5, 11, 13):
        groups = (3, 2) * (ts.numerator // 5) + ((2,) * ((ts.numerator % 5) // 2))
    else:
        groups = (1,) * ts.numerator
    out, t = [], 0
    for g in groups:
        out.append(t)
        t += g * unit
    return [b for b in out if b < plan.bar_ticks]


def harmony_notes(plan: SongPlan, program: int, rng: np.random.Generator) -> list[Note]:
    notes = []
    sustained = program in (16, 48, 52, 53, 88, 89, 90, 91, 95)
    beats = _beats(plan)
    for start, end, chord, energy in plan.bars:
        pitches = sorted(_place(pc, 55, 72) for pc in chord)
        vel = (55, 72, 88)[energy]
        if sustained or energy == 0:
            onsets = [0]
        else:
            onsets = beats if energy == 2 else beats[:: max(1, len(beats) // 2)]
        for j, off in enumerate(onsets):
            on = start + off
            nxt = min(start + onsets[j + 1], end) if j + 1 < len(onsets) else end
            if on >= end:
                break
            for p in pitches:
                notes.append(Note(start=on, duration=max(nxt - on - 10, 30), pitch=p, velocity=vel))
    return notes


def bass_notes(plan: SongPlan, rng: np.random.Generator) -> list[Note]:
    notes = []
    beats = _beats(plan)
    for start, end, chord, energy in plan.bars:
        root = _place(chord[0], 36, 47)
        fifth = _place(chord[2], 36, 52)
        if energy == 0:
            pattern = [(0, root)]
        elif energy == 1:
            half = beats[len(beats) // 2] if len(beats) > 1 else None
            pattern = [(0, root)] + ([(half, fifth)] if half else [])
        else:
            pattern = [(b, root if k % 2 == 0 else fifth) for k, b in enumerate(beats)]
        for j, (off, pitch) in enumerate(pattern):
            on = start + off
            nxt = min(start + pattern[j + 1][0], end) if j + 1 < len(pattern) else end
            if on < end:
                notes.append(
                    Note(
                        start=on,
                        duration=max(nxt - on - 20, 30),
                        pitch=pitch,
                        velocity=(70, 85, 100)[energy],
                    )
                )
    return notes


def lead_notes(plan: SongPlan, rng: np.random.Generator) -> list[Note]:
    notes = []
    scale = plan.key.scale_pcs()
    step = round(TPQ / 2) if plan.ts.denominator <= 4 else round(4 / plan.ts.denominator * TPQ)
    for start, end, chord, energy in plan.bars:
        if energy == 0 and rng.random() < 0.5:
            continue
        tones = sorted(_place(pc, 67, 84) for pc in chord)
        t = start
        k = int(rng.integers(3))
        while t < end:
            if rng.random() < 0.75:
                pitch = (
                    tones[k % 3]
                    if rng.random() < 0.7
                    else _place(scale[int(rng.integers(7))], 67, 84)
                )
                notes.append(
                    Note(
                        start=t,
                        duration=max(min(step, end - t) - 10, 30),
                        pitch=pitch,
                        velocity=(60, 75, 90)[energy],
                    )
                )
            k += int(rng.integers(1, 3))
            t += step * (2 if energy == 0 else 1)
    return notes


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    n = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(1, n)


def vocal_notes(
    plan: SongPlan, lrc: Lrc | None, end_seconds: float, rng: np.random.Generator
) -> list[Note]:
    """A sung line for each lyric line: one note per syllable, on chord tones, in a voice range."""
    notes = []
    if lrc is not None and lrc.lines:
        spans = []
        for i, line in enumerate(lrc.lines):
            nxt = (
                lrc.lines[i + 1].time
                if i + 1 < len(lrc.lines)
                else min(line.time + 6.0, end_seconds)
            )
            spans.append((line.time, min(nxt, line.time + 8.0, end_seconds), line.text))
    else:  # no lyrics file: hum through the sections with energy
        spans = []
        for start, end, _chord, energy in plan.bars:
            if energy >= 1:
                s = start / TPQ * 60 / plan.bpm
                spans.append((s, min(end / TPQ * 60 / plan.bpm, end_seconds), "la la la la"))
    bar_starts = [b[0] for b in plan.bars]
    for s, e, text in spans:
        if e - s < 0.3:
            continue
        syl = sum(_syllables(w) for w in re.findall(r"[A-Za-z']+", text)) or 4
        t0, t1 = plan.sec_to_tick(s), plan.sec_to_tick(e - 0.15)
        dur = max((t1 - t0) // syl, 60)
        for k in range(syl):
            on = t0 + k * dur
            if on >= t1:
                break
            bar = max(0, np.searchsorted(bar_starts, on, side="right") - 1)
            chord = plan.bars[bar][2] if plan.bars else [plan.key.pc]
            pitch = _place(chord[(k + int(rng.integers(2))) % 3], 57, 74)
            notes.append(Note(start=on, duration=max(dur - 15, 40), pitch=pitch, velocity=84))
    return notes


def drum_notes(plan: SongPlan) -> list[Note]:
    """A kit pattern per bar by section energy, following the meter's beat grouping."""
    kit = SYNTH_KIT
    notes = []
    beats = _beats(plan)
    eighth = round(TPQ / 2)
    first_bar_of_section = set()
    prev_energy = None
    for start, _end, _chord, energy in plan.bars:
        if energy != prev_energy:
            first_bar_of_section.add(start)
        prev_energy = energy
    for start, end, _chord, energy in plan.bars:

        def hit(off: int, pitch: int, vel: int, start: int = start, end: int = end) -> None:
            if start + off < end:
                notes.append(Note(start=start + off, duration=60, pitch=pitch, velocity=vel))

        if start in first_bar_of_section and energy >= 1:
            hit(0, CRASH, kit.crash)
        if energy == 0:
            hit(0, KICK, kit.quiet_kick)
            for b in beats:
                hit(b, RIDE if plan.ts.numerator % 2 else HAT_PEDAL, kit.quiet_time)
            continue
        hit(0, KICK, kit.kick)
        backbeats = beats[1::2] if len(beats) >= 2 else []
        for b in backbeats:
            hit(b, SNARE, kit.snare_high if energy == 2 else kit.snare)
        if len(beats) >= 4:
            hit(beats[len(beats) // 2], KICK, kit.mid_kick)
        for t in range(0, plan.bar_ticks, eighth):
            hit(
                t,
                HAT_OPEN if (energy == 2 and t == plan.bar_ticks - eighth) else HAT_CLOSED,
                kit.hat_on_beat if t in beats else kit.hat,
            )
        if energy == 2 and len(beats) >= 3:
            hit(beats[-1] + eighth, TOM_LOW, kit.tom)
    return notes
