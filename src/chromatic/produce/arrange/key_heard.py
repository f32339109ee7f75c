"""The key a listener hears in the whole arranged song, and the search's last choice by it.

Each loop is scored on its own for the planned key (the chord phase's and the bass phase's
``centre``), but a listener names a song's key from all of it: every pitched note of the
arrangement, weighted by how long it sounds (music21's ``analyze('key')``, whose Aarden-Essen
profile weighs the fifth most, and ``analyze('krumhansl')``; each note's length clipped to
1/8-8 quarters, as ``measure.craft.key_agreement`` reads them), so section repeats, the
arranger's doubling and every part count. Loops that each hold the key can still add up to a
song heard in a neighbour's key: in F# minor, a verse on i-iv-VI-v under a melody dwelling on
D and A, with the backing voices on D, is heard as D major by a hair (0.804 against 0.800).

``heard_lead`` is the rival tonic's lead over the planned one (the best correlation of any key
on another tonic, minus the best of the planned tonic's major and minor; negative when the
planned tonic wins), the larger of the two listeners'. ``heard_choice`` is compose's last
choice, made when it plans and arranges (``heard_plan``, from ``compose.summary.finish``): the
best branch the beam kept is planned and arranged as always; when the planned tonic does not
lead it to both listeners by ``MARGIN``, the next kept branch is written, planned and arranged,
and so on; when none does, compose searches once more with the chords' key first
(``compose.heard``) and its branches are tried too. It keeps the first that reads the key by
the margin, else the first the planned tonic leads at all, else the best. The kept branches
differ in melody, bass and drums, sometimes in their chords. A song whose best branch the
planned tonic leads by the margin (most songs) costs nothing more and is the same song.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from symusic import Score

from chromatic.produce.chords.theory import PROFILES, key_correlations

MARGIN = 0.01  # the planned tonic's lead (both listeners) at which a branch reads its key


def heard_profile(score: Score) -> np.ndarray:
    """[12]: every pitched note's length in quarters (clipped to 1/8-8) by pitch class."""
    profile = np.zeros(12)
    tpq = score.ticks_per_quarter
    for track in score.tracks:
        if track.is_drum:
            continue
        for n in track.notes:
            profile[n.pitch % 12] += min(max(n.duration / tpq, 0.125), 8.0)
    return profile


def heard_lead(score: Score, tonic: int) -> float:
    """The rival tonic's lead over ``tonic`` (see the module docstring); 0 without notes."""
    profile = heard_profile(score)
    if profile.std() == 0:
        return 0.0
    lead = -1.0
    for refs in PROFILES:
        r = key_correlations(profile, refs)
        lead = max(lead, float(np.delete(r, tonic % 12, axis=1).max() - r[:, tonic % 12].max()))
    return lead


def heard_choice(
    count: int,
    write: Callable[[int], None],
    arranged: Callable[[], tuple],
    tonic: int | None,
    more: Callable[[], int] | None = None,
) -> tuple[tuple, int]:
    """Which of ``count`` kept branches (best first, the first one already written) to keep,
    and its plan and arrangement (see the module docstring). ``arranged()`` plans and arranges
    what the folder holds and returns ``(plan, arrangement)``; ``write(i)`` writes branch ``i``
    in place of the one there (its plan removed); ``more()``, asked once when no branch reads
    the key by ``MARGIN``, adds branches after them and says how many. The folder is left
    holding the branch chosen, planned: a song whose best branch reads the key costs nothing
    more. ``tonic`` None (a song planned through every key): the best branch."""
    got = arranged()
    if tonic is None:
        return got, 0
    leads = [heard_lead(got[1].score, tonic)]
    while leads[-1] > -MARGIN:
        if len(leads) == count:
            count += more() if more else 0
            more = None
            if len(leads) == count:
                break
        write(len(leads))
        got = arranged()
        leads.append(heard_lead(got[1].score, tonic))
    else:
        return got, len(leads) - 1
    # none by the margin: the first the planned tonic leads at all, else the best
    chosen = next((i for i, lead in enumerate(leads) if lead < 0), 0)
    if chosen != len(leads) - 1:
        write(chosen)
        got = arranged()
    return got, chosen


def heard_plan(root: Path, seed: int, tonic: int, branches=(), write=None, more=None) -> tuple:
    """``(plan result, arrangement, branch chosen)``: compose's plan and arrangement of the
    folder at ``root`` (``write_plan`` with ``seed``, then ``arrange``), through
    ``heard_choice`` over the kept ``branches`` (best first, the first written), each written
    by ``write(branch)``; ``more()`` gives more branches (compose: its search again, the
    chords' key first). The branch is None without branches."""
    from chromatic.produce.arrange import form as layout
    from chromatic.produce.arrange.assemble import arrange
    from chromatic.produce.arrange.plan import PLAN_FILE, write_plan
    from chromatic.produce.folder import open_folder

    branches = list(branches)

    def arranged() -> tuple:
        plan = write_plan(root, seed=seed)
        return plan, arrange(open_folder(root), plan.plan)

    def rewrite(i: int) -> None:
        (root / PLAN_FILE).unlink(missing_ok=True)
        write(branches[i])

    def extend() -> int:
        new = more()
        branches.extend(new)
        return len(new)

    if not branches or write is None:
        return (*arranged(), branches[0] if branches else None)
    if layout.modulation_of(open_folder(root).proposal(), layout.raw_proposal(root)):
        tonic = None  # it walks the circle of fifths: no one key to be heard in
    got, chosen = heard_choice(len(branches), rewrite, arranged, tonic, more and extend)
    return (*got, branches[chosen])
