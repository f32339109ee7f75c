"""Quick check of the fusion model's MIDI branch on real music: Bach chorales from music21's
corpus, major -> Red and minor -> Blue (music21's key analysis), MIDI only, song-grouped
5-fold (the epoch chosen on an inner split of the training songs), beside a logistic
regression on the 12-bin pitch-class histogram rotated to its peak (the issue's reference).
The full nested-CV benchmark is benchmarks/fitness_sanity.py; this one is the model's own
smoke test.

    .venv/bin/python benchmarks/midi_branch_check.py [--n 180] [--grid beat|seconds] [--no-roll]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np


def chorales(n: int, cache: Path) -> dict[str, str]:
    """Write n chorales to MIDI once (music21 parsing is slow); {name: "major"|"minor"}."""
    labels_path = cache / "labels.json"
    if labels_path.is_file() and len(json.loads(labels_path.read_text())) >= n:
        return json.loads(labels_path.read_text())
    from music21 import corpus

    labels = {}
    for ch in corpus.chorales.Iterator(returnType="stream"):
        name = f"c{len(labels):03d}"
        try:
            mode = ch.analyze("key").mode
            ch.write("midi", fp=str(cache / f"{name}.mid"))
        except Exception:  # a chorale music21 cannot write: skipped, as the count
            continue
        labels[name] = mode
        if len(labels) >= n:
            break
    labels_path.write_text(json.dumps(labels))
    return labels


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=180)
    ap.add_argument("--grid", default="beat", choices=["beat", "seconds"])
    ap.add_argument("--no-roll", action="store_true")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "chorale_midi")
    args = ap.parse_args()
    import torch
    from symusic import Score

    from chromatic.model.data import Dataset, Split, song_split, target_array
    from chromatic.model.fusion import FusionConfig
    from chromatic.model.infer import predict_outputs
    from chromatic.model.metrics import evaluate
    from chromatic.model.train import fit
    from chromatic.music.pianoroll import grid_notes, roll_config, roll_from_notes
    from chromatic.music.symbolic import midi_features_batch

    torch.set_num_threads(1)
    args.cache.mkdir(parents=True, exist_ok=True)
    labels = chorales(args.n, args.cache)
    names = sorted(labels)[: args.n]
    scores = [Score(str(args.cache / f"{k}.mid")) for k in names]
    rc = roll_config(args.grid)
    rolls = []
    for s in scores:
        na = grid_notes(s, rc)
        r = roll_from_notes(na["start"], na["end"], na["pitch"], na["velocity"], config=rc)
        rolls.append(np.rint(r * 127).astype(np.uint8))
    colors = np.array(["Red" if labels[k] == "major" else "Blue" for k in names])
    n, z = len(names), np.zeros
    ds = Dataset(
        ids=np.array(names), songs=np.array(names), colors=colors,
        targets=np.stack([target_array(c) for c in colors]),
        audio=z((n, 8), np.float32), audio_mask=z(n, np.float32),
        concept=z((n, 8), np.float32), concept_mask=z(n, np.float32),
        lyric=z((n, 8), np.float32), lyric_mask=z(n, np.float32),
        roll_index=np.arange(n), rolls=np.stack(rolls), texts=[""] * n, concept_texts=[""] * n,
        lyric_texts=[""] * n, encoders={}, data_hash="chorales", roll_config=rc,
        features=midi_features_batch(scores),
    )  # fmt: skip
    # the reference: pitch-class histogram rotated to its peak, logistic regression
    from sklearn.linear_model import LogisticRegression

    pcs = []
    for s in scores:
        h = np.zeros(12)
        for t in s.tracks:
            for note in t.notes:
                h[note.pitch % 12] += note.duration
        pcs.append(np.roll(h / h.sum(), -int(np.argmax(h))))
    pcs = np.array(pcs)
    folds = np.array_split(np.random.default_rng(0).permutation(n), 5)
    model_acc, ref_acc = [], []
    for k, test in enumerate(folds):
        rest = np.setdiff1d(np.arange(n), test)
        inner = song_split(ds.songs[rest], ds.colors[rest], 0.2, k)
        split = Split(rest[inner.train], rest[inner.val], "song", [], [], [])
        cfg = FusionConfig(
            text_dim=8, audio_dim=8, epochs=args.epochs, roll_grid=args.grid,
            use_roll=not args.no_roll, seed=k,
        )  # fmt: skip
        model, _, best, _ = fit(ds, split, cfg, run_dir=None, progress=False)
        pred = predict_outputs(model, ds, test, "cpu")["midi_pred"]
        model_acc.append(evaluate(pred, colors[test])["color_accuracy"])
        lr = LogisticRegression(max_iter=1000).fit(pcs[rest], colors[rest])
        ref_acc.append(float((lr.predict(pcs[test]) == colors[test]).mean()))
        print(f"fold {k}: model {model_acc[-1]:.3f} (epoch {best}), reference {ref_acc[-1]:.3f}")
    print(
        f"chorales major/minor, MIDI only, {n} songs, song-grouped 5-fold, grid {args.grid}"
        f"{', features only' if args.no_roll else ', roll + features'}: model "
        f"{np.mean(model_acc):.3f}, pitch-class logistic reference {np.mean(ref_acc):.3f}, "
        f"majority {max(np.mean(colors == 'Red'), np.mean(colors == 'Blue')):.3f}"
    )


if __name__ == "__main__":
    main()
