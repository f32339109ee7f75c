"""Essen folk tunes from music21's corpus as MIDI tasks, and the onset-autocorrelation floor.

``essen_tunes`` parses the corpus's ABC collections tune by tune, labels each by its own
header (``M:`` meter, duple = 2/4 or 4/4, triple = 3/4; others skipped) and by music21's key
analysis (major / minor), writes it as MIDI *without time-signature events* (so only the notes
carry the meter) and caches it. ``onset_autocorr`` is the 12-lag autocorrelation of the onset
indicator on an eighth-note grid: the simple rhythm feature a MIDI model must beat.

    .venv/bin/python benchmarks/essen_corpus.py [--n 40]   # prints the counts and the floor
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
from pathlib import Path

import numpy as np
from symusic import Score

CACHE = Path(os.environ.get("CHROMATIC_BENCH_CACHE", Path.home() / ".cache" / "chromatic-bench"))
DUPLE, TRIPLE = ("2/4", "4/4"), ("3/4",)


def _chunks() -> list[tuple[str, str]]:
    from music21 import corpus

    out = []
    for p in sorted(str(x) for x in corpus.getPaths() if "essenFolksong" in str(x)):
        text = Path(p).read_text(encoding="latin-1")
        for k, chunk in enumerate(re.split(r"(?m)^(?=X:)", text)[1:]):
            out.append((f"{Path(p).stem}#{k}", chunk))
    return out


def _meter(chunk: str) -> str | None:
    m = re.findall(r"(?m)^M:\s*([0-9]+/[0-9]+)\s*$", chunk)
    return m[0] if len(set(m)) == 1 else None  # one meter for the whole tune


def _tune(name: str, chunk: str) -> tuple[Score, str] | None:
    """(MIDI without time signatures, mode) of one tune, cached."""
    key = hashlib.sha1(("essen-nots:" + chunk).encode()).hexdigest()[:16]
    path, mode_path = CACHE / f"{key}.mid", CACHE / f"{key}.mode"
    if not path.is_file():
        from music21 import converter, midi

        try:
            s = converter.parse(chunk, format="abc")
            mode = s.analyze("key").mode
            data = midi.translate.streamToMidiFile(s).writestr()
        except Exception:
            return None
        sc = Score.from_midi(data)
        sc.time_signatures = type(sc.time_signatures)()  # only the notes carry the meter
        CACHE.mkdir(parents=True, exist_ok=True)
        sc.dump_midi(str(path))
        mode_path.write_text(mode)
    sc = Score(str(path))
    return (sc, mode_path.read_text()) if sc.note_num() >= 16 else None


def essen_tunes(n_per_class: int, task: str, seed: int = 0) -> list[tuple[str, Score, str]]:
    """``n_per_class`` tunes of each class: task "meter" -> (name, Score, "duple"/"triple"),
    "mode" -> (name, Score, "major"/"minor"). Tunes are drawn in a seeded order."""
    chunks = _chunks()
    order = np.random.default_rng(seed).permutation(len(chunks))
    want = ("duple", "triple") if task == "meter" else ("major", "minor")
    got: dict[str, list] = {w: [] for w in want}
    for i in order:
        name, chunk = chunks[i]
        meter = _meter(chunk)
        if meter not in DUPLE + TRIPLE:
            continue
        if task == "meter":
            label = "duple" if meter in DUPLE else "triple"
            if len(got[label]) >= n_per_class:
                continue
        tune = _tune(name, chunk)
        if tune is None:
            continue
        label = ("duple" if meter in DUPLE else "triple") if task == "meter" else tune[1]
        if label in got and len(got[label]) < n_per_class:
            got[label].append((name, tune[0], label))
        if all(len(v) >= n_per_class for v in got.values()):
            break
    return [t for w in want for t in got[w]]


def onset_autocorr(score: Score, lags: int = 12, seconds: float | None = None) -> np.ndarray:
    """[lags]: autocorrelation of the onset indicator on an eighth-note grid (ticks / tpq),
    optionally over the first ``seconds`` only."""
    tpq = float(score.tpq) or 480.0
    t = [tr.notes.numpy()["time"] for tr in score.tracks if not tr.is_drum and len(tr.notes)]
    if not t:
        return np.zeros(lags)
    onsets = np.concatenate(t) / tpq
    if seconds is not None:
        qpm = score.tempos[0].qpm if len(score.tempos) else 120.0
        onsets = onsets[onsets < seconds * qpm / 60]
    slots = np.unique(np.round(onsets * 2).astype(np.int64))
    if not len(slots):
        return np.zeros(lags)
    x = np.zeros(int(slots.max()) + 1 + lags)
    x[slots - slots.min()] = 1.0
    x[: int(slots.max() - slots.min()) + 1] -= x[: int(slots.max() - slots.min()) + 1].mean()
    x[int(slots.max() - slots.min()) + 1 :] = 0.0
    e = float(x @ x) or 1.0
    return np.array([float(x[:-k] @ x[k:]) / e for k in range(1, lags + 1)])


def corpus_midi(name: str) -> tuple[Score, str]:
    """A music21 corpus work (a chorale, ...) as a symusic Score and music21's analysed mode of the
    whole work, both cached by name in ``CACHE``."""
    from music21 import corpus, midi

    key = hashlib.sha1(name.encode()).hexdigest()[:16]
    path, mode_path = CACHE / f"{key}.mid", CACHE / f"{key}.mode"
    if not (path.is_file() and mode_path.is_file()):
        s = corpus.parse(name)
        if hasattr(s, "scores"):  # an Opus: its first score
            s = s.scores[0]
        mode = s.analyze("key").mode
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_bytes(midi.translate.streamToMidiFile(s).writestr())
        mode_path.write_text(mode)
    return Score(str(path)), mode_path.read_text()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40)
    a = ap.parse_args()
    tunes = essen_tunes(a.n, "meter")
    print(f"{len(tunes)} tunes: {sum(t[2] == 'duple' for t in tunes)} duple")


if __name__ == "__main__":
    main()
