"""Does targeting a color move the music? (issue #31)

1. A fitness model is trained, through the CLI as a user would (``real_cli``: catalog build ->
   segments build -> embed -> train -> export), on a two-color catalog from music21's corpus:
   major -> Red, minor -> Blue (``--task mode``; ``--corpus``: Essen folk tunes, Bach chorales
   or both, ``targeting_catalog``), or Essen tunes duple -> Red, triple -> Blue with no
   time-signature events (``--task meter``).
2. The same proposals (``--proposals`` variants of the example proposal: the title and
   concept differ; key, meter and color stay) are composed (``compose``, no audio) once
   targeting Red and once Blue, for each seed; once at the default weights and once with
   ``--chromatic-weight 0`` (the control). Both targets compose the *same* proposal file (its
   color, ``--palette``, default the example's Green: neither target, so its palette and style
   are the same for both); only the fitness model's target differs (``TargetScorer``: the
   model scores every candidate against Red or Blue instead of the proposal's color). At weight
   0 the two targets' songs are then the same bytes and the control is 0.5 by construction:
   before (fit2) each target composed its own color's proposal, whose palettes differ (Red:
   dorian, other instruments and form), and the control sat at 0.23-0.37.
3. Judges that never see the fitness model tell the two targets' songs apart
   (``targeting_judge``): the in-catalog LR (rotated pitch-class profile + 12-lag onset
   autocorrelation, trained on the model's own catalog: not independent, its onset half
   carries no mode out of sample), the held-out LR (pitch classes, trained on Essen tunes no
   catalog holds; its own cross-validated AUC printed) and music21's key analysis. Printed: the
   AUC of each judge for "targeted Red" with its interval over proposals (goal >= 0.9 at the
   default weights, <= 0.6 for the control).
4. ``--demo MODEL``: the example proposal composed for each of the 8 colors with that model,
   and the 8 x 8 table of each song's match to each color (goal: the diagonal is its row's
   maximum in >= 6 of 8 rows).

    .venv/bin/python benchmarks/targeting.py [--task mode] [--corpus essen] [--tunes 99]
        [--proposals 10] [--seeds 2] [--n 12] [--epochs 30] [--sections 2] [--demo demo/model] [--model MODEL]
        [--trust-model] [--evolve] [--no-control] [--palette Green] [--weight 0.7]
        [--steer chords,bass] [--judge-only] [--no-held-out] [--no-music21]

The figures, before and after each session's change: docs/targeting.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from essen_corpus import essen_tunes, onset_autocorr  # noqa: E402
from real_cli import cli, write_song  # noqa: E402
from targeting_catalog import CORPORA, catalog_tunes  # noqa: E402
from targeting_judge import (  # noqa: E402, F401 (proposal_intervals: re-exported)
    fit_pitch_judge,
    held_out_tunes,
    key_margin,
    line,
    pitch_features,
    proposal_intervals,
    verdict,
)

PROPOSAL = REPO / "examples" / "proposals" / "song_proposal_green_cooling_tower_choir_v1.yml"
RED, BLUE = "Red", "Blue"


def judge_features(score) -> np.ndarray:
    from chromatic.measure.reference_features import notes_of, rotated_pc_histogram

    return np.r_[rotated_pc_histogram(notes_of(score)), onset_autocorr(score)]


def m21_major(path: Path) -> float:
    """music21's key analysis of a MIDI file: 1 major, 0 minor."""
    from music21 import converter

    try:
        return float(converter.parse(str(path)).analyze("key").mode == "major")
    except Exception:
        return 0.5


def proposal_variant(k: int, color: str, out: Path) -> Path:
    """The example proposal with another title and concept line (key, meter, bpm kept),
    targeting ``color``."""
    from chromatic.taxonomy import parse_color
    from chromatic.yamlio import dump_yaml, load_plain

    d = load_plain(PROPOSAL)
    c = parse_color(color)
    d["title"] = f"Targeting study {k}"
    d["iteration_id"] = f"targeting_{k}_{c.name.lower()}"
    d["concept"] = f"Study {k}: {d['concept']}"
    d["rainbow_color"] = c.name
    p = out / f"proposal_{k}_{c.name}.yml"
    p.write_text(dump_yaml(d))
    return p


