"""Measure how loud the default soundfont plays each General MIDI program (issue #33).

The soundfont renders programs at very different levels: at one velocity a sung "voice" lead
can sound 10 LU over a piano. ``arrange.balance`` needs those levels to set each section's parts
where the plan's intensity puts them, so this script renders, for every program, four bars of
legato quarter notes (120 bpm, velocity 100, CC7 100, CC11 127, in the middle of the
instrument's idiomatic register; again as legato whole notes, for how the sound decays beat by beat, and
at the bottom and the top of that register, for how the level moves with the pitch) and measures their BS.1770 integrated loudness; the drum kit
plays a kick / snare / hi-hat eighth-note groove. It also measures how loudness follows the
velocity and CC7 (dB per decade of the value: 40 would be a squared-amplitude law).

    PYTHONPATH=src .venv/bin/python scripts/program_levels.py [--out FILE]

writes ``src/chromatic/produce/arrange/program_levels.json`` (the renderer that loaded first and
the soundfont's name are recorded beside the figures).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from symusic import ControlChange, Note, Score, Tempo, Track

from chromatic.fileio import write_text_atomic
from chromatic.music.ranges import register
from chromatic.music.render import default_soundfont, render_score
from chromatic.produce.arrange.loudness import integrated_lufs, k_power

RATE = 44100
TPQ = 480
OUT = Path(__file__).resolve().parents[1] / "src/chromatic/produce/arrange/program_levels.json"


def phrase(
    program: int,
    *,
    drums: bool = False,
    velocity: int = 100,
    volume: int = 100,
    beats: int = 1,
    at: str = "mid",
) -> Score:
    score = Score(TPQ)
    score.tempos.append(Tempo(0, 120.0))
    track = Track("probe", 0 if drums else program, drums)
    for number, value in ((7, volume), (10, 64), (11, 127), (91, 0)):
        track.controls.append(ControlChange(0, number, value))
    if drums:
        for i in range(32):  # 4 bars of eighths: kick on 1 and 3, snare on 2 and 4, hat throughout
            t = i * TPQ // 2
            track.notes.append(Note(t, TPQ // 4, 42, velocity))
            if i % 4 == 0:
                track.notes.append(Note(t, TPQ // 4, 36 if i % 8 == 0 else 38, velocity))
    else:
        mid = pitch_of(program, at)
        for i in range(16 // beats):
            pitch = mid + (0, 2, 4, 2)[i % 4]
            track.notes.append(Note(i * TPQ * beats, TPQ * beats, pitch, velocity))
    score.tracks.append(track)
    return score


def pitch_of(program: int, at: str) -> int:
    """The lowest pitch of the reference phrase (it climbs 4 semitones): low, in the middle of or
    high in the program's idiomatic register."""
    reg = register(program)
    return {
        "low": reg.idiom_low,
        "mid": (reg.idiom_low + reg.idiom_high) // 2,
        "high": max(reg.idiom_low, reg.idiom_high - 4),
    }[at]


def lufs(score: Score) -> float:
    return integrated_lufs(render_score(score, sample_rate=RATE, duration=8.0, stereo=True), RATE)


def decay(program: int) -> list[float]:
    """dB of the 2nd, 3rd and 4th beat of a held (whole) note under its first, averaged over
    the phrase's four notes: a piano or a plucked bass fades, a pad or a voice holds."""
    audio = render_score(phrase(program, beats=4), sample_rate=RATE, duration=8.0, stereo=True)
    power = k_power(audio, RATE)
    beat = RATE // 2
    per = [
        float(
            np.mean([power[(4 * n + i) * beat : (4 * n + i + 1) * beat].mean() for n in range(4)])
        )
        for i in range(4)
    ]
    if per[0] <= 0:
        return [0.0, 0.0, 0.0]
    return [round(10 * math.log10(max(x, 1e-12) / per[0]), 1) for x in per[1:]]


def slope(make) -> float:
    """dB of loudness per decade of the value (measured between 100 and 50)."""
    return round((make(100) - make(50)) / math.log10(2.0), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    from chromatic.music import render

    programs = [round(lufs(phrase(p)), 1) for p in range(128)]
    held = [decay(p) for p in range(128)]
    low = [round(lufs(phrase(p, at="low")), 1) for p in range(128)]
    high = [round(lufs(phrase(p, at="high")), 1) for p in range(128)]
    probes = (0, 48, 73, 85)
    velocity = [slope(lambda v, p=p: lufs(phrase(p, velocity=v))) for p in probes]
    volume = [slope(lambda v, p=p: lufs(phrase(p, volume=v))) for p in probes]
    data = {
        "soundfont": default_soundfont().name,
        "renderer": sorted(render._LOADED),
        "reference": "4 bars of legato quarters, 120 bpm, velocity 100, CC7 100, CC11 127",
        "velocity_db_per_decade": round(sum(velocity) / len(velocity), 1),
        "volume_db_per_decade": round(sum(volume) / len(volume), 1),
        "drums": round(lufs(phrase(0, drums=True)), 1),
        "programs": programs,
        "decay_db": held,
        "programs_low": low,
        "programs_high": high,
        "pitches": [[pitch_of(p, at) + 2 for at in ("low", "mid", "high")] for p in range(128)],
    }
    write_text_atomic(Path(args.out), json.dumps(data, indent=1) + "\n")
    print(json.dumps({k: v for k, v in data.items() if k != "programs"}))
    print("programs: min", min(programs), "max", max(programs))


if __name__ == "__main__":
    main()
