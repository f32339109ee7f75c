"""compose: the production phases end to end, unattended (``--auto``) or gate by gate.

Unattended (``compose_auto``), it is a beam search over partial songs (``produce.beam``). For
each phase in turn (chords, drums, bass, melody) every kept branch generates that phase's
candidates (``n`` per section and branch; for chords ``n`` progressions) and offers
alternatives:

- chords: disjoint sets of the best progressions, one per section of the form (``FORM``: intro,
  verse, chorus, bridge, outro); the best of a set goes to the section heard most (chorus, then
  verse, bridge, intro, outro);
- drums, bass, melody: the k-th best candidate of every section, for k = 1 .. beam.

An alternative scores the mean composite of its chosen candidates; a branch scores the mean of
its phase scores, and the ``beam`` best alternatives over all branches become the next branches.
The best kept branch (mean composite across phases) is copied into the output folder (approved
and promoted, as ``chromatic promote`` would leave it), then planned (with the bootstrap manifest);
a song heard in another key gives way to the next kept one that reads it (``arrange.key_heard``).
It is assembled and rendered, and ``compose_summary.md``/``.json`` are written.

Each phase is looked up in ``chromatic.produce.phases.registry`` and called through its one
``Phase.run(folder, PhaseOptions)``, which gives the phase's ``Candidates`` (nothing written); the
search gates them into each trial branch's outbox in memory, a step into the human's review.yml.
The registry is the extension point; a phase of the folder
layout with no registry entry is skipped with a warning. Branch ``i`` of a phase runs with
``seed + i``, so the same seed gives the same song, byte for byte.

Without ``--auto`` (``compose_step``) it advances the production folder by one human gate: it
runs the first phase with nothing approved yet, prints what to approve and the exact commands to
run next, and stops; once every phase is approved it plans, assembles and renders.
"""

from __future__ import annotations

import shlex
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from chromatic.errors import ProduceError
from chromatic.fileio import write_text_atomic
from chromatic.paths import within
from chromatic.produce.compose.branch import write_song
from chromatic.produce.compose.heard import key_choices
from chromatic.produce.compose.marker import MARKER, edited_files, read_marker, write_marker
from chromatic.produce.compose.options import FORM, SUMMARY, WORK_DIR, ComposeOptions
from chromatic.produce.compose.search import phase_options, search
from chromatic.produce.folder import (
    LOCK_FILE,
    PHASES,
    ProductionFolder,
    read_any_proposal,
)
from chromatic.produce.phases import Phase
from chromatic.produce.phases.composite import NO_MODEL_WARNING, Scorer, gate, load_scorer
from chromatic.produce.phases.concept import ConceptScorer, concept_vector
from chromatic.produce.phases.registry import find
from chromatic.produce.review import read_review
from chromatic.proposals.reader import with_key
from chromatic.yamlio import dump_yaml, load_plain

#: What compose writes into the output folder; only these are removed when it runs again.
OWNED = (
    *PHASES,
    "production_plan.yml",
    "manifest_bootstrap.yml",
    "arrangement.mid",
    "arrangement.wav",
    "arrangement.flac",
    "arrangement.png",
    f"{SUMMARY}.md",
    f"{SUMMARY}.json",
    WORK_DIR,
    MARKER,
    LOCK_FILE,
)


def available_phases(notes: list[str]) -> list[Phase]:
    """The registered phases in folder order; a phase of the folder layout with no registry
    entry is skipped with a note (the song plays without it)."""
    out = []
    for name in PHASES:
        phase = find(name)
        if phase is None:
            notes.append(
                f"phase {name!r} is not available (not in chromatic.produce.phases.registry): skipped"
            )
        else:
            out.append(phase)
    return out


# --- the folder ----------------------------------------------------------------------------------


