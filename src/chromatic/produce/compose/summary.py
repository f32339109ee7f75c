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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from chromatic.fileio import write_text_atomic
from chromatic.paths import within
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
    form: dict = field(default_factory=dict)
    performance: dict | None = None
    finals: list[Branch] = field(default_factory=list)  # the beam's kept branches, best first
    rewrite: Callable[[Branch], None] | None = None  # writes a kept branch into the folder
    more: Callable[[], list[Branch]] | None = None  # more branches to choose from (``heard``)

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
                "weights": o.weights.to_dict()
                if o.model
                else {
                    "theory": 1.0,
                    "chromatic": 0.0,
                    **({"taste": o.weights.taste} if o.taste else {}),
                },
                "form": list(o.form),
                "render": o.render,
                "quantized": o.quantized,
                "stems": o.stems,
                "key": o.key,
                "taste": str(o.taste) if o.taste else None,
            },
            "performance": self.performance,
            "score": round(self.score, 4),
            "selection": "of the kept branches, by the mean over phases of the mean composite of "
            "their chosen candidates, the first whose whole song reads the planned key "
            "(arrange.key_heard; else the best)",
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
            "form": self.form,
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
        lines += _form_lines(d)
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
        md, js = within(self.root, f"{SUMMARY}.md"), within(self.root, f"{SUMMARY}.json")
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


def _form_lines(d: dict) -> list[str]:
    """The song form as planned: its name and target, then each occurrence with what varies."""
    f = d.get("form") or {}
    if not f:
        return []
    lines = [
        "",
        "## Form",
        "",
        f"{f.get('name')} ({f.get('phrase_bars')}-bar phrases): target "
        f"{f.get('target_seconds')} s ({f.get('target_from')}), planned "
        f"{d['length'].get('seconds', 0):.1f} s.",
        "",
        "| # | section | bars x repeat | transpose | variation |",
        "|---:|---|---|---:|---|",
    ]
    for i, sec in enumerate(d["sections"], 1):
        var = ", ".join(
            k if v is True else f"{k} {v}"
            for k, v in (sec.get("variation") or {}).items()
            if v not in (False, 0, "none", None)
        )
        lines.append(
            f"| {i} | {sec['name']} | {sec['bars']} x {sec['repeat']} | "
            f"{sec.get('transpose', 0):+d} | {var or '-'} |"
        )
    lines += [f"- {n}" for n in f.get("notes") or []]
    return lines


def finish(result: ComposeResult, progress: Callable[[str], None]) -> None:
    """Plan (and bootstrap manifest), assemble and render in the output folder, timed."""
    from chromatic.produce.arrange.assemble import write_arrangement
    from chromatic.produce.arrange.bootstrap import write_bootstrap
    from chromatic.produce.arrange.key_heard import heard_plan
    from chromatic.produce.arrange.perform import perform_folder
    from chromatic.produce.folder import open_folder

    root, opts, t = result.root, result.options, result.timings
    folder = open_folder(root)
    t0 = time.perf_counter()
    key = result.proposal.key.pc  # the kept branch heard in its key (``arrange.key_heard``)
    plan, arr, best = heard_plan(root, opts.seed, key, result.finals, result.rewrite, result.more)
    if best is not None and best is not result.best:  # say why the best combination gave way
        kept = any(best is b for b in result.finals)
        how = "the next kept one" if kept else "one from a second search"
        result.warnings.append(
            f"key: the best combination is not heard in {result.proposal.key} by both key "
            f"listeners; kept {how} that is (arrange.key_heard)"
        )
    result.best = best or result.best
    write_bootstrap(root, plan.plan, result.proposal)
    t["plan"] = time.perf_counter() - t0
    result.warnings.extend(w for w in plan.warnings if w not in result.warnings)
    t0 = time.perf_counter()
    arr = perform_folder(arr, folder, quantized=opts.quantized)
    # arrangement.mid is written beside the render (which plays ``arr`` from memory): its
    # encoding and the DAW pass are Python, the synthesizers C without the GIL. The writer
    # gets its own copy of the score (it aligns the lyrics in place); the renderer is set up
    # before the thread starts (``render.prepare``).
    if opts.render:
        from chromatic.music.render import prepare

        prepare()
    pool = ThreadPoolExecutor(max_workers=1)
    written = pool.submit(write_arrangement, replace(arr, score=arr.score.copy()), root)
    try:
        _render_after(result, arr, plan, folder, progress, t0)
    finally:
        pool.shutdown(wait=True)
    written.result()
    result.outputs.update({"summary": f"{SUMMARY}.md", "summary_json": f"{SUMMARY}.json"})


def _render_after(result: ComposeResult, arr, plan, folder, progress, t0: float) -> None:
    """What ``finish`` does once the arrangement is performed: its summary rows, the render."""
    from chromatic.produce.arrange.assemble import ARRANGEMENT_FILE
    from chromatic.produce.arrange.bootstrap import BOOTSTRAP_FILE
    from chromatic.produce.arrange.perform import describe, style_of
    from chromatic.produce.arrange.plan import PLAN_FILE

    root, opts, t = result.root, result.options, result.timings
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
            "transpose": s.planned.transpose,
            "variation": s.planned.variation.model_dump() if s.planned.variation else {},
        }
        for s in arr.sections
    ]
    form = plan.plan.doc.get("form")
    result.form = (
        {k: form.get(k) for k in ("name", "target_seconds", "target_from", "phrase_bars", "notes")}
        if isinstance(form, dict)
        else {}
    )
    result.performance = describe(style_of(folder), opts.quantized)
    result.length = {"bars": arr.total_bars, "seconds": round(arr.seconds, 3)}
    progress(
        f"plan + assemble: {arr.total_bars} bars, {arr.seconds:.1f} s, "
        f"{len(arr.instruments)} instruments ({t['plan'] + t['assemble']:.2f} s)"
    )
    if opts.render:
        from chromatic.produce.arrange.preview import STEMS_DIR, render_preview

        progress(f"render: {arr.seconds:.0f} s of audio…")
        t0 = time.perf_counter()
        prev = render_preview(
            arr,
            root,
            soundfont=opts.soundfont,
            audio_format=opts.audio_format,
            sample_rate=opts.sample_rate,
            title=result.proposal.title,
            stems=opts.stems,
        )
        t["render"] = time.perf_counter() - t0
        result.outputs.update({"preview": prev.audio.name, "picture": prev.image.name})
        if prev.stems:
            result.outputs["stems"] = f"{STEMS_DIR}/"
        result.loudness = prev.loudness.to_dict()
        progress(
            f"render: {prev.seconds:.1f} s of audio at {prev.loudness.level_db:.1f} LUFS ({t['render']:.2f} s)"
        )
