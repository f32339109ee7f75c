"""Why this score: occlusion of a MIDI file's bars and pitches against the chromatic match.

Each cell of the beat grid — one bar, one pitch — is silenced in turn (its notes removed),
the file is scored again, and the cell's effect is the match with it minus the match without
it: positive cells raise the match, negative ones lower it. Occlusion asks the model the
question a producer asks ("what if that bar's low E weren't there?") in the model's own terms,
needs nothing but the scorer (any exported model, onnxruntime only), and every silenced variant
is a real MIDI file scored in one batch. Bars alone and pitches alone are occluded too, for the
margins of the picture.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from symusic import Score

from chromatic.errors import ChromaticError
from chromatic.fileio import atomic_path
from chromatic.music.midi import load_score, score_bytes


@dataclass
class Occlusion:
    base: float  # the match of the whole file
    bars: np.ndarray  # [B] effect of each bar
    pitches: np.ndarray  # [P] the pitches in use, ascending
    pitch_effect: np.ndarray  # [P] effect of each pitch over the whole file
    cells: np.ndarray  # [P, B] effect of each (pitch, bar); NaN where the cell is empty


def _bar_ticks(score: Score) -> int:
    tpq = score.ticks_per_quarter
    if score.time_signatures:
        ts = score.time_signatures[0]
        return tpq * 4 * ts.numerator // max(1, ts.denominator)
    return tpq * 4


def _without(score: Score, keep) -> bytes:
    """A copy of ``score`` keeping only the notes ``keep(track, note)`` accepts."""
    out = score.copy()
    for t_out, t_in in zip(out.tracks, score.tracks, strict=True):
        t_out.notes.clear()
        for n in t_in.notes:
            if keep(t_in, n):
                t_out.notes.append(n.copy())
    return score_bytes(out)


def occlude(
    scorer, midi: bytes | str | os.PathLike, *, color: str, concept: str | None = None
) -> Occlusion:
    """The occlusion maps of one file under ``scorer`` (a ChromaticScorer)."""
    score = load_score(midi if isinstance(midi, bytes) else Path(midi))
    bar = _bar_ticks(score)
    notes = [(t.is_drum, n.pitch, n.time // bar) for t in score.tracks for n in t.notes]
    if not notes:
        raise ChromaticError(
            "the file has no notes to explain", path=None if isinstance(midi, bytes) else midi
        )
    n_bars = max(b for _, _, b in notes) + 1
    pitches = np.array(sorted({p for d, p, _ in notes if not d}), dtype=np.int64)
    cells = sorted({(p, b) for d, p, b in notes if not d})
    variants = [score_bytes(score)]
    variants += [_without(score, lambda t, n, b=b: n.time // bar != b) for b in range(n_bars)]
    variants += [_without(score, lambda t, n, p=p: t.is_drum or n.pitch != p) for p in pitches]
    variants += [
        _without(score, lambda t, n, p=p, b=b: t.is_drum or n.pitch != p or n.time // bar != b)
        for p, b in cells
    ]
    rows = scorer.score_batch(
        [{"id": str(i), "midi": v} for i, v in enumerate(variants)], color=color, concept=concept
    )
    match = np.full(len(variants), np.nan)
    for r in rows:
        if r.get("match") is not None:
            match[int(r["id"])] = r["match"]
    base = float(match[0])
    effect = base - match
    bars = effect[1 : 1 + n_bars]
    pitch_effect = effect[1 + n_bars : 1 + n_bars + len(pitches)]
    grid = np.full((len(pitches), n_bars), np.nan)
    row_of = {int(p): i for i, p in enumerate(pitches)}
    for (p, b), e in zip(cells, effect[1 + n_bars + len(pitches) :], strict=True):
        grid[row_of[p], b] = e
    return Occlusion(base, bars, pitches, pitch_effect, grid)


def save_png(occ: Occlusion, path: str | os.PathLike, *, title: str = "") -> Path:
    """The picture: the (pitch, bar) grid in a diverging map (red raises the match, blue lowers
    it), the bars' effects above it and the pitches' effects beside it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chromatic.music.key import SHARP_NAMES

    filled = occ.cells[~np.isnan(occ.cells)]
    lim = float(np.abs(np.concatenate([filled, [1e-6]])).max())  # the grid's own scale
    fig = plt.figure(figsize=(11, 1.2 + 0.22 * max(8, len(occ.pitches))))
    grid = fig.add_gridspec(
        2, 2, width_ratios=(6, 1), height_ratios=(1, 4), hspace=0.08, wspace=0.05
    )
    ax = fig.add_subplot(grid[1, 0])
    top = fig.add_subplot(grid[0, 0], sharex=ax)
    side = fig.add_subplot(grid[1, 1], sharey=ax)
    img = ax.imshow(
        occ.cells,
        origin="lower",
        aspect="auto",
        cmap="RdBu_r",
        vmin=-lim,
        vmax=lim,
        interpolation="nearest",
    )
    labels = [f"{SHARP_NAMES[p % 12]}{p // 12 - 1}" for p in occ.pitches]
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("bar")
    ax.set_xticks(range(len(occ.bars)), [str(b + 1) for b in range(len(occ.bars))], fontsize=7)
    top.bar(range(len(occ.bars)), occ.bars, color=np.where(occ.bars >= 0, "#c0392b", "#2e6da4"))
    top.axhline(0, color="k", lw=0.5)
    top.set_ylabel("bar", fontsize=7)
    top.tick_params(labelbottom=False, labelsize=7)
    side.barh(
        range(len(occ.pitches)),
        occ.pitch_effect,
        color=np.where(occ.pitch_effect >= 0, "#c0392b", "#2e6da4"),
    )
    side.axvline(0, color="k", lw=0.5)
    side.tick_params(labelleft=False, labelsize=7)
    side.set_xlabel("pitch", fontsize=7)
    fig.colorbar(img, ax=[ax, side], fraction=0.03, pad=0.02, label="match with − without")
    top.set_title(
        title or f"match {occ.base:.3f}: what raises (red) and lowers (blue) it", fontsize=9
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return out
