"""The song so far: what a production phase reads of the phases decided before it, and where it
puts its review. Every phase is ``<phase>_phase(song_so_far, options)``: it reads the song so far
and gives its ``Candidates`` (``produce.phases``), nothing written; ``Candidates.gate`` then writes
them through ``write_review``.

Two things are a song so far:

- ``produce.folder.ProductionFolder``: the human path (``produce <phase>``). The files are the
  truth: an approved loop is parsed once when a phase reads it, the review is written to
  review.yml under the folder's lock.
- ``produce.compose.branch.HeldSong``: a branch of ``compose --auto``, in memory. An approved
  loop is the chosen candidate's own ``music.song.Song`` (``produce.loops.delivered_loop``: the
  value parsing its file would give), the approved chords' details come from the run's merged
  review document, the review goes to the branch's outbox; nothing is written or parsed until
  the kept branch is written.

What a phase reads, by kind:

- the proposal (``proposal``), and files beside it at the folder's root (``root``, ``path``:
  the style, the plan, the singers, the lyrics, a reference);
- the approved parts: which sections have one (``approved_loops``), each as a Song of its
  notes, lyrics as timed syllables, tempo and meter (``loop_song``);
- the approved chords' symbols and harmonic rhythm (``approved_details``), from which
  ``produce.sections`` builds the chord spans the parts follow (``chords_song`` memoises that
  song per chord set in a branch);
- an earlier phase's review facts (``review_facts``: the melody's singer) and review
  (``review``);
- and the gate (``Candidates.gate``, the phase's caller) writes its candidates and review with
  ``write_review``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from chromatic.music.song import Song
    from chromatic.produce.regenerate import MergeResult
    from chromatic.proposals.reader import Proposal

T = TypeVar("T")


class SongSoFar(Protocol):
    """What a phase reads and writes (see the module docstring)."""

    @property
    def root(self) -> Path: ...

    def path(self, *parts: str) -> Path: ...

    def proposal(self) -> Proposal: ...

    def phase_dir(self, phase: str) -> Path: ...

    def approved_dir(self, phase: str) -> Path: ...

    def review_path(self, phase: str) -> Path: ...

    def check_phase_tree(self, phase: str) -> None: ...

    @property
    def singers_path(self) -> Path: ...

    @property
    def lyrics_dir(self) -> Path: ...

    def approved_loops(self, phase: str) -> dict[str, Path]: ...

    def loop_song(self, path: Path) -> Song: ...

    def approved_details(self, phase: str) -> dict[str, dict]: ...

    def chords_song(self, read: Callable[[], T]) -> T: ...

    def file_bytes(self, path: Path) -> bytes | None: ...

    def review(self, phase: str): ...

    def review_facts(self, phase: str) -> dict: ...

    def write_review(
        self, phase: str, *, facts: dict, groups: list, digits: int = 3
    ) -> MergeResult: ...
