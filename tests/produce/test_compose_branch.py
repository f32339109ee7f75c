"""The compose search's branches are values (``compose.branch.HeldSong``): a phase runs on the
song so far held in memory, nothing is written while the search runs, and the kept branch is
written once with the bytes a human's ``produce`` + ``approve`` + ``promote`` leave."""

from __future__ import annotations

from pathlib import Path

import pytest

from chromatic.errors import ChromaticError
from chromatic.produce.compose.branch import HeldSong, write_song
from chromatic.produce.compose.run import ComposeOptions, compose_auto, init_at
from chromatic.produce.compose.search import alternatives, approve_choice
from chromatic.produce.folder import PHASES, ProductionFolder
from chromatic.produce.phases import PhaseOptions
from chromatic.produce.phases.registry import get
from chromatic.produce.promote import approved_loop
from chromatic.produce.review import approve, read_review
from tests.produce.conftest import MAJOR_4_4, MINOR_7_8

FORM = ("verse", "chorus")


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for phase in PHASES
        for p in sorted((root / phase).rglob("*"))
        if p.is_file()
    }


def _options(phase: str) -> PhaseOptions:
    return PhaseOptions(n=6, top=4 if phase == "chords" else 3, seed=2)


def test_a_branch_writes_the_bytes_of_produce_approve_and_promote(tmp_path):
    disk = init_at(MAJOR_4_4, tmp_path / "disk", force=True)
    mem_root = init_at(MAJOR_4_4, tmp_path / "mem", force=True).root
    song = HeldSong(mem_root)
    for phase in PHASES:
        # by hand: produce <phase>, approve the first alternative, promote it
        get(phase).run(disk, _options(phase)).gate(disk)
        path = disk.review_path(phase)
        alt = alternatives(phase, read_review(path), path, FORM, 1, [])[0]
        approve(path, {cid: section for section, cid in alt.choice.items()})
        for section, midi_file in alt.files.items():
            (disk.approved_dir(phase) / f"{section}.mid").write_bytes(
                approved_loop(disk.phase_dir(phase) / midi_file, phase)
            )
        # in memory: the same phase on the branch's song so far
        trial = song.trial()
        get(phase).run(trial, _options(phase)).gate(trial)
        held = trial.outbox[phase]
        assert alternatives(phase, held.model, held.path, FORM, 1, [])[0] == alt
        song = approve_choice(trial, phase, alt)
        assert song.review(phase).candidates == read_review(path).candidates
    assert _files(mem_root) == {}  # nothing was written while the branch grew
    write_song(ProductionFolder(mem_root), song.held)
    written, by_hand = _files(mem_root), _files(disk.root)
    assert len(written) > 30 and any(k.endswith("approved/chorus.mid") for k in written)
    assert sorted(written) == sorted(by_hand)
    assert [k for k in written if written[k] != by_hand[k]] == []


def test_the_search_writes_nothing_until_it_has_chosen(tmp_path):
    out = tmp_path / "song"
    seen: list[tuple[str, bool, dict]] = []

    def progress(message: str) -> None:
        seen.append((message, (out / ".compose").exists(), _files(out)))

    compose_auto(MINOR_7_8, out, ComposeOptions(n=24, beam=2, seed=4, render=False), progress)
    during = [s for s in seen if s[0].split(":")[0] in PHASES]
    assert [s[0].split(":")[0] for s in during] == list(PHASES)
    messages = [m for m, _, _ in during]
    assert all("over 2 branch(es)" in m for m in messages[1:]), messages  # it branched
    assert [(work, files) for _, work, files in during] == [(False, {})] * len(PHASES)
    assert not (out / ".compose").exists()
    for phase in PHASES:  # then the chosen branch is the folder, approved and promoted
        assert (out / phase / "review.yml").is_file()
        assert sorted((out / phase / "approved").glob("*.mid"))


def test_given_progressions_merge_in_memory_as_on_disk(tmp_path):
    """The chord phase on a proposal's progressions writes twice in one run (the generated
    loops, then the given ones merged beside them): a branch merges its own held review."""
    from chromatic.yamlio import dump_yaml, load_plain

    data = load_plain(MAJOR_4_4)
    data["progressions"] = {"verse": "I | V | vi | IV"}
    src = tmp_path / "p.yml"
    src.write_text(dump_yaml(data))
    disk = init_at(src, tmp_path / "disk", force=True)
    mem_root = init_at(src, tmp_path / "mem", force=True).root
    options = PhaseOptions(n=8, top=4, seed=3)
    get("chords").run(disk, options).gate(disk)
    trial = HeldSong(mem_root).trial()
    get("chords").run(trial, options).gate(trial)
    assert {c.details.get("section") for c in trial.review("chords").candidates} == {"verse", None}
    assert _files(mem_root) == {}
    write_song(ProductionFolder(mem_root), trial.outbox)
    assert _files(mem_root) == _files(disk.root) != {}


