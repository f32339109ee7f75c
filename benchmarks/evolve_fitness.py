"""Breeding's fitness graph: ms a row and ranking against the model's own file, on the real
candidate pools breeding scores.

    .venv/bin/python benchmarks/evolve_fitness.py --model MODEL [--thread THREAD_DIR]
        [--seed 1] [--int8]

Runs ``compose THREAD --auto --evolve --model MODEL --no-render`` once and keeps every batch
breeding's fitness scored (one pool: one section's initial candidates or one generation's
children, real Songs in memory). Then every pool is scored again by each graph on a fresh
scorer (the same rows, the same content memo):

- ``file``: the model's file as ranking runs it (the reference);
- ``fused``: the GELUs fused (``scoring.graph.fuse_gelu``), as wave s13's breeding ran it;
- ``crop``: fused, with the roll encoder on the part of each roll that holds notes
  (``scoring.crop``), as breeding runs it now;
- with ``--int8``: onnxruntime's dynamic int8 quantization of the fused graph (every op, u8
  weights) and its static QDQ quantization of the convolutions (per channel, min-max
  calibration on the first tenth of the pools), the options that were tried and not taken.

Printed per graph: onnxruntime CPU ms a row (thread CPU around ``session.run``, one intra-op
thread on 2 cores), the largest output difference from ``file``, and per pool the Spearman
correlation of the chromatic match with ``file``'s, whether the best is the same and the overlap
of the top 3: the median and worst pool, the share of pools at >= 0.98 and the share with the
same best.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED", ROOT.parent / "shared"))
REAL = SHARED / "real" / "chain_artifacts" / "136919aa-c350-41aa-af7b-0ab538ae2cff"


class Timed:
    """A session whose ``run`` adds its thread CPU and rows to a tally; outputs kept too."""

    def __init__(self, session):
        self.session, self.cpu, self.rows = session, 0.0, 0

    def __getattr__(self, name):
        return getattr(self.session, name)

    def run(self, names, feeds, *args):
        t = time.thread_time()
        out = self.session.run(names, feeds, *args)
        self.cpu += time.thread_time() - t
        self.rows += len(feeds["roll"])
        return out


def capture(model: str, thread: Path, seed: int) -> list[dict]:
    """The batches breeding's fitness scored in one ``compose --auto --evolve``."""
    import chromatic.produce.evolve.fitness as fitness
    from chromatic.cli import main
    from chromatic.scoring.scorer import ChromaticScorer

    pools, twins = [], set()
    real_fused, real_batch = fitness.fused, ChromaticScorer.score_batch

    def fused(scorer):
        twin = real_fused(scorer)
        twins.add(id(vars(twin).get("scorer", twin)))
        return twin

    def score_batch(self, candidates, **kw):
        if id(self) in twins:
            pools.append({"items": list(candidates), **kw})
        return real_batch(self, candidates, **kw)

    fitness.fused, ChromaticScorer.score_batch = fused, score_batch
    try:
        with tempfile.TemporaryDirectory() as tmp:
            args = ["compose", str(thread), "--out", tmp, "--auto", "--evolve", "--model", model]
            rc = main([*args, "--seed", str(seed), "--no-render", "--force"])
    finally:
        fitness.fused, ChromaticScorer.score_batch = real_fused, real_batch
    if rc:
        raise SystemExit(f"compose exited {rc}")
    return pools


