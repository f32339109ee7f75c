"""The beam search of ``compose --auto``: branches, their alternatives, and approving one.

A *branch* is a production folder (under ``<out>/.compose/``) in which the phases so far are
decided: their chosen candidates approved in review.yml and promoted to ``approved/``, exactly as
a human would leave them, so the next phase runs on it through its ordinary public function.
For each phase every branch generates candidates and offers alternatives (``alternatives``);
the ``beam`` best over all branches, by the mean over phases of the mean composite of the
chosen candidates, become the next branches. Ties go to the earlier branch, then the earlier
alternative, so the search is deterministic. A kept branch is its parent's folder cloned with
hard links (``fileio.clone_tree``), except the last child of a parent, which takes the parent's
folder itself (renamed): the parent is not needed after its children are made.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chromatic.errors import ProduceError
from chromatic.fileio import clone_tree, write_bytes_atomic, write_text_atomic
from chromatic.music import form
from chromatic.paths import contained
from chromatic.produce.compose.options import (
    WORK_DIR,
    Branch,
    ComposeOptions,
    PhaseReport,
)
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases import Phase, PhaseOptions
from chromatic.produce.phases.composite import Scorer
from chromatic.produce.phases.taste import cached_taste
from chromatic.produce.promote import approved_loop
from chromatic.produce.review import (
    GROUP_KEY,
    Candidate,
    approve,
    read_review,
    remember_approval,
)

#: The best chord progressions go to the sections heard most (``music.form``: roles by
#: ``chord_rank``; a form label is ranked only when it is exactly a role's name).
CHORD_PRIORITY: tuple[str, ...] = form.CHORD_PRIORITY
PART_TOP = 5  # candidates kept per section in a per-section phase's review.yml (at least beam)
CHORD_TOP = 10


@dataclass(frozen=True)
class Alternative:
    choice: dict[str, str]  # section -> candidate id
    composites: dict[str, float]
    files: dict[str, str]  # section -> the candidate's midi_file (relative to the phase folder)

    @classmethod
    def of(cls, pick: dict[str, Candidate], files: dict[str, str]) -> Alternative:
        """The alternative that plays ``pick`` (section -> candidate)."""
        return cls(
            {s: c.id for s, c in pick.items()},
            {s: c.scores.composite for s, c in pick.items()},
            {s: files[c.id] for s, c in pick.items()},
        )


def read_candidates(review_path: Path) -> list[Candidate]:
    """A review.yml's candidates by rank (``review.read_review``: the fast reader)."""
    return sorted(read_review(review_path).candidates, key=lambda c: c.rank)


