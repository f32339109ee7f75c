"""The preview's tail after the synthesizers: the loudness pass (gain search, limiter, apply,
loudness check, true peak) and the WAV write, two ways alternated on one mix:

    .venv/bin/python benchmarks/loudness_tail.py WAV [--repeat 3]

``serial``: ``normalize_loudness`` then the write, one after the other (as before);
``keep``: the write handed to ``normalize_loudness(keep=)``, which runs it and the true peak
beside the loudness check. The mix is the WAV (e.g. a composed song's ``arrangement.wav``:
``chromatic compose PROPOSAL --out DIR --auto``) at half its level, so the limiter acts; its
measurements (``taken``) are made once beforehand as ``arrange.mixdown`` makes them. Prints wall and CPU seconds of each (best of
``--repeat``), whether both wrote the same bytes and gave the same Loudness.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import tempfile
import time
from pathlib import Path

import numpy as np


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    import soundfile as sf

    from chromatic.produce.arrange import loudness as lo
    from chromatic.produce.arrange.preview import _write_audio

    ap = argparse.ArgumentParser()
    ap.add_argument("wav", help="a stereo WAV, e.g. a composed song's arrangement.wav")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    a, sr = sf.read(args.wav, dtype="float32")
    a = np.ascontiguousarray(a * 0.5)
    weighted = lo.k_weighted(a, sr)
    taken = (weighted, lo._power_of(weighted), lo._peak_envelope(a))
    folder = Path(tempfile.mkdtemp(prefix="loudness-tail-"))

    def serial(path):
        out, loud = lo.normalize_loudness(a, sr, taken=taken)
        _write_audio(path, out, sr, "wav")
        return loud

    def keep(path):
        return lo.normalize_loudness(
            a, sr, taken=taken, keep=lambda out: _write_audio(path, out, sr, "wav")
        )[1]

    best: dict[str, tuple[float, float]] = {}
    seen: dict[str, tuple[str, dict]] = {}
    for _ in range(args.repeat):
        for name, run in (("serial", serial), ("keep", keep)):
            path = folder / f"{name}.wav"
            t, c = time.perf_counter(), _cpu()
            loud = run(path)
            wall, cpu = time.perf_counter() - t, _cpu() - c
            old = best.get(name, (1e9, 1e9))
            best[name] = (min(old[0], wall), min(old[1], cpu))
            seen[name] = (hashlib.sha256(path.read_bytes()).hexdigest()[:12], loud.to_dict())
    print(f"mix: {args.wav} x 0.5, {len(a) / sr:.1f} s at {sr} Hz")
    for name, (wall, cpu) in best.items():
        print(f"{name:7s} wall {wall:.3f} s  cpu {cpu:.3f} s  wav {seen[name][0]}")
    same = seen["serial"] == seen["keep"]
    print(f"same bytes and Loudness: {same}  ({seen['keep'][1]})")


if __name__ == "__main__":
    main()
