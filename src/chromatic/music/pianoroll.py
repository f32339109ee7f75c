"""Piano rolls: 128 pitches x 256 steps, velocity / 127, on one of two time grids.

- ``grid="beat"`` (the default): sixteenth-note steps counted from the file's own ticks
  (``tpq / 4`` ticks a step), so step 0 is the slice's first beat and 256 steps are 64 beats
  (16 bars of 4/4). The same music at another tempo gives the same roll: tempo is not what the
  model should hear as color.
- ``grid="seconds"``: 100 ms steps (25.6 s). Times come from the full tempo map
  (symusic's tick->second conversion), so a tempo change, or a type-1 file whose tempo lives in
  its own track, moves notes to where they sound. Kept so both can be compared in one run.

A step is on while a note sounds at any time inside it; overlapping notes keep the louder
velocity.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from symusic import Score

from chromatic.music.midi import load_score

PITCHES = 128
STEPS = 256
STEP_SECONDS = 0.1
STEPS_PER_BEAT = 4
GRIDS = ("beat", "seconds")


@dataclass(frozen=True)
class PianoRollConfig:
    pitches: int = PITCHES
    steps: int = STEPS
    step_seconds: float = STEP_SECONDS
    include_drums: bool = True
    grid: str = "seconds"  # the constructor's old meaning; DEFAULT_CONFIG is the beat grid
    steps_per_beat: int = STEPS_PER_BEAT

    def __post_init__(self) -> None:
        if self.grid not in GRIDS:
            raise ValueError(f"piano roll grid {self.grid!r}: expected one of {', '.join(GRIDS)}")

    @property
    def step(self) -> float:
        """One step in the grid's unit: beats (quarter notes) or seconds."""
        return 1.0 / self.steps_per_beat if self.grid == "beat" else self.step_seconds

    def to_dict(self) -> dict:
        return {
            "pitches": self.pitches,
            "steps": self.steps,
            "step_seconds": self.step_seconds,
            "include_drums": self.include_drums,
            "grid": self.grid,
            "steps_per_beat": self.steps_per_beat,
        }

    @classmethod
    def from_dict(cls, d: dict) -> PianoRollConfig:
        """From exported metadata; a model from before the beat grid used 100 ms steps."""
        return cls(
            int(d.get("pitches", PITCHES)),
            int(d.get("steps", STEPS)),
            float(d.get("step_seconds", STEP_SECONDS)),
            bool(d.get("include_drums", True)),
            str(d.get("grid", "seconds")),
            int(d.get("steps_per_beat", STEPS_PER_BEAT)),
        )


BEAT_CONFIG = PianoRollConfig(grid="beat")
SECONDS_CONFIG = PianoRollConfig(grid="seconds")
DEFAULT_CONFIG = BEAT_CONFIG


def roll_config(grid: str) -> PianoRollConfig:
    """The standard roll of a grid name ("beat" or "seconds")."""
    if grid not in GRIDS:
        raise ValueError(f"piano roll grid {grid!r}: expected one of {', '.join(GRIDS)}")
    return BEAT_CONFIG if grid == "beat" else SECONDS_CONFIG


def note_arrays(
    score: Score, *, include_drums: bool = True, beats: float | None = None
) -> dict[str, np.ndarray]:
    """All notes of a score as arrays of start/end seconds, pitch and velocity; with ``beats``
    (ticks per quarter) the times are in quarter notes from the ticks instead."""
    sec = score.to("second") if beats is None else score
    scale = 1.0 if beats is None else 1.0 / beats
    starts, ends, pitches, vels = [], [], [], []
    for track in sec.tracks:
        if track.is_drum and not include_drums:
            continue
        if not len(track.notes):
            continue
        arr = track.notes.numpy()
        t = arr["time"].astype(np.float64) * scale
        starts.append(t)
        ends.append(t + arr["duration"].astype(np.float64) * scale)
        pitches.append(arr["pitch"].astype(np.int64))
        vels.append(arr["velocity"].astype(np.int64))
    if not starts:
        empty_f, empty_i = np.zeros(0), np.zeros(0, dtype=np.int64)
        return {"start": empty_f, "end": empty_f, "pitch": empty_i, "velocity": empty_i}
    return {
        "start": np.concatenate(starts),
        "end": np.concatenate(ends),
        "pitch": np.concatenate(pitches),
        "velocity": np.concatenate(vels),
    }


def grid_notes(score: Score, config: PianoRollConfig) -> dict[str, np.ndarray]:
    """Note arrays in the roll's time unit: beats from ticks, or seconds from the tempo map."""
    if config.grid == "beat":  # a Score from load_score is tick-based
        beats = float(score.tpq) or 480.0
        return note_arrays(score, include_drums=config.include_drums, beats=beats)
    return note_arrays(score, include_drums=config.include_drums)


