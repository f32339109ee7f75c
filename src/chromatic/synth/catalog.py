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
from symusic import Score

from chromatic.catalog.lrc import parse_lrc
from chromatic.catalog.manifest import AudioTrack, LoadedManifest, find_manifests, load_manifest
from chromatic.catalog.timecode import format_timestamp
from chromatic.errors import ChromaticError, ManifestError
from chromatic.fileio import write_text_atomic
from chromatic.music.meter import TPQ
from chromatic.music.midi import add_track, append_notes, new_score, write_score
from chromatic.music.notes import Note
from chromatic.paths import contained
from chromatic.synth import palette as pal
from chromatic.synth.parts import (
    bass_notes,
    drum_notes,
    drum_voices,
    harmony_notes,
    lead_notes,
    plan_song,
    track_program,
    track_role,
    vocal_notes,
)
from chromatic.yamlio import dump_plain, read_yaml

# --- one song --------------------------------------------------------------------------------


@dataclass
class SongSynth:
    song: str
    midi_files: int = 0
    audio_files: int = 0
    audio_seconds: float = 0.0


def _trimmed_manifest(loaded: LoadedManifest, cut: float) -> dict:
    data = read_yaml(loaded.path, ManifestError)
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

    loaded = load_manifest(manifest_path)  # refuses media paths that leave the song folder
    m = loaded.manifest
    song = manifest_path.parent.name
    dest = contained(out_root, song, path=manifest_path, field="manifest_id", what="song folder")
    src_dir = manifest_path.parent.resolve()
    if src_dir == dest or src_dir in dest.parents or dest in src_dir.parents:
        raise ChromaticError(
            f"--out {out_root} overlaps the source catalog; expected a separate folder",
            path=manifest_path,
        )

    def out_file(name: str, fld: str) -> Path:
        """Where a manifest-named file is written: inside ``--out``'s song folder, nowhere else."""
        return contained(dest, name, path=manifest_path, field=fld, what="media path")

    def src_file(name: str, fld: str) -> Path:
        return contained(
            manifest_path.parent, name, path=manifest_path, field=fld, what="media path"
        )

    dest.mkdir(parents=True, exist_ok=True)
    trt = m.trt_seconds
    end = min(trt, max_seconds) if max_seconds else trt
    # the manifest and LRC travel with the media (trimmed when asked)
    lrc_text = None
    if m.lrc_file and src_file(m.lrc_file, "lrc_file").is_file():
        lrc_text = src_file(m.lrc_file, "lrc_file").read_text(encoding="utf-8-sig")
    if max_seconds and end < trt:
        write_text_atomic(
            dest / manifest_path.name,
            dump_plain(_trimmed_manifest(loaded, end)),
        )
        if lrc_text is not None:
            lrc_text = _trimmed_lrc(lrc_text, end)
            write_text_atomic(out_file(m.lrc_file, "lrc_file"), lrc_text)
    else:
        shutil.copyfile(manifest_path, dest / manifest_path.name)
        if lrc_text is not None:
            shutil.copyfile(src_file(m.lrc_file, "lrc_file"), out_file(m.lrc_file, "lrc_file"))
    lrc = parse_lrc(lrc_text, path=str(dest / (m.lrc_file or ""))) if lrc_text is not None else None

    rng = np.random.default_rng([seed, zlib.crc32(song.encode())])
    plan = plan_song(loaded, rng, end)
    result = SongSynth(song)

    palette = pal.palette_of(m.rainbow_color)  # the color's sound (synth/palette.py)
    drums = pal.drums(plan, palette) if palette else drum_notes(plan)

    def part_for(track: AudioTrack) -> tuple[list[Note], int, bool]:
        given = src_file(track.midi_file, "midi_file") if track.midi_file else None
        if given is not None and given.is_file():  # the composer's part (synth/composed.py)
            return given_part(given, plan.bpm, end)
        role = track_role(track.description)
        program = track_program(track.description, role)
        if palette is not None:
            program = pal.program_for(palette, role, program)
        prng = np.random.default_rng([seed, zlib.crc32(f"{song}/{track.id}".encode())])
        if role == "drums" or track.midi_group_file:
            voices = drum_voices(track.description)
            return [n for n in drums if voices is None or n.pitch in voices], 0, True
        if role == "bass":
            notes = pal.bass(plan, palette, prng) if palette else bass_notes(plan, prng)
            return notes, program, False
        if role == "vocals":
            notes = vocal_notes(plan, lrc, end, prng)
            return (pal.shift_vocal(notes, palette) if palette else notes), program, False
        if role == "lead":
            notes = pal.lead(plan, palette, prng) if palette else lead_notes(plan, prng)
            return notes, program, False
        if palette is not None:
            return pal.harmony(plan, palette, prng), program, False
        return harmony_notes(plan, program, prng), program, False

    def score_of(parts: list[tuple[str, list[Note], int, bool]]) -> Score:
        score = new_score(plan.bpm, plan.ts, plan.key, tpq=TPQ)
        for name, notes, program, is_drum in parts:
            tr = add_track(score, name, program=program, is_drum=is_drum)
            append_notes(tr, notes)
        return score

    parts = {t.id: part_for(t) for t in m.audio_tracks}
    # MIDI: each track's own file, and each group's shared drum file (the full kit)
    written: set[str] = set()
    for t in m.audio_tracks:
        notes, program, is_drum = parts[t.id]
        if t.midi_file and t.midi_file not in written:
            write_score(
                score_of([(t.description[:60], notes, program, is_drum)]),
                out_file(t.midi_file, "midi_file"),
            )
            written.add(t.midi_file)
        if t.midi_group_file and t.midi_group_file not in written:
            write_score(
                score_of([("drums", drums, 0, True)]),
                out_file(t.midi_group_file, "midi_group_file"),
            )
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
        sf.write(out_file(fname, "audio_file"), audio, sample_rate, subtype="PCM_16")
        result.audio_files += 1
        result.audio_seconds += end
    sf.write(
        out_file(m.main_audio_file, "main_audio_file"),
        peak_normalize(mix, 0.89),
        sample_rate,
        subtype="PCM_16",
    )
    result.audio_files += 1
    result.audio_seconds += end
    return result


def given_part(path: Path, bpm: float, end: float) -> tuple[list[Note], int, bool]:
    """A track's notes from a MIDI file the source catalog holds (every track of it, at the
    synth's resolution), up to ``end`` seconds at ``bpm``: (notes, program, is_drum)."""
    try:
        score = Score(str(path))
    except Exception as e:
        raise ChromaticError(f"unreadable MIDI file: {e}", path=path) from e
    scale = TPQ / float(score.tpq or TPQ)
    stop = end * bpm / 60.0 * TPQ
    tracks = [t for t in score.tracks if len(t.notes)]
    notes = [
        Note(
            start=round(n.time * scale),
            duration=max(round(n.duration * scale), 1),
            pitch=int(n.pitch),
            velocity=int(n.velocity),
        )
        for t in tracks
        for n in t.notes
        if n.time * scale < stop
    ]
    notes.sort(key=lambda n: (n.start, n.pitch))
    first = tracks[0] if tracks else None
    return notes, int(first.program) if first else 0, bool(first and first.is_drum)


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
    kwargs = dict(
        max_seconds=max_seconds, sample_rate=sample_rate, soundfont=sfont, seed=seed, audio=audio
    )
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
