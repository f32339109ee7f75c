"""Which parts carry the judge's verdict? (issue #31)

For the songs a ``targeting.py --work DIR`` run left (``w{weight}_{proposal}_{seed}_{target}``),
two of ``targeting.py``'s judges (the in-catalog LR and the key profile) hear each
song whole, each part alone, and the song with each part taken out. Printed per view: the
judge's AUC for "targeted Red", the mean P(major) of Red- minus Blue-targeted twins, and how
often the Red twin is the more major. A part whose removal takes the AUC down carries the
verdict; a part alone whose twins differ is where the model's choices moved the music.

Parts are the arrangement's tracks by role (``role_of``: the mix's volume and the track's
name: chords 86, bass 92, melody 108 and the lead's double, harmony 78; drums are unheard).

    .venv/bin/python benchmarks/targeting_parts.py --work DIR [--work DIR2 ...]
        [--weight 0.7] [--corpus essen] [--tunes 99]
"""

from __future__ import annotations

import argparse
import re
import sys
from functools import partial
from operator import eq
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targeting import BLUE, RED, judge_features
from targeting_catalog import CORPORA, catalog_tunes
from targeting_judge import key_margin

ROLES = ("chords", "bass", "melody", "harmony")
VOLUME = {86: "chords", 92: "bass", 108: "melody", 78: "harmony"}
FOLDER = re.compile(r"w(?P<w>[\d.]+)_(?P<k>\d+)_(?P<seed>\d+)_(?P<target>Red|Blue)$")


def role_of(track) -> str | None:
    """The phase a track of a composed arrangement plays (None: drums or unknown)."""
    if track.is_drum:
        return None
    if "vocal" in track.name.lower():
        return "melody"  # the lead and its double
    if "oohs" in track.name.lower() or "aahs" in track.name.lower():
        return "harmony"
    vols = [c.value for c in track.controls if c.number == 7]
    return VOLUME.get(vols[0]) if vols else None


def view(score, keep) -> object:
    """A copy of ``score`` holding only the tracks ``keep(role)`` accepts."""
    out = score.copy()
    tracks = [t for t in out.tracks if keep(role_of(t))]
    out.tracks.clear()
    for t in tracks:
        out.tracks.append(t)
    return out


def other(role: str, x: str | None) -> bool:
    return x is not None and x != role


def songs_of(work: Path, weight: str) -> dict[tuple, Path]:
    out = {}
    for d in sorted(work.iterdir()):
        m = FOLDER.match(d.name)
        if m and m["w"] == weight and (d / "arrangement.mid").exists():
            out[(int(m["k"]), int(m["seed"]), m["target"])] = d / "arrangement.mid"
    return out


def judge(catalog: list):
    from sklearn.linear_model import LogisticRegression

    x = np.array([judge_features(s) for s, _ in catalog])
    y = np.array([c == RED for _, c in catalog])
    return LogisticRegression(C=1.0, max_iter=5000).fit(x, y)


def figures(judge, songs: dict[tuple, Path]) -> dict[str, tuple[float, float, float]]:
    """Per view: (AUC, mean Red - Blue judged majorness over twins, share of twins the Red more
    major); ``judge`` maps a list of Scores to their majorness."""
    from sklearn.metrics import roc_auc_score
    from symusic import Score

    keys = sorted(songs)
    scores = {k: Score(str(songs[k])) for k in keys}
    views = {"whole": lambda x: x is not None}
    views.update({f"{r} alone": partial(eq, r) for r in ROLES})
    views.update({f"without {r}": partial(other, r) for r in ROLES})
    target = np.array([k[-1] == RED for k in keys])
    out = {}
    for name, keep in views.items():
        p = np.asarray(judge([view(scores[k], keep) for k in keys]), dtype=float)
        by = dict(zip(keys, p, strict=True))
        d = [by[(*k[:-1], RED)] - by[(*k[:-1], BLUE)] for k in keys if k[-1] == RED]
        d = [x for x in d if np.isfinite(x)]
        auc = roc_auc_score(target, p) if target.any() and not target.all() else float("nan")
        out[name] = (auc, float(np.mean(d)), float(np.mean([(x > 0) + 0.5 * (x == 0) for x in d])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, action="append", required=True)
    ap.add_argument("--weight", default="0.7", help="the folders' weight (w0.7_...)")
    ap.add_argument("--corpus", choices=CORPORA, default="essen")
    ap.add_argument("--tunes", type=int, default=99)
    a = ap.parse_args()
    catalog = [
        (s, RED if lab == "major" else BLUE) for _, s, lab in catalog_tunes(a.corpus, a.tunes)
    ]
    lr = judge(catalog)
    judges = {
        "in-catalog LR (P(major))": lambda ss: lr.predict_proba(
            np.array([judge_features(s) for s in ss])
        )[:, 1],
        "key profile (major - minor r)": lambda ss: [key_margin(s) for s in ss],
    }
    for work in a.work:
        songs = songs_of(work, a.weight)
        for name, j in judges.items():
            print(f"\n{work} ({len(songs)} songs), {name}: AUC / mean Red - Blue / paired")
            for view_name, (auc, d, paired) in figures(j, songs).items():
                print(f"  {view_name:18} {auc:6.3f}   {d:+.4f}   {paired:4.0%}")


if __name__ == "__main__":
    main()
