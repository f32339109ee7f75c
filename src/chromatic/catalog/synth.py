"""Synthesize a catalog's media from its manifests: MIDI for every track that names one, and
audio (stems + main mix) rendered with FluidSynth.

The parts follow each manifest: its bpm, time signature and key; its structure (sections map
to energy: intro low, verse medium, chorus high, bridge low, outro medium); its running time;
and, for the vocal line, its LRC timing. Each track's instrument is inferred from the words of
its description ("kick drum close mic" -> kick only, "synth bass" -> bass, "lead vocal" ->
a voice following the lyrics). The output is a catalog folder of the same shape as the input,
so every later step (build, segments, verify, train) runs on it as on a staged catalog.
"""

from __future__ import annotations

import multiprocessing
import re
import shutil
import zlib
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from symusic import Note, Score

from chromatic.catalog.lrc import Lrc, load_lrc, parse_lrc
from chromatic.catalog.manifest import AudioTrack, LoadedManifest, find_manifests, load_manifest
from chromatic.catalog.timecode import format_timestamp
from chromatic.errors import ChromaticError
from chromatic.fileio import write_text_atomic
from chromatic.music.key import Key, TimeSignature
from chromatic.music.midi import add_track, new_score, write_score

TPQ = 480

# --- instruments ---------------------------------------------------------------------------

