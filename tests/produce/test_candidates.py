"""A phase returns its candidates; its review is written only at the gate (``Candidates.gate``:
the folder's review.yml, or a compose branch's outbox), with the bytes a run always wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from chromatic.produce.compose.branch import HeldSong, write_song
from chromatic.produce.compose.run import init_at
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases import Candidates, PhaseOptions, PhaseResult
from chromatic.produce.phases.bass import run_bass
from chromatic.produce.phases.chords import run_chords
from chromatic.produce.phases.drums import run_drums
from chromatic.produce.phases.registry import get
from chromatic.produce.reference.bias import set_reference
from chromatic.yamlio import dump_yaml, load_plain
from tests.produce.conftest import MAJOR_4_4, MINOR_7_8, approve, make_song


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (the lock file aside) and its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".chromatic.lock"
    }


def _ran(phase: str, folder: ProductionFolder, opts: PhaseOptions) -> PhaseResult:
    """The phase run and gated at once, through its keyword function (a script's way)."""
    kw = {"n": opts.n, "top": opts.top, "seed": opts.seed}
    return {"chords": run_chords, "drums": run_drums, "bass": run_bass}[phase](folder, **kw)


@pytest.mark.parametrize("phase", ["chords", "drums"])
def test_a_phase_writes_nothing_until_its_candidates_pass_the_gate(phase, tmp_path):
    opts = PhaseOptions(n=6, top=2, seed=3)
    written = make_song(MINOR_7_8, tmp_path / "written")
    held = make_song(MINOR_7_8, tmp_path / "held")
    result = _ran(phase, written, opts)
    assert isinstance(result, PhaseResult) and (result.merge.added or result.merge.kept)

    before = _tree(held.root)
    made = get(phase).run(held, opts)
    assert isinstance(made, Candidates) and made.phase == phase and made.facts["seed"] == 3
    assert _tree(held.root) == before  # no review, no candidate file, nothing else
    gated = made.gate(held)
    assert held.review_path(phase).read_bytes() == written.review_path(phase).read_bytes()
    files = sorted(p.name for p in held.phase_dir(phase).rglob("*.mid"))
    assert files == sorted(p.name for p in written.phase_dir(phase).rglob("*.mid")) and files
    assert (gated.generated, gated.by_section) == (result.generated, result.by_section)
    assert gated.merge.added == result.merge.added


def test_a_branch_outbox_stays_empty_until_the_gate(tmp_path):
    """compose's branch: the phase's candidates are held, then gated into the outbox, whose
    written bytes are a folder's gated review."""
    opts = PhaseOptions(n=6, top=3, seed=2)
    disk = init_at(MAJOR_4_4, tmp_path / "disk", force=True)
    mem_root = init_at(MAJOR_4_4, tmp_path / "mem", force=True).root
    get("chords").run(disk, opts).gate(disk)
    trial = HeldSong(mem_root).trial()
    made = get("chords").run(trial, opts)
    assert trial.outbox == {} and trial.review("chords") is None
    made.gate(trial)
    assert list(trial.outbox) == ["chords"]
    write_song(ProductionFolder(mem_root), trial.outbox)
    assert (mem_root / "chords" / "review.yml").read_bytes() == disk.review_path(
        "chords"
    ).read_bytes()


def test_given_progressions_write_both_steps_only_at_the_gate(tmp_path):
    """The chord phase on a proposal's progressions has two steps (the generated loops, then
    the given ones beside them); both wait for the gate, and the review is the same."""
    data = load_plain(MAJOR_4_4)
    data["progressions"] = {"verse": "I | V | vi | IV"}
    src = tmp_path / "p.yml"
    src.write_text(dump_yaml(data))
    a = init_at(src, tmp_path / "a", force=True)
    b = init_at(src, tmp_path / "b", force=True)
    opts = PhaseOptions(n=8, top=4, seed=3)
    get("chords").run(a, opts).gate(a)
    before = _tree(b.root)
    made = get("chords").run(b, opts)
    assert made.then is not None and _tree(b.root) == before
    result = made.gate(b)
    assert b.review_path("chords").read_bytes() == a.review_path("chords").read_bytes()
    assert set(result.by_section) == {"verse"}  # the given step's result is the one given


def test_a_reference_biased_phase_writes_nothing_until_the_gate(tmp_path):
    from music21 import corpus

    chorale = tmp_path / "bwv66.6.mid"
    corpus.parse("bach/bwv66.6").write("midi", fp=str(chorale))
    folders = []
    for name in ("a", "b"):
        folder = make_song(MINOR_7_8, tmp_path / name)
        _ran("drums", folder, PhaseOptions(n=4, top=1, seed=1))
        approve(folder, "drums")
        set_reference(folder, chorale)
        folders.append(folder)
    a, b = folders
    opts = PhaseOptions(n=4, top=2, seed=5)
    get("bass").run(a, opts).gate(a)
    before = _tree(b.root)
    made = get("bass").run(b, opts)
    assert made.facts["reference"]["source"] == "bwv66.6.mid"
    assert _tree(b.root) == before
    made.gate(b)
    assert b.review_path("bass").read_bytes() == a.review_path("bass").read_bytes()
    assert "reference:" in b.review_path("bass").read_text()