def init_at(
    source: str | Path, root: Path, *, force: bool = False, key: str | None = None
) -> ProductionFolder:
    """Make ``root`` itself the production folder of ``source`` (``produce init`` makes a
    sub-folder named after the title); a different proposal already there needs ``force``.
    ``key`` (``compose --key``) replaces the proposal's key, with a warning saying so."""
    proposal = with_key(read_any_proposal(Path(source).resolve()), key)
    check_bpm(proposal.bpm, source)
    folder = ProductionFolder(root)
    text = dump_yaml({"schema_version": 1, **proposal.to_dict()})
    if (
        folder.proposal_path.is_file()
        and folder.proposal_path.read_text(encoding="utf-8") != text
        and not force
    ):
        old = load_plain(folder.proposal_path)
        raise ProduceError(
            f"already holds a different proposal ({old.get('source')}); use --force to replace it",
            path=root,
        )
    root.mkdir(parents=True, exist_ok=True)
    for phase in PHASES:
        folder.ensure_phase(phase)
    if (
        not folder.proposal_path.is_file()
        or folder.proposal_path.read_text(encoding="utf-8") != text
    ):
        write_text_atomic(folder.proposal_path, text)
    return folder


def _color_form(opts: ComposeOptions, folder: ProductionFolder) -> ComposeOptions:
    """The sections compose writes when asked for none (``FORM``): the style's own when its
    color chose the form (``produce.style.color``), each label once, in order."""
    from chromatic.produce.style import style_for

    if opts.form != FORM:
        return opts
    style = style_for(folder.proposal(), folder.root)
    if not style.color:
        return opts
    return replace(opts, form=tuple(dict.fromkeys(i.rstrip("!") for i in style.form)))


def check_bpm(bpm: float, source: object) -> None:
    """The proposal's tempo within the plan's bounds (``arrange.plan.MIN_BPM``-``MAX_BPM``),
    checked before any phase renders: 0.001 bpm would ask for terabytes of audio."""
    from chromatic.produce.arrange.plan import MAX_BPM, MIN_BPM

    if not MIN_BPM <= bpm <= MAX_BPM:
        raise ProduceError(
            f"expected a bpm of {MIN_BPM:g}-{MAX_BPM:g}, got {bpm:g}", path=source, field="bpm"
        )


def _clear_for_auto(root: Path, force: bool) -> None:
    """``_check_for_auto``, then remove what a previous run of compose wrote (only ``OWNED``
    names, each checked by ``paths.within``: a link among them is refused, never followed)."""
    if _check_for_auto(root, force):
        for name in OWNED:
            within(root, name)  # all checked before the first removal
        for name in OWNED:
            p = within(root, name)
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists() and name != LOCK_FILE:
                p.unlink()


def _check_for_auto(root: Path, force: bool) -> bool:
    """An unattended run owns its folder: refuse one holding human work unless ``force``, and
    any folder that is not a production folder at all (``force`` never empties, say, a home
    folder that happens to hold a ``bass/``). Ours: a fresh init, a run of ours that was killed
    (its ``MARKER`` says running), or a finished run whose human-editable files (the plan and
    every review.yml, the approved loops) still hash as it wrote them; an edited one is refused without ``force``
    and named, so a rerun never erases hand edits silently. Only the names compose writes go."""
    if root.exists() and not root.is_dir():
        raise ProduceError("expected a folder for --out, found a file", path=root)
    if root.is_dir() and any(p.name != LOCK_FILE for p in root.iterdir()):
        if not (root / "proposal.yml").is_file():
            raise ProduceError(
                "folder is not empty and is not a production folder (no proposal.yml); "
                "choose a new or empty --out",
                path=root,
            )
        fresh = not [
            p
            for p in root.rglob("*")
            if p.is_file() and p.name not in ("proposal.yml", LOCK_FILE, "reference.yml")
        ]  # reference.yml: compose --reference's, set before the run (reference.bias)
        marker = read_marker(root)
        ours = fresh or marker is not None or (root / f"{SUMMARY}.json").is_file()
        if not ours and not force:
            raise ProduceError(
                "folder exists and was not written by 'chromatic compose --auto' (it may hold "
                "your reviews); choose another --out or pass --force to replace it",
                path=root,
            )
        edited = edited_files(root, marker) if marker and marker.get("state") == "done" else []
        if edited and not force:
            raise ProduceError(
                f"{', '.join(edited)} edited since compose wrote it; a rerun would erase the edits: "
                "keep them with 'chromatic plan --refresh' / 'chromatic assemble', choose another "
                "--out, or pass --force to replace them",
                path=root,
            )
        return True
    return False