class TargetScorer:
    """The model, scoring against ``target`` whatever color the proposal names: the proposal
    (and so its color palette, style and every generated pool) stays the same for both
    targets, and only the fitness model's target differs."""

    def __init__(self, scorer, target: str):
        self.scorer, self.target = scorer, target

    def score_batch(self, candidates, *, color: str, concept=None) -> list[dict]:
        return self.scorer.score_batch(candidates, color=self.target, concept=concept)

    def __getattr__(self, name: str):
        return getattr(self.scorer, name)


def compose(
    proposal: Path,
    out: Path,
    model: Path,
    seed: int,
    n: int,
    weight: float,
    trust: bool = False,
    evolve: bool = False,
    target: str | None = None,
    steer: tuple[str, ...] | None = None,
) -> Path:
    """``compose`` of ``proposal``; with ``target`` the model scores against that color instead
    of the proposal's (``TargetScorer``, swapped in where compose loads the model); with
    ``steer`` only those phases hear the model (the others choose by theory alone)."""
    from contextlib import ExitStack
    from unittest import mock

    from chromatic.produce.compose import run, search
    from chromatic.produce.compose.options import ComposeOptions
    from chromatic.produce.compose.run import compose_auto
    from chromatic.produce.evolve import Evolve
    from chromatic.produce.phases.composite import Weights

    w = Weights(0.3, weight)  # weight 0: what --chromatic-weight 0 gives
    opts = ComposeOptions(
        n=n,
        beam=1,
        seed=seed,
        model=model,
        weights=w,
        render=False,
        force=True,
        trust_model=trust,
        evolve=Evolve() if evolve else None,  # compose --evolve
    )
    with ExitStack() as patches:
        if target is not None:
            load = run.load_scorer
            patches.enter_context(
                mock.patch.object(run, "load_scorer", lambda m: TargetScorer(load(m), target))
            )
        if steer is not None:
            options = search.phase_options

            def only(phase, opts, seed, scorer):
                return options(phase, opts, seed, scorer if phase in steer else None)

            patches.enter_context(mock.patch.object(search, "phase_options", only))
        compose_auto(proposal, out, opts)
    return out / "arrangement.mid"


def train_model(
    task: str, tunes: int, epochs: int, root: Path, sections: int = 2, corpus: str = "essen"
) -> tuple[Path, list]:
    """Catalog -> segments -> embed -> train -> export through the CLI. Each tune is one song
    of ``sections`` equal sections (one segment each): its label is the whole tune's, and a
    quarter of an Essen tune (~4.5 s, two bars) seldom carries its mode (see the docstring)."""
    works = essen_tunes(tunes, task) if task == "meter" else catalog_tunes(corpus, tunes)
    red = "duple" if task == "meter" else "major"
    catalog, data, times = root / "catalog", root / "data", {}
    seen: dict[str, int] = {}
    for name, s, label in works:  # numbered per color: a song id holds two digits (01-99)
        seen[label] = seen.get(label, 0) + 1
        mode = "major" if label == red else "minor"
        write_song(catalog, seen[label], name, s, mode, 16000, sections)
    cli(["catalog", "build", str(catalog), "--data", str(data), "--strict"], times)
    cli(["segments", "build", str(catalog), "--data", str(data)], times)
    cli(["embed", "--data", str(data)], times)
    # the row-level comparison fit changes nothing that is exported: skipped (a third of the time)
    train = ["train", "--data", str(data), "--out", str(root / "run"), "--epochs", str(epochs)]
    cli([*train, "--no-row-split"], times)
    cli(["export", str(root / "run"), "--out", str(root / "model")], times)
    print(
        f"trained on {len(works)} tunes: " + ", ".join(f"{k} {v:.0f} s" for k, v in times.items())
    )
    return root / "model", [(s, RED if lab == red else BLUE) for _, s, lab in works]