def _given_chords(
    cands: list[Candidate], files: dict[str, str], form: tuple[str, ...], beam: int, phase_dir: Path
) -> list[Alternative]:
    """Alternatives when some chord candidates belong to a section (the artist's progression,
    ``phases.given_chords``): those sections take their own candidates, the others the
    generated ones in rank order (by ``CHORD_PRIORITY``)."""
    own: dict[str, list[Candidate]] = {}
    free = []
    for c in cands:
        section = c.details.get(GROUP_KEY)
        (own.setdefault(section, []) if section else free).append(c)
    rest = sorted(
        (s for s in form if s not in own),
        key=lambda s: CHORD_PRIORITY.index(s) if s in CHORD_PRIORITY else len(CHORD_PRIORITY),
    )
    depth = min([beam, *(len(own[s]) for s in form if s in own)])
    if rest:
        depth = min(depth, len(free) // len(rest))
    if depth == 0:
        raise ProduceError(
            f"no chord candidates for {', '.join(rest)} (no progression given for them); "
            "give one per section or generate chords for the others",
            path=phase_dir / "review.yml",
        )
    out = []
    for i in range(depth):
        pick = {s: own[s][i] for s in form if s in own}
        pick.update(zip(rest, free[i * len(rest) : (i + 1) * len(rest)], strict=True))
        out.append(Alternative.of(pick, files))
    return out


def alternatives(
    phase: str, phase_dir: Path, form: tuple[str, ...], beam: int, notes: list[str]
) -> list[Alternative]:
    """The ways to decide ``phase`` from its review.yml, best first (see the module docstring)."""
    cands = read_candidates(phase_dir / "review.yml")
    files = {c.id: c.midi_file for c in cands}
    if phase == "chords" and any(c.details.get(GROUP_KEY) for c in cands):
        return _given_chords(cands, files, form, beam, phase_dir)
    if phase == "chords":
        k = min(beam, len(cands) // len(form))
        if k == 0:
            raise ProduceError(
                f"only {len(cands)} distinct chord progressions for {len(form)} sections "
                f"({', '.join(form)}); raise -n",
                path=phase_dir / "review.yml",
            )
        order = sorted(
            form,
            key=lambda s: CHORD_PRIORITY.index(s) if s in CHORD_PRIORITY else len(CHORD_PRIORITY),
        )
        out = []
        for i in range(k):
            group = dict(zip(order, cands[i * len(form) : (i + 1) * len(form)], strict=True))
            out.append(Alternative.of(group, files))
        return out
    by_section: dict[str, list[Candidate]] = {}
    for c in cands:
        by_section.setdefault(str(c.details.get(GROUP_KEY)), []).append(c)
    present = [s for s in form if by_section.get(s)]
    for s in form:
        if s not in present:
            notes.append(f"{phase}: no candidates for section {s!r}; it plays without {phase}")
    if not present:
        raise ProduceError(
            f"{phase} produced no candidates for any section", path=phase_dir / "review.yml"
        )
    depth = min(beam, max(len(by_section[s]) for s in present))
    out = []
    for i in range(depth):
        pick = {s: by_section[s][min(i, len(by_section[s]) - 1)] for s in present}
        out.append(Alternative.of(pick, files))
    return out


#: A label the YAML writer leaves unquoted (a form label that is not a YAML 1.1 / 1.2 keyword).
_PLAIN_LABEL = re.compile(r"[a-z][a-z0-9_]*")
_KEYWORDS = frozenset({"null", "true", "false", "yes", "no", "on", "off", "y", "n"})


def approved_text(text: str, label_of: dict[str, str]) -> str | None:
    """``review.approve``'s result for a review.yml that the phase has just written (every
    candidate pending, no label, no hand edit), by editing the two lines of each approved
    candidate instead of a YAML round trip (the round trip is most of a phase's time in a
    compose search; the test suite checks both give the same bytes). None when the text is not
    such a file, or a label would need quoting: then ``review.approve`` is used."""
    if re.search(r"^    status: (?!pending$)", text, flags=re.M) or re.search(
        r"^    label: (?!null$)", text, flags=re.M
    ):
        return None
    for cid, label in label_of.items():
        if not _PLAIN_LABEL.fullmatch(label) or label in _KEYWORDS:
            return None
        block = re.compile(
            rf"^(  - id: {re.escape(cid)}\n    rank: \d+\n)    status: pending\n    label: null\n",
            flags=re.M,
        )
        text, count = block.subn(rf"\g<1>    status: approved\n    label: {label}\n", text)
        if count != 1:
            return None
    return text


def approve_choice(root: Path, phase: str, alt: Alternative) -> None:
    """Approve exactly ``alt`` in ``phase``'s review.yml (label = section) and promote it, as a
    human would (``review.approve``, or the same bytes by ``approved_text``); every other
    candidate stays pending."""
    folder = ProductionFolder(root)
    path = folder.review_path(phase)
    label_of = {cid: section for section, cid in alt.choice.items()}
    before = path.read_text(encoding="utf-8")
    text = approved_text(before, label_of)
    if text is None:
        approve(path, label_of)
    else:
        write_text_atomic(path, text)
        remember_approval(before, text, label_of)
    approved = folder.approved_dir(phase)
    approved.mkdir(parents=True, exist_ok=True)
    for p in approved.glob("*.mid"):
        p.unlink()
    for section, midi_file in alt.files.items():  # what promote writes (``approved_loop``)
        src = contained(folder.phase_dir(phase), midi_file, path=path, field="midi_file")
        write_bytes_atomic(approved / f"{section}.mid", approved_loop(src, phase))


def search(
    root: Path,
    opts: ComposeOptions,
    scorer: Scorer | None,
    runners: list[Phase],
    progress: Callable[[str], None],
    notes: list[str],
) -> tuple[Branch, list[PhaseReport]]:
    """Run the beam search from the initialized folder ``root``; returns the best branch (its
    folder fully approved and promoted) and what each phase did."""
    work = root / WORK_DIR
    start = work / "root"
    clone_tree(root, start, ignore=shutil.ignore_patterns(WORK_DIR, ".chromatic.lock"))
    branches, reports = [Branch(start)], []
    for entry in runners:
        phase = entry.name
        t0 = time.perf_counter()
        offers: list[tuple[float, int, int, Branch, Alternative]] = []
        generated = 0
        for bi, b in enumerate(branches):
            folder = ProductionFolder(b.root)
            result = entry.run(folder, phase_options(phase, opts, opts.seed + bi, scorer))
            generated += result.generated
            for ai, alt in enumerate(
                alternatives(phase, folder.phase_dir(phase), opts.form, opts.beam, notes)
            ):
                phase_mean = sum(alt.composites.values()) / len(alt.composites)
                score = (sum(b.phase_scores.values()) + phase_mean) / (len(b.phase_scores) + 1)
                offers.append((score, bi, ai, b, alt))
        offers.sort(key=lambda o: (-round(o[0], 12), o[1], o[2]))
        kept, chosen = [], offers[: opts.beam]
        last_child = {o[1]: j for j, o in enumerate(chosen)}
        for j, (_score, bi, ai, parent, alt) in enumerate(chosen):
            child = work / f"{phase}-{j}"
            if last_child[bi] == j:  # its other children are cloned: the last takes the folder
                parent.root.rename(child)
            else:
                clone_tree(parent.root, child)
            approve_choice(child, phase, alt)
            kept.append(
                Branch(
                    child,
                    (*parent.lineage, ai),
                    {**parent.choices, phase: alt.choice},
                    {**parent.composites, phase: alt.composites},
                )
            )
        for bi, b in enumerate(branches):
            if bi not in last_child:  # no child took its folder
                shutil.rmtree(b.root, ignore_errors=True)
        branches = kept
        seconds = time.perf_counter() - t0
        reports.append(
            PhaseReport(
                phase,
                seconds,
                len({o[1] for o in offers}),
                generated,
                len(offers),
                tuple((".".join(map(str, b.lineage)), round(b.score, 4)) for b in kept),
            )
        )
        progress(
            f"{phase}: {generated} candidates over {reports[-1].branches} branch(es), "
            f"{len(offers)} alternatives, best {kept[0].score:.3f} ({seconds:.2f} s)"
        )
    return branches[0], reports


def phase_options(
    phase: str, opts: ComposeOptions, seed: int, scorer: Scorer | None
) -> PhaseOptions:
    """What compose runs ``phase`` with: ``n``, ``top_for`` and the scoring of the run."""
    return PhaseOptions(
        n=opts.n,
        top=top_for(phase, opts),
        seed=seed,
        scorer=scorer,
        model=str(opts.model) if opts.model else None,
        weights=opts.weights,
        taste=cached_taste(str(opts.taste)) if opts.taste else None,
        evolve=opts.evolve,
    )


def top_for(phase: str, opts: ComposeOptions) -> int:
    """Candidates kept in a review.yml: enough for every alternative (chords: a disjoint set of
    sections per branch), and a few to choose from when a human looks afterwards."""
    if phase == "chords":
        return max(CHORD_TOP, opts.beam * len(opts.form))
    return max(PART_TOP, opts.beam)
