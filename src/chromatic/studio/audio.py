"""A candidate heard in its context: the candidate's loop with the approved parts it depends on
(a bass line with the section's approved drums and chords), rendered on demand with the
project's renderer (``chromatic.music.render``) and cached by content hash.

The context of a per-section candidate is ``<dep>/approved/<section>.mid`` of each phase the
candidate's phase depends on (``phases.registry``); a chord candidate is heard with the scratch
beat generated beside it. Context loops are tiled over the candidate's length. The cache key is
the SHA-256 of every input's bytes plus the renderer and sample rate, so an edited or promoted
loop is heard anew and an unchanged one is served from ``.studio/previews/`` at once.
"""

from __future__ import annotations

import hashlib
import io
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chromatic.fileio import write_bytes_atomic
from chromatic.music.midi import load_score
from chromatic.paths import PathError, inside
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.promote import normalize_label
from chromatic.produce.review import GROUP_KEY, candidate_path, read_review
from chromatic.studio import cache
from chromatic.studio.errors import NotFound
from chromatic.studio.roll import loop_chords, roll_of
from chromatic.studio.songs import check_phase_name

SAMPLE_RATE = 22050
MAX_SECONDS = 90.0
CACHE_DIR = cache.CACHE_DIR
CACHE_VERSION = "1"
SCRATCH_KEY = "scratch_beat"


@dataclass(frozen=True)
class Context:
    """The files one preview is made of: the candidate first, then its context loops."""

    candidate: Path
    context: tuple[tuple[str, Path], ...]  # (what it is, file)

    def key(self, renderer: str) -> str:
        h = hashlib.sha256(f"{CACHE_VERSION}|{renderer}|{SAMPLE_RATE}".encode())
        for p in (self.candidate, *(p for _, p in self.context)):
            h.update(hashlib.sha256(p.read_bytes()).digest())
        return h.hexdigest()


def _depends_on(phase: str) -> tuple[str, ...]:
    from chromatic.produce.phases.registry import get

    return tuple(get(phase).depends_on)


def context_of(folder: ProductionFolder, phase: str, cid: str) -> Context:
    """The candidate's file and its context, every path checked inside its folder."""
    check_phase_name(phase)
    path = folder.review_path(phase)
    if not path.is_file():
        raise NotFound(f"no review.yml for phase {phase!r}", path=path)
    model = read_review(path)
    index = next((i for i, c in enumerate(model.candidates) if c.id == cid), None)
    if index is None:
        raise NotFound(f"no candidate {cid!r} in {phase}/review.yml", field="id")
    cand = model.candidates[index]
    midi = candidate_path(path, index, cand.midi_file)
    if not midi.is_file():
        raise NotFound(f"file not found: {cand.midi_file}", path=path, field="midi_file")
    context: list[tuple[str, Path]] = []
    scratch = cand.details.get(SCRATCH_KEY)
    if isinstance(scratch, str):
        p = candidate_path(path, index, scratch, SCRATCH_KEY)
        if p.is_file():
            context.append(("scratch beat", p))
    section = cand.details.get(GROUP_KEY)
    if isinstance(section, str) and normalize_label(section):
        label = normalize_label(section)
        for dep in _depends_on(phase):
            try:
                p = inside(folder.approved_dir(dep), f"{label}.mid")
            except PathError:
                continue
            if p.is_file():
                context.append((f"{dep} (approved {label})", p))
    return Context(midi, tuple(context))


def _bar_ticks(score) -> int:
    tpq = score.ticks_per_quarter
    if len(score.time_signatures):
        ts = score.time_signatures[0]
        return max(1, tpq * 4 * ts.numerator // ts.denominator)
    return tpq * 4


def combined_score(ctx: Context):
    """The candidate with each context loop resampled to its resolution and tiled over its
    length (whole bars); the candidate's tracks come first."""
    score = load_score(ctx.candidate)
    tpq = score.ticks_per_quarter
    bar = _bar_ticks(score)
    length = max(bar, math.ceil(max(score.end(), 1) / bar) * bar)
    for _, p in ctx.context:
        loop = load_score(p)
        if loop.ticks_per_quarter != tpq:
            loop = loop.resample(tpq)
        period = max(bar, math.ceil(max(loop.end(), 1) / bar) * bar)
        for track in loop.tracks:
            tiled = track.copy()
            tiled.notes.clear()
            for k in range(math.ceil(length / period)):
                for n in track.notes:
                    t = n.time + k * period
                    if t < length:
                        m = n.copy()
                        m.time = t
                        m.duration = min(n.duration, length - t)
                        tiled.notes.append(m)
            score.tracks.append(tiled)
    return score, length


def candidate_roll(folder: ProductionFolder, phase: str, cid: str) -> dict:
    """The candidate's roll over its context, with the chord symbols of the first file that
    carries them (the candidate's own chords, else the approved chords it is heard with)."""
    ctx = context_of(folder, phase, cid)
    score, length = combined_score(ctx)
    bar = _bar_ticks(score)
    chords: list = []
    for p in (ctx.candidate, *(p for _, p in ctx.context)):
        chords = loop_chords(p, score.ticks_per_quarter, bar, length)
        if chords:
            break
    own = len(load_score(ctx.candidate).tracks)
    out = roll_of(score, chords=chords, own=own)
    out["context"] = [what for what, _ in ctx.context]
    return out


def _wav_bytes(audio: np.ndarray) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, audio, SAMPLE_RATE, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def candidate_preview(
    folder: ProductionFolder, phase: str, cid: str, max_mb: float = cache.DEFAULT_MAX_MB
) -> tuple[Path, bool]:
    """The preview WAV of a candidate (rendered now, or from the cache) and whether it came
    from the cache. The cache stays under ``max_mb`` MB (``studio.cache``)."""
    from chromatic.music.render import choose_renderer

    ctx = context_of(folder, phase, cid)
    renderer = choose_renderer()
    key = ctx.key(renderer)
    with _render_lock(key):  # the page's prefetch and a press of play render once, not twice
        cached = cache.preview_path(folder, phase, cid, key)  # checked now: no link on the way
        if cached.is_file():
            cache.touch(cached)
            return cached, True
        _render(ctx, renderer, cached)
        cache.prune(folder, max_mb, keep=cached)
    return cached, False


def warm_renderer() -> str | None:
    """Load the renderer before the first request (``music.render.warm``): eight first
    previews at once then find it loaded. Returns why audio is unavailable, or None."""
    from chromatic.music.render import warm

    return warm()


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _render_lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _render(ctx: Context, renderer: str, cached: Path) -> None:
    from chromatic.music.render import peak_normalize, render_score

    score, _ = combined_score(ctx)
    seconds = min(float(score.to("second").end()) + 0.5, MAX_SECONDS)
    audio = render_score(
        score, sample_rate=SAMPLE_RATE, duration=seconds, renderer=renderer, stereo=True
    )
    write_bytes_atomic(cached, _wav_bytes(peak_normalize(audio)))


def arrangement_roll(folder: ProductionFolder) -> dict:
    path = folder.path("arrangement.mid")
    if not path.is_file():
        raise NotFound("no arrangement yet (assemble first)", path=path)
    from chromatic.music.daw import chord_texts

    return roll_of(load_score(path), markers=True, chords=chord_texts(path))
