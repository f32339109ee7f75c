"""Render benchmark: one 60 s, four-instrument score (piano chords, bass, strings, drums at
120 bpm) rendered at 44.1 kHz by every renderer present (FluidSynth, tinysoundfont).

    .venv/bin/python benchmarks/render.py

Prints seconds per render (best of 3), the real-time factor, the level and whether two renders
are byte-identical, measured in this one run (no stored baselines).
"""

from __future__ import annotations

import hashlib

import numpy as np
from symusic import Note

from timing import best_of

SECONDS, SR, TPQ = 60.0, 44100, 480


def score():
    from chromatic.music.midi import add_track, new_score

    s = new_score(120, tpq=TPQ)
    beats = int(SECONDS * 2)  # 120 bpm
    chords = [(60, 64, 67), (57, 60, 64), (53, 57, 60), (55, 59, 62)]
    piano, bass = add_track(s, "piano", program=0), add_track(s, "bass", program=33)
    strings, drums = add_track(s, "strings", program=48), add_track(s, "drums", is_drum=True)
    for b in range(beats):
        chord = chords[(b // 4) % 4]
        piano.notes.extend(
            Note(time=b * TPQ, duration=TPQ - 40, pitch=p, velocity=80) for p in chord
        )
        bass.notes.append(Note(time=b * TPQ, duration=TPQ // 2, pitch=chord[0] - 24, velocity=100))
        drums.notes.append(
            Note(time=b * TPQ, duration=60, pitch=36 if b % 2 == 0 else 38, velocity=110)
        )
        drums.notes.append(Note(time=b * TPQ + TPQ // 2, duration=60, pitch=42, velocity=80))
        if b % 4 == 0:
            strings.notes.append(
                Note(time=b * TPQ, duration=4 * TPQ, pitch=chord[2] + 12, velocity=70)
            )
    return s


def main() -> None:
    from chromatic.music.render import available_renderers, render_score

    s = score()
    print(f"render: {SECONDS:.0f} s score, 4 instruments, {SR} Hz, mono")
    for name in available_renderers():
        out = {}

        def run(name=name, out=out):
            out["audio"] = render_score(s, sample_rate=SR, duration=SECONDS, renderer=name)

        t = best_of(run, 3)
        audio = out["audio"]
        again = render_score(s, sample_rate=SR, duration=SECONDS, renderer=name)
        same = hashlib.sha256(audio.tobytes()).digest() == hashlib.sha256(again.tobytes()).digest()
        rms = 20 * np.log10(float(np.sqrt(np.mean(audio**2))) or 1e-12)
        print(
            f"  {name:<14} {t:6.2f} s  {SECONDS / t:6.0f}x real time  {rms:6.1f} dBFS rms  "
            f"deterministic: {same}"
        )


if __name__ == "__main__":
    main()
