"""Which color does the model hear in a song? Each song's match to every trained color, raw and
relative (``scoring.match.relative_match``: sds above the color's mean match on the model's
held-out segments), read through ``score_batch`` as ``chromatic score`` reads it (a long song
in windows, each stem alone). Printed for three sets, with how often a song's own color is its
row's maximum, the own color's mean rank in its row, and which colors win the rows:

- the model's held-out segments (its training run's validation songs: one stem each);
- catalog songs (``--catalog DIR``: folders ``<prefix>_<n>`` of stem MIDI files, the color from
  the prefix; every stem of a song is one candidate of several tracks);
- composed songs (``--songs DIR``: ``demo_<Color>/arrangement.mid``, what ``targeting.py
  --demo-only --work DIR`` leaves), with the column view: is the song composed for c the
  best match to c among the composed songs?

    .venv/bin/python benchmarks/match_tables.py --model MODEL [--catalog DIR] [--songs DIR]

2026-12-07 (fit6), the demo model re-exported with its baseline (/tmp/int-demo/run), the 8
songs of ``targeting.py --demo-only`` (the same bytes before and after):

| set | raw: own = row max (mean rank) | relative | raw row maxima |
|---|---|---|---|
| held-out segments (433, 8 songs) | 257/433 (2.35) | **300/433 (2.05)** | Black 169 (70 are Black) |
| catalog songs (16), stems merged (before) | 9/16 (2.12) | 10/16 (1.81) | Indigo 7 |
| catalog songs, stem by stem (now) | **11/16 (2.00)** | 10/16 (1.75) | Indigo 6 |
| composed (8), stems merged (before) | 2/8 (3.50) | 1/8 (3.88) | Indigo 6, Black 2 |
| composed, stem by stem (now) | 1/8 (3.50) | **3/8 (2.50)** | Black 7 |

Columns (composed): the song composed for c ranks [1, 2, 1, 1, 5, 1, 5, 3] among the 8 songs in
its color's column before (mean 2.38), [3, 1, 1, 1, 2, 2, 2, 2] stem by stem (mean 1.75).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from symusic import Score

from chromatic.model.export import heldout_midi
from chromatic.scoring import ChromaticScorer
from chromatic.taxonomy import COLORS


def stems_song(folder: Path) -> Score:
    """A catalog song's stem MIDI files as one Score of several tracks."""
    out = None
    for f in sorted(folder.glob("*.mid")):
        s = Score(str(f))
        if out is None:
            out = s
        else:
            for t in s.tracks:
                out.tracks.append(t)
    return out


def tables(scorer, songs: list) -> tuple[np.ndarray, np.ndarray | None]:
    """[songs, colors] raw and relative match (None: the model has no baseline)."""
    raw = np.zeros((len(songs), len(scorer.colors)))
    rel = np.zeros_like(raw)
    for j, c in enumerate(scorer.colors):
        rows = scorer.score_batch([{"id": str(i), "midi": s} for i, s in enumerate(songs)], color=c)
        for r in rows:
            raw[int(r["id"]), j] = r["match"]
            rel[int(r["id"]), j] = (
                np.nan if r.get("match_relative") is None else r["match_relative"]
            )
    return raw, None if np.isnan(rel).any() else rel


def summary(name: str, colors: list[str], own: list[str], raw, rel) -> None:
    k = np.array([colors.index(c) for c in own])
    for what, t in (("raw", raw), ("relative", rel)):
        if t is None:
            print(f"  {name:22} {what:9} (the model carries no baseline: re-export it)")
            continue
        best = t.argmax(1)
        rank = 1 + (t > t[np.arange(len(t)), k][:, None]).sum(1)
        wins = dict(zip(*np.unique([colors[b] for b in best], return_counts=True), strict=True))
        wins = ", ".join(f"{c} {int(n)}" for c, n in sorted(wins.items(), key=lambda x: -x[1]))
        print(
            f"  {name:22} {what:9} own color is the row max {int((best == k).sum())}/{len(k)}"
            f" (mean rank {rank.mean():.2f}); row maxima: {wins}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--catalog", type=Path, default=None)
    ap.add_argument("--songs", type=Path, default=None)
    a = ap.parse_args()
    scorer = ChromaticScorer.load(a.model)
    colors = scorer.colors
    print(f"model {a.model}: trained colors {', '.join(colors)}")
    run = Path(scorer.meta["training"]["run"])
    metrics = json.loads((run / "metrics.json").read_text()) if run.is_dir() else {}
    split = json.loads((run / "split.json").read_text()) if (run / "split.json").is_file() else {}
    if metrics.get("data_dir") and split.get("val_songs"):
        segs, own, _ = heldout_midi(Path(metrics["data_dir"]), split["val_songs"])
        keep = [i for i, c in enumerate(own) if c in colors]
        summary(
            f"held-out segments ({len(keep)})",
            colors,
            [own[i] for i in keep],
            *tables(scorer, [segs[i] for i in keep]),
        )
    by_prefix = {c.prefix: c.name for c in COLORS}
    if a.catalog:
        folders = [d for d in sorted(a.catalog.iterdir()) if d.is_dir() and list(d.glob("*.mid"))]
        folders = [d for d in folders if by_prefix.get(d.name[:2]) in colors]
        summary(
            f"catalog songs ({len(folders)})",
            colors,
            [by_prefix[d.name[:2]] for d in folders],
            *tables(scorer, [stems_song(d) for d in folders]),
        )
    if a.songs:
        got = [c for c in colors if (a.songs / f"demo_{c}" / "arrangement.mid").is_file()]
        raw, rel = tables(scorer, [a.songs / f"demo_{c}" / "arrangement.mid" for c in got])
        summary(f"composed songs ({len(got)})", colors, got, raw, rel)
        for what, t in (("raw", raw), ("relative", rel)):
            if t is None or len(got) != len(colors):
                continue
            col = [1 + int((t[:, j] > t[j, j]).sum()) for j in range(len(colors))]
            print(
                f"  columns ({what}): the song composed for c ranks {col} in column c "
                f"(mean {np.mean(col):.2f}; first in {sum(r == 1 for r in col)} of {len(col)})"
            )


if __name__ == "__main__":
    main()
