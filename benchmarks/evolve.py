"""Breeding benchmark: at equal scorer budget per section, today's generate-and-rank, a
mutation beam, the artist's earlier parameters and this package's defaults, per phase.

    .venv/bin/python benchmarks/evolve.py [--model MODEL] [--budget 280]
        [--real] [--phases drums,bass,melody,harmony] [--methods beam,earlier,evolve]

Each proposal (the two examples; with ``--real`` also the final proposal of every real thread)
is composed once (``compose --auto -n 20 --beam 1 --no-render --seed 1``) so every phase has its
approved inputs. Then each phase runs once with ``n = budget``, and a probe in place of the
breeder receives what breeding would: the generated candidates in draw order, the phase's own
batch fitness (its composite: theory, and the chromatic match with a model) and the breeder's
context. Per section, every method gets at most ``budget`` fitness calls:

- ``rank``: generate-and-rank, all ``budget`` generated candidates (fewer where the phase has
  fewer options), shortlist spread over the phase's kinds (template, style, contour) as today;
- ``beam``: the first half of the budget's candidates (every option, where the phase has
  fewer), then mutation only, truncation to the best 3 (a beam of 3 over mutations), 24
  children a generation;
- ``earlier``: the artist's earlier implementation's parameters (8 x 30, tournament 3, elitism
  2, mutation 0.15, crossover always, no archive), from the first ``budget - 240``;
- ``evolve``: the defaults (tournament 2, elitism 2, mutation 0.9, crossover 0.6, MAP-Elites
  5x5 archive, shortlist in ``archive.spread_order``) from the same start as ``beam``.

Printed per phase and method: best and mean composite of the kept five, the chromatic match of
the best (with a model), the shortlist's diversity (mean pairwise Jaccard distance of (onset,
pitch) sets; the descriptor spread, mean pairwise Euclidean distance of the five on the phase's
two musical descriptors, ``docs/evolve.md``; and the niches its five fill on the breeder's
grid), candidates scored; then the share of sections where ``evolve`` beats ``rank``'s best
and the diversity ratios. The chord phase's loops are one pool (section ``chords``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED", REPO.parent / "shared"))
EXAMPLES = sorted((REPO / "examples" / "proposals").glob("*.yml"))
DEMO_MODEL = REPO / "demo" / "model"  # what `make demo` exports
KIND = {"drums": "template", "bass": "style", "melody": "contour", "harmony": "kind"}
TOP = 5


def methods(budget: int, generated: int) -> dict:
    """name -> (Evolve, initial population): each fills ``budget`` fitness calls. The earlier
    parameters start from ``budget - 8 x 30`` candidates; the beam and the defaults from half
    the budget (or every option the phase has, where fewer), children filling the rest."""
    from chromatic.produce.evolve import Evolve

    start = min(generated, budget // 2)
    gens = max(1, (budget - start) // 24)
    earlier = Evolve.earlier()
    return {
        "beam": (Evolve(gens, 24, 24, 3, 1.0, 0.0, 0.3, 0.0, False, explore=0.0), start),
        "earlier": (earlier, max(2, budget - earlier.generations * earlier.population)),
        "evolve": (Evolve(generations=gens, population=24), start),
    }


class Probe:
    """Stands where ``Evolve`` would: runs every method on the candidates it is handed and
    records the figures, then lets the phase finish with its candidates unchanged."""

    def __init__(
        self, budget: int, rows: list, only: tuple = ("beam", "earlier", "evolve")
    ) -> None:
        self.budget, self.rows, self.song, self.only = budget, rows, "", only

    def methods(self, generated: int) -> dict:
        return {k: v for k, v in methods(self.budget, generated).items() if k in self.only}

    def fitness(self, scorer):
        """The fitness ``--evolve`` scores with (the phases ask for it before ``breed``)."""
        from chromatic.produce.evolve import Evolve

        return Evolve().fitness(scorer)

    def breed(self, phase, song, candidates, evaluate, context, seed):
        from chromatic.produce.evolve import Breeding
        from chromatic.produce.evolve.breeders import breeder_for
        from chromatic.produce.evolve.engine import evolve_section
        from chromatic.produce.phases.parts import section_rng, spread

        for s in song.sections:
            cands = candidates.get(s.label) or []
            if not cands:
                continue
            breeder = breeder_for(phase, song, s, context)
            fit = dict(zip([c.index for c in cands], evaluate(cands), strict=True))
            ranked = sorted(cands, key=lambda c: (-fit[c.index], c.index))
            kept = spread(ranked, lambda c: c.details.get(KIND[phase]))[:TOP]
            self._row(phase, s, "rank", kept, fit, len(cands), breeder, evaluate)
            for name, (opts, start) in self.methods(len(cands)).items():
                rng = section_rng(seed, 7, s.label)
                bred = evolve_section(s, cands[:start], breeder, evaluate, opts, rng)
                pool = bred.kept  # the defaults: in shortlist order (``archive.spread_order``)
                if not opts.archive:
                    pool = sorted(pool, key=lambda c: (-bred.fitness[c.index], c.index))
                self._row(phase, s, name, pool[:TOP], bred.fitness, bred.scored, breeder, evaluate)
        return Breeding(candidates, {}, {}, {}, {})

    def chords(self, folder, cands, seed, scorer, weights, taste):
        """The chord phase's loops (one pool, no sections), the same methods; returns None so
        the phase ranks its generated loops as it would."""
        from chromatic.produce.evolve.chord_phase import chord_evaluator, setting, to_part
        from chromatic.produce.evolve.chords import chord_breeder
        from chromatic.produce.evolve.engine import evolve_section
        from chromatic.produce.phases.parts import section_rng

        ctx = setting(folder)[-1]
        evaluate = chord_evaluator(folder, scorer, weights, taste, {}, {})
        parts = [to_part(c, ctx) for c in cands]
        breeder = chord_breeder(ctx)
        fit = dict(zip([c.index for c in parts], evaluate(parts), strict=True))
        ranked = sorted(parts, key=lambda c: (-fit[c.index], c.index))
        self._row("chords", ctx, "rank", ranked[:TOP], fit, len(parts), breeder, evaluate)
        for name, (opts, start) in self.methods(len(parts)).items():
            bred = evolve_section(
                ctx, parts[:start], breeder, evaluate, opts, section_rng(seed, 7, "chords")
            )
            pool = bred.kept
            if not opts.archive:
                pool = sorted(pool, key=lambda c: (-bred.fitness[c.index], c.index))
            self._row("chords", ctx, name, pool[:TOP], bred.fitness, bred.scored, breeder, evaluate)
        return None

    def _row(self, phase, section, method, kept, fit, scored, breeder, evaluate):
        from chromatic.produce.evolve.archive import cell, mean_pairwise, note_distance

        best = kept[0]
        chroma = getattr(evaluate, "chroma", {})
        match = chroma.get((best.section, best.index), chroma.get(best.index))
        points = [breeder.descriptor(section, c.notes) for c in kept]
        cells = {cell(p) for p in points}
        self.rows.append(
            {
                "phase": phase,
                "section": section.label,
                "song": self.song,
                "method": method,
                "best": fit[best.index],
                "mean": float(np.mean([fit[c.index] for c in kept])),
                "match": match.match if match is not None else None,
                "diversity": mean_pairwise([c.notes for c in kept], note_distance),
                "niches": len(cells),
                "spread": mean_pairwise(
                    points, lambda a, b: float(np.hypot(a[0] - b[0], a[1] - b[1]))
                ),
                "scored": scored,
            }
        )


def prepare(proposal: Path, out: Path) -> Path:
    cmd = [sys.executable, "-m", "chromatic", "compose", str(proposal), "--out", str(out)]
    cmd += ["-n", "20", "--beam", "1", "--no-render", "--seed", "1", "--auto", "--force"]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=DEMO_MODEL if DEMO_MODEL.exists() else None)
    ap.add_argument("--budget", type=int, default=280)
    ap.add_argument("--real", action="store_true")
    ap.add_argument("--phases", default="chords,drums,bass,melody,harmony")
    ap.add_argument("--methods", default="beam,earlier,evolve", help="beside rank (always run)")
    args = ap.parse_args()
    from chromatic.produce.folder import open_folder
    from chromatic.produce.phases import PhaseOptions
    from chromatic.produce.phases.composite import Weights, load_scorer
    from chromatic.produce.phases.registry import get

    scorer = load_scorer(args.model) if args.model else None
    proposals = list(EXAMPLES)
    if args.real:
        proposals += sorted(
            p for p in (SHARED / "real" / "chain_artifacts").iterdir() if p.is_dir()
        )
    rows: list[dict] = []
    probe = Probe(args.budget, rows, tuple(args.methods.split(",")))
    tmp = Path(tempfile.mkdtemp(prefix="bench-evolve-"))
    try:
        for i, proposal in enumerate(proposals):
            folder = open_folder(prepare(proposal, tmp / f"song{i}"))
            probe.song = proposal.stem[:40]
            for phase in args.phases.split(","):
                opts = PhaseOptions(
                    args.budget,
                    TOP,
                    1,
                    scorer,
                    str(args.model) if args.model else None,
                    Weights(),
                    evolve=probe,
                )
                get(phase).run(folder, opts)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(rows, args)


def report(rows: list[dict], args) -> None:
    print(
        f"budget {args.budget} fitness calls per section; model: "
        f"{args.model or 'none (theory only)'}; {len({(r['song'], r['section'], r['phase']) for r in rows})} phase-sections"
    )
    print(
        f"{'phase':<7} {'method':<8} {'best':>6} {'mean':>6} {'match':>6} {'divers':>6} {'spread':>6} {'niches':>6} {'scored':>6}"
    )
    names = ("rank", "beam", "earlier", "evolve")
    for phase in dict.fromkeys(r["phase"] for r in rows):
        for m in names:
            rs = [r for r in rows if r["phase"] == phase and r["method"] == m]
            if not rs:
                continue
            matches = [r["match"] for r in rs if r["match"] is not None]
            match = f"{np.mean(matches):6.3f}" if matches else "     -"
            print(
                f"{phase:<7} {m:<8} {np.mean([r['best'] for r in rs]):6.3f} "
                f"{np.mean([r['mean'] for r in rs]):6.3f} {match} "
                f"{np.mean([r['diversity'] for r in rs]):6.3f} {np.mean([r['spread'] for r in rs]):6.3f} "
                f"{np.mean([r['niches'] for r in rs]):6.2f} "
                f"{np.mean([r['scored'] for r in rs]):6.0f}"
            )
    by = {(r["song"], r["phase"], r["section"], r["method"]): r for r in rows}
    keys = {k[:3] for k in by}
    for m in [n for n in names[1:] if any(r["method"] == n for r in rows)]:
        wins = sum(by[(*k, m)]["best"] > by[(*k, "rank")]["best"] for k in keys)
        ties = sum(by[(*k, m)]["best"] == by[(*k, "rank")]["best"] for k in keys)
        div = np.mean([by[(*k, m)]["diversity"] for k in keys]) / max(
            1e-9, np.mean([by[(*k, "rank")]["diversity"] for k in keys])
        )
        if m == "evolve":
            for k in sorted(keys):
                if by[(*k, m)]["best"] <= by[(*k, "rank")]["best"]:
                    r, e = by[(*k, "rank")], by[(*k, m)]
                    print(
                        f"  not above: {k} rank {r['best']:.4f} ({r['scored']}) evolve {e['best']:.4f}"
                    )
        ceiling = sum(by[(*k, "rank")]["best"] >= 0.9995 for k in keys)
        niches = np.mean([by[(*k, m)]["niches"] for k in keys]) / np.mean(
            [by[(*k, "rank")]["niches"] for k in keys]
        )
        spread = np.mean([by[(*k, m)]["spread"] for k in keys]) / max(
            1e-9, np.mean([by[(*k, "rank")]["spread"] for k in keys])
        )
        print(
            f"{m}: best composite above rank's in {wins}/{len(keys)} sections "
            f"({100 * wins / len(keys):.0f} %; ties {ties}, rank at the ceiling 1.0 in {ceiling}); "
            f"shortlist diversity x{div:.2f} rank's (note distance), descriptor spread "
            f"x{spread:.2f}, niches filled x{niches:.2f}"
        )
        for phase in dict.fromkeys(k[1] for k in keys):
            ks = [k for k in keys if k[1] == phase]
            w = sum(by[(*k, m)]["best"] > by[(*k, "rank")]["best"] for k in ks)
            sp = np.mean([by[(*k, m)]["spread"] for k in ks]) / max(
                1e-9, np.mean([by[(*k, "rank")]["spread"] for k in ks])
            )
            print(f"  {phase}: above rank in {w}/{len(ks)}, descriptor spread x{sp:.2f}")


if __name__ == "__main__":
    main()
