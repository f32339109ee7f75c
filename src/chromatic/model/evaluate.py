"""The honest evaluation protocol: nested song-grouped cross-validation.

Outer folds (StratifiedGroupKFold: grouped by song, stratified by color) hold out whole songs;
each outer test fold is only ever *reported*. Inside the outer training songs, inner folds
choose everything that is chosen: the epoch (``fit``'s early stopping runs on the inner
validation songs) and, when a grid is given, any hyperparameter (the candidate with the best
mean inner-validation accuracy). The chosen candidate is then re-trained on every outer
training song for the epoch where the inner folds' mean validation curve peaks (as ``train`` does on its own
split), and that model predicts the outer fold: no model that saw, or was selected on, a test
song predicts it, and the model reported is trained on as many songs as the fold allows (an
ensemble of inner models would each have seen a fraction of them: on 16 songs, fewer songs
than colors). Every decision is logged with the songs it saw, so a test can prove the reported
fold took no part (``NestedResult.decisions``).

The refit model is calibrated (temperatures, confidence scaling) on the outer training songs'
out-of-fold outputs, each inner model on its own validation songs, so the ECE reported on the
outer fold is measured on songs that fitted nothing.

Besides the masked ablations, "MIDI head" is the model's own MIDI-only output, the one the
scorer ranks candidates by; the MIDI-only target-vs-other AUC is measured on it.

Modality ablations mask inputs at prediction time (the same trained models), so they measure
what each input carries for the model as trained, not a model trained without it.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from chromatic.errors import ChromaticError
from chromatic.model.data import Dataset, Split
from chromatic.model.eval_stats import (
    accuracy_interval,
    auc_interval,
    axis_groups,
    axis_mapping,
    calibration,
    constant_prediction,
    correct_matrix,
    majority_prediction,
)
from chromatic.model.fusion import FusionConfig
from chromatic.model.metrics import evaluate
from chromatic.taxonomy import AXES

#: Inputs each ablation keeps (the rest are masked as absent at prediction time).
ABLATIONS: dict[str, frozenset[str]] = {
    "all inputs": frozenset({"audio", "midi", "concept", "lyric"}),
    "MIDI only": frozenset({"midi"}),
    "text only": frozenset({"concept", "lyric"}),
    "audio only": frozenset({"audio"}),
    "no input": frozenset(),
}
#: The model's dedicated MIDI-only output (what the scorer ranks by), reported beside the ablations.
MIDI_HEAD = "MIDI head"
_MASKS = {"audio": "audio_mask", "concept": "concept_mask", "lyric": "lyric_mask"}
#: Dataset fields that may carry MIDI presence besides ``roll_index`` (zeroed when present).
_MIDI_MASK_FIELDS = ("midi_mask", "symbolic_mask", "features_mask")


def mask_modalities(ds: Dataset, keep: frozenset[str]) -> Dataset:
    """A copy of ``ds`` in which every modality outside ``keep`` is absent."""
    names = {f.name for f in dataclasses.fields(ds)}
    changes: dict = {m: np.zeros_like(getattr(ds, f)) for m, f in _MASKS.items() if m not in keep}
    if "midi" not in keep:
        changes["roll_index"] = np.full_like(ds.roll_index, -1)
        changes.update({f: np.zeros_like(getattr(ds, f)) for f in _MIDI_MASK_FIELDS if f in names})
    return dataclasses.replace(ds, **{_MASKS.get(k, k): v for k, v in changes.items()})


def song_folds(
    songs: np.ndarray, colors: np.ndarray, k: int, seed: int, rows: np.ndarray | None = None
) -> list[Split]:
    """k song-grouped folds of ``rows`` (default: all), stratified by color. ``Split.val`` is
    the held-out fold; indices are into the full arrays."""
    rows = np.arange(len(songs)) if rows is None else np.asarray(rows)
    s, c = songs[rows], colors[rows]
    n_songs = len(set(s.tolist()))
    if n_songs < 2:
        raise ChromaticError(f"{n_songs} song(s): song-grouped folds need at least 2 songs")
    k = min(k, n_songs)
    sgkf = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    out = []
    with warnings.catch_warnings():  # "least populated class has fewer members than n_splits"
        warnings.simplefilter("ignore", UserWarning)
        for tr, te in sgkf.split(np.zeros(len(rows)), c, groups=s):
            out.append(
                Split(
                    train=rows[tr],
                    val=rows[te],
                    kind="song",
                    train_songs=sorted(set(s[tr].tolist())),
                    val_songs=sorted(set(s[te].tolist())),
                    unvalidated_colors=sorted(set(c[tr].tolist()) - set(c[te].tolist())),
                )
            )
    return out


@dataclass
class NestedResult:
    """Out-of-fold predictions of every ablation and the record of every decision."""

    fold_of: np.ndarray  # [N] outer fold of each row
    predictions: dict[str, np.ndarray]  # ablation -> [N, 3, 3]
    confidence: dict[str, np.ndarray]  # ablation -> [N]
    majority: np.ndarray  # [N, 3, 3] per-axis majority of each fold's training rows
    folds: list[dict] = field(default_factory=list)
    decisions: list[dict] = field(default_factory=list)


FitFn = Callable[..., tuple]
PredictFn = Callable[..., tuple]


def _default_fns() -> tuple[FitFn, PredictFn]:
    from chromatic.model.train import fit, predict

    return fit, predict


def nested_cv(
    ds: Dataset,
    cfg: FusionConfig,
    *,
    folds: int = 5,
    inner: int = 3,
    seed: int = 0,
    grid: list[dict] | None = None,
    device: str = "cpu",
    progress: bool = False,
    fit_fn: FitFn | None = None,
    predict_fn: PredictFn | None = None,
    ray: str | None = None,
) -> NestedResult:
    """Run the protocol (module docstring). ``grid``: config overrides to choose among on the
    inner folds (default: the config alone, so only the epoch is chosen). ``ray``: run each
    outer fold as a Ray task on that cluster ("local": one started on 127.0.0.1 for the run;
    ``model.evaluate_ray``): the same folds, fits and seeds, so the same numbers."""
    from rich.progress import Progress

    grid = grid or [{}]
    n = len(ds)
    outer = song_folds(ds.songs, ds.colors, folds, seed)
    res = NestedResult(
        fold_of=np.full(n, -1),
        predictions={a: np.zeros((n, 3, 3), np.float32) for a in ABLATIONS},
        confidence={a: np.zeros(n, np.float32) for a in ABLATIONS},
        majority=np.zeros((n, 3, 3), np.float32),
    )
    kw = {"inner": inner, "seed": seed, "grid": grid, "device": device}
    kw |= {"fit_fn": fit_fn, "predict_fn": predict_fn}
    if ray is not None:
        from chromatic.model.evaluate_ray import folds_on_ray

        outs = folds_on_ray(ray, outer_fold, ds, cfg, outer, kw, progress=progress)
    else:
        outs = []
        with Progress(disable=not progress) as bar:
            task = bar.add_task("nested CV", total=len(outer) * inner * len(grid))

            def step(text: str, done: int) -> None:
                bar.update(task, description=text, advance=done)

            for f, osplit in enumerate(outer):
                outs.append(outer_fold(ds, cfg, f, osplit, len(outer), on_step=step, **kw))
    for out in outs:
        te = out["test"]
        res.fold_of[te] = out["fold"]["fold"]
        for a, pred in out["predictions"].items():
            res.predictions.setdefault(a, np.zeros((n, 3, 3), np.float32))[te] = pred
            res.confidence.setdefault(a, np.zeros(n, np.float32))[te] = out["confidence"][a]
        res.majority[te] = out["majority"]
        res.decisions.extend(out["decisions"])
        res.folds.append(out["fold"])
    return res


def outer_fold(
    ds: Dataset,
    cfg: FusionConfig,
    f: int,
    osplit: Split,
    n_outer: int,
    *,
    inner: int,
    seed: int,
    grid: list[dict],
    device: str,
    fit_fn: FitFn | None = None,
    predict_fn: PredictFn | None = None,
    on_step: Callable[[str, int], None] | None = None,
) -> dict:
    """One outer fold of the protocol: inner fits, selection, refit, calibration, predictions
    on the fold's test songs (every ablation and the MIDI head). A function of its arguments
    alone (every fit seeds itself), so a Ray task computes what the local loop computes."""
    d_fit, d_predict = _default_fns()
    fit_fn, predict_fn = fit_fn or d_fit, predict_fn or d_predict
    step = on_step or (lambda text, done: None)
    test_songs = set(osplit.val_songs)
    decisions: list[dict] = []
    inner_splits = song_folds(ds.songs, ds.colors, inner, seed + 1 + f, rows=osplit.train)
    scores, models, epochs, curves = [], [], [], []
    for g, override in enumerate(grid):
        c = FusionConfig.from_dict({**cfg.to_dict(), **override})
        ms, ss, es, hs = [], [], [], []
        for i, isplit in enumerate(inner_splits):
            step(f"fold {f + 1}/{n_outer}, inner {i + 1}/{len(inner_splits)}", 0)
            model, hist, best_epoch, _ = fit_fn(ds, isplit, c, run_dir=None, progress=False)
            pred, _conf, _loss = predict_fn(model, ds, isplit.val, device)
            ss.append(evaluate(pred, ds.colors[isplit.val]).get("mean_mode_accuracy", 0.0))
            ms.append(model)
            es.append(int(best_epoch))
            hs.append(hist)
            songs = sorted(set(isplit.train_songs) | set(isplit.val_songs))
            decisions.append(
                {"outer": f, "stage": "inner fit + epoch", "candidate": g, "songs": songs}
            )
            step(f"fold {f + 1}/{n_outer}, inner {i + 1}/{len(inner_splits)}", 1)
        scores.append(float(np.mean(ss)))
        models.append(ms)
        epochs.append(es)
        curves.append(hs)
    best = int(np.argmax(scores))
    decisions.append(
        {"outer": f, "stage": "select candidate", "candidate": best, "songs": osplit.train_songs}
    )
    assert not test_songs & set(osplit.train_songs)
    chosen = FusionConfig.from_dict({**cfg.to_dict(), **grid[best]})
    refit_epochs = mean_curve_epoch(curves[best], epochs[best])
    everything = Split(
        train=osplit.train,
        val=np.zeros(0, dtype=np.int64),
        kind="song",
        train_songs=list(osplit.train_songs),
        val_songs=[],
        unvalidated_colors=[],
    )
    step(f"fold {f + 1}/{n_outer}, refit ({refit_epochs} epochs)", 0)
    model = fit_fn(ds, everything, chosen, run_dir=None, progress=False, fixed_epochs=refit_epochs)[
        0
    ]
    cal = calibrate_out_of_fold(model, models[best], inner_splits, ds, device)
    if cal is not None:
        decisions.append({"outer": f, "stage": "calibrate the refit", **cal, "songs": cal["songs"]})
    decisions.append(
        {
            "outer": f,
            "stage": "refit on the outer training songs",
            "candidate": best,
            "epochs": refit_epochs,
            "songs": osplit.train_songs,
        }
    )
    te = osplit.val
    preds, confs = {}, {}
    for a, keep in ABLATIONS.items():
        preds[a], confs[a], _ = predict_fn(model, mask_modalities(ds, keep), te, device)
    head = _midi_head(model, mask_modalities(ds, ABLATIONS["MIDI only"]), te, device)
    if head is not None:
        preds[MIDI_HEAD], confs[MIDI_HEAD] = head, confs["MIDI only"]
    targets_of = {c: ds.targets[np.flatnonzero(ds.colors == c)[0]] for c in set(ds.colors.tolist())}
    return {
        "test": te,
        "predictions": preds,
        "confidence": confs,
        "majority": majority_prediction(ds.colors[osplit.train], targets_of, len(te)),
        "decisions": decisions,
        "fold": {
            "fold": f,
            "test_songs": osplit.val_songs,
            "train_songs": osplit.train_songs,
            "inner_scores": scores,
            "chosen": best,
            "chosen_override": grid[best],
            "inner_best_epochs": epochs[best],
            "refit_epochs": refit_epochs,
        },
    }


def calibrate_out_of_fold(
    model, inner_models: list, inner_splits: list, ds: Dataset, device: str
) -> dict | None:
    """Calibrate the refit model on the outer training songs' out-of-fold outputs: each inner
    model on its own validation songs, pooled (every training song once, by a model that never
    trained on it), as ``train`` hands the selection fit's calibration to its refit. The
    reported fold chooses nothing here either. A model without calibration buffers is left
    as it is."""
    from chromatic.model.calibrate import calibrate
    from chromatic.model.infer import raw_outputs

    if not all(hasattr(m, "temperature") for m in (model, *inner_models)):
        return None
    raws = [
        raw_outputs(m, ds, s.val, device) for m, s in zip(inner_models, inner_splits, strict=True)
    ]
    raw = {k: np.concatenate([r[k] for r in raws]) for k in raws[0]}
    idx = np.concatenate([s.val for s in inner_splits])
    info = calibrate(model, raw, ds.targets[idx], ds.colors[idx])
    model.calibration = {**info, "fitted_on": "the inner folds' validation songs, out of fold"}
    return {
        "rows": len(idx),
        "calibrated": bool(info.get("calibrated")),
        "songs": sorted(set(ds.songs[idx].tolist())),
    }


def mean_curve_epoch(histories: list[list[dict]], best_epochs: list[int]) -> int:
    """The epoch to re-train for: the first maximum of the inner folds' validation curves
    (``selection.selection_score`` per epoch) averaged over the folds, a curve that stopped early
    held at its last value. One fold that never started learning (its own best epoch 1 or 2,
    at the majority baseline) cannot pull the choice down as a median of per-fold maxima
    would. Falls back to the median best epoch when the histories carry no validation."""
    from chromatic.model.selection import selection_score

    rows = [[selection_score(r) for r in h if "val_loss" in r] for h in histories]
    rows = [r for r in rows if r]
    if not rows:
        return max(1, int(np.median(best_epochs)))
    n = max(len(r) for r in rows)
    curve = np.mean([r + [r[-1]] * (n - len(r)) for r in rows], axis=0)
    return int(np.argmax(curve)) + 1


def _midi_head(model, ds: Dataset, idx: np.ndarray, device: str) -> np.ndarray | None:
    """The model's MIDI-only output on ``idx`` (None for a model without one)."""
    from chromatic.model.infer import predict_outputs

    try:
        return predict_outputs(model, ds, idx, device)["midi_pred"]
    except (AttributeError, KeyError, TypeError):
        return None


