"""Render MIDI to audio with a General MIDI soundfont: FluidSynth, or TinySoundFont from a wheel.

Two deterministic backends play the same events into the same soundfont:

- ``fluidsynth`` (pyfluidsynth): needs the system library (Debian: ``libfluidsynth3``);
- ``tinysoundfont``: a self-contained wheel (``pip install --no-deps tinysoundfont``; its only
  declared dependency, pyaudio, is for live playback, which rendering never uses).

The first one that loads is used, FluidSynth first; ``CHROMATIC_RENDERER=fluidsynth``,
``tinysoundfont`` or ``none`` (no audio at all) forces one, as does ``renderer=``. The embedded
default soundfont is ``TimGM6mb.sf2`` from the pretty_midi wheel; pass your own with
``soundfont=``. Events are played in time order and the samples between them are pulled
synchronously, so rendering is deterministic (the same bytes every time, per backend) and faster
than real time. The two backends do not give the same samples as each other.

Both backends honour the mix controllers a track carries (``MIX_CONTROLS``: CC7 volume, CC10 pan,
CC11 expression) and render stereo; ``stereo=True`` returns the two channels, the default folds
them to mono (the catalog's audio features want one channel).
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np
from symusic import Score

from chromatic.errors import RenderError
from chromatic.music.midi import DRUM_CHANNEL

DEFAULT_SAMPLE_RATE = 22050
TAIL_SECONDS = 1.0  # release tail rendered after the last note-off
ENV = "CHROMATIC_RENDERER"
BACKENDS = ("fluidsynth", "tinysoundfont")
#: How to get audio when no backend loads (one line, for the error and the compose warning).
#: The controllers played into the synthesizer: volume, pan, expression, sustain pedal.
MIX_CONTROLS = (7, 10, 11, 64)
#: Synthesizers that render one score in parallel (``channel_groups``); 1 on a one-core machine.
SYNTH_THREADS = min(2, os.cpu_count() or 1)
#: Frames summed and handed on at a time while the synthesizers play (``render_score`` consume).
BLOCK_FRAMES = 1 << 16
_OFF, _CC, _ON = 0, 1, 2  # event order at one instant: offs, then controllers, then ons
INSTALL_HINT = (
    "install the Debian package libfluidsynth3, or the wheel: pip install --no-deps tinysoundfont"
)


class Backend(Protocol):
    sample_rate: int

    def program(self, channel: int, program: int) -> None: ...
    def drums(self, channel: int) -> None: ...
    def noteon(self, channel: int, pitch: int, velocity: int) -> None: ...
    def noteoff(self, channel: int, pitch: int) -> None: ...
    def cc(self, channel: int, number: int, value: int) -> None: ...
    def pull(self, n: int) -> np.ndarray: ...
    def close(self) -> None: ...


def default_soundfont() -> Path:
    try:
        import pretty_midi
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise RenderError("pretty_midi is not installed; it ships the default soundfont") from e
    path = Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"
    if not path.is_file():
        raise RenderError("TimGM6mb.sf2 not found in the pretty_midi package", path=path)
    return path


#: Loading a backend (its import finds the shared library, which may run ``ldconfig``) and
#: creating a synthesizer happen under this lock: eight first previews at once load it once.
_LOAD_LOCK = threading.RLock()
_LOADED: set[str] = set()
_FAILED: dict[str, tuple[float, str]] = {}
#: A failed load is tried again after this many seconds, so one transient failure (a fork
#: refused under load) never disables audio until a restart.
RETRY_FAILED_S = 30.0


def _probe(name: str) -> str | None:
    """None when backend ``name`` loads here, else why not. A success is kept for the process;
    a failure for ``RETRY_FAILED_S`` seconds."""
    if name in _LOADED:
        return None
    with _LOAD_LOCK:
        if name in _LOADED:
            return None
        failed = _FAILED.get(name)
        if failed is not None and time.monotonic() - failed[0] < RETRY_FAILED_S:
            return failed[1]
        try:
            if name == "fluidsynth":
                # pyfluidsynth prints where it found the library when $CI is set: on stdout,
                # which is the user's (the studio's URL line, piped JSON)
                with contextlib.redirect_stdout(io.StringIO()):
                    import fluidsynth  # noqa: F401
            else:
                import tinysoundfont  # noqa: F401
        except (ImportError, OSError) as e:
            _FAILED[name] = (time.monotonic(), f"{e}".strip() or type(e).__name__)
            return _FAILED[name][1]
        _FAILED.pop(name, None)
        _LOADED.add(name)
        return None


def warm(renderer: str | None = None) -> str | None:
    """Load the renderer now (once, under the lock); returns why it cannot, or None."""
    return renderer_unavailable(renderer)


def available_renderers() -> list[str]:
    """The backends that load on this machine, in order of preference."""
    return [b for b in BACKENDS if _probe(b) is None]


def choose_renderer(renderer: str | None = None) -> str:
    """The backend to use: ``renderer``, else ``$CHROMATIC_RENDERER``, else the first that loads.

    Raises RenderError, with how to get one, when the forced or every backend cannot load."""
    forced = (renderer or os.environ.get(ENV, "")).strip().lower()
    if forced in ("", "auto"):
        for b in BACKENDS:
            if _probe(b) is None:
                return b
        why = "; ".join(f"{b}: {_probe(b)}" for b in BACKENDS)
        raise RenderError(f"no MIDI renderer available ({why}); {INSTALL_HINT}")
    if forced == "none":
        raise RenderError(f"audio rendering is turned off ({ENV}=none)")
    if forced not in BACKENDS:
        raise RenderError(
            f"expected {ENV} (or renderer) to be one of auto, none, "
            f"{', '.join(BACKENDS)}; got {forced!r}"
        )
    why = _probe(forced)
    if why is not None:
        raise RenderError(f"the {forced} renderer is not available ({why}); {INSTALL_HINT}")
    return forced


def renderer_unavailable(renderer: str | None = None) -> str | None:
    """None when audio can be rendered, else the one-line reason (with how to get audio)."""
    try:
        choose_renderer(renderer)
    except RenderError as e:
        return str(e)
    return None


def _backend(name: str, sample_rate: int, soundfont: Path) -> Backend:
    with _LOAD_LOCK:  # one synthesizer created at a time (the library's own setup is shared)
        if name == "fluidsynth":
            from chromatic.music.render_fluid import first_synth

            first_synth()
        return _new_backend(name, sample_rate, soundfont)


def prepare(renderer: str | None = None) -> None:
    """Set the renderer up before anything runs beside it (the first FluidSynth synthesizer,
    ``render_fluid.first_synth``); nothing when no renderer loads."""
    with contextlib.suppress(RenderError), _LOAD_LOCK:
        if choose_renderer(renderer) == "fluidsynth":
            from chromatic.music.render_fluid import first_synth

            first_synth()


def _new_backend(name: str, sample_rate: int, soundfont: Path) -> Backend:
    if name == "fluidsynth":
        from chromatic.music.render_fluid import FluidSynth

        return FluidSynth(sample_rate, soundfont)
    from chromatic.music.render_tsf import TinySoundFont

    return TinySoundFont(sample_rate, soundfont)


def _events(score: Score) -> tuple[list[tuple[float, int, int, int, int]], dict[int, int]]:
    """(seconds, kind, channel, pitch or controller, velocity or value), time-sorted, and the
    program of each melodic channel (one channel per track; drums on the drum channel)."""
    sec = score.to("second")
    events: list[tuple[float, int, int, int, int]] = []
    programs: dict[int, int] = {}
    melodic_channels = [c for c in range(16) if c != DRUM_CHANNEL]
    for i, track in enumerate(sec.tracks):
        if track.is_drum:
            channel = DRUM_CHANNEL
        else:
            channel = melodic_channels[i % len(melodic_channels)]
            programs.setdefault(channel, int(track.program))
        for note in track.notes:
            start = float(note.time)
            end = start + max(float(note.duration), 0.01)
            events.append((start, _ON, channel, int(note.pitch), int(note.velocity)))
            events.append((end, _OFF, channel, int(note.pitch), 0))
        for c in track.controls:
            if int(c.number) in MIX_CONTROLS:
                events.append((float(c.time), _CC, channel, int(c.number), int(c.value)))
    events.sort()
    return events, programs


def render_score(
    score: Score,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    soundfont: str | os.PathLike | None = None,
    duration: float | None = None,
    renderer: str | None = None,
    stereo: bool = False,
    consume: Callable[[int, int, np.ndarray], None] | None = None,
    block: int = BLOCK_FRAMES,
) -> np.ndarray:
    """Render a Score to float32 audio in [-1, 1]: mono, or shape (samples, 2) with ``stereo``.

    ``duration`` fixes the output length in seconds (padding or cutting); by default the
    output runs to the last note-off plus a short release tail. ``renderer`` forces a backend
    (see the module docstring). ``consume(lo, hi, out)`` is called in this thread, in order,
    for every ``block`` frames [lo, hi) of the stereo ``out`` as soon as they are final, while
    the synthesizers go on with the next ones (what follows the render starts before it ends)."""
    sf_path = Path(soundfont) if soundfont else default_soundfont()
    if not sf_path.is_file():
        raise RenderError("soundfont not found", path=sf_path)
    events, programs = _events(score)
    notes = [e for e in events if e[1] != _CC]
    last = notes[-1][0] + TAIL_SECONDS if notes else 0.0
    total = round((duration if duration is not None else last) * sample_rate)
    out = np.zeros((total, 2), dtype=np.float32)
    if notes and total:
        name = choose_renderer(renderer)
        groups = channel_groups(events, SYNTH_THREADS if name == "fluidsynth" else 1)
        players = [
            (
                _backend(name, sample_rate, sf_path),
                [e for e in events if e[2] in group],
                {c: p for c, p in programs.items() if c in group},
            )
            for group in groups
        ]
        _render_groups(players, out, consume, max(1, block))
    elif consume is not None:
        for lo in range(0, total, max(1, block)):
            consume(lo, min(lo + max(1, block), total), out)
    return out if stereo else out.mean(axis=1)


class _Progress:
    """How far each synthesizer has written, and whether one failed."""

    def __init__(self, n: int):
        self.cond = threading.Condition()
        self.done = [0] * n
        self.failed = False

    def report(self, i: int, pos: int) -> None:
        with self.cond:
            self.done[i] = pos
            self.cond.notify()

    def wait_for(self, hi: int) -> bool:
        """Until every synthesizer has written past ``hi`` (True) or one failed (False)."""
        with self.cond:
            self.cond.wait_for(lambda: self.failed or min(self.done) >= hi)
            return not self.failed


def _render_groups(players: list, out: np.ndarray, consume, block: int) -> None:
    """Each (synthesizer, events, programs) plays into its own buffer in its own thread (the
    16-bit samples themselves where the backend writes them, ``write_into``); this thread sums
    the buffers into ``out`` block by block as they are written, and hands each block on."""
    total = len(out)
    native = all(hasattr(synth, "write_into") for synth, _e, _p in players)
    parts = [np.zeros((total, 2), dtype=np.int16 if native else np.float32) for _ in players]
    progress = _Progress(len(players))

    def play(i: int) -> None:
        synth, events, programs = players[i]
        try:
            _play(synth, events, programs, parts[i], lambda pos: progress.report(i, pos))
        except BaseException:
            with progress.cond:
                progress.failed = True
                progress.cond.notify()
            raise

    with ThreadPoolExecutor(max_workers=len(players)) as pool:
        jobs = [pool.submit(play, i) for i in range(len(players))]
        for lo in range(0, total, block):
            hi = min(lo + block, total)
            if not progress.wait_for(hi):
                break
            _mix_into(out[lo:hi], [part[lo:hi] for part in parts])
            if consume is not None:
                consume(lo, hi, out)
        for job in jobs:
            job.result()


def _mix_into(out: np.ndarray, parts: list[np.ndarray]) -> None:
    """The sum of the synthesizers' frames as float32 in [-1, 1]. 16-bit parts are summed as
    integers and divided by 32768 once: every part / 32768 and every sum of two is exact in
    float32, so this is the sum of the parts' float values, bit for bit."""
    if parts[0].dtype == np.int16:
        if len(parts) == 1:
            np.divide(parts[0], np.float32(32768.0), out=out)
            return
        acc = parts[0].astype(np.int32)
        for part in parts[1:]:
            acc += part
        np.divide(acc, np.float32(32768.0), out=out, casting="unsafe")
        return
    out[:] = parts[0]
    for part in parts[1:]:
        out += part