# --- the two entry points ------------------------------------------------------------------------


def _load_scorer(
    opts: ComposeOptions, notes: list[str], concept: str = "", folder: Path | None = None
) -> Scorer | None:
    """The scorer, with the concept embedded now (so that its cost is timed as the model's,
    not as the first phase's): from the folder's or the user's cache when this encoder embedded
    this text before (``phases.concept``: the text encoder is then never built), else by the
    encoder, cached for the next run."""
    if opts.model is None:
        notes.append(NO_MODEL_WARNING)
        return None
    scorer, note = gate(load_scorer(opts.model), trust_model=opts.trust_model)
    if note:
        notes.append(note)
    if scorer is None:
        return None
    vector = concept_vector(scorer, concept, folder)
    if vector is not None:
        return ConceptScorer(scorer, concept, vector)
    warm = getattr(scorer, "embed_text", None)
    if concept and callable(warm):
        warm(concept)
    return scorer


def _without_audio_if_unrenderable(opts: ComposeOptions, notes: list[str]) -> ComposeOptions:
    """No renderer on this machine: every other output is still written, and one warning says
    how to get audio (instead of failing after arrangement.mid with no summary)."""
    from chromatic.music.render import renderer_unavailable

    why = renderer_unavailable() if opts.render else None
    if why is None:
        return opts
    notes.append(f"no audio preview: {why} (or pass --no-render to skip audio)")
    return replace(opts, render=False)


def compose_auto(
    source: str | Path,
    out: str | Path,
    opts: ComposeOptions,
    progress: Callable[[str], None] = lambda _m: None,
):
    """Everything unattended: search, approve the best combination, plan, assemble, render."""
    root = Path(out)
    t_all = time.perf_counter()
    check_bpm(
        read_any_proposal(Path(source).resolve()).bpm, source
    )  # refused before --out is touched
    _check_for_auto(root, opts.force)  # refused before the lock file is made (checked again inside)
    root.mkdir(parents=True, exist_ok=True)
    with ProductionFolder(root).locked(timeout=0):  # a second run into the same --out is refused
        return _compose_locked(source, root, opts, progress, t_all)


def _compose_locked(source, root: Path, opts: ComposeOptions, progress, t_all: float):
    from chromatic.produce.compose.summary import ComposeResult, finish

    notes: list[str] = []
    timings: dict[str, float] = {}
    _clear_for_auto(root, opts.force)
    folder = init_at(source, root, force=True, key=opts.key)
    opts = _color_form(opts, folder)
    write_marker(root, opts, source, "running")
    notes.extend(folder.proposal().warnings)
    opts = _without_audio_if_unrenderable(opts, notes)
    t = time.perf_counter()
    scorer = _load_scorer(opts, notes, folder.proposal().concept, root)
    timings["model"] = time.perf_counter() - t
    runners = available_phases(notes)
    try:
        best, reports = search(root, opts, scorer, runners, progress, notes, finals := [])
        for r in reports:
            timings[r.phase] = r.seconds
        rewrite, more = key_choices(folder, opts, scorer, runners, notes, finals)
        rewrite(best)  # written once here, again only for a branch finish keeps for its key
        if opts.keep_work:  # a copy of the chosen branch stays for inspection
            write_song(ProductionFolder(root / WORK_DIR / "best"), best.song.held)
    finally:
        if not opts.keep_work:
            shutil.rmtree(root / WORK_DIR, ignore_errors=True)
    result = ComposeResult(
        root=root,
        options=opts,
        proposal=folder.proposal(),
        best=best,
        phases=reports,
        timings=timings,
        warnings=list(dict.fromkeys(notes)),
        finals=finals,
        rewrite=rewrite,
        more=more,
    )
    finish(result, progress)
    result.timings["total"] = time.perf_counter() - t_all
    result.write()
    write_marker(root, opts, source, "done")
    return result