def sessions(model: str, pools: list[dict], int8: bool) -> dict:
    from chromatic.scoring.crop import cropped_session
    from chromatic.scoring.graph import open_session, scorer_graph

    path = Path(model) / "model.onnx" if Path(model).is_dir() else Path(model)
    fused_bytes = scorer_graph(path)
    out = {"file": open_session(path), "fused": open_session(path, fuse=True)}
    out["crop"] = cropped_session(open_session(path, fuse=True), fused_bytes)
    if int8:
        tmp = Path(tempfile.mkdtemp(prefix="evolve-fitness-"))
        (tmp / "fused.onnx").write_bytes(fused_bytes)
        out.update(quantized(tmp, path, pools[: max(1, len(pools) // 10)]))
    return out


def quantized(tmp: Path, path: Path, calibration: list[dict]) -> dict:
    import onnxruntime as ort
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )

    from chromatic.scoring.graph import open_session
    from chromatic.scoring.scorer import ChromaticScorer

    scorer = ChromaticScorer.load(path, fuse=True)
    feeds = []
    real_infer = scorer.infer
    scorer.infer = lambda f: (feeds.append(f), real_infer(f))[1]
    for pool in calibration:
        scorer.score_batch(pool["items"], **{k: v for k, v in pool.items() if k != "items"})

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{k: np.asarray(v, np.float32) for k, v in f.items()} for f in feeds])

        def get_next(self):
            return next(self.it, None)

    quantize_dynamic(tmp / "fused.onnx", tmp / "dyn.onnx", weight_type=QuantType.QUInt8)
    quantize_static(
        tmp / "fused.onnx",
        tmp / "qdq.onnx",
        Reader(),
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=["Conv"],
        per_channel=True,
    )
    ort.set_default_logger_severity(3)
    return {
        "int8 dynamic": open_session(tmp / "dyn.onnx"),
        "int8 conv": open_session(tmp / "qdq.onnx"),
    }


def spearman(a, b) -> float:
    from scipy.stats import spearmanr

    return 1.0 if len(a) < 3 else float(spearmanr(a, b).statistic)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--model", required=True, help="an exported model folder (make demo: demo/model)"
    )
    ap.add_argument("--thread", type=Path, default=REAL)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--int8", action="store_true")
    a = ap.parse_args()
    from chromatic.scoring.scorer import ChromaticScorer

    pools = capture(a.model, a.thread, a.seed)
    rows = sum(len(p["items"]) for p in pools)
    print(f"{len(pools)} pools, {rows} candidates scored by breeding's fitness ({a.thread.name})")
    matches, diffs, timed = {}, {}, {}
    for name, session in sessions(a.model, pools, a.int8).items():
        scorer = ChromaticScorer.load(a.model)
        scorer.session = timed[name] = Timed(session)
        outs = []
        real_infer = scorer.infer
        scorer.infer = lambda f, _i=real_infer, _o=outs: (_o.append(_i(f)), _o[-1])[1]
        matches[name] = []
        for pool in pools:
            res = scorer.score_batch(
                pool["items"], **{k: v for k, v in pool.items() if k != "items"}
            )
            matches[name].append(
                np.array([r["match"] for r in sorted(res, key=lambda r: r["index"])])
            )
        diffs[name] = outs
    ref = matches["file"]
    print(
        f"{'graph':<13} {'ms/row':>7} {'rows':>6} {'max diff':>9} {'rho med':>8} {'rho min':>8} "
        f"{'>=0.98':>7} {'best same':>10} {'top3':>5}"
    )
    for name, m in matches.items():
        rho = [spearman(x, y) for x, y in zip(ref, m, strict=True)]
        best = [int(np.argmax(x) == np.argmax(y)) for x, y in zip(ref, m, strict=True)]
        top3 = [
            len(set(np.argsort(-x)[:3]) & set(np.argsort(-y)[:3])) / min(3, len(x))
            for x, y in zip(ref, m, strict=True)
        ]
        diff = max(float(np.abs(x - y).max()) for x, y in zip(ref, m, strict=True))
        t = timed[name]
        print(
            f"{name:<13} {1000 * t.cpu / max(t.rows, 1):7.3f} {t.rows:6d} {diff:9.2e} "
            f"{np.median(rho):8.4f} {min(rho):8.4f} {np.mean(np.array(rho) >= 0.98):7.1%} "
            f"{np.mean(best):10.1%} {np.mean(top3):5.2f}"
        )


if __name__ == "__main__":
    main()