def channel_groups(events: list, workers: int) -> list[frozenset[int]]:
    """The channels split into at most ``workers`` groups of about equal note counts, each
    group played by its own synthesizer in its own thread and the groups summed: FluidSynth
    mixes voices by adding them (reverb and chorus are off), and runs without the GIL, so two
    synthesizers on two cores give the mix in about half the time. One group for one worker."""
    counts: dict[int, int] = {}
    for _t, kind, channel, _a, _b in events:
        counts[channel] = counts.get(channel, 0) + (kind == _ON)
    if workers < 2 or len(counts) < 2:
        return [frozenset(counts)]
    loads = [0] * workers
    members: list[set[int]] = [set() for _ in range(workers)]
    for channel in sorted(counts, key=lambda c: (-counts[c], c)):
        i = loads.index(min(loads))
        loads[i] += counts[channel]
        members[i].add(channel)
    return [frozenset(m) for m in members if m]


def _play(
    synth: Backend,
    events: list,
    programs: dict[int, int],
    out: np.ndarray,
    report: Callable[[int], None] | None = None,
) -> None:
    """Play the events into ``synth``, writing the frames between them into ``out`` (int16
    straight from the synthesizer, else its float frames), telling ``report`` how far."""
    total, rate = len(out), synth.sample_rate
    native = out.dtype == np.int16

    def write(lo: int, hi: int) -> None:
        if native:
            synth.write_into(out[lo:hi])
        else:
            out[lo:hi] = synth.pull(hi - lo)
        if report is not None:
            report(hi)

    try:
        for channel, program in programs.items():
            synth.program(channel, program)
        synth.drums(DRUM_CHANNEL)
        pos = 0
        for t, kind, channel, a, b in events:
            target = min(round(t * rate), total)
            if target > pos:
                write(pos, target)
                pos = target
            if pos >= total:
                break
            if kind == _ON:
                synth.noteon(channel, a, b)
            elif kind == _OFF:
                synth.noteoff(channel, a)
            else:
                synth.cc(channel, a, b)
        if pos < total:
            write(pos, total)
    finally:
        synth.close()


def peak_normalize(audio: np.ndarray, peak: float = 0.89) -> np.ndarray:
    """Scale so the absolute peak is ``peak`` (about -1 dBFS); silence stays silence."""
    m = float(np.max(np.abs(audio))) if audio.size else 0.0
    return audio if m == 0.0 else (audio * (peak / m)).astype(np.float32)
