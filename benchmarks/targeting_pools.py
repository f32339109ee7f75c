"""Where targeting's range is lost (issue #31): do the chord phase's candidates differ in what the
independent judge hears, and does the fitness model hear the same difference?

The judge (``--judge``) is the one docs/targeting.md says to read: the **key profile**
(``targeting_judge.key_margin``: the duration-weighted pitch-class histogram's best
Aarden-Essen major correlation minus its best minor; untrained, > 0 reads major). ``--judge
lr`` gives the old in-catalog judge (pitch-class + onset-autocorrelation logistic regression
trained on the ``--corpus`` catalog, P(major)), kept for the figures of fit4 and fit5: its
onset half carries no mode out of sample (judge7), so it is not the one to read.

For ``--proposals`` variants of the example proposal (A minor, ``--palette`` Green) the chord
phase's pool is generated as compose does (``n`` candidates). Each loop is judged alone by the
judge (its majorness) and by the model (match to Red minus match to Blue). Printed per pool:
the spread of the majorness and the Spearman correlation of the model's Red-minus-Blue with it.

``--runs DIR`` (a ``targeting.py --work`` folder): for every compose run at the default weights,
each phase's kept candidates of a section (chords, bass, melody), judged alone: the Spearman
correlation of their match to the run's target (sign: + for Red, - for Blue) with the judge's
majorness, the median over groups (does the model's choice in that phase go the judge's way?).

    python benchmarks/targeting_pools.py --model /tmp/fit2/h99/model [--proposals 5] [-n 12]
    python benchmarks/targeting_pools.py --runs /tmp/fit4/tA [--model M] [--judge lr --corpus C]

With ``--runs`` and ``--model`` (the model those runs composed with), also the finished songs:
does the model itself tell the Red-targeted songs from the Blue-targeted ones (AUC of its
match to Red minus its match to Blue), and does its Red-minus-Blue follow the judge's
majorness across songs (Spearman)? A model that separates its own targets while the judge does not is
steering by something the judge does not hear.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targeting import BLUE, RED, judge_features, proposal_variant
from targeting_catalog import CORPORA, catalog_tunes
from targeting_judge import key_margin

JUDGES = ("key", "lr")


def fit_judge(tunes: int, corpus: str = "essen"):
    """The in-catalog LR of ``targeting.py``, trained on the catalog's works (``--corpus``)."""
    from sklearn.linear_model import LogisticRegression

    got = catalog_tunes(corpus, tunes)
    return LogisticRegression(C=1.0, max_iter=5000).fit(
        np.array([judge_features(s) for _, s, _ in got]),
        np.array([lab == "major" for _, _, lab in got]),
    )


def make_judge(kind: str = "key", tunes: int = 99, corpus: str = "essen"):
    """``(name, judge)``: ``judge`` maps a list of symusic Scores to their majorness; the key
    profile (``key``, untrained) or the in-catalog LR (``lr``, P(major))."""
    if kind == "key":
        return "key margin", lambda scores: np.array([key_margin(s) for s in scores])
    lr = fit_judge(tunes, corpus)
    return "P(major)", lambda scores: lr.predict_proba(
        np.array([judge_features(s) for s in scores])
    )[:, 1]


def kept_agreement(runs: Path, judge) -> None:
    """Per phase: does the model's ranking of the kept candidates go the judge's way?"""
    from scipy.stats import spearmanr
    from symusic import Score

    from chromatic.yamlio import load_plain

    rho: dict[str, list[float]] = {}
    spread: dict[str, list[float]] = {}
    for run in sorted(runs.glob("w0.7_*")):
        sign = 1.0 if run.name.endswith(RED) else -1.0
        for phase in ("chords", "bass", "melody"):
            review = run / phase / "review.yml"
            if not review.is_file():
                continue
            groups: dict[str, list[tuple[float, float]]] = {}
            for c in load_plain(review)["candidates"]:
                match = (c["scores"].get("chromatic") or {}).get("match")
                if match is None:
                    continue
                heard = judge([Score(str(run / phase / c["midi_file"]))])[0]
                sec = (c.get("details") or {}).get("section", "all")
                groups.setdefault(sec, []).append((sign * match, heard))
            for g in groups.values():
                m, p = np.array(g).T
                if len(g) >= 3 and np.ptp(m) > 0 and np.ptp(p) > 0:
                    rho.setdefault(phase, []).append(spearmanr(m, p).statistic)
                    spread.setdefault(phase, []).append(float(np.ptp(p)))
    print(f"kept candidates of {runs}: model (match to target) vs the judge, per section")
    for phase, v in rho.items():
        print(
            f"  {phase:7} {len(v):4} groups: median rho {np.median(v):+.2f}, positive in "
            f"{np.mean(np.array(v) > 0):.0%}; median range {np.median(spread[phase]):.2f}"
        )


