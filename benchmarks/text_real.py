"""What the real catalog's text says about color, measured honestly: the concept + each LRC
line of the 84 real manifests, embedded with the project's offline text encoder (MiniLM),
classified by the fusion model on text alone. Song-grouped nested CV (no song in two folds,
epochs on inner folds) beside the same protocol over rows (lines of one song on both sides:
how the seed's text-only table was measured), with the constant and majority baselines.

    .venv/bin/python benchmarks/text_real.py [--quick] [--epochs 15]

The real catalog is read from $CHROMATIC_SHARED/real/catalog (or ../shared/real/catalog).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import time
from pathlib import Path

import numpy as np

from chromatic.catalog.lrc import parse_lrc
from chromatic.catalog.manifest import find_manifests, load_manifest
from chromatic.model.eval_stats import (
    accuracy_interval,
    axis_groups,
    constant_prediction,
    correct_matrix,
)
from chromatic.model.evaluate import nested_cv
from chromatic.model.fusion import FusionConfig
from chromatic.model.midi_data import ABSENT_DIM, text_dataset
from chromatic.taxonomy import AXES, parse_color

CACHE = Path(os.environ.get("CHROMATIC_BENCH_CACHE", Path.home() / ".cache" / "chromatic-bench"))


def real_catalog() -> Path:
    shared = os.environ.get("CHROMATIC_SHARED")
    root = Path(shared) if shared else Path(__file__).resolve().parents[1].parent / "shared"
    path = root / "real" / "catalog"
    if not path.is_dir():
        raise SystemExit(f"text_real: no real catalog at {path}; set CHROMATIC_SHARED")
    return path


def catalog_lines(
    catalog: Path, max_lines: int | None
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(concept, line, color, song) per LRC line of every manifest (concept alone if none)."""
    concepts, lines, colors, songs = [], [], [], []
    for path in find_manifests(catalog):
        m = load_manifest(path).manifest
        text = []
        if m.lrc_file and (path.parent / m.lrc_file).is_file():
            lrc = parse_lrc(
                (path.parent / m.lrc_file).read_text(encoding="utf-8-sig"),
                path=str(path.parent / m.lrc_file),
            )
            text = [ln.text for ln in lrc.lines if ln.text.strip()]
        for t in (text or [""])[:max_lines]:
            concepts.append(m.concept or "")
            lines.append(t)
            colors.append(parse_color(m.rainbow_color).name)
            songs.append(path.parent.name)
    return concepts, lines, colors, songs


def embed(texts: list[str]) -> np.ndarray:
    """MiniLM embeddings (the project's default text encoder), cached by content."""
    from chromatic.embed.registry import get_encoder

    key = hashlib.sha1("\x00".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"text-{key}.npy"
    if path.is_file():
        return np.load(path)
    uniq = sorted(set(texts))
    enc = get_encoder("minilm")
    vecs = {}
    for s in range(0, len(uniq), 64):
        for t, v in zip(uniq[s : s + 64], enc.encode(uniq[s : s + 64]), strict=True):
            vecs[t] = v
    out = np.stack([vecs[t] for t in texts]).astype(np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--inner", type=int, default=3)
    ap.add_argument("--max-lines", type=int, default=None, help="LRC lines per song")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.quick:
        a.epochs, a.folds, a.inner, a.max_lines = 6, 3, 2, 8
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    t0 = time.perf_counter()
    concepts, lines, colors, songs = catalog_lines(real_catalog(), a.max_lines)
    print(
        f"{len(set(songs))} songs, {len(lines)} rows (concept + one LRC line); embedding",
        flush=True,
    )
    c_emb, l_emb = embed(concepts), embed(lines)
    ds = text_dataset(c_emb, l_emb, colors, songs)
    cfg = FusionConfig(
        text_dim=c_emb.shape[1],
        audio_dim=ABSENT_DIM,
        epochs=a.epochs,
        patience=max(3, a.epochs // 3),
        seed=a.seed,
    )
    groups = axis_groups()
    cols = [g[0] for g in groups]
    print(
        f"(spatial = temporal for every color: reported once)\n{'system':34s}"
        + "".join(f"{c:>26s}" for c in [*cols, "all axes"])
    )

    def row(name: str, pred: np.ndarray) -> None:
        corr = correct_matrix(pred, ds.colors)
        cells = [accuracy_interval(corr[:, AXES.index(c)], ds.songs, a.seed) for c in cols]
        cells.append(accuracy_interval(corr.all(axis=1), ds.songs, a.seed))
        print(
            f"{name:34s}"
            + "".join(f"{x['value']:8.1%} [{x['low']:5.1%},{x['high']:6.1%}]" for x in cells),
            flush=True,
        )

    for label, d in (
        ("song-grouped nested CV", ds),
        ("row-level nested CV (inflated)", dataclasses.replace(ds, songs=ds.ids)),
    ):
        res = nested_cv(d, cfg, folds=a.folds, inner=a.inner, seed=a.seed, progress=True)
        row(label, res.predictions["text only"])
        if label.startswith("song"):
            row("  majority (train folds)", res.majority)
    row("constant (uniform)", constant_prediction(len(ds)))
    print("intervals: 95 % bootstrap over songs, for every row of the table")
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
