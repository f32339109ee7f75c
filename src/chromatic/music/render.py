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


class _FluidSynth:
    def __init__(self, sample_rate: int, soundfont: Path):
        with contextlib.redirect_stdout(io.StringIO()):  # its "found at" line (see above)
            import fluidsynth

        self.sample_rate = sample_rate
        self.synth = fluidsynth.Synth(gain=0.4, samplerate=float(sample_rate))
        self.synth.setting("synth.reverb.active", 0)  # keep stems dry and deterministic
        self.synth.setting("synth.chorus.active", 0)
        self.sfid = self.synth.sfload(str(soundfont))
        if self.sfid < 0:
            self.synth.delete()
            raise RenderError("FluidSynth could not load the soundfont", path=soundfont)

    def program(self, channel: int, program: int) -> None:
        self.synth.program_select(channel, self.sfid, 0, program)

    def drums(self, channel: int) -> None:
        self.synth.program_select(channel, self.sfid, 128, 0)

    def noteon(self, channel: int, pitch: int, velocity: int) -> None:
        self.synth.noteon(channel, pitch, velocity)

    def noteoff(self, channel: int, pitch: int) -> None:
        self.synth.noteoff(channel, pitch)

    def cc(self, channel: int, number: int, value: int) -> None:
        self.synth.cc(channel, number, value)

    def pull(self, n: int) -> np.ndarray:
        """n stereo frames, shape (n, 2) (FluidSynth renders interleaved stereo int16)."""
        chunks = []
        while n > 0:
            k = min(n, 65536)
            stereo = np.asarray(self.synth.get_samples(k), dtype=np.float32).reshape(-1, 2)
            chunks.append(stereo / 32768.0)
            n -= k
        return np.concatenate(chunks)

    def close(self) -> None:
        self.synth.delete()


def _backend(name: str, sample_rate: int, soundfont: Path) -> Backend:
    with _LOAD_LOCK:  # one synthesizer created at a time (the library's own setup is shared)
        return _new_backend(name, sample_rate, soundfont)


def _new_backend(name: str, sample_rate: int, soundfont: Path) -> Backend:
    if name == "fluidsynth":
        return _FluidSynth(sample_rate, soundfont)
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
) -> np.ndarray:
    """Render a Score to float32 audio in [-1, 1]: mono, or shape (samples, 2) with ``stereo``.

    ``duration`` fixes the output length in seconds (padding or cutting); by default the
    output runs to the last note-off plus a short release tail. ``renderer`` forces a backend
    (see the module docstring)."""
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
        if len(groups) == 1:
            _play(_backend(name, sample_rate, sf_path), events, programs, out)
        else:
            parts = [np.zeros_like(out) for _ in groups]
            with ThreadPoolExecutor(max_workers=len(groups)) as pool:
                jobs = [
                    pool.submit(
                        _play,
                        _backend(name, sample_rate, sf_path),
                        [e for e in events if e[2] in group],
                        {c: p for c, p in programs.items() if c in group},
                        part,
                    )
                    for group, part in zip(groups, parts, strict=True)
                ]
                for job in jobs:
                    job.result()
            for part in parts:
                out += part
    return out if stereo else out.mean(axis=1)


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


def _play(synth: Backend, events: list, programs: dict[int, int], out: np.ndarray) -> None:
    """Play the events into ``synth``, pulling the frames between them into ``out``."""
    total, rate = len(out), synth.sample_rate
    try:
        for channel, program in programs.items():
            synth.program(channel, program)
        synth.drums(DRUM_CHANNEL)
        pos = 0
        for t, kind, channel, a, b in events:
            target = min(round(t * rate), total)
            if target > pos:
                out[pos:target] = synth.pull(target - pos)
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
            out[pos:] = synth.pull(total - pos)
    finally:
        synth.close()


def peak_normalize(audio: np.ndarray, peak: float = 0.89) -> np.ndarray:
    """Scale so the absolute peak is ``peak`` (about -1 dBFS); silence stays silence."""
    m = float(np.max(np.abs(audio))) if audio.size else 0.0
    return audio if m == 0.0 else (audio * (peak / m)).astype(np.float32)
