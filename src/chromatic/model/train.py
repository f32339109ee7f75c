"""Training the fusion model: song-grouped validation, early stopping on mean mode accuracy,
checkpoints that resume the curve, metrics JSON + PNG reports, MLflow tracking.

A run folder holds everything needed to understand and reuse the run:
``config.json`` (every hyperparameter + encoder ids and dims), ``split.json`` (which songs
validate), ``checkpoint.pt`` (the last epoch: model, optimiser, history, RNG), ``model.pt``
(the best epoch's weights + config), ``metrics.json``, ``curves.png``, ``confusion.png``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from chromatic.errors import ChromaticError
from chromatic.fileio import atomic_path, write_text_atomic
from chromatic.model import distributed
from chromatic.model.data import (
    Dataset,
    Split,
    inner_split,
    load_dataset,
    row_split,
    song_split,
)
from chromatic.model.eval_stats import calibration as calibration_report
from chromatic.model.fusion import FusionConfig, FusionModel, count_parameters, fusion_loss
from chromatic.model.infer import (
    batch_tensors,
    fit_calibration,
    predict,
    predict_outputs,
    set_feature_stats,
)
from chromatic.model.metrics import confusion, evaluate, majority_baseline
from chromatic.model.model_file import (  # noqa: F401  (load_model: re-exported)
    MODEL_FILE,
    copy_calibration,
    load_model,
    save_model,
)
from chromatic.model.selection import PROTOCOL, seen_colors, seen_score, selection_score
from chromatic.music.pianoroll import roll_config
from chromatic.taxonomy import COLORS

CHECKPOINT = "checkpoint.pt"


@dataclass
class TrainResult:
    run_dir: Path
    metrics: dict
    history: list[dict]
    best_epoch: int
    resumed_from: int


def _seed_all(seed: int) -> None:
    np.random.seed(seed)
    torch.manual_seed(seed)


def fit(
    ds: Dataset,
    split: Split,
    cfg: FusionConfig,
    *,
    run_dir: Path | None,
    device: str = "cpu",
    resume: bool = False,
    progress: bool = True,
    stage: str = "training",
    log_epoch=None,
    fixed_epochs: int | None = None,
) -> tuple[FusionModel, list[dict], int, int]:
    """Train with early stopping on ``split.val``; checkpoint every epoch into ``run_dir`` (if
    given). Returns the model with the best epoch's weights, the history, best epoch, resumed
    epoch. With ``fixed_epochs`` (an epoch count chosen elsewhere, on other songs) it trains
    exactly that many epochs, keeps the last and fits no calibration: ``split.val`` may be
    empty and nothing is selected on it."""
    if fixed_epochs is not None:
        cfg = FusionConfig.from_dict({**cfg.to_dict(), "epochs": fixed_epochs, "patience": 10**6})
    _seed_all(cfg.seed)
    model = FusionModel(cfg).to(device)
    set_feature_stats(model, ds, split.train)
    net = distributed.wrap(model)  # DDP under torchrun (model/distributed.py), else model
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    history: list[dict] = []
    best = {"score": -1.0, "loss": float("inf"), "epoch": 0, "state": None}
    stale, start_epoch = 0, 0
    rng = np.random.default_rng(cfg.seed)
    ckpt_path = run_dir / CHECKPOINT if run_dir else None
    if resume and ckpt_path and ckpt_path.is_file():
        ck = torch.load(ckpt_path, map_location=device, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        history, best, stale, start_epoch = ck["history"], ck["best"], ck["stale"], ck["epoch"]
        rng.bit_generator.state = ck["numpy_rng"]
        torch.set_rng_state(ck["torch_rng"])
    resumed_from = start_epoch
    seen = seen_colors(ds, split)
    if fixed_epochs is None and len(split.val) and not seen.any():  # none can choose: run all
        cfg = FusionConfig.from_dict({**cfg.to_dict(), "patience": 10**6})
    from chromatic.model.bars import epoch_bar

    with epoch_bar(progress) as bar:
        task = bar.add_task(stage, total=cfg.epochs, completed=start_epoch)
        for epoch in range(start_epoch, cfg.epochs):
            if stale >= cfg.patience:
                break
            t0 = time.perf_counter()
            model.train()
            perm = rng.permutation(split.train)
            total = 0.0
            for s in range(0, len(perm), cfg.batch_size):
                b = perm[s : s + cfg.batch_size]
                if len(b) < distributed.step_rows():  # BatchNorm needs two rows (per rank)
                    continue
                inputs, targets = batch_tensors(ds, b, device, rng=rng, cfg=cfg)
                inputs, targets = distributed.shard(inputs, targets)
                loss, _ = fusion_loss(
                    net(**inputs),
                    targets,
                    cfg.confidence_weight,
                    cfg.midi_aux_weight,
                    inputs["midi_mask"],
                )
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(b)
            distributed.end_epoch(model)
            train_pred, _, _ = predict(model, ds, split.train, device)
            if fixed_epochs is not None:
                rec = {
                    "epoch": epoch + 1,
                    "train_loss": total / max(len(split.train), 1),
                    "seconds": time.perf_counter() - t0,
                    **{
                        f"train_{k}": v
                        for k, v in evaluate(train_pred, ds.colors[split.train]).items()
                        if k != "n"
                    },
                }
                history.append(rec)
                best = {"score": 0.0, "loss": 0.0, "epoch": epoch + 1, "state": None}
                bar.update(
                    task,
                    completed=epoch + 1,
                    description=f"{stage}: train loss {rec['train_loss']:.3f}",
                )
                continue
            vo = predict_outputs(model, ds, split.val, device)
            val_pred, val_loss = vo["pred"], float(vo["loss"])
            vm = split.val[ds.midi_mask[split.val] > 0]
            midi_eval = (
                evaluate(vo["midi_pred"][ds.midi_mask[split.val] > 0], ds.colors[vm])
                if len(vm)
                else {}
            )
            rec = {
                "epoch": epoch + 1,
                "train_loss": total / max(len(split.train), 1),
                "val_loss": val_loss,
                "seconds": time.perf_counter() - t0,
                **{
                    f"train_{k}": v
                    for k, v in evaluate(train_pred, ds.colors[split.train]).items()
                    if k != "n"
                },
                **{
                    f"val_{k}": v
                    for k, v in evaluate(val_pred, ds.colors[split.val]).items()
                    if k != "n"
                },
                **{f"val_midi_{k}": v for k, v in midi_eval.items() if k != "n"},
            }
            history.append(rec)
            if seen.all():
                score = selection_score(rec)
            elif seen.any():
                score = seen_score(vo, ds, split, seen)
            else:
                score = float(epoch + 1)  # no seen color: the last epoch is the best
            if score > best["score"] + 1e-9 or (
                abs(score - best["score"]) <= 1e-9 and val_loss < best["loss"]
            ):
                best = {
                    "score": score,
                    "loss": val_loss,
                    "epoch": epoch + 1,
                    "state": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
                }
                stale = 0
            else:
                stale += 1
            if log_epoch:
                log_epoch(rec)
            if ckpt_path:
                with atomic_path(ckpt_path) as tmp:
                    torch.save(
                        {
                            "model": model.state_dict(),
                            "optimizer": opt.state_dict(),
                            "history": history,
                            "best": best,
                            "stale": stale,
                            "epoch": epoch + 1,
                            "config": cfg.to_dict(),
                            "numpy_rng": rng.bit_generator.state,
                            "torch_rng": torch.get_rng_state(),
                        },
                        tmp,
                    )
            bar.update(
                task,
                completed=epoch + 1,
                description=f"{stage}: val color {rec['val_color_accuracy']:.0%}, "
                f"mean mode {rec['val_mean_mode_accuracy']:.0%}, loss {val_loss:.3f}",
            )
    if best["state"] is not None:
        model.load_state_dict(best["state"])
    model.eval()
    model.calibration = (
        {"calibrated": False, "why_not": "fixed epochs: calibration comes from the selection fit"}
        if fixed_epochs is not None
        else fit_calibration(model, ds, split.val, device, split.train)
    )
    return model, history, best["epoch"], resumed_from


def train_fusion(
    data_dir: str | Path,
    run_dir: str | Path,
    *,
    config: FusionConfig | None = None,
    device: str = "cpu",
    resume: bool = False,
    row_level: bool = True,
    tracking_uri: str | None = None,
    progress: bool = True,
) -> TrainResult:
    """Train on DATA, write the run folder, log to MLflow; also train with a row-level split
    (labelled as such: the same songs on both sides, so its figures are inflated) to show how
    much a song-grouped split changes the figures."""
    from chromatic.model import report

    data, run = Path(data_dir), Path(run_dir)
    if device == "cuda" and not torch.cuda.is_available():
        raise ChromaticError("--device cuda: no CUDA device is available here; use --device cpu")
    torch.set_num_threads(distributed.threads())
    cfg = config or FusionConfig()
    if resume and (run / "config.json").is_file():
        saved = FusionConfig.from_dict(json.loads((run / "config.json").read_text()))
        saved.epochs = cfg.epochs  # resuming may extend the run
        cfg = saved
    ds = load_dataset(data, roll_config=roll_config(cfg.roll_grid))  # the run's own roll grid
    if len(ds) < 4:
        raise ChromaticError(f"{data}: only {len(ds)} segment rows; need at least 4 to train")
    cfg.text_dim = ds.encoders["text_encoder"]["dim"]
    cfg.audio_dim = ds.encoders["audio_encoder"]["dim"]
    cfg.encoders = ds.encoders
    run.mkdir(parents=True, exist_ok=True)
    split = song_split(ds.songs, ds.colors, cfg.val_fraction, cfg.seed)
    if len(split.val) == 0:
        raise ChromaticError(
            "no color has two songs: a song-grouped validation split is impossible; add songs"
        )
    overlap = set(split.train_songs) & set(split.val_songs)
    assert not overlap, overlap  # the whole point of the song-grouped split
    # The epoch is chosen, and calibration fitted, on songs inside the training side only; the
    # validation songs are predicted once, at the end, and never choose anything.
    select = inner_split(ds.songs, ds.colors, split.train, cfg.val_fraction, cfg.seed + 1)
    assert not set(select.val_songs) & set(split.val_songs)
    write_text_atomic(run / "config.json", cfg.to_json())
    write_text_atomic(
        run / "split.json",
        json.dumps(
            {
                "kind": split.kind,
                "protocol": PROTOCOL,
                "train_songs": split.train_songs,
                "val_songs": split.val_songs,
                "selection_train_songs": select.train_songs,
                "selection_val_songs": select.val_songs,
                "unvalidated_colors": split.unvalidated_colors,
                "train_rows": len(split.train),
                "val_rows": len(split.val),
            },
            indent=2,
        ),
    )
    tracker = report.Tracker(data, tracking_uri, run_name=run.name, params=cfg.to_dict())
    selection_history: list[dict] = []
    best_epoch, resumed = cfg.epochs, 0
    chosen = None
    if len(select.val):
        chosen, selection_history, best_epoch, resumed = fit(
            ds,
            select,
            cfg,
            run_dir=run,
            device=device,
            resume=resume,
            progress=progress,
            log_epoch=tracker.log_epoch,
            stage="1/2 choosing the epoch",
        )
    again = {"run_dir": None, "device": device, "progress": progress}
    stage = f"2/2 re-training on all training songs, {best_epoch} epochs"
    model, history, _, _ = fit(ds, split, cfg, **again, fixed_epochs=best_epoch, stage=stage)
    if chosen is not None:
        copy_calibration(chosen, model)
    else:
        model.calibration = {"calibrated": False, "why_not": "one training song: no selection fold"}
    vo = predict_outputs(model, ds, split.val, device)
    val_pred, val_conf, val_loss = vo["pred"], vo["confidence"], float(vo["loss"])
    has_midi = ds.midi_mask[split.val] > 0
    metrics = {
        "task": "fusion",
        "colors": [c.name for c in COLORS if c.name in set(ds.colors.tolist())],
        "split": "song-grouped (no song in both train and validation)",
        "data_hash": ds.data_hash,
        "rows": {"train": len(split.train), "val": len(split.val)},
        "songs": {"train": len(split.train_songs), "val": len(split.val_songs)},
        "protocol": PROTOCOL,
        "best_epoch": best_epoch,
        "epochs_run": len(history),
        "selection": {
            "train_songs": len(select.train_songs),
            "val_songs": select.val_songs,
            "epochs_run": len(selection_history),
            "chosen_on_rows": int(seen_colors(ds, select).sum()) if len(select.val) else 0,
        },
        "parameters": count_parameters(model),
        "validation": {
            **evaluate(val_pred, ds.colors[split.val]),
            "loss": val_loss,
            "mean_confidence": float(val_conf.mean()) if len(val_conf) else None,
        },
        "validation_midi_only": {
            **evaluate(vo["midi_pred"][has_midi], ds.colors[split.val][has_midi]),
            "note": "MIDI-only output (every other modality absent), rows with MIDI",
        },
        "calibration": model.calibration,
        "validation_calibration": {
            **calibration_report(val_pred, val_conf, ds.colors[split.val]),
            "note": "ECE on the validation songs, which the calibration never saw",
        },
        "roll_grid": cfg.roll_grid,
        "baseline_majority_color": majority_baseline(ds, split),
        "encoders": ds.encoders,
        "data_dir": str(data.resolve()),
    }
    b = metrics["baseline_majority_color"]
    metrics["beats_baseline_by"] = {
        k: metrics["validation"][k] - b[k]
        for k in ("mean_mode_accuracy", "album_accuracy", "color_accuracy")
    }
    if row_level:
        rsplit = row_split(len(ds), cfg.val_fraction, cfg.seed, ds.songs)
        stage = "row-level split, for comparison only"
        rmodel, rhist, _, _ = fit(ds, rsplit, cfg, **again, stage=stage)
        rpred, _, rloss = predict(rmodel, ds, rsplit.val, device)
        metrics["row_level_split_for_comparison_only"] = {
            "warning": "rows split at random: the same songs are in train and validation, so these figures are "
            "inflated (they show what song leakage adds, not how the model generalises)",
            **evaluate(rpred, ds.colors[rsplit.val]),
            "loss": rloss,
            "epochs_run": len(rhist),
            "songs_in_both": len(set(rsplit.train_songs) & set(rsplit.val_songs)),
        }
    save_model(model, run / MODEL_FILE, {"metrics": metrics, "split": split.kind})
    write_text_atomic(
        run / "metrics.json",
        json.dumps(
            {**metrics, "history": selection_history, "refit_history": history},
            indent=2,
            default=float,
        ),
    )
    report.plot_curves(selection_history or history, run / "curves.png")
    report.plot_confusion(confusion(val_pred, ds.colors[split.val]), run / "confusion.png")
    tracker.finish(
        metrics,
        [run / "metrics.json", run / "curves.png", run / "confusion.png", run / "config.json"],
    )
    return TrainResult(run, metrics, history, best_epoch, resumed)
