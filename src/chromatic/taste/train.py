"""``taste train``: a decisions table in, a taste folder (ONNX per phase + taste.json) out."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chromatic.scoring.taste_features import FEATURE_NAMES, feature_matrix
from chromatic.taste.collect import TasteError, now_utc, read_table
from chromatic.taste.learn import MIN_DECISIONS, Decisions, choose_c, evaluate, explain_weights, fit
from chromatic.taste.model_file import save


@dataclass
class TrainReport:
    out: Path | None
    phases: dict[str, dict] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


def decisions_of(rows: list[dict]) -> Decisions:
    """One phase's rows as a Decisions (features computed from each row's MIDI and key)."""
    x = feature_matrix([(r["midi"], r["key"]) for r in rows])
    return Decisions(
        x=x,
        approved=np.array([r["status"] == "approved" for r in rows]),
        songs=np.array([r["song_id"] for r in rows]),
        groups=np.array([f"{r['song_id']}/{r.get('section') or ''}" for r in rows]),
        composite=np.array([float(r.get("composite") or 0.0) for r in rows]),
    )


def _refusal(phase: str, rows: list[dict], minimum: int) -> str | None:
    counts = Counter(r["status"] for r in rows)
    songs = len({r["song_id"] for r in rows})
    if len(rows) < minimum:
        return (
            f"{phase}: {len(rows)} decisions ({counts['approved']} approved, {counts['rejected']} "
            f"rejected); need at least {minimum} to learn from (--min-decisions lowers it)"
        )
    if not counts["approved"] or not counts["rejected"]:
        return f"{phase}: {len(rows)} decisions but all {next(iter(counts))}: need both approved and rejected"
    if songs < 2:
        return f"{phase}: decisions from {songs} song; need at least 2 songs for a song-grouped validation"
    return None


def train_taste(
    table: str | os.PathLike,
    out: str | os.PathLike | None,
    *,
    seed: int = 0,
    minimum: int = MIN_DECISIONS,
    folds: int = 5,
) -> TrainReport:
    """Fit, evaluate and (when ``out`` is given) export one model per phase with enough
    decisions; a TasteError naming the counts when no phase has enough."""
    rows = read_table(table)
    by_phase: dict[str, list[dict]] = {}
    for r in rows:
        by_phase.setdefault(r["phase"], []).append(r)
    report = TrainReport(out=None)
    models = {}
    for phase, phase_rows in sorted(by_phase.items()):
        why = _refusal(phase, phase_rows, minimum)
        if why:
            report.refused[phase] = why
            continue
        d = decisions_of(phase_rows)
        ev = evaluate(d, folds=folds, seed=seed)
        everything = np.arange(len(d.x))
        penalty, c = choose_c(d, everything, seed)
        model = fit(d, everything, c, penalty)
        if model is None:
            report.refused[phase] = (
                f"{phase}: no song has both an approved and a rejected candidate"
            )
            continue
        metrics = {
            "decisions": len(phase_rows),
            "songs": len(np.unique(d.songs)),
            "approved": int(d.approved.sum()),
            "rejected": int((~d.approved).sum()),
            **ev.to_dict(),
            "top_features": explain_weights(model, FEATURE_NAMES),
        }
        models[phase] = (model, metrics)
        report.phases[phase] = metrics
    if not models:
        detail = "; ".join(report.refused.values()) or f"{table}: no decisions in the table"
        raise TasteError(f"cannot train a taste model: {detail}")
    if out is not None:
        report.out = save(out, models, {"trained_at": now_utc(), "table": str(table), "seed": seed})
    return report
