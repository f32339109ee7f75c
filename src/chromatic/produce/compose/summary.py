"""The end of an unattended compose: plan, assemble, render, and the summary it leaves behind.

``compose_summary.json`` is for programs (benchmarks, the demo), ``compose_summary.md`` for the
producer: per phase the time, candidates generated, branches and the kept branch scores; per
section the chosen candidate of every phase with its composite; the outputs and their paths
(relative to the folder, so the summary still reads after the folder moves).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chromatic.fileio import write_text_atomic
from chromatic.produce.compose.options import SUMMARY, Branch, ComposeOptions, PhaseReport
from chromatic.proposals.reader import Proposal


@dataclass
class ComposeResult:
    root: Path
    options: ComposeOptions
    proposal: Proposal
    best: Branch
    phases: list[PhaseReport]
    timings: dict[str, float]
    warnings: list[str]
    outputs: dict[str, str] = field(default_factory=dict)
    sections: list[dict] = field(default_factory=list)
    length: dict = field(default_factory=dict)
    loudness: dict | None = None

    @property
    def score(self) -> float:
        return self.best.score

    def to_json(self) -> dict:
        p, o = self.proposal, self.options
        return {
            "song": {
                "title": p.title,
                "key": str(p.key),
                "bpm": p.bpm,
                "time_signature": str(p.time_signature),
                "color": p.color.name,
                "proposal": p.source,
            },
            "options": {
                "n": o.n,
                "beam": o.beam,
                "seed": o.seed,
                "model": str(o.model) if o.model else None,
                "weights": o.weights.to_dict() if o.model else {"theory": 1.0, "chromatic": 0.0},
                "form": list(o.form),
                "render": o.render,
                "key": o.key,
            },
            "score": round(self.score, 4),
            "selection": "the kept branch with the highest mean over phases of the mean composite of its chosen candidates",
            "phases": [
                {
                    "phase": r.phase,
                    "seconds": round(r.seconds, 3),
                    "branches": r.branches,
                    "generated": r.generated,
                    "alternatives": r.alternatives,
                    "kept": [{"lineage": lin, "score": s} for lin, s in r.kept],
                    "score": round(self.best.phase_scores.get(r.phase, 0.0), 4),
                    "chosen": self.best.choices.get(r.phase, {}),
                    "composites": {
                        k: round(v, 4) for k, v in self.best.composites.get(r.phase, {}).items()
                    },
                }
                for r in self.phases
            ],
            "sections": self.sections,
            "length": self.length,
            "loudness": self.loudness,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "outputs": self.outputs,
            "warnings": self.warnings,
        }

    def to_markdown(self) -> str:
        d = self.to_json()
        s, o = d["song"], d["options"]
        lines = [
            f"# {s['title']}",
            "",
            f"{s['key']}, {s['bpm']:g} bpm, {s['time_signature']}, {s['color']}. "
            f"Composed unattended: n={o['n']}, beam={o['beam']}, seed={o['seed']}, "
            f"model: {o['model'] or 'none (theory scores only)'}.",
            "",
            f"Chosen combination: mean composite **{d['score']:.3f}** ({d['selection']}).",
            "",
            "## Phases",
            "",
            "| phase | seconds | branches | generated | alternatives | kept branch scores | chosen score |",
            "|---|---:|---:|---:|---:|---|---:|",
        ]
        for ph in d["phases"]:
            kept = ", ".join(f"{k['score']:.3f}" for k in ph["kept"])
            lines.append(
                f"| {ph['phase']} | {ph['seconds']:.2f} | {ph['branches']} | {ph['generated']} | "
                f"{ph['alternatives']} | {kept} | {ph['score']:.3f} |"
            )
        phases = [ph["phase"] for ph in d["phases"]]
        lines += [
            "",
            "## Chosen candidates",
            "",
            "| section | bars x repeat | " + " | ".join(phases) + " |",
            "|---|---|" + "---|" * len(phases),
        ]
        by_phase = {ph["phase"]: ph for ph in d["phases"]}
        for sec in d["sections"]:
            cells = []
            for ph in phases:
                cid = by_phase[ph]["chosen"].get(sec["name"])
                cells.append(
                    f"{cid} ({by_phase[ph]['composites'][sec['name']]:.3f})" if cid else "-"
                )
            lines.append(
                f"| {sec['name']} | {sec['bars']} x {sec['repeat']} | " + " | ".join(cells) + " |"
            )
        lines += ["", "## Timings (s)", "", "| step | seconds |", "|---|---:|"]
        lines += [f"| {k} | {v:.3f} |" for k, v in d["timings"].items()]
        lines += ["", "## Outputs", ""] + [f"- {k}: `{v}`" for k, v in d["outputs"].items()]
        if d["warnings"]:
            lines += ["", "## Warnings", ""] + [f"- {w}" for w in d["warnings"]]
        return "\n".join(lines) + "\n"

    def write(self) -> tuple[Path, Path]:
        md, js = self.root / f"{SUMMARY}.md", self.root / f"{SUMMARY}.json"
        write_text_atomic(js, json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
        write_text_atomic(md, self.to_markdown())
        return md, js

    def report(self) -> str:
        """What the command line prints at the end: where everything is."""
        lines = [
            f"composed {self.proposal.title!r}: score {self.score:.3f}, "
            f"{self.length.get('bars')} bars, {self.length.get('seconds', 0):.1f} s, "
            f"in {self.timings.get('total', 0):.1f} s"
        ]
        lines += [f"  {k:<12} {self.root / v}" for k, v in self.outputs.items()]
        return "\n".join(lines)


def finish(result: ComposeResult, progress: Callable[[str], None]) -> None:
    """Plan (and bootstrap manifest), assemble and render in the output folder, timed."""
    from chromatic.produce.arrange.assemble import ARRANGEMENT_FILE, arrange
    from chromatic.produce.arrange.bootstrap import BOOTSTRAP_FILE, write_bootstrap
    from chromatic.produce.arrange.plan import PLAN_FILE, write_plan
    from chromatic.produce.folder import open_folder

    root, opts, t = result.root, result.options, result.timings
    folder = open_folder(root)
    t0 = time.perf_counter()
    plan = write_plan(root)
    write_bootstrap(root, plan.plan, result.proposal)
    t["plan"] = time.perf_counter() - t0
    result.warnings.extend(w for w in plan.warnings if w not in result.warnings)
    t0 = time.perf_counter()
    from chromatic.music.midi import write_score

    arr = arrange(folder, plan.plan)
    write_score(arr.score, root / ARRANGEMENT_FILE)
    t["assemble"] = time.perf_counter() - t0
    result.warnings.extend(w for w in arr.warnings if w not in result.warnings)
    result.outputs.update(
        {"plan": PLAN_FILE, "manifest": BOOTSTRAP_FILE, "arrangement": ARRANGEMENT_FILE}
    )
    result.sections = [
        {
            "name": s.name,
            "bars": s.bars,
            "repeat": s.repeat,
            "start_seconds": round(s.start_seconds, 3),
            "end_seconds": round(s.end_seconds, 3),
        }
        for s in arr.sections
    ]
    result.length = {"bars": arr.total_bars, "seconds": round(arr.seconds, 3)}
    progress(
        f"plan + assemble: {arr.total_bars} bars, {arr.seconds:.1f} s, "
        f"{len(arr.instruments)} instruments ({t['plan'] + t['assemble']:.2f} s)"
    )
    if opts.render:
        from chromatic.produce.arrange.preview import render_preview

        t0 = time.perf_counter()
        prev = render_preview(
            arr,
            root,
            soundfont=opts.soundfont,
            audio_format=opts.audio_format,
            sample_rate=opts.sample_rate,
            title=result.proposal.title,
        )
        t["render"] = time.perf_counter() - t0
        result.outputs.update({"preview": prev.audio.name, "picture": prev.image.name})
        result.loudness = prev.loudness.to_dict()
        progress(
            f"render: {prev.seconds:.1f} s of audio at {prev.loudness.level_db:.1f} dB ({t['render']:.2f} s)"
        )
    result.outputs.update({"summary": f"{SUMMARY}.md", "summary_json": f"{SUMMARY}.json"})