def song_agreement(runs: Path, judge, model: Path) -> None:
    """The finished songs: the model's separation of its targets against the judge's."""
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score
    from symusic import Score

    from chromatic.scoring import ChromaticScorer

    scorer = ChromaticScorer.load(model)
    dirs = sorted(d for d in runs.glob("w0.7_*") if (d / "arrangement.mid").is_file())
    items = [{"id": d.name, "midi": (d / "arrangement.mid").read_bytes()} for d in dirs]
    m = {c: {r["id"]: r["match"] for r in scorer.score_batch(items, color=c)} for c in (RED, BLUE)}
    diff = np.array([m[RED][d.name] - m[BLUE][d.name] for d in dirs])
    p = judge([Score(str(d / "arrangement.mid")) for d in dirs])
    red = np.array([d.name.endswith(RED) for d in dirs])
    print(
        f"finished songs ({len(dirs)}): the model's Red - Blue separates the targets with AUC "
        f"{roc_auc_score(red, diff):.3f} (range {diff.min():+.3f} to {diff.max():+.3f}); the "
        f"judge's {roc_auc_score(red, p):.3f}; Spearman(model, judge) over songs "
        f"{spearmanr(diff, p).statistic:+.2f}"
    )


def main() -> None:
    from scipy.stats import spearmanr
    from symusic import Score

    from chromatic.music.meter import meter_of
    from chromatic.music.song_midi import write_midi
    from chromatic.produce.phases.chords import chord_loop, generate
    from chromatic.produce.style import content_seed, style_for
    from chromatic.proposals.reader import load_proposal
    from chromatic.scoring import ChromaticScorer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--runs", type=Path, default=None, help="a targeting.py --work folder")
    ap.add_argument("--proposals", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("-n", type=int, default=12)
    ap.add_argument("--tunes", type=int, default=99)
    ap.add_argument("--judge", choices=JUDGES, default="key", help="key profile or in-catalog LR")
    ap.add_argument("--corpus", choices=CORPORA, default="essen", help="the LR judge's catalog")
    ap.add_argument("--palette", default="Green")
    a = ap.parse_args()
    name, judge = make_judge(a.judge, a.tunes, a.corpus)
    if a.runs:
        kept_agreement(a.runs, judge)
        if a.model:
            song_agreement(a.runs, judge, a.model)
        return
    if a.model is None:
        ap.error("--model or --runs is required")
    scorer = ChromaticScorer.load(a.model)
    work = Path(tempfile.mkdtemp(prefix="chromatic-pools-"))
    rows = []
    print(f"chord pools, n {a.n}; judge {name} and model Red - Blue")
    print(f"  proposal seed | {name}: min-max (sd) | rho(model, judge)")
    for k in range(a.proposals):
        proposal = load_proposal(proposal_variant(k, a.palette, work))
        style = style_for(proposal)
        meter = meter_of(proposal.time_signature)
        for seed in range(a.seeds):
            cands = generate(proposal, a.n, content_seed(seed, proposal), style)
            songs = [chord_loop(c, proposal, meter, style.program("chords")) for c in cands]
            p = judge([Score.from_midi(write_midi(s)) for s in songs])
            m = {
                col: {
                    r["id"]: r["match"]
                    for r in scorer.score_batch(
                        [{"id": str(i), "midi": s} for i, s in enumerate(songs)], color=col
                    )
                }
                for col in (RED, BLUE)
            }
            diff = np.array([m[RED][str(i)] - m[BLUE][str(i)] for i in range(len(songs))])
            rho = spearmanr(diff, p).statistic
            rows.append((p, rho))
            print(f"  {k:8} {seed:4} | {p.min():.2f}-{p.max():.2f} ({p.std():.3f}) | {rho:+.2f}")
    allp = np.concatenate([r[0] for r in rows])
    print(
        f"all pools: {name} mean {allp.mean():.3f}, max {allp.max():.2f}, share heard major "
        f"{(allp > (0.5 if a.judge == 'lr' else 0.0)).mean():.2f}; "
        f"median rho {np.median([r[1] for r in rows]):+.2f}"
    )


if __name__ == "__main__":
    main()
