"""A reference track as style: its figures bias every phase's candidates toward it.

``chromatic produce reference FOLDER FILE`` (or ``compose --reference FILE``) measures FILE
(``reference.figures``) and writes ``FOLDER/reference.yml`` (the source, its figures per role,
the weight). While that file is there, each phase run through the registry is biased:

1. the phase generates as usual, in a throwaway copy of the folder, keeping its best
   ``POOL x top`` candidates of each section (at most ``n``);
2. each candidate of a role the reference has is played on the reference's instrument (its GM
   program) and its velocities moved to the reference's mean and spread (the dynamics' level
   and range; which notes are louder stays the phase's);
3. its figures are measured and its closeness to the reference's (1 - ``figures.distance``)
   becomes a term of its composite: ``(1 - weight) x composite + weight x closeness``
   (``scores.reference``); the ranking and the kept ``top`` per section follow it;
4. the kept ones are the run's ``Candidates`` (nothing written into the real folder); gated,
   they merge into its review.yml as a run of the phase would (touched candidates kept), and
   review.yml's ``reference:`` says so.

Without ``reference.yml`` nothing of this runs: every phase's output is what it was.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import mido

from chromatic.errors import ProduceError
from chromatic.fileio import check_regular, clone_tree, write_text_atomic
from chromatic.produce.reference.figures import distance, figures_of
from chromatic.produce.regenerate import FreshCandidate, Group
from chromatic.produce.review import GROUP_KEY, SCRATCH_FIELD, detail_file, read_review
from chromatic.yamlio import dump_yaml, read_yaml

REFERENCE_FILE = "reference.yml"
WEIGHT = 0.5
#: The phase's best ``POOL x top`` candidates of a section are re-ranked by the reference (not
#: all ``n``: writing, re-reading and measuring every one of ``n`` made ``compose --reference``
#: several times slower, most of it rendering and YAML for candidates that never had a chance).
POOL = 4
PREFIX = {
    "chords": "chord",
    "drums": "drum",
    "bass": "bass",
    "melody": "melody",
    "harmony": "harmony",
}


def set_reference(folder, midi: str | Path, weight: float = WEIGHT) -> dict:
    """Measure ``midi`` and write ``reference.yml`` into the production folder."""
    path = Path(midi)
    if not path.exists():
        raise ProduceError("no such MIDI file", path=path)
    check_regular(path, ProduceError)  # a FIFO, a device or a folder: said, never opened
    if not 0.0 <= weight <= 1.0:
        raise ProduceError(f"expected a weight in 0-1, got {weight}", field="--weight")
    data = {"source": path.name, "weight": float(weight), "figures": figures_of(path)}
    write_text_atomic(folder.path(REFERENCE_FILE), dump_yaml(data))  # no link, checked now
    return data


def load_reference(root: str | Path) -> dict | None:
    path = Path(root) / REFERENCE_FILE
    if not path.is_file():
        return None
    data = read_yaml(path, ProduceError)
    if not isinstance(data, dict) or not isinstance(data.get("figures"), dict):
        raise ProduceError("expected source, weight and figures", path=path)
    return data


def restyle(data: bytes, ref: dict | None) -> bytes:
    """``data`` played on the reference role's program, its velocities moved to the
    reference's mean and spread (``m + (v - mean) x sd_ref / sd``; the drums: velocities only)."""
    if not ref:
        return data
    mf = mido.MidiFile(file=io.BytesIO(data))
    vels = [m.velocity for t in mf.tracks for m in t if m.type == "note_on" and m.velocity]
    mean = sum(vels) / len(vels) if vels else 0.0
    sd = (sum((v - mean) ** 2 for v in vels) / len(vels)) ** 0.5 if vels else 0.0
    target = float(ref.get("velocity") or mean)
    spread = float(ref.get("velocity_sd", sd)) / sd if sd else 1.0
    program = ref.get("program")
    for track in mf.tracks:
        for i, m in enumerate(track):
            if m.type == "note_on" and m.velocity:
                v = round(target + (m.velocity - mean) * spread)
                track[i] = m.copy(velocity=max(1, min(127, v)))
            elif m.type == "program_change" and program is not None and m.channel != 9:
                track[i] = m.copy(program=int(program))
    out = io.BytesIO()
    mf.save(file=out)
    return out.getvalue()