def judge_auc(
    catalog: list, songs: dict[tuple, Path], held: list | None = None, music21: bool = True
) -> dict:
    """Each judge's verdict on ``songs`` (``targeting_judge``): the in-catalog pitch-class +
    onset LR (trained on ``catalog``, the model's own works), the held-out pitch-class LR
    (trained on ``held``, works the model never saw) and music21's key analysis."""
    from sklearn.linear_model import LogisticRegression
    from symusic import Score

    x = np.array([judge_features(s) for s, _ in catalog])
    y = np.array([c == RED for _, c in catalog])
    lr = LogisticRegression(C=1.0, max_iter=5000).fit(x, y)
    keys = sorted(songs)
    scores = {k: Score(str(songs[k])) for k in keys}
    judges = {"in-catalog": lr.predict_proba(np.array([judge_features(scores[k]) for k in keys]))}
    out: dict = {"n": len(keys)}
    if held:
        pitch, out["held_cv"] = fit_pitch_judge(held)
        judges["held-out"] = pitch.predict_proba(
            np.array([pitch_features(scores[k]) for k in keys])
        )
    judges = {name: p[:, 1] for name, p in judges.items()}
    judges["key profile"] = np.array([key_margin(scores[k]) for k in keys])
    if music21:  # parses every song: the slowest judge
        judges["music21"] = np.array([m21_major(songs[k]) for k in keys])
    out["judges"] = {name: verdict(keys, p) for name, p in judges.items()}
    first = out["judges"]["in-catalog"]  # the names every earlier session printed
    out.update(lr=first["auc"], lr_ci=first["lr_ci"], paired=first["paired"])
    out.update(paired_ci=first["paired_ci"])
    out["key"] = out["judges"]["music21"]["auc"] if music21 else float("nan")
    return out


