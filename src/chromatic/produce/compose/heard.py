"""compose's choice of a song heard in its key, wired (``arrange.key_heard`` makes it when it
plans and arranges, in ``compose.summary.finish``).

- ``rewrite(branch)``: a kept branch, approved and promoted, becomes the output folder (its
  phase folders replaced), as the search's best is written first;
- ``more()``: when no kept branch's whole song reads the planned key, the search once more
  with ``heard``: each chord set's progressions that hold the key on their own go to the
  sections heard most (``chords.heard.key_first``), so a song whose best progression is a
  colour heard in a neighbour's key (F# minor's i-i-VI-VII, heard as B minor) plays it where
  it is heard less. The same seed gives the same chord candidates; only where each is heard,
  and the parts built on it, change. It runs only for such a song, and not when the proposal
  gives its own progressions (where the artist's are played is the artist's choice), nor
  when the key-first order would group the first search's chord sets as they were.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from chromatic.produce.compose.branch import write_song
from chromatic.produce.compose.options import Branch, ComposeOptions
from chromatic.produce.compose.search import alternatives, search
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases import Phase


def key_choices(
    folder: ProductionFolder,
    opts: ComposeOptions,
    scorer,
    runners: list[Phase],
    notes: list[str],
    finals: list[Branch] = (),
) -> tuple[Callable[[Branch], None], Callable[[], list[Branch]]]:
    """``(rewrite, more)`` for the compose run into ``folder`` whose search kept ``finals``
    (see the module docstring)."""
    root: Path = folder.root

    def rewrite(branch: Branch) -> None:
        for phase in runners:
            shutil.rmtree(folder.phase_dir(phase.name), ignore_errors=True)
        write_song(folder, branch.song.held)

    def more() -> list[Branch]:
        if folder.proposal().progressions:  # the artist's own: where each is played is theirs
            return []
        if finals and "chords" in finals[0].song.held:  # the same chord sets: the same search
            h = finals[0].song.held["chords"]
            args = ("chords", h.model, h.path, opts.form, opts.beam, [])
            if alternatives(*args) == alternatives(*args, True):
                return []
        again: list[Branch] = []
        search(root, opts, scorer, runners, lambda _m: None, notes, again, heard=True)
        return again

    return rewrite, more