def changes(style, ref: dict) -> list[str]:
    """What the reference changes, in words (``chromatic style`` prints them)."""
    from chromatic.music.gm import PROGRAMS

    names = {v: k for k, v in sorted(PROGRAMS.items(), reverse=True)}
    out = []
    for role, figs in sorted(ref["figures"].items()):
        if figs.get("program") is not None and role != "drums":
            was = style.program(role)
            now = figs["program"]
            if now != was:
                a, b = f"{was} {names.get(was, '')}".strip(), f"{now} {names.get(now, '')}".strip()
                out.append(f"{role}: program {a} -> {b}")
        out.append(
            f"{role}: velocities moved to a mean of {figs['velocity']:.0f}, "
            f"spread {figs.get('velocity_sd', 0):.0f}"
        )
    out.append(
        f"scoring: composite = {1 - ref['weight']:.2f} x the phase's composite + "
        f"{ref['weight']:.2f} x closeness to the reference's figures "
        f"({', '.join(sorted(ref['figures']))})"
    )
    return out


def run_with_reference(phase, folder, options):
    """``phase.run`` biased by the folder's reference (see the module docstring): the phase's
    ``Candidates``, re-ranked; the throwaway copy gets the phase's own review, never the real
    folder."""
    ref = load_reference(folder.root)
    role = phase.name
    target = (ref["figures"] or {}).get(role)
    weight = float(ref.get("weight", WEIGHT))
    from chromatic.produce.folder import LOCK_FILE, ProductionFolder

    work = Path(tempfile.mkdtemp(prefix="chromatic-reference-"))
    try:
        clone = work / folder.root.name
        ignore = shutil.ignore_patterns(REFERENCE_FILE, LOCK_FILE, "*.wav", "*.flac", "stems")
        clone_tree(folder.root, clone, ignore=ignore)
        folder.write_into(clone)  # a compose branch: the song so far it holds in memory
        pool = max(options.top, min(options.n, POOL * options.top))
        copy = ProductionFolder(clone)
        first = phase.run(copy, replace(options, top=pool))
        run = first.gate(copy)
        review_path = clone / role / "review.yml"
        review = read_review(review_path)
        groups: dict[str | None, list[tuple[float, FreshCandidate]]] = {}
        for c in review.candidates:
            if c.touched:
                continue
            data = restyle((review_path.parent / c.midi_file).read_bytes(), target)
            scores = c.scores.model_dump()
            if target:
                close = 1.0 - (distance({role: target}, figures_of(data, only=role)) or 0.0)
                scores["reference"] = round(close, 4)
                scores["composite"] = round((1 - weight) * c.scores.composite + weight * close, 4)
            details = dict(c.details)
            extra = {}
            beat = details.pop("scratch_beat", None)
            at = detail_file(review_path, beat, SCRATCH_FIELD)
            if at and at.is_file():
                extra["scratch_beat"] = ("_scratch", at.read_bytes())
            fresh = FreshCandidate(scores, details, data, extra)
            groups.setdefault(details.get(GROUP_KEY), []).append((scores["composite"], fresh))
        facts = {k: v for k, v in review.model_dump().items() if k != "candidates"}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    facts["reference"] = {
        "source": ref.get("source"),
        "weight": weight,
        "role": role if target else None,
    }
    top = options.top
    digits = 3 if role == "chords" else 2
    made = []
    for name, items in groups.items():
        items.sort(key=lambda x: -x[0])
        prefix = PREFIX[role] + (f"_{name}" if name else "")
        made.append(Group(name, prefix, iter(f for _, f in items), top))
    # the phase's own Candidates, re-ranked (built by ``replace``: ``produce.phases`` imports
    # this package, so this one imports nothing of it)
    return replace(
        first,
        facts=facts,
        groups=made,
        digits=digits,
        generated=run.generated,
        distinct=run.distinct,
        by_section=run.by_section,
        warnings=run.warnings,
        weights=run.weights,
        then=None,
    )