def demo_table(model: Path, n: int, seed: int, work: Path, trust: bool = False) -> None:
    from chromatic.scoring import ChromaticScorer

    scorer = ChromaticScorer.load(model)
    colors = scorer.colors  # the colors the model was trained on (the demo: 8)
    songs, controls = {}, {}
    for c in colors:
        p = proposal_variant(0, c, work)
        songs[c] = compose(p, work / f"demo_{c}", model, seed, n, 0.7, trust).read_bytes()
        controls[c] = compose(p, work / f"control_{c}", model, seed, n, 0.0, trust).read_bytes()
    tables = {"match": np.zeros((len(colors), len(colors))), "match_relative": None}
    for j, c in enumerate(colors):
        rows = scorer.score_batch([{"id": r, "midi": songs[r]} for r in colors], color=c)
        by = {r["id"]: r for r in rows}
        tables["match"][:, j] = [by[r]["match"] for r in colors]
        if by[colors[0]].get("match_relative") is not None:
            if tables["match_relative"] is None:
                tables["match_relative"] = np.zeros((len(colors), len(colors)))
            tables["match_relative"][:, j] = [by[r]["match_relative"] for r in colors]
    for name, table in tables.items():
        if table is None:
            print(f"\n(the model carries no match baseline: no {name}; re-export it)")
            continue
        what = (
            "raw match"
            if name == "match"
            else "relative match (sd above the model's held-out mean)"
        )
        print(f"\n8 x 8: the example proposal composed for each color ({model}); {what}")
        print("  " + " " * 8 + "".join(f"{c[:6]:>8}" for c in colors))
        wins = 0
        for i, r in enumerate(colors):
            best = int(np.argmax(table[i]))
            wins += best == i
            cells = "".join(f"{v:8.3f}" for v in table[i])
            print(f"  {r:8}{cells}  row max: {colors[best]}")
        own_rank = [1 + int((table[i] > table[i, i]).sum()) for i in range(len(colors))]
        col_rank = [1 + int((table[:, j] > table[j, j]).sum()) for j in range(len(colors))]
        print(
            f"  diagonal is its row's maximum in {wins} of {len(colors)} rows (goal >= 6); "
            f"own color's rank in its row {own_rank} (mean {np.mean(own_rank):.2f})"
        )
        print(
            f"  columns: song c's rank in column c {col_rank} (mean {np.mean(col_rank):.2f}; "
            f"{sum(r == 1 for r in col_rank)} of {len(colors)} first)"
        )
    from targeting_demo import match_table, print_steering

    print_steering(colors, tables, match_table(scorer, colors, controls))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", choices=("mode", "meter"), default="mode")
    ap.add_argument("--tunes", type=int, default=99, help="catalog tunes per color")
    ap.add_argument(
        "--corpus", choices=CORPORA, default="essen", help="--task mode's catalog (and judge)"
    )
    ap.add_argument("--proposals", type=int, default=10)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("-n", type=int, default=12, help="candidates per phase")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--sections", type=int, default=2, help="segments per catalog tune")
    ap.add_argument("--demo", type=Path, default=None, help="also the 8 x 8 table of this model")
    ap.add_argument("--model", type=Path, default=None, help="an exported model (skip training)")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--demo-only", action="store_true", help="only the 8 x 8 table")
    ap.add_argument("--trust-model", action="store_true", help="use a model that failed its gates")
    ap.add_argument("--evolve", action="store_true", help="compose --evolve (breeding)")
    ap.add_argument("--no-control", action="store_true", help="skip --chromatic-weight 0")
    ap.add_argument(
        "--no-held-out", action="store_true", help="skip the held-out judge (parses 600 tunes)"
    )
    ap.add_argument("--no-music21", action="store_true", help="skip music21's key judge (slow)")
    ap.add_argument("--weight", type=float, default=0.7, help="the chromatic weight (default 0.7)")
    ap.add_argument(
        "--steer",
        default=None,
        help="only these phases hear the model, comma-separated (e.g. chords,bass); the others "
        "choose by theory alone (default: every phase)",
    )
    ap.add_argument(
        "--judge-only",
        action="store_true",
        help="judge the songs an earlier run left in --work (compose nothing)",
    )
    ap.add_argument(
        "--palette",
        default="Green",
        help="the proposals' color (their palette and style) for both targets; the model's "
        "target is Red or Blue (default Green: the example proposal's own, neither target)",
    )
    a = ap.parse_args()
    t0 = time.perf_counter()
    root = a.work or Path(tempfile.mkdtemp(prefix="chromatic-targeting-"))
    root.mkdir(parents=True, exist_ok=True)
    if a.demo_only:
        demo_table(a.demo, a.n, 0, root, a.trust_model)
        print(f"total {time.perf_counter() - t0:.0f} s")
        return
    if a.model:
        tunes = (
            essen_tunes(a.tunes, a.task) if a.task == "meter" else catalog_tunes(a.corpus, a.tunes)
        )
        model = a.model
        catalog = [(s, RED if lab in ("major", "duple") else BLUE) for _, s, lab in tunes]
    else:
        model, catalog = train_model(
            a.task, a.tunes, a.epochs, root / "train", a.sections, a.corpus
        )
    print(f"model {model}; {a.proposals} proposals x {a.seeds} seeds x (Red, Blue), n {a.n}")
    gates = json.loads((Path(model) / "model.json").read_text()).get("gates") or {}
    if gates.get("passed") is False and not a.trust_model:  # then both runs are theory only
        print(f"  the model failed its gates ({'; '.join(gates.get('failed', []))}): compose gives")
        print("  it weight 0, so the default run equals the control (--trust-model to use it)")
    steer = tuple(a.steer.split(",")) if a.steer else None
    # Essen tunes no catalog of --tunes a color holds (a mode judge for every corpus)
    held = held_out_tunes(a.tunes) if a.task == "mode" and not a.no_held_out else None
    for weight in (a.weight,) if a.no_control else (a.weight, 0.0):
        songs = {}
        for k in range(a.proposals):
            p = proposal_variant(k + 1, a.palette, root)  # one proposal for both targets
            for seed in range(a.seeds):
                for color in (RED, BLUE):
                    out = root / f"w{weight}_{k}_{seed}_{color}"
                    songs[(k, seed, color)] = (
                        out / "arrangement.mid"
                        if a.judge_only
                        else compose(
                            p, out, model, seed, a.n, weight, a.trust_model, a.evolve, color, steer
                        )
                    )
        r = judge_auc(catalog, songs, held, not a.no_music21)
        what = "default weights" if weight else "--chromatic-weight 0 (control)"
        goal = ">= 0.9" if weight else "<= 0.6"
        print(f"  {what} ({r['n']} songs; judged targeted Red vs Blue; goal {goal}):")
        names = {
            "in-catalog": "in-catalog LR (pitch + onset)",
            "held-out": "held-out LR (pitch classes)",
            "key profile": "key profile (major - minor r)",
            "music21": "music21 key",
        }
        for name, v in r["judges"].items():
            print("    " + line(names[name], v))
        if "held_cv" in r:
            print(f"    (the held-out judge's own AUC on its tunes, 5-fold: {r['held_cv']:.3f})")
    if a.demo:
        demo_table(a.demo, a.n, 0, root, a.trust_model)
    print(f"total {time.perf_counter() - t0:.0f} s; work folder {root}")


if __name__ == "__main__":
    main()