def roll_from_notes(
    start: np.ndarray,
    end: np.ndarray,
    pitch: np.ndarray,
    velocity: np.ndarray,
    *,
    offset: float = 0.0,
    config: PianoRollConfig = DEFAULT_CONFIG,
) -> np.ndarray:
    """Fill a [pitches, steps] float32 roll from note arrays (seconds), vectorised."""
    roll = np.zeros((config.pitches, config.steps), dtype=np.float32)
    if start.size == 0:
        return roll
    dt = config.step
    first = np.floor((start - offset) / dt + 1e-9).astype(np.int64)
    last = np.ceil((end - offset) / dt - 1e-9).astype(np.int64)  # exclusive
    last = np.maximum(last, first + 1)  # a zero-length note still marks its step
    first = np.clip(first, 0, config.steps)
    last = np.clip(last, 0, config.steps)
    keep = (last > first) & (pitch >= 0) & (pitch < config.pitches)
    first, last, pitch, vel = first[keep], last[keep], pitch[keep], velocity[keep]
    if first.size == 0:
        return roll
    lengths = last - first
    rows = np.repeat(pitch, lengths)
    # column index = first + position within each note's run
    run_starts = np.repeat(first - np.cumsum(lengths) + lengths, lengths)
    cols = run_starts + np.arange(lengths.sum())
    vals = np.repeat((np.clip(vel, 0, 127) / 127.0).astype(np.float32), lengths)
    np.maximum.at(roll, (rows, cols), vals)
    return roll


def rolls_from_note_sets(notes: list[dict], config: PianoRollConfig = DEFAULT_CONFIG) -> np.ndarray:
    """Rolls [B, pitches, steps] float32 of many note sets (``start``/``end``/``pitch``/
    ``velocity`` arrays in the grid's unit, as ``grid_notes`` or ``symbolic.beat_notes`` give
    them) in one vectorised fill: the same values as ``roll_from_notes`` row by row."""
    rolls = np.zeros((len(notes), config.pitches, config.steps), dtype=np.float32)
    if not notes:
        return rolls
    sizes = np.array([len(n["start"]) for n in notes], dtype=np.int64)
    if sizes.sum() == 0:
        return rolls
    batch = np.repeat(np.arange(len(notes)), sizes)
    start = np.concatenate([n["start"] for n in notes])
    end = np.concatenate([n["end"] for n in notes])
    pitch = np.concatenate([n["pitch"] for n in notes])
    velocity = np.concatenate([n["velocity"] for n in notes])
    dt = config.step
    first = np.floor(start / dt + 1e-9).astype(np.int64)
    last = np.maximum(np.ceil(end / dt - 1e-9).astype(np.int64), first + 1)
    first = np.clip(first, 0, config.steps)
    last = np.clip(last, 0, config.steps)
    keep = (last > first) & (pitch >= 0) & (pitch < config.pitches)
    first, last, pitch, vel, batch = (
        first[keep],
        last[keep],
        pitch[keep],
        velocity[keep],
        batch[keep],
    )
    if first.size == 0:
        return rolls
    lengths = last - first
    cols = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    vals = np.repeat((np.clip(vel, 0, 127) / 127.0).astype(np.float32), lengths)
    np.maximum.at(rolls, (np.repeat(batch, lengths), np.repeat(pitch, lengths), cols), vals)
    return rolls


def piano_roll(
    midi: Score | bytes | str | os.PathLike,
    *,
    start: float = 0.0,
    config: PianoRollConfig = DEFAULT_CONFIG,
) -> np.ndarray:
    """The piano roll of a MIDI file (Score, bytes or path) from ``start`` (seconds, or beats
    on the beat grid)."""
    score = midi if isinstance(midi, Score) else load_score(midi)
    n = grid_notes(score, config)
    return roll_from_notes(
        n["start"], n["end"], n["pitch"], n["velocity"], offset=start, config=config
    )


def piano_roll_pretty_midi(
    midi: bytes | str | os.PathLike, *, start: float = 0.0, config: PianoRollConfig = SECONDS_CONFIG
) -> np.ndarray:
    """The seconds-grid roll through pretty_midi: a slower reference used to cross-check and
    benchmark."""
    if config.grid != "seconds":
        raise ValueError("piano_roll_pretty_midi builds the seconds grid only")
    import io

    import pretty_midi

    pm = pretty_midi.PrettyMIDI(io.BytesIO(midi) if isinstance(midi, bytes) else str(midi))
    starts, ends, pitches, vels = [], [], [], []
    for inst in pm.instruments:
        if inst.is_drum and not config.include_drums:
            continue
        for note in inst.notes:
            starts.append(note.start)
            ends.append(note.end)
            pitches.append(note.pitch)
            vels.append(note.velocity)
    return roll_from_notes(
        np.asarray(starts, dtype=np.float64),
        np.asarray(ends, dtype=np.float64),
        np.asarray(pitches, dtype=np.int64),
        np.asarray(vels, dtype=np.int64),
        offset=start,
        config=config,
    )


def save_roll_png(
    roll: np.ndarray, path, *, title: str = "", config: PianoRollConfig = DEFAULT_CONFIG
) -> None:
    """A piano roll as a PNG (time across, pitch up, velocity as darkness), cropped to the
    pitch range in use: what a person looks at to check a slice."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = np.flatnonzero(roll.max(axis=1) > 0)
    lo, hi = (int(rows.min()) - 2, int(rows.max()) + 3) if len(rows) else (48, 73)
    lo, hi = max(lo, 0), min(hi, config.pitches)
    fig, ax = plt.subplots(figsize=(10, 3.2))
    ax.imshow(
        roll[lo:hi],
        origin="lower",
        aspect="auto",
        cmap="Greys",
        vmin=0,
        vmax=1,
        extent=(0, config.steps * config.step, lo - 0.5, hi - 0.5),
        interpolation="nearest",
    )
    unit = "beats" if config.grid == "beat" else "seconds"
    ax.set(xlabel=unit, ylabel="MIDI pitch", title=title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
