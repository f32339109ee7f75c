"""The beam search of ``compose --auto``: branches, their alternatives, and approving one.

A *branch* is a value, the song so far (``compose.branch.HeldSong``): for each phase decided,
the review its run produced, the chosen candidates (approved, label = section) and their
approved loops, all in memory. For each phase every branch runs the phase on its song so far
(the phase's ordinary public function, reading through the folder's methods) and offers
alternatives (``alternatives``); the ``beam`` best over all branches, by the mean over phases
of the mean composite of the chosen candidates, become the next branches. Ties go to the
earlier branch, then the earlier alternative, so the search is deterministic. A kept branch is
its parent's value plus the approval (``approve_choice``): nothing is copied or written; the
caller writes the best branch into the folder once (``branch.write_song``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from chromatic.errors import ProduceError
from chromatic.music import form
from chromatic.music.daw import finish_loop, read_midi
from chromatic.music.song import Song
from chromatic.paths import contained
from chromatic.produce.chords.heard import key_first
from chromatic.produce.compose.branch import HeldSong, approved_text  # noqa: F401 (re-exported)
from chromatic.produce.compose.options import Branch, ComposeOptions, PhaseReport
from chromatic.produce.loops import delivered_loop
from chromatic.produce.phases import Phase, PhaseOptions
from chromatic.produce.phases.composite import Scorer
from chromatic.produce.phases.taste import cached_taste
from chromatic.produce.review import GROUP_KEY, Candidate, ReviewFile

#: The best chord progressions go to the sections heard most (``music.form``: roles by
#: ``chord_rank``; a form label is ranked only when it is exactly a role's name); in a search
#: for the key (``heard``), those that hold the planned key on their own first
#: (``chords.heard.key_first``).
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


def _given_chords(
    cands: list[Candidate], files: dict[str, str], form: tuple[str, ...], beam: int, path: Path
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
            path=path,
        )
    out = []
    for i in range(depth):
        pick = {s: own[s][i] for s in form if s in own}
        pick.update(zip(rest, free[i * len(rest) : (i + 1) * len(rest)], strict=True))
        out.append(Alternative.of(pick, files))
    return out


def alternatives(
    phase: str,
    review: ReviewFile,
    path: Path,
    form: tuple[str, ...],
    beam: int,
    notes: list[str],
    heard: bool = False,
) -> list[Alternative]:
    """The ways to decide ``phase`` from its review (the one at ``path``), best first (see the
    module docstring)."""
    cands = sorted(review.candidates, key=lambda c: c.rank)
    files = {c.id: c.midi_file for c in cands}
    if phase == "chords" and any(c.details.get(GROUP_KEY) for c in cands):
        return _given_chords(cands, files, form, beam, path)
    if phase == "chords":
        k = min(beam, len(cands) // len(form))
        if k == 0:
            raise ProduceError(
                f"only {len(cands)} distinct chord progressions for {len(form)} sections "
                f"({', '.join(form)}); raise -n",
                path=path,
            )
        order = sorted(
            form,
            key=lambda s: CHORD_PRIORITY.index(s) if s in CHORD_PRIORITY else len(CHORD_PRIORITY),
        )
        out = []
        for i in range(k):
            group = cands[i * len(form) : (i + 1) * len(form)]
            group = dict(zip(order, key_first(group) if heard else group, strict=True))
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
        raise ProduceError(f"{phase} produced no candidates for any section", path=path)
    depth = min(beam, max(len(by_section[s]) for s in present))
    out = []
    for i in range(depth):
        pick = {s: by_section[s][min(i, len(by_section[s]) - 1)] for s in present}
        out.append(Alternative.of(pick, files))
    return out


def approve_choice(trial: HeldSong, phase: str, alt: Alternative) -> HeldSong:
    """The child of ``trial`` (a branch that has just run ``phase``) that approves exactly
    ``alt`` (label = section), as a human would with ``approve`` and ``promote``: every other
    candidate stays pending; the approved loops are what promote writes (``approved_loop``)."""
    held = trial.outbox[phase]
    base = trial.phase_dir(phase)
    loops, read = {}, {}
    for section, midi_file in alt.files.items():
        contained(base, midi_file, path=held.path, field="midi_file")
        loops[section] = _promoted(held.files, midi_file, phase)
        song = held.songs.get(midi_file)
        if song is not None:  # what a later phase reads of it, from the candidate's Song
            read[section] = partial(_delivered, song)
    label_of = {cid: section for section, cid in alt.choice.items()}
    return trial.approve(phase, label_of, loops, read)


def _delivered(song) -> Song:
    return delivered_loop(song() if callable(song) else song)


def _promoted(files, midi_file: str, phase: str) -> Callable[[], bytes]:
    """The approved loop ``promote`` writes of the candidate ``midi_file``, made when read (a
    later phase reads it, or the branch is written)."""
    return lambda: finish_loop(read_midi(files[midi_file]), phase)


def search(
    root: Path,
    opts: ComposeOptions,
    scorer: Scorer | None,
    runners: list[Phase],
    progress: Callable[[str], None],
    notes: list[str],
    finals: list[Branch] | None = None,
    heard: bool = False,
) -> tuple[Branch, list[PhaseReport]]:
    """Run the beam search on the initialized folder ``root``; returns the best branch (its
    song so far fully approved, in memory) and what each phase did; ``finals`` receives every
    branch the beam kept at the end, best first; ``heard``: the chords' sections heard most
    take the progressions that hold the key (``compose.heard``)."""
    branches, reports = [Branch(HeldSong(root))], []
    for entry in runners:
        phase = entry.name
        t0 = time.perf_counter()
        offers: list[tuple[float, int, int, Branch, Alternative]] = []
        trials: list[HeldSong] = []
        generated = 0
        for bi, b in enumerate(branches):
            trial = b.song.trial()
            trials.append(trial)
            made = entry.run(trial, phase_options(phase, opts, opts.seed + bi, scorer))
            result = made.gate(trial)  # into the trial's outbox, in memory: no file written
            generated += result.generated
            held = trial.outbox[phase]
            for ai, alt in enumerate(
                # the run's review as merged (ids, ranks, composites, sections: what a reader
                # reads of it, without reading it)
                alternatives(
                    phase, held.merged.model, held.path, opts.form, opts.beam, notes, heard
                )
            ):
                phase_mean = sum(alt.composites.values()) / len(alt.composites)
                score = (sum(b.phase_scores.values()) + phase_mean) / (len(b.phase_scores) + 1)
                offers.append((score, bi, ai, b, alt))
        offers.sort(key=lambda o: (-round(o[0], 12), o[1], o[2]))
        kept = [
            Branch(
                approve_choice(trials[bi], phase, alt),
                (*parent.lineage, ai),
                {**parent.choices, phase: alt.choice},
                {**parent.composites, phase: alt.composites},
            )
            for _score, bi, ai, parent, alt in offers[: opts.beam]
        ]
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
    if finals is not None:
        finals[:] = branches
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