def summarize(ds: Dataset, res: NestedResult, *, seed: int = 0) -> dict:
    """Figures of the report: per-axis accuracy with 95 % song intervals for every ablation and
    both baselines, the album accuracy, ECE per fold, the MIDI-only target-vs-other AUC."""
    groups = axis_groups()
    songs, colors = ds.songs, ds.colors
    systems = {
        **res.predictions,
        "constant (uniform)": constant_prediction(len(ds)),
        "majority (train folds)": res.majority,
    }
    acc: dict[str, dict] = {}
    for name, pred in systems.items():
        corr = correct_matrix(pred, colors)
        row = {g[0]: accuracy_interval(corr[:, AXES.index(g[0])], songs, seed) for g in groups}
        row["all axes"] = accuracy_interval(corr.all(axis=1), songs, seed)
        acc[name] = row
    dep = []
    for g in groups:
        for other in g[1:]:
            m = axis_mapping(g[0], other)
            corr = correct_matrix(res.predictions["all inputs"], colors)
            agree = float((corr[:, AXES.index(g[0])] == corr[:, AXES.index(other)]).mean())
            dep.append({"reported": g[0], "identical": other, "map": m, "heads_agree": agree})
    ece = []
    for f in range(len(res.folds)):
        te = res.fold_of == f
        ece.append(
            {
                "fold": f,
                **calibration(
                    res.predictions["all inputs"][te], res.confidence["all inputs"][te], colors[te]
                ),
            }
        )
    has_midi = ds.roll_index >= 0
    ranked = MIDI_HEAD if MIDI_HEAD in res.predictions else "MIDI only"
    auc = (
        {
            **auc_interval(
                res.predictions[ranked][has_midi], colors[has_midi], songs[has_midi], seed
            ),
            "output": ranked,
        }
        if has_midi.any()
        else None
    )
    return {
        "rows": len(ds),
        "songs": len(set(songs.tolist())),
        "axis_groups": [list(g) for g in groups],
        "dependence": dep,
        "accuracy": acc,
        "ece_per_fold": ece,
        "midi_only_auc": auc,
        "folds": res.folds,
    }
