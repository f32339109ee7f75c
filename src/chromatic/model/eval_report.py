"""``chromatic evaluate``: a RUN (or MODEL) and a DATA folder -> evaluation.md, .png, .json.

The run's (or model's) configuration is re-trained per fold under the nested protocol of
``chromatic.model.evaluate``; the trained weights themselves are not reused, because they
saw songs that the outer folds report.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from chromatic.errors import ChromaticError
from chromatic.fileio import atomic_path, write_text_atomic
from chromatic.model.fusion import FusionConfig

REPORT_MD, REPORT_PNG, REPORT_JSON = "evaluation.md", "evaluation.png", "evaluation.json"


def config_of(source: str | Path) -> FusionConfig:
    """The training configuration of a RUN folder (config.json), a model.pt, or an exported
    MODEL (MODEL.json's "config")."""
    p = Path(source)
    candidates = (
        [p / "config.json", p] if p.is_dir() else [p, p.with_suffix(".json"), Path(f"{p}.json")]
    )
    for c in candidates:
        if c.is_file() and c.suffix == ".json":
            d = json.loads(c.read_text())
            d = d.get("config", d) if isinstance(d, dict) else d
            if isinstance(d, dict) and "text_dim" in d:
                return FusionConfig.from_dict(d)
        if c.is_file() and c.suffix == ".pt":
            import torch

            return FusionConfig.from_dict(
                torch.load(c, map_location="cpu", weights_only=False)["config"]
            )
    raise ChromaticError(
        f"{p}: no training configuration found; expected a run folder with config.json, "
        "a model.pt, or an exported MODEL with MODEL.json"
    )


def _pct(x: dict) -> str:
    return f"{x['value']:.1%} [{x['low']:.1%}, {x['high']:.1%}]"


def markdown(summary: dict, source: str) -> str:
    acc, groups = summary["accuracy"], [g[0] for g in summary["axis_groups"]]
    cols = [*groups, "all axes"]
    lines = [
        f"# Evaluation of {source}",
        "",
        f"Nested song-grouped cross-validation over {summary['songs']} songs ({summary['rows']} rows): "
        f"{len(summary['folds'])} outer folds (stratified by color), epochs chosen on inner folds only; "
        "each outer fold is predicted by a model re-trained on the fold's training songs for the "
        "median inner epoch, and only reported. Intervals: 95 % bootstrap over songs. Ablations "
        "mask inputs at prediction time; *MIDI head* is the model's own MIDI-only output, the one "
        "the scorer ranks candidates by.",
        "",
        "| system | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
    ]
    for name, row in acc.items():
        lines.append(f"| {name} | " + " | ".join(_pct(row[c]) for c in cols) + " |")
    lines.append("")
    for d in summary["dependence"]:
        pairs = ", ".join(f"{k}↔{v}" for k, v in d["map"].items())
        lines.append(
            f"*{d['identical']}* is not reported: the taxonomy makes it the same label as *{d['reported']}* "
            f"for every color ({pairs}); the two heads agree on correctness for {d['heads_agree']:.1%} of rows."
        )
    lines += [
        "",
        "Calibration (ECE, all inputs) per outer fold; each fold's model was calibrated on its "
        "training songs' out-of-fold outputs (the inner models on their validation songs), so "
        "these are measured on songs that fitted nothing:",
        "",
    ]
    for e in summary["ece_per_fold"]:
        parts = ", ".join(f"{k} {v:.3f}" for k, v in e.items() if k != "fold")
        lines.append(f"- fold {e['fold'] + 1}: {parts}")
    auc = summary["midi_only_auc"]
    lines += [""]
    if auc:
        lines.append(
            f"MIDI only ({auc.get('output', 'MIDI only')}), target-vs-other-color AUC (macro over "
            f"colors, rows with MIDI): {auc['value']:.3f} "
            f"[{auc['low']:.3f}, {auc['high']:.3f}] over {auc['songs']} songs (chance 0.5)."
        )
    lines += [
        "",
        "Folds: "
        + "; ".join(
            f"{f['fold'] + 1}: test {', '.join(f['test_songs'])} (inner best epochs "
            f"{f['inner_best_epochs']}, re-trained on the fold's training songs for "
            f"{f.get('refit_epochs', '?')})"
            for f in summary["folds"]
        ),
        "",
    ]
    return "\n".join(lines)


def plot(summary: dict, path: Path) -> None:
    """Bars of accuracy per axis group with interval whiskers, baselines beside the models."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    acc = summary["accuracy"]
    cols = [*[g[0] for g in summary["axis_groups"]], "all axes"]
    names = list(acc)
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(2.2 * len(cols) + 3, 4.5))
    for k, name in enumerate(names):
        v = np.array([acc[name][c]["value"] for c in cols])
        lo = v - np.array([acc[name][c]["low"] for c in cols])
        hi = np.array([acc[name][c]["high"] for c in cols]) - v
        x = np.arange(len(cols)) + (k - (len(names) - 1) / 2) * width
        base = name.startswith(("constant", "majority"))
        ax.bar(
            x,
            v,
            width,
            yerr=[lo, hi],
            capsize=2,
            label=name,
            hatch="//" if base else None,
            alpha=0.55 if base else 0.9,
        )
    ax.set_xticks(np.arange(len(cols)), cols)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy on held-out songs")
    ax.set_title("nested song-grouped CV, 95 % intervals over songs")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)


def evaluate_source(
    source: str | Path,
    data: str | Path,
    out: str | Path,
    *,
    folds: int = 5,
    inner: int = 3,
    epochs: int | None = None,
    seed: int = 0,
    progress: bool = True,
    ray: str | None = None,
) -> dict:
    """Re-train SOURCE's configuration under the nested protocol on DATA; write the report
    (``ray``: the outer folds as tasks on that Ray cluster, ``model.evaluate_ray``)."""
    from chromatic.model.data import load_dataset
    from chromatic.model.evaluate import nested_cv, summarize

    cfg = config_of(source)
    ds = load_dataset(data, progress=progress)
    cfg.text_dim = ds.encoders["text_encoder"]["dim"]
    cfg.audio_dim = ds.encoders["audio_encoder"]["dim"]
    if epochs:
        cfg.epochs = epochs
        cfg.patience = min(cfg.patience, epochs)
    res = nested_cv(ds, cfg, folds=folds, inner=inner, seed=seed, progress=progress, ray=ray)
    summary = summarize(ds, res, seed=seed)
    summary["config"] = cfg.to_dict()
    outp = Path(out)
    outp.mkdir(parents=True, exist_ok=True)
    write_text_atomic(outp / REPORT_MD, markdown(summary, str(source)))
    write_text_atomic(
        outp / REPORT_JSON,
        json.dumps({**summary, "decisions": res.decisions}, indent=2, default=float),
    )
    plot(summary, outp / REPORT_PNG)
    return summary
