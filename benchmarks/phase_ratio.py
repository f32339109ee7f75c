"""Phases with a model against onnxruntime alone, in CPU seconds on the same candidates: the
#29 goal "phases with a model within 1.5x of onnxruntime alone", measured so that a loaded
machine does not decide it (walls move with the load; CPU seconds of one process much less).

    .venv/bin/python benchmarks/phase_ratio.py [PROPOSAL] --model MODEL [-n 50] [--beam 3]

``compose --auto`` runs twice without render (the first caches the concept's vector and does
the imports); in the second, the CPU seconds of every phase run (generation, scoring, ranking,
the review) are summed and every candidate handed to the scorer is kept. Then those candidates'
model inputs are built and onnxruntime alone infers all of them (best of 3). Printed: both CPU
figures and their ratio (below 1 where the scorer infers a repeated candidate once), then
onnxruntime's CPU ms a candidate on them: the scorer's session, with its GELUs fused, and as it
was before (all cores, runs of 64), alternated.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED", REPO.parent / "shared"))
DEFAULT = SHARED / "real" / "chain_artifacts" / "136919aa-c350-41aa-af7b-0ab538ae2cff"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("proposal", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--beam", type=int, default=3)
    args = ap.parse_args()

    from chromatic.produce.compose.run import ComposeOptions, compose_auto
    from chromatic.produce.phases import registry
    from chromatic.scoring.batch import midi_batch
    from chromatic.scoring.scorer import ChromaticScorer

    spent = [0.0]
    run = registry.FunctionPhase.run

    def timed(self, folder, options):
        start = time.process_time()
        try:
            return run(self, folder, options)
        finally:
            spent[0] += time.process_time() - start

    heard: list = []
    score_batch = ChromaticScorer.score_batch

    def kept(self, cands, **kw):
        heard.extend(c["midi"] for c in cands)
        return score_batch(self, cands, **kw)

    registry.FunctionPhase.run = timed  # type: ignore[method-assign]
    ChromaticScorer.score_batch = kept  # type: ignore[method-assign]
    tmp = Path(tempfile.mkdtemp())
    try:
        opts = ComposeOptions(n=args.n, beam=args.beam, seed=0, render=False, model=args.model)
        compose_auto(args.proposal, tmp / "warm", opts)
        spent[0] = 0.0
        heard.clear()
        compose_auto(args.proposal, tmp / "run", opts)
    finally:
        registry.FunctionPhase.run = run  # type: ignore[method-assign]
        ChromaticScorer.score_batch = score_batch  # type: ignore[method-assign]
        shutil.rmtree(tmp, ignore_errors=True)
    scorer = ChromaticScorer.load(args.model)
    rolls, feats = midi_batch(scorer, heard)
    n = len(heard)
    feeds = scorer._feeds(n, rolls, [None] * n, np.zeros(scorer.text_dim, np.float32), None, feats)
    scorer.infer({k: v[:64] for k, v in feeds.items()})  # warm
    onnx = float("inf")
    for _ in range(3):
        start = time.process_time()
        scorer.infer(feeds)
        onnx = min(onnx, time.process_time() - start)
    print(
        f"compose --auto -n {args.n} --beam {args.beam} (no render, concept cached): {n} candidates "
        f"scored; phases {spent[0]:.2f} CPU s, onnxruntime alone on them {onnx:.2f} CPU s: "
        f"{spent[0] / onnx:.2f}x (goal <= 1.5x)"
    )
    onnx_costs(scorer, feeds, args.model)


def onnx_costs(scorer, feeds: dict, model: Path, rounds: int = 3) -> None:
    """CPU ms a candidate of onnxruntime on these candidates, alternated in rounds: the
    scorer's session (one thread, runs of 16), the same with its GELUs fused
    (``load(fuse=True)``), and the session as it was before (all cores, runs of 64); with the
    largest difference of the fused outputs from the scorer's."""
    from chromatic.scoring.graph import open_session
    from chromatic.scoring.scorer import ChromaticScorer

    fused = ChromaticScorer.load(model, fuse=True)
    old = open_session(scorer.path, threads=os.cpu_count())
    feeds = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in feeds.items()}
    n = len(feeds["roll"])

    def before():
        for s in range(0, n, 64):
            old.run(scorer.outputs, {k: v[s : s + 64] for k, v in feeds.items()})

    ways = {"scorer (1 thread, 16 a run)": lambda: scorer.infer(feeds)}
    ways["fused GELU (load(fuse=True))"] = lambda: fused.infer(feeds)
    ways[f"before ({os.cpu_count()} threads, 64 a run)"] = before
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(rounds):
        for name, fn in ways.items():
            start = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - start)
    for name, t in best.items():
        print(f"  onnxruntime, {name:34s} {1000 * t / n:6.3f} CPU ms a candidate")
    a, b = scorer.infer(feeds), fused.infer(feeds)
    diff = max(float(np.abs(a[k] - b[k]).max()) for k in a)
    print(f"  fused outputs: largest difference from the scorer's {diff:.1e} on {n} candidates")


if __name__ == "__main__":
    main()
