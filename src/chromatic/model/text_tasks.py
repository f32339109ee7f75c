"""Text-only models over the concept + lyric embeddings of each segment row:

- ``rebracketing``: binary ``has_rebracketing_markers``;
- ``rebracketing-type``: multi-label rebracketing type (spatial, temporal, causal, perceptual,
  memory, ontological, narrative, identity);
- ``modes``: temporal / spatial / ontological distributions from text alone.

The catalog has no hand labels for rebracketing, so its labels come from a documented lexicon
(``REBRACKETING_MARKERS`` and ``TYPE_WORDS``, applied to the concept and lyric text): a marker
is a reframing construction ("not X but Y", "is actually", "rather than", "turns into", ...);
a type is assigned when a marked text also uses that type's vocabulary. The reported F1 is how
well a model on sentence embeddings reproduces those labels on songs it never saw: weak
supervision, stated as such in metrics.json. Splits are song-grouped, as for the fusion model.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from chromatic.fileio import write_text_atomic
from chromatic.model.data import load_dataset, song_split
from chromatic.model.metrics import evaluate, f1_per_class, predicted_label, true_labels
from chromatic.taxonomy import AXES, MODES

REBRACKETING_MARKERS = (
    r"\bnot\b[^.;]{0,80}\bbut\b",
    r"\bis (actually|really|secretly)\b",
    r"\b(appears|seems|looks) (to be|like|as)\b",
    r"\brather than\b",
    r"\binstead of\b",
    r"\bturns? (out|into)\b",
    r"\bbecomes?\b",
    r"\bno longer\b",
    r"\bas if\b",
    r"\bre-?(frame|imagine|bracket|write|tell|name)\w*\b",
    r"\bwhat (was|if|looked)\b",
    r"\bhalf[- ](remembered|real|known)\b",
)
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "spatial": (
        "place",
        "room",
        "city",
        "street",
        "map",
        "town",
        "coast",
        "station",
        "distance",
        "where",
        "space",
    ),
    "temporal": (
        "time",
        "past",
        "future",
        "yesterday",
        "tomorrow",
        "years",
        "clock",
        "moment",
        "someday",
        "ago",
        "when",
    ),
    "causal": ("because", "cause", "reason", "why", "therefore", "consequence", "so that", "leads"),
    "perceptual": (
        "see",
        "saw",
        "hear",
        "heard",
        "sound",
        "look",
        "light",
        "image",
        "mirror",
        "glass",
        "seen",
    ),
    "memory": (
        "remember",
        "memory",
        "memories",
        "forget",
        "forgot",
        "forgotten",
        "recall",
        "remembers",
    ),
    "ontological": (
        "real",
        "exist",
        "imagined",
        "dream",
        "pretend",
        "illusion",
        "truth",
        "invented",
        "true",
    ),
    "narrative": ("story", "tale", "chapter", "narrator", "plot", "ending", "character", "told"),
    "identity": (
        "self",
        "myself",
        "identity",
        "name",
        "who i am",
        "mask",
        "stranger",
        "yourself",
        "person",
    ),
}
REBRACKETING_TYPES = tuple(TYPE_WORDS)
_MARKER_RE = re.compile("|".join(REBRACKETING_MARKERS), re.IGNORECASE)
_TYPE_RE = {
    t: re.compile(r"\b(" + "|".join(re.escape(w) for w in ws) + r")\b", re.IGNORECASE)
    for t, ws in TYPE_WORDS.items()
}


def has_rebracketing_markers(text: str) -> bool:
    return bool(_MARKER_RE.search(text or ""))


def rebracketing_types(text: str) -> list[str]:
    if not has_rebracketing_markers(text):
        return []
    return [t for t in REBRACKETING_TYPES if _TYPE_RE[t].search(text)]


class TextHead(nn.Module):
    def __init__(self, d_in: int, d_out: int, hidden: int = 128, dropout: float = 0.2):
        super().__init__()
        self.net = nn.Sequential(
            nn.LayerNorm(d_in),
            nn.Linear(d_in, hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, d_out),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def text_units(ds) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct text of each song once: its concept and each lyric line, with its
    embedding. A segment row repeats its song's concept for every track; counting texts, not
    rows, keeps the metrics from being weighted by how many stems a song has."""
    seen: dict[tuple[str, str], int] = {}
    emb, texts, songs, colors, targets = [], [], [], [], []
    for i in range(len(ds)):
        for text, vec, ok in (
            (ds.concept_texts[i], ds.concept[i], ds.concept_mask[i]),
            (ds.lyric_texts[i], ds.lyric[i], ds.lyric_mask[i]),
        ):
            key = (str(ds.songs[i]), text)
            if not ok or not text or key in seen:
                continue
            seen[key] = len(texts)
            emb.append(vec)
            texts.append(text)
            songs.append(ds.songs[i])
            colors.append(ds.colors[i])
            targets.append(ds.targets[i])
    return (
        np.asarray(emb, dtype=np.float32),
        texts,
        np.asarray(songs),
        np.asarray(colors),
        np.asarray(targets, dtype=np.float32),
    )