@dataclass(frozen=True)
class StepResult:
    phase: str | None  # the phase run or waited on; None when the song was assembled
    message: str
    warnings: tuple[str, ...]


def compose_step(source: str | Path, out: str | Path, opts: ComposeOptions) -> StepResult:
    """Advance the folder by one human gate (see the module docstring)."""
    root = Path(out)
    if root.is_dir() and not (root / "proposal.yml").is_file() and any(root.iterdir()):
        raise ProduceError(
            "folder is not empty and is not a production folder (no proposal.yml); "
            "choose a new or empty --out",
            path=root,
        )
    folder = init_at(source, root, force=opts.force, key=opts.key)
    opts = _color_form(opts, folder)
    notes: list[str] = list(folder.proposal().warnings)
    again = shlex.join(
        [
            "chromatic",
            "compose",
            str(source),
            "--out",
            str(root),
            "-n",
            str(opts.n),
            *(["--model", str(opts.model)] if opts.model else []),
            "--seed",
            str(opts.seed),
        ]
    )
    for entry in available_phases(notes):
        phase = entry.name
        if any(folder.approved_dir(phase).glob("*.mid")):
            continue
        review = folder.review_path(phase)
        promote_cmd = shlex.join(["chromatic", "promote", str(root), phase])
        approved = review.is_file() and any(
            c.status == "approved" for c in read_review(review, check_files=True).candidates
        )
        if approved:
            return StepResult(
                phase,
                f"{phase}: candidates are approved in {review} but not promoted.\n"
                f"next:\n  {promote_cmd}\n  {again}",
                tuple(notes),
            )
        if not review.is_file():
            scorer = _load_scorer(opts, notes, folder.proposal().concept, root)
            entry.run(folder, phase_options(phase, opts, opts.seed, scorer)).gate(folder)
        what = (
            "label the candidates you want as sections (e.g. " + ", ".join(opts.form) + ") and set "
            "status: approved"
            if phase == "chords"
            else "approve one candidate per section (status: approved; the label defaults to its section)"
        )
        msg = (
            f"{phase}: candidates ranked in {review}\nnext:\n  1. edit {review}: {what}\n"
            f"  2. {promote_cmd}\n  3. {again}"
        )
        return StepResult(phase, msg, tuple(dict.fromkeys(notes)))
    from chromatic.produce.arrange.assemble import assemble
    from chromatic.produce.arrange.plan import plan_path, write_plan

    plan = write_plan(root, refresh=plan_path(root).is_file())
    notes.extend(plan.warnings)
    opts = _without_audio_if_unrenderable(opts, notes)
    res = assemble(
        root,
        render=opts.render,
        soundfont=opts.soundfont,
        audio_format=opts.audio_format,
        sample_rate=opts.sample_rate,
        quantized=opts.quantized,
        stems=opts.stems,
    )
    notes.extend(res.arrangement.warnings)
    lines = [
        f"every phase is approved: {plan.path} ({'created' if plan.created else 'refreshed'})",
        f"arrangement: {res.midi}",
    ]
    if res.audio:
        lines += [f"preview:     {res.audio}", f"picture:     {res.image}"]
    lines.append(
        f"edit {plan.path} (order, repeat, vocals, intensity) and run: chromatic assemble {root} --render"
    )
    return StepResult(None, "\n".join(lines), tuple(dict.fromkeys(notes)))
