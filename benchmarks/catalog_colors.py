"""Can a simple classifier hear a catalog's colors in its notes? (demo8, issue #31)

Each stem MIDI file of a synthesized catalog (``catalog synth`` output: ``<prefix>_<n>/`` song
folders) is cut into 4 windows; a logistic regression on the 86 symbolic features the fitness
model reads (``music.symbolic.midi_features``), and once more with the stem's General MIDI
family (program // 8, or drums) added, is scored leaving one song out. Chance is 1 / colors.
With ``--songs DIR`` (``targeting.py --demo-only --work DIR``: ``demo_<Color>/arrangement.mid``)
the same classifiers, fitted on the whole catalog, read the composed songs (each track in 8
windows, mean log-probability) and print how often a song's own color is its row's maximum.

    .venv/bin/python benchmarks/catalog_colors.py CATALOG [--songs DIR]

2026-12-07 (demo8): the palette catalog (`make demo`'s) 70.1 % on notes (70.7 % with the family); the composer-written
one (`scripts/demo_catalog.py`) 19.6 % on notes, 28.5 % with the GM family (8x8 of the same
classifiers on the composed songs: 1/8 and 2/8).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from symusic import Score

from chromatic.catalog.manifest import load_manifest
from chromatic.music.symbolic import midi_features
from chromatic.taxonomy import ALBUM_COLORS, parse_color


def stem_rows(score: Score, windows: int, family: bool) -> list[np.ndarray]:
    rows = []
    for tr in score.tracks:
        if not len(tr.notes):
            continue
        s = score.copy()
        s.tracks = [tr.copy()]
        end = s.end()
        onehot = np.zeros(17)
        onehot[16 if tr.is_drum else tr.program // 8] = 1
        for k in range(windows):
            w = s.clip(k * end // windows, (k + 1) * end // windows, clip_end=True)
            if w.note_num():
                f = midi_features(w)
                rows.append(np.concatenate([f, onehot]) if family else f)
    return rows


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("catalog", type=Path)
    ap.add_argument("--songs", type=Path, default=None)
    a = ap.parse_args()
    colors = [c.name for c in ALBUM_COLORS]
    for family in (False, True):
        x, y, g = [], [], []
        for folder in sorted(p for p in a.catalog.iterdir() if p.is_dir()):
            m = load_manifest(folder / f"{folder.name}.yml").manifest
            color = parse_color(m.rainbow_color).name
            for f in sorted(folder.glob("*.mid")):
                for r in stem_rows(Score(str(f)), 4, family):
                    x.append(r)
                    y.append(color)
                    g.append(folder.name)
        x, y, g = np.array(x), np.array(y), np.array(g)
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000, C=0.1))
        pred = cross_val_predict(clf, x, y, groups=g, cv=LeaveOneGroupOut())
        what = "notes + GM family" if family else "notes"
        line = (
            f"{what:18} leave-one-song-out accuracy {np.mean(pred == y):.1%} "
            f"({len(y)} stem windows, {len(set(g))} songs, chance {1 / len(set(y)):.1%})"
        )
        if a.songs is not None:
            clf.fit(x, y)
            cls = list(clf.classes_)
            wins, winners = 0, []
            for i, c in enumerate(colors):
                path = a.songs / f"demo_{c}" / "arrangement.mid"
                lp = np.log(
                    clf.predict_proba(np.array(stem_rows(Score(str(path)), 8, family))) + 1e-9
                )
                row = [lp.mean(0)[cls.index(k)] if k in cls else -np.inf for k in colors]
                wins += int(np.argmax(row)) == i
                winners.append(colors[int(np.argmax(row))])
            line += f"; composed songs, own color the row max {wins}/{len(colors)} ({', '.join(winners)})"
        print(line)


if __name__ == "__main__":
    main()
