"""Does the chromatic score order composition candidates, or noise? (issue #13's composition goal)

For each proposal, the chord phase generates ``-n`` candidates and scores them with the model
(the production path: ``run_chords`` with the scorer, every candidate kept). Each candidate is
then transposed a semitone up and down and scored again. Printed per proposal:

- the chromatic match's spread over the candidates (std, range) beside the change a semitone
  makes to a candidate's match (mean |delta|): a ratio above 1 means candidates differ more
  than a semitone moves them;
- Spearman of the match ranking with itself after the transposition, and how many of the top 3
  stay;
- how far the chromatic part moves the ranking: Spearman of the composite ranking with the
  theory-only ranking, and how many of the composite's top 3 theory alone would have kept.

With ``--sections``, the per-section phases too (issue #31): a song is composed with the model
(``compose``, no audio), then drums, bass and melody are generated again with every candidate
kept, and per section the composite's ranking is compared with theory alone (Spearman, and
whether the top candidate changes), for the pool-relative composite the phases use and for the
old raw-match composite (0.3 theory + 0.7 raw match) on the same candidates.

Defaults: the demo's model and proposal (``make demo`` first) and the user's real White
proposals (the final proposal of each real thread is White): a White target's candidates must
get different scores.

    .venv/bin/python benchmarks/composition_spread.py [--model demo/model] [--proposal P ...]
        [-n 60] [--seed 0] [--sections]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED") or REPO.parent / "shared")
sys.path.insert(0, str(REPO / "src"))

from chromatic.scoring.sanity import spearman  # noqa: E402


def transposed(data: bytes, semitones: int) -> bytes:
    from chromatic.music.midi import load_score, score_bytes

    score = load_score(data)
    for track in score.tracks:
        if not track.is_drum:
            track.shift_pitch(semitones, inplace=True)
    return score_bytes(score)


def measure(scorer, proposal: Path, n: int, seed: int, work: Path) -> dict:
    from chromatic.produce.folder import init_production
    from chromatic.produce.phases.chords import run_chords
    from chromatic.produce.phases.composite import Weights
    from chromatic.produce.review import load_review

    folder, _ = init_production(proposal, work, force=True)
    run_chords(folder, n=n, top=n, seed=seed, scorer=scorer, model="model", weights=Weights())
    review = load_review(folder.review_path("chords")).model
    cands = [c for c in review.candidates if c.scores.chromatic is not None]
    color, concept = folder.proposal().color.name, folder.proposal().concept
    blobs = [(folder.phase_dir("chords") / c.midi_file).read_bytes() for c in cands]
    match = np.array([c.scores.chromatic.match for c in cands])
    theory = np.array([c.scores.theory["total"] for c in cands])
    comp = np.array([c.scores.composite for c in cands])

    def rescore(shift: int) -> np.ndarray:
        rows = scorer.score_batch(
            [{"id": str(i), "midi": transposed(b, shift)} for i, b in enumerate(blobs)],
            color=color,
            concept=concept,
        )
        by_id = {r["id"]: r["match"] for r in rows}
        return np.array([by_id[str(i)] for i in range(len(blobs))])

    top = set(np.argsort(-match, kind="stable")[:3])
    out = {
        "proposal": folder.proposal().title,
        "color": color,
        "n": len(cands),
        "std": float(match.std()),
        "range": (float(match.min()), float(match.max())),
    }
    deltas, rhos, keeps = [], [], []
    for shift in (1, -1):
        moved = rescore(shift)
        deltas.append(float(np.abs(moved - match).mean()))
        rhos.append(spearman(match, moved))
        keeps.append(len(top & set(np.argsort(-moved, kind="stable")[:3])))
    out["semitone_delta"] = float(np.mean(deltas))
    out["semitone_spearman"] = float(min(rhos))
    out["top3_kept"] = min(keeps)
    out["composite_vs_theory_spearman"] = spearman(comp, theory)
    top_comp = set(np.argsort(-comp, kind="stable")[:3])
    out["top3_theory_would_keep"] = len(top_comp & set(np.argsort(-theory, kind="stable")[:3]))
    return out


def sections(model: str, scorer, proposal: Path, n: int, seed: int, work: Path) -> list[dict]:
    """Per section of drums, bass and melody: composite vs theory, new and old composite."""
    from chromatic.produce.compose.options import ComposeOptions
    from chromatic.produce.compose.run import compose_auto
    from chromatic.produce.folder import ProductionFolder
    from chromatic.produce.phases.bass import run_bass
    from chromatic.produce.phases.composite import Weights
    from chromatic.produce.phases.drums import run_drums
    from chromatic.produce.phases.melody import run_melody
    from chromatic.produce.review import load_review

    root = work / "song"
    opts = ComposeOptions(
        n=12, beam=1, seed=seed, model=Path(model), render=False, force=True, trust_model=True
    )
    compose_auto(proposal, root, opts)
    folder = ProductionFolder(root)
    out = []
    for phase, run in (("drums", run_drums), ("bass", run_bass), ("melody", run_melody)):
        res = run(folder, n=n, top=n, seed=seed + 1, scorer=scorer, model=model, weights=Weights())
        review = load_review(folder.review_path(phase)).model
        added = set(res.merge.added)
        by: dict[str, list] = {}
        for c in review.candidates:
            if c.id in added and c.scores.chromatic is not None:
                by.setdefault(c.details.get("section"), []).append(c)
        for sec, cs in by.items():
            th = np.array([c.scores.theory["total"] for c in cs])
            comp = np.array([c.scores.composite for c in cs])
            match = np.array([c.scores.chromatic.match for c in cs])
            old = 0.3 * th + 0.7 * match
            out.append(
                {
                    "phase": phase,
                    "section": sec,
                    "n": len(cs),
                    "match_std": float(match.std()),
                    "theory_std": float(th.std()),
                    "weight": cs[0].scores.chromatic.model_extra.get("weight"),
                    "new_rho": spearman(comp, th),
                    "old_rho": spearman(old, th),
                    "new_top_changed": int(np.argmax(comp) != np.argmax(th)),
                    "old_top_changed": int(np.argmax(old) != np.argmax(th)),
                }
            )
    return out


def print_sections(rows: list[dict]) -> None:
    print(
        f"  {'phase':7} {'section':10} {'n':>3} {'match sd':>8} {'theory sd':>9} {'weight':>6} "
        f"{'old rho':>7} {'new rho':>7} {'old top':>7} {'new top':>7}"
    )
    for r in rows:
        print(
            f"  {r['phase']:7} {str(r['section'])[:10]:10} {r['n']:3d} {r['match_std']:8.4f} "
            f"{r['theory_std']:9.3f} {r['weight'] or 0:6.2f} {r['old_rho']:7.2f} {r['new_rho']:7.2f} "
            f"{'changed' if r['old_top_changed'] else '-':>7} {'changed' if r['new_top_changed'] else '-':>7}"
        )
    k = len(rows)
    print(
        f"  composite vs theory-only Spearman: old (raw match) "
        f"{min(r['old_rho'] for r in rows):.2f}-{max(r['old_rho'] for r in rows):.2f}, new (pool-relative) "
        f"{min(r['new_rho'] for r in rows):.2f}-{max(r['new_rho'] for r in rows):.2f}; top candidate "
        f"changed in {sum(r['old_top_changed'] for r in rows)} of {k} sections (old), "
        f"{sum(r['new_top_changed'] for r in rows)} of {k} (new)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=str(REPO / "demo" / "model"))
    ap.add_argument("--proposal", action="append")
    ap.add_argument("-n", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sections", action="store_true", help="also drums, bass, melody by section")
    ap.add_argument("--trust-model", action="store_true", help="use a model that failed its gates")
    args = ap.parse_args()
    from chromatic.scoring import ChromaticScorer

    proposals = [Path(p) for p in args.proposal or []]
    if not proposals:
        proposals.append(
            REPO / "examples" / "proposals" / "song_proposal_green_cooling_tower_choir_v1.yml"
        )
        threads = SHARED / "real" / "chain_artifacts"
        if threads.is_dir():
            proposals += sorted(p for p in threads.iterdir() if p.is_dir())[:3]
    scorer = ChromaticScorer.load(args.model)
    scorer.trusted = args.trust_model
    print(
        f"model {args.model} (match {scorer.match_method}, head {scorer.head}, gates passed: "
        f"{scorer.gates.get('passed')}); chord phase, n {args.n}, seed {args.seed}"
    )
    print(
        f"  {'proposal':28} {'color':6} {'n':>3} {'std':>6} {'range':>11} {'1-semi':>7} "
        f"{'ratio':>6} {'rho+-1':>7} {'top3':>5} {'comp~th':>8} {'th-top3':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for k, p in enumerate(proposals):
            r = measure(scorer, p, args.n, args.seed, Path(tmp) / str(k))
            ratio = r["std"] / max(r["semitone_delta"], 1e-9)
            print(
                f"  {r['proposal'][:28]:28} {r['color']:6} {r['n']:3d} {r['std']:6.3f} "
                f"{r['range'][0]:5.3f}-{r['range'][1]:5.3f} {r['semitone_delta']:7.4f} "
                f"{ratio:6.1f} {r['semitone_spearman']:7.2f} {r['top3_kept']:>3}/3 "
                f"{r['composite_vs_theory_spearman']:8.2f} {r['top3_theory_would_keep']:>6}/3"
            )
        if args.sections:
            print(f"per section, {proposals[0].name}, n {args.n}:")
            print_sections(
                sections(args.model, scorer, proposals[0], args.n, args.seed, Path(tmp) / "s")
            )
    print(
        "std: spread of the chromatic match over the candidates; 1-semi: mean |change| of a "
        "candidate's match under +-1 semitone; ratio = std / 1-semi (goal > 1); rho+-1: the "
        "worse Spearman of the match ranking after +-1 semitone; top3: of the match's top 3, "
        "kept after it; comp~th: Spearman of the composite ranking with theory alone; th-top3: "
        "of the composite's top 3, how many theory alone would have picked"
    )


if __name__ == "__main__":
    main()
