"""A phase returns its candidates; its review is written only at the gate (``Candidates.gate``:
the folder's review.yml, or a compose branch's outbox), with the bytes a run always wrote."""

from __future__ import annotations

import pytest

from chromatic.produce.phases import Candidates, PhaseOptions, PhaseResult
from chromatic.produce.phases.registry import get
from tests.produce.conftest import MINOR_7_8, make_song


@pytest.mark.parametrize("phase", ["chords", "drums"])
def test_a_phase_writes_nothing_until_its_candidates_pass_the_gate(phase, tmp_path, monkeypatch):
    opts = PhaseOptions(n=6, top=2, seed=3)
    written = make_song(MINOR_7_8, tmp_path / "written")
    held = make_song(MINOR_7_8, tmp_path / "held")
    if phase == "chords":  # the chords again, over the approved ones: a second review merged
        before = held.review_path(phase).read_bytes()
    result = get(phase).run(written, opts)
    assert isinstance(result, PhaseResult) and (result.merge.added or result.merge.kept)

    caught: list[Candidates] = []
    monkeypatch.setattr(Candidates, "gate", lambda self, _song: caught.append(self))
    get(phase).run(held, opts)
    (made,) = caught
    assert made.phase == phase and made.groups and made.facts["seed"] == 3
    if phase == "chords":
        assert held.review_path(phase).read_bytes() == before  # untouched
    else:
        assert not held.review_path(phase).exists()
        assert not list(held.phase_dir(phase).rglob("*.mid"))
    monkeypatch.undo()
    gated = made.gate(held)
    assert held.review_path(phase).read_bytes() == written.review_path(phase).read_bytes()
    files = sorted(p.name for p in held.phase_dir(phase).rglob("*.mid"))
    assert files == sorted(p.name for p in written.phase_dir(phase).rglob("*.mid")) and files
    assert (gated.generated, gated.by_section) == (result.generated, result.by_section)