ROLE_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("drums", re.compile(r"\b(drums?|kick|snare|hi-?hats?|cymbals?|toms?|percussion|overheads?|room|ride|crash|cajon|shaker)\b", re.I)),
    ("bass", re.compile(r"\bbass\b", re.I)),
    ("vocals", re.compile(r"\b(vocals?|voices?|choir|sing(ing|er)?|vox)\b", re.I)),
    ("lead", re.compile(r"\b(lead|flute|melody|solo|sequence|sequencer|arpeggio|whistle|trumpet|sax(ophone)?|clarinet|violin|mandolin)\b", re.I)),
)
PROGRAM_RULES: tuple[tuple[re.Pattern, int], ...] = (
    (re.compile(r"\bsynth bass|bass synth\b", re.I), 38),
    (re.compile(r"\bupright|double bass|acoustic bass\b", re.I), 32),
    (re.compile(r"\bbass\b", re.I), 33),
    (re.compile(r"\b(vocals?|voices?|vox|sing)", re.I), 53),
    (re.compile(r"\bchoir\b", re.I), 52),
    (re.compile(r"\bflute\b", re.I), 73),
    (re.compile(r"\bwhistle\b", re.I), 78),
    (re.compile(r"\btrumpet\b", re.I), 56),
    (re.compile(r"\bsax", re.I), 65),
    (re.compile(r"\bclarinet\b", re.I), 71),
    (re.compile(r"\bviolin\b", re.I), 40),
    (re.compile(r"\bmandolin\b", re.I), 105),
    (re.compile(r"\borgan|wurlitzer\b", re.I), 16),
    (re.compile(r"\b(electric piano|rhodes|keys)\b", re.I), 4),
    (re.compile(r"\bpiano\b", re.I), 0),
    (re.compile(r"\bstrings?\b", re.I), 48),
    (re.compile(r"\b(acoustic guitar|nylon)\b", re.I), 25),
    (re.compile(r"\bguitar\b", re.I), 27),
    (re.compile(r"\bpad\b", re.I), 89),
    (re.compile(r"\b(lead|sequence|arpeggio)\b", re.I), 81),
    (re.compile(r"\bsynth", re.I), 90),
)
# GM drum voices used by the synthesized kit
KICK, RIM, SNARE, CLAP, HAT_CLOSED, HAT_PEDAL, HAT_OPEN, CRASH, RIDE = 36, 37, 38, 39, 42, 44, 46, 49, 51
TOM_HIGH, TOM_MID, TOM_LOW = 50, 47, 45
DRUM_VOICE_RULES: tuple[tuple[re.Pattern, frozenset[int]], ...] = (
    (re.compile(r"\bkick\b", re.I), frozenset({KICK})),
    (re.compile(r"\bsnare\b", re.I), frozenset({SNARE, RIM, CLAP, HAT_CLOSED, HAT_PEDAL, HAT_OPEN})),
    (re.compile(r"\bhi-?hats?\b", re.I), frozenset({HAT_CLOSED, HAT_PEDAL, HAT_OPEN})),
    (re.compile(r"\b(cymbals?|ride|crash)\b", re.I), frozenset({CRASH, RIDE, HAT_OPEN})),
    (re.compile(r"\btoms?\b", re.I), frozenset({TOM_HIGH, TOM_MID, TOM_LOW})),
)
SECTION_ENERGY = (
    (re.compile(r"intro", re.I), 0),
    (re.compile(r"bridge|interlude|break", re.I), 0),
    (re.compile(r"chorus|refrain|climax|peak", re.I), 2),
    (re.compile(r"outro|coda|ending", re.I), 1),
    (re.compile(r"verse", re.I), 1),
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
    return {"bass": 33, "vocals": 53, "lead": 81}.get(role, 89)


def drum_voices(description: str) -> frozenset[int] | None:
    """The kit pieces a drum stem hears (None: the whole kit, e.g. a room mic)."""
    for rx, voices in DRUM_VOICE_RULES:
        if rx.search(description):
            return voices
    return None


def section_energy(name: str) -> int:
    for rx, energy in SECTION_ENERGY:
        if rx.search(name):
            return energy
    return 1


# --- harmony ---------------------------------------------------------------------------------

MAJOR_PROGRESSIONS = ((1, 5, 6, 4), (1, 4, 5, 4), (6, 4, 1, 5), (1, 6, 4, 5), (4, 1, 5, 6), (1, 3, 4, 4))
MINOR_PROGRESSIONS = ((1, 6, 3, 7), (1, 4, 5, 1), (1, 7, 6, 7), (1, 4, 6, 5), (6, 7, 1, 1), (1, 3, 7, 4))


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
        raise ChromaticError("no section with a positive length", path=loaded.path, field="structure")
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
    """Beat offsets within a bar (in ticks), grouping compound and odd meters musically."""
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
                notes.append(Note(time=on, duration=max(nxt - on - 10, 30), pitch=p, velocity=vel))
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
                notes.append(Note(time=on, duration=max(nxt - on - 20, 30), pitch=pitch, velocity=(70, 85, 100)[energy]))
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
                pitch = tones[k % 3] if rng.random() < 0.7 else _place(scale[int(rng.integers(7))], 67, 84)
                notes.append(Note(time=t, duration=max(min(step, end - t) - 10, 30), pitch=pitch, velocity=(60, 75, 90)[energy]))
            k += int(rng.integers(1, 3))
            t += step * (2 if energy == 0 else 1)
    return notes


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    n = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(1, n)


def vocal_notes(plan: SongPlan, lrc: Lrc | None, end_seconds: float, rng: np.random.Generator) -> list[Note]:
    """A sung line for each lyric line: one note per syllable, on chord tones, in a voice range."""
    notes = []
    if lrc is not None and lrc.lines:
        spans = []
        for i, line in enumerate(lrc.lines):
            nxt = lrc.lines[i + 1].time if i + 1 < len(lrc.lines) else min(line.time + 6.0, end_seconds)
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
            notes.append(Note(time=on, duration=max(dur - 15, 40), pitch=pitch, velocity=84))
    return notes


def drum_notes(plan: SongPlan) -> list[Note]:
    """A kit pattern per bar by section energy, following the meter's beat grouping."""
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
                notes.append(Note(time=start + off, duration=60, pitch=pitch, velocity=vel))

        if start in first_bar_of_section and energy >= 1:
            hit(0, CRASH, 110)
        if energy == 0:
            hit(0, KICK, 70)
            for b in beats:
                hit(b, RIDE if plan.ts.numerator % 2 else HAT_PEDAL, 50)
            continue
        hit(0, KICK, 120)
        backbeats = beats[1::2] if len(beats) >= 2 else []
        for b in backbeats:
            hit(b, SNARE, 100 if energy == 2 else 90)
        if len(beats) >= 4:
            hit(beats[len(beats) // 2], KICK, 100)
        for t in range(0, plan.bar_ticks, eighth):
            hit(t, HAT_OPEN if (energy == 2 and t == plan.bar_ticks - eighth) else HAT_CLOSED, 80 if t in beats else 45)
        if energy == 2 and len(beats) >= 3:
            hit(beats[-1] + eighth, TOM_LOW, 90)
    return notes


# --- one song --------------------------------------------------------------------------------


@dataclass
class SongSynth:
    song: str
    midi_files: int = 0
    audio_files: int = 0
    audio_seconds: float = 0.0


def _trimmed_manifest(loaded: LoadedManifest, cut: float) -> dict:
    data = yaml.safe_load(loaded.path.read_text(encoding="utf-8"))
    kept = []
    for sec in data.get("structure") or []:
        from chromatic.catalog.timecode import parse_timestamp

        s, e = parse_timestamp(sec["start_time"]), parse_timestamp(sec["end_time"])
        if s >= cut:
            continue
        if e > cut:
            sec["end_time"] = format_timestamp(cut)
        kept.append(sec)
    data["structure"] = kept
    data["TRT"] = format_timestamp(cut)
    return data


def _trimmed_lrc(text: str, cut: float) -> str:
    out, drop_next = [], False
    for line in text.splitlines():
        m = re.match(r"^\s*\[(\d+):(\d+(?:\.\d+)?)\s*\](.*)$", line)
        if m:
            t = int(m.group(1)) * 60 + float(m.group(2))
            drop_next = t >= cut - 1.0
            if drop_next:
                if m.group(3).strip():
                    drop_next = False
                continue
        elif drop_next:
            drop_next = False
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def synth_song(
    manifest_path: Path,
    out_root: Path,
    *,
    max_seconds: float | None,
    sample_rate: int,
    soundfont: Path | None,
    seed: int,
    audio: bool = True,
) -> SongSynth:
    import soundfile as sf

    from chromatic.music.render import peak_normalize, render_score

    loaded = load_manifest(manifest_path)
    m = loaded.manifest
    song = manifest_path.parent.name
    dest = out_root / song
    dest.mkdir(parents=True, exist_ok=True)
    trt = m.trt_seconds
    end = min(trt, max_seconds) if max_seconds else trt
    # the manifest and LRC travel with the media (trimmed when asked)
    lrc_text = None
    if m.lrc_file and (manifest_path.parent / m.lrc_file).is_file():
        lrc_text = (manifest_path.parent / m.lrc_file).read_text(encoding="utf-8-sig")
    if max_seconds and end < trt:
        write_text_atomic(dest / manifest_path.name, yaml.safe_dump(_trimmed_manifest(loaded, end), sort_keys=False, allow_unicode=True))
        if lrc_text is not None:
            lrc_text = _trimmed_lrc(lrc_text, end)
            write_text_atomic(dest / m.lrc_file, lrc_text)
    else:
        shutil.copyfile(manifest_path, dest / manifest_path.name)
        if lrc_text is not None:
            shutil.copyfile(manifest_path.parent / m.lrc_file, dest / m.lrc_file)
    lrc = parse_lrc(lrc_text, path=str(dest / (m.lrc_file or ""))) if lrc_text is not None else None

    rng = np.random.default_rng([seed, zlib.crc32(song.encode())])
    plan = plan_song(loaded, rng, end)
    drums = drum_notes(plan)
    result = SongSynth(song)

    def part_for(track: AudioTrack) -> tuple[list[Note], int, bool]:
        role = track_role(track.description)
        program = track_program(track.description, role)
        prng = np.random.default_rng([seed, zlib.crc32(f"{song}/{track.id}".encode())])
        if role == "drums" or track.midi_group_file:
            voices = drum_voices(track.description)
            return [n for n in drums if voices is None or n.pitch in voices], 0, True
        if role == "bass":
            return bass_notes(plan, prng), program, False
        if role == "vocals":
            return vocal_notes(plan, lrc, end, prng), program, False
        if role == "lead":
            return lead_notes(plan, prng), program, False
        return harmony_notes(plan, program, prng), program, False

    def score_of(parts: list[tuple[str, list[Note], int, bool]]) -> Score:
        score = new_score(plan.bpm, plan.ts, plan.key, tpq=TPQ)
        for name, notes, program, is_drum in parts:
            tr = add_track(score, name, program=program, is_drum=is_drum)
            tr.notes.extend(notes)
        return score

    parts = {t.id: part_for(t) for t in m.audio_tracks}
    # MIDI: each track's own file, and each group's shared drum file (the full kit)
    written: set[str] = set()
    for t in m.audio_tracks:
        notes, program, is_drum = parts[t.id]
        if t.midi_file and t.midi_file not in written:
            write_score(score_of([(t.description[:60], notes, program, is_drum)]), dest / t.midi_file)
            written.add(t.midi_file)
        if t.midi_group_file and t.midi_group_file not in written:
            write_score(score_of([("drums", drums, 0, True)]), dest / t.midi_group_file)
            written.add(t.midi_group_file)
    result.midi_files = len(written)
    if not audio:
        return result

    # Audio: one stem per audio file (tracks sharing a file are mixed into it), then the main mix
    by_file: dict[str, list[AudioTrack]] = {}
    for t in m.audio_tracks:
        if t.audio_file:
            by_file.setdefault(t.audio_file, []).append(t)
    mix = np.zeros(round(end * sample_rate), dtype=np.float32)
    for fname, tracks in by_file.items():
        score = score_of([(t.description[:60], *parts[t.id]) for t in tracks])
        audio = render_score(score, sample_rate=sample_rate, soundfont=soundfont, duration=end)
        audio = peak_normalize(audio, 0.5)
        mix += audio
        sf.write(dest / fname, audio, sample_rate, subtype="PCM_16")
        result.audio_files += 1
        result.audio_seconds += end
    sf.write(dest / m.main_audio_file, peak_normalize(mix, 0.89), sample_rate, subtype="PCM_16")
    result.audio_files += 1
    result.audio_seconds += end
    return result


# --- the catalog -------------------------------------------------------------------------------


@dataclass
class SynthResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    midi_files: int = 0
    audio_files: int = 0
    audio_seconds: float = 0.0


def synth_catalog(
    catalog_dir: str | Path,
    out_dir: str | Path,
    *,
    songs: list[str] | None = None,
    max_seconds: float | None = None,
    sample_rate: int = 22050,
    soundfont: str | Path | None = None,
    seed: int = 0,
    workers: int | None = None,
    progress: bool = True,
    audio: bool = True,
) -> SynthResult:
    """Synthesize every (or the named) song; one failing song is reported, never fatal."""
    from rich.progress import Progress

    root, out = Path(catalog_dir), Path(out_dir)
    paths = find_manifests(root)
    if songs:
        wanted = set(songs)
        unknown = wanted - {p.parent.name for p in paths}
        if unknown:
            raise ChromaticError(f"no such song(s) in {root}: {', '.join(sorted(unknown))}")
        paths = [p for p in paths if p.parent.name in wanted]
    sfont = Path(soundfont) if soundfont else None
    result = SynthResult()
    kwargs = dict(max_seconds=max_seconds, sample_rate=sample_rate, soundfont=sfont, seed=seed, audio=audio)
    import os

    n_workers = workers or min(len(paths), os.cpu_count() or 1) or 1
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("synthesizing songs", total=len(paths))

        def collect(song: str, fn) -> None:
            try:
                r = fn()
            except ChromaticError as e:
                result.failed[song] = str(e)
            except Exception as e:  # one bad song never stops the rest
                result.failed[song] = f"{type(e).__name__}: {e}"
            else:
                result.done.append(song)
                result.midi_files += r.midi_files
                result.audio_files += r.audio_files
                result.audio_seconds += r.audio_seconds
            bar.advance(task)

        if n_workers <= 1:
            for p in paths:
                collect(p.parent.name, lambda p=p: synth_song(p, out, **kwargs))
        else:
            # spawn, not fork: FluidSynth's threads do not survive a fork of a process using them
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(n_workers, mp_context=ctx) as pool:
                futures = {pool.submit(synth_song, p, out, **kwargs): p.parent.name for p in paths}
                for fut in as_completed(futures):
                    collect(futures[fut], fut.result)
    result.done.sort()
    return result


def load_lrc_for(loaded: LoadedManifest) -> Lrc | None:
    m = loaded.manifest
    if m.lrc_file and (loaded.song_dir / m.lrc_file).is_file():
        return load_lrc(loaded.song_dir / m.lrc_file)
    return None