def train_text_task(
    data_dir: str | Path,
    run_dir: str | Path,
    *,
    task: str,
    epochs: int = 30,
    seed: int = 0,
    lr: float = 3e-3,
    val_fraction: float = 0.25,
    tracking_uri: str | None = None,
) -> dict:
    from chromatic.model import report

    torch.manual_seed(seed)
    run = Path(run_dir)
    run.mkdir(parents=True, exist_ok=True)
    ds = load_dataset(data_dir)
    emb, texts, songs, colors_all, targets = text_units(ds)
    x = torch.from_numpy(emb)
    split = song_split(songs, colors_all, val_fraction, seed)
    tr, va = torch.from_numpy(split.train), torch.from_numpy(split.val)
    if task == "rebracketing":
        names = ["has_rebracketing_markers"]
        y = torch.tensor([[float(has_rebracketing_markers(t))] for t in texts])
    elif task == "rebracketing-type":
        names = list(REBRACKETING_TYPES)
        y = torch.tensor([[float(k in rebracketing_types(t)) for k in names] for t in texts])
    elif task == "modes":
        names = [f"{a}:{m}" for a in AXES for m in MODES[a]]
        y = torch.from_numpy(targets.reshape(len(texts), 9))
    else:
        raise ValueError(f"unknown text task {task!r}")
    model = TextHead(x.shape[1], y.shape[1])
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    tracker = report.Tracker(
        Path(data_dir),
        tracking_uri,
        run_name=f"{run.name}-{task}",
        params={"task": task, "epochs": epochs, "seed": seed, "lr": lr},
    )

    pos = y[tr].mean(0).clamp(0.02, 0.98)  # balance rare labels by their training frequency

    def loss_fn(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if task == "modes":
            lp = F.log_softmax(logits.view(-1, 3, 3), dim=-1)
            t = target.view(-1, 3, 3)
            return (t * (t.clamp_min(1e-7).log() - lp)).sum(-1).sum(-1).mean()
        return F.binary_cross_entropy_with_logits(logits, target, pos_weight=(1 - pos) / pos)

    rng = np.random.default_rng(seed)
    history = []
    for epoch in range(epochs):
        model.train()
        perm = tr[torch.from_numpy(rng.permutation(len(tr)))]
        for s in range(0, len(perm), 64):
            b = perm[s : s + 64]
            loss = loss_fn(model(x[b]), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            vloss = float(loss_fn(model(x[va]), y[va]))
        history.append({"epoch": epoch + 1, "val_loss": vloss})
        tracker.log_epoch(history[-1])
    model.eval()
    with torch.no_grad():
        logits = model(x[va])
    metrics: dict = {
        "task": task,
        "split": "song-grouped",
        "unit": "distinct text (a concept or a lyric line)",
        "val_texts": len(va),
        "val_songs": len(split.val_songs),
        "train_texts": len(tr),
        "epochs": epochs,
    }
    if task == "modes":
        pred = F.softmax(logits.view(-1, 3, 3), dim=-1).numpy()
        colors = colors_all[split.val]
        metrics["validation"] = evaluate(pred, colors)
        for k, a in enumerate(AXES):
            labels = [*MODES[a], "none"]
            yt = np.array(
                [
                    labels.index(lb)
                    if (lb := true_labels(c)[k]) in labels
                    else labels.index(lb.split("+")[0])
                    for c in colors
                ]
            )
            yp = np.array([labels.index(predicted_label(a, p)) for p in pred[:, k]])
            metrics[f"f1_{a}"] = f1_per_class(yt, yp, labels)
    else:
        yt = y[va].numpy().astype(int)
        yp = (torch.sigmoid(logits) >= 0.5).numpy().astype(int)
        metrics["labels"] = "weak labels from the documented lexicon in chromatic.model.text_tasks"
        metrics["positive_rate_train"] = {
            n: float(v) for n, v in zip(names, y[tr].mean(0).tolist(), strict=True)
        }
        metrics["f1"] = f1_per_class(yt, yp, names)
        metrics["macro_f1"] = float(np.mean([v["f1"] for v in metrics["f1"].values()]))
        metrics["majority_baseline_accuracy"] = float(
            np.mean(yt == (y[tr].mean(0).numpy() >= 0.5).astype(int))
        )
        metrics["accuracy"] = float(np.mean(yt == yp))
    torch.save(
        {
            "task": task,
            "names": names,
            "state_dict": model.state_dict(),
            "d_in": x.shape[1],
            "encoders": ds.encoders,
        },
        run / "model.pt",
    )
    write_text_atomic(run / "metrics.json", json.dumps({**metrics, "history": history}, indent=2))
    _plot_f1(metrics, run / "f1.png")
    tracker.finish(metrics, [run / "metrics.json", run / "f1.png"])
    return metrics


def _plot_f1(metrics: dict, path: Path) -> None:
    from chromatic.model.report import _plt

    plt = _plt()
    groups = {k: v for k, v in metrics.items() if k.startswith("f1")}
    items = [
        (f"{g.removeprefix('f1_')}:{n}" if g != "f1" else n, d["f1"])
        for g, v in groups.items()
        for n, d in v.items()
    ]
    fig, ax = plt.subplots(figsize=(max(4, 0.5 * len(items) + 2), 3.5))
    ax.bar(range(len(items)), [v for _, v in items], color="#4477aa")
    ax.set_xticks(range(len(items)), [n for n, _ in items], rotation=60, ha="right", fontsize=8)
    ax.set(
        ylim=(0, 1), ylabel="F1", title=f"{metrics['task']}: per-class F1 (song-grouped validation)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