def test_every_candidate_is_scored_once_per_branch(exported, tmp_path, monkeypatch):
    """With a model, each branch's phase run scores its own candidates in one batch and the
    search never scores them again (it reads the branch's held review, not a file)."""
    import json

    from chromatic.cli import main
    from chromatic.produce.phases import chords, parts, rank

    _, model, _ = exported
    runs: list[list] = []  # [phase, candidates scored] per score-and-rank call
    real_rank, real_score = rank.score_and_rank, rank.score_midi

    def counted_rank(theory, **kw):
        runs.append([kw["phase"], 0])
        return real_rank(theory, **kw)

    def counted_score(scorer, items, **kw):
        runs[-1][1] += len(items)
        return real_score(scorer, items, **kw)

    monkeypatch.setattr(rank, "score_midi", counted_score)
    monkeypatch.setattr(parts, "score_and_rank", counted_rank)
    monkeypatch.setattr(chords, "score_and_rank", counted_rank)
    out = tmp_path / "scored"
    args = ["compose", str(MAJOR_4_4), "--out", str(out), "--auto", "--model", str(model)]
    assert main([*args, "-n", "6", "--beam", "2", "--no-render", "--trust-model"]) == 0
    summary = json.loads((out / "compose_summary.json").read_text())
    for p in summary["phases"]:
        mine = [n for phase, n in runs if phase == p["phase"]]
        assert len(mine) == p["branches"] >= 1, (p["phase"], runs)  # one batch per branch
        if p["phase"] == "chords":  # n drawn, duplicates dropped before scoring
            assert 0 < sum(mine) <= p["generated"]
        else:
            assert sum(mine) == p["generated"] > 0, (p["phase"], mine)
    assert any(p["branches"] == 2 for p in summary["phases"])


def test_a_branch_encodes_only_what_is_written_or_read(tmp_path, monkeypatch):
    """A part candidate's MIDI is encoded when its file is wanted: the branch written, or an
    approved loop a later phase reads; the other branches' kept candidates never are."""
    from chromatic.produce.phases import parts

    encoded: list[int] = []
    real = parts.render_part

    def counting(*args):
        encoded.append(1)
        return real(*args)

    monkeypatch.setattr(parts, "render_part", counting)
    out = tmp_path / "song"
    compose_auto(MAJOR_4_4, out, ComposeOptions(n=12, beam=3, seed=4, render=False))
    written = [
        p
        for ph in ("drums", "bass", "melody", "harmony")
        for p in (out / ph).glob("candidates/*.mid")
    ]
    # every branch keeps 5 a section per phase: 3 branches would encode 3x what one writes
    assert written and len(encoded) < 1.5 * len(written), (len(encoded), len(written))


def test_held_files_are_made_once_when_read():
    from chromatic.produce.compose.branch import Files

    made: list[str] = []
    files = Files({"a.mid": lambda: made.append("a") or b"A", "b.mid": b"B"})
    copy = Files(files)
    assert made == [] and sorted(files) == ["a.mid", "b.mid"] and "a.mid" in files
    assert files["a.mid"] == b"A" and files["a.mid"] == b"A" and made == ["a"]
    assert copy["b.mid"] == b"B" and dict(copy) == {"a.mid": b"A", "b.mid": b"B"}


def test_the_song_of_a_chord_set_is_read_once(tmp_path, monkeypatch):
    """Every part phase of every branch that shares a chord set reads the same song: it is
    read from the approved chords once (on disk, and with a plan, as before: every time)."""
    from chromatic.produce import sections

    root = init_at(MAJOR_4_4, tmp_path / "mem", force=True).root
    trial = HeldSong(root).trial()
    get("chords").run(trial, _options("chords")).gate(trial)
    held = trial.outbox["chords"]
    first, second = alternatives("chords", held.model, held.path, FORM, 2, [])[:2]
    a, b = approve_choice(trial, "chords", first), approve_choice(trial, "chords", second)
    reads: list[int] = []
    real = sections._read_song
    monkeypatch.setattr(sections, "_read_song", lambda *x: reads.append(1) or real(*x))
    song = sections.load_song(a.trial(), "drums")
    assert sections.load_song(a.trial(), "bass") is song and reads == [1]
    assert sections.load_song(a, "melody") is song and reads == [1]
    other = sections.load_song(b.trial(), "drums")
    assert reads == [1, 1] and other.sections != song.sections
    assert other == real(b, "drums") and song == real(a, "drums")  # what reading gives
    (root / sections.PLAN_FILE).write_text("not read here")
    with pytest.raises(ChromaticError, match=r"production_plan\.yml|expected"):  # read every time
        sections.load_song(a.trial(), "drums")
