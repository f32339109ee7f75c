"""Render benchmark: one 60 s, four-instrument score (piano chords, bass, strings, drums at
120 bpm) rendered at 44.1 kHz by every renderer present (FluidSynth, tinysoundfont).

    .venv/bin/python benchmarks/render.py [--mix [MIDI]] [--repeat 3]

Prints seconds per render (best of 3), the real-time factor, the level and whether two renders
are byte-identical, measured in this one run (no stored baselines).

``--mix`` times the preview's audio instead (stereo, 44.1 kHz: synthesis, release fade, space,
loudness), on MIDI (e.g. a composed ``arrangement.mid``; default the score above), two ways
alternated: the steps one after another over the whole song (as before ``arrange.mixdown``),
and the mix made block by block while the synthesizers play; wall and CPU seconds of each
(best of ``--repeat``), and whether both give the same samples.
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


def mix(midi: str | None, repeat: int) -> None:
    import time

    from symusic import Score

    from chromatic.music.render import render_score
    from chromatic.produce.arrange.loudness import normalize_loudness
    from chromatic.produce.arrange.mixdown import BLOCK, Mixdown
    from chromatic.produce.arrange.preview import RELEASE_SECONDS, _fade, _faded
    from chromatic.produce.arrange.space import add_space

    s = Score(midi) if midi else score()
    seconds = (s.to("second").end() if midi else SECONDS) + RELEASE_SECONDS

    def whole():
        audio = render_score(s, sample_rate=SR, duration=seconds, stereo=True)
        return normalize_loudness(add_space(_faded(audio, SR), SR), SR)

    def blocks():
        m = Mixdown(round(seconds * SR), SR, "", _fade(SR))
        render_score(s, sample_rate=SR, duration=seconds, stereo=True, consume=m, block=BLOCK)
        return normalize_loudness(m.mix, SR, taken=m.taken)

    times: dict[str, list[tuple[float, float]]] = {"whole song": [], "block by block": []}
    outs = {}
    for _ in range(max(1, repeat)):
        for name, fn in (("whole song", whole), ("block by block", blocks)):
            t, c = time.perf_counter(), time.process_time()
            outs[name] = fn()
            times[name].append((time.perf_counter() - t, time.process_time() - c))
    print(f"preview mix: {seconds:.1f} s of audio, {SR} Hz stereo, best of {repeat}")
    for name, runs in times.items():
        wall, cpu = min(w for w, _ in runs), min(c for _, c in runs)
        print(f"  {name:<15} {wall:6.2f} s wall  {cpu:6.2f} CPU s")
    (a, la), (b, lb) = outs.values()
    print(
        f"  same samples: {np.array_equal(a, b)}, same loudness: {la == lb} ({lb.level_db:.2f} LUFS)"
    )


def main() -> None:
    import argparse

    from chromatic.music.render import available_renderers, render_score

    ap = argparse.ArgumentParser()
    ap.add_argument("--mix", nargs="?", const="", default=None, metavar="MIDI")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.mix is not None:
        mix(args.mix or None, args.repeat)
        return
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
