from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from chromatic.cli import main
from chromatic.errors import ProduceError
from chromatic.measure.arrangement import piece_from_production
from chromatic.measure.musicality import drums_end_with_music, tonic_ending
from chromatic.music import daw
from chromatic.music.midi import load_score
from chromatic.produce.arrange.key_heard import heard_lead
from chromatic.produce.compose.run import (
    ComposeOptions,
    compose_auto,
    compose_step,
)
from chromatic.produce.folder import PHASES, ProductionFolder
from chromatic.produce.planfile import load_plan
from chromatic.produce.promote import promote
from chromatic.produce.review import load_review
from chromatic.produce.style.table import style_for
from tests.conftest import REAL
from tests.produce.conftest import MAJOR_4_4, MINOR_7_8

N, BEAM = 8, 2
CHAINS = REAL / "chain_artifacts"
# without ../shared one placeholder case, which the real_chains fixture skips with its reason
THREADS = (
    sorted(p.name for p in CHAINS.iterdir() if p.is_dir())
    if CHAINS.is_dir()
    else ["no-real-threads"]
)


@pytest.fixture(scope="module")
def composed(tmp_path_factory):
    out = tmp_path_factory.mktemp("composed") / "song"
    result = compose_auto(MINOR_7_8, out, ComposeOptions(n=N, beam=BEAM, seed=5, render=False))
    return result, ProductionFolder(out)


def test_compose_auto_approves_the_best_combination_and_assembles_it(composed):
    result, folder = composed
    summary = json.loads((folder.root / "compose_summary.json").read_text())
    assert [p["phase"] for p in summary["phases"]] == list(PHASES)
    form = summary["options"]["form"]  # the style's sections (the color's form, issue #30)
    for ph in summary["phases"]:
        review = load_review(folder.review_path(ph["phase"]))
        approved = {c.id: c.label for c in review.model.candidates if c.status == "approved"}
        assert approved == {cid: section for section, cid in ph["chosen"].items()}
        assert sorted(p.stem for p in folder.approved_dir(ph["phase"]).glob("*.mid")) == sorted(
            form
        )
        assert ph["score"] == pytest.approx(sum(ph["composites"].values()) / len(form), abs=1e-3)
        # what compose promoted is exactly what 'chromatic promote' makes of the review
        before = {p.name: p.read_bytes() for p in folder.approved_dir(ph["phase"]).iterdir()}
        promote(folder.root, ph["phase"], clean=True)
        assert {
            p.name: p.read_bytes() for p in folder.approved_dir(ph["phase"]).iterdir()
        } == before
    # the chosen combination: the mean over phases of the mean composite of its candidates
    assert summary["score"] == pytest.approx(
        sum(p["score"] for p in summary["phases"]) / len(summary["phases"]), abs=1e-3
    )
    # the best kept branch, or the first heard in the planned key (``arrange.key_heard``)
    assert summary["score"] == round(result.score, 4)
    if result.best is result.finals[0]:
        assert summary["score"] == max(k["score"] for k in summary["phases"][-1]["kept"])
    else:
        heard = load_score(folder.root / "arrangement.mid")
        assert heard_lead(heard, result.proposal.key.pc) < 0
    # the style's form: every approved section plays, some more than once, in the plan's order
    names = [s["name"] for s in summary["sections"]]
    # (compose writes the sections of the style's form: the color's, when it chose one)
    assert set(names) == set(summary["options"]["form"]) and len(names) >= len(set(names))
    assert names == [s.name for s in load_plan(folder.root / "production_plan.yml").sections]
    assert summary["form"]["name"] and "## Form" in (folder.root / "compose_summary.md").read_text()
    arrangement = load_score(folder.root / "arrangement.mid")
    assert [m.text for m in arrangement.markers] == names
    roles = daw.part_roles(folder.root / "arrangement.mid")
    # a lifted chorus doubles the lead on its own track (issue #33)
    assert {roles[t.name] for t in arrangement.tracks if t.notes} - {"double"} == set(PHASES)
    for name in ("production_plan.yml", "manifest_bootstrap.yml", "compose_summary.md"):
        assert (folder.root / name).is_file()
    assert not (folder.root / ".compose").exists()
    md = (folder.root / "compose_summary.md").read_text()
    assert "| chords |" in md and summary["phases"][1]["chosen"]["verse"] in md
    assert set(summary["timings"]) >= {*PHASES, "plan", "assemble", "total"}


def test_same_seed_gives_a_byte_identical_arrangement(composed, tmp_path):
    _, folder = composed
    again = compose_auto(
        MINOR_7_8, tmp_path / "again", ComposeOptions(n=N, beam=BEAM, seed=5, render=False)
    )
    assert (again.root / "arrangement.mid").read_bytes() == (
        folder.root / "arrangement.mid"
    ).read_bytes()
    other = compose_auto(
        MINOR_7_8, tmp_path / "other", ComposeOptions(n=N, beam=BEAM, seed=6, render=False)
    )
    assert (other.root / "arrangement.mid").read_bytes() != (
        folder.root / "arrangement.mid"
    ).read_bytes()
    # running again into the same folder replaces its song (another seed: the other song) ...
    compose_auto(
        MINOR_7_8, tmp_path / "again", ComposeOptions(n=N, beam=BEAM, seed=6, render=False)
    )
    assert (again.root / "arrangement.mid").read_bytes() == (
        other.root / "arrangement.mid"
    ).read_bytes()
    # ... and the first seed again gives the first song back
    compose_auto(
        MINOR_7_8, tmp_path / "again", ComposeOptions(n=N, beam=BEAM, seed=5, render=False)
    )
    assert (again.root / "arrangement.mid").read_bytes() == (
        folder.root / "arrangement.mid"
    ).read_bytes()


def test_compose_refuses_a_folder_holding_human_work(tmp_path):
    source = MINOR_7_8
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("my notes")
    for force in (False, True):  # not a production folder: never emptied, even with --force
        with pytest.raises(ProduceError, match="not a production folder"):
            compose_auto(source, other, ComposeOptions(n=N, beam=1, render=False, force=force))
    mine = tmp_path / "mine"
    compose_step(
        source, mine, ComposeOptions(n=N, render=False)
    )  # a gated folder: reviews are the human's
    (mine / "notes.txt").write_text("my notes")
    with pytest.raises(ProduceError, match="--force"):
        compose_auto(source, mine, ComposeOptions(n=N, beam=1, render=False))
    compose_auto(source, mine, ComposeOptions(n=N, beam=1, render=False, force=True))
    assert (mine / "notes.txt").read_text() == "my notes"  # only what compose writes is replaced
    assert (mine / "compose_summary.json").is_file()


def _approve_first(folder: ProductionFolder, phase: str) -> None:
    from chromatic.yamlio import round_trip as _yaml

    y = _yaml()
    path = folder.review_path(phase)
    doc = y.load(path.read_text())
    if phase == "chords":
        for c, label in zip(doc["candidates"], ("intro", "verse", "chorus"), strict=False):
            c["status"], c["label"] = "approved", label
    else:
        seen = set()
        for c in doc["candidates"]:
            if c["details"]["section"] not in seen:
                seen.add(c["details"]["section"])
                c["status"] = "approved"
    with open(path, "w") as f:
        y.dump(doc, f)


def test_without_auto_compose_stops_at_each_human_gate(tmp_path, capsys):
    source, out = str(MAJOR_4_4), tmp_path / "gated"
    folder = ProductionFolder(out)
    for phase in PHASES:
        assert main(["compose", source, "--out", str(out), "-n", str(N), "--no-render"]) == 0
        text = capsys.readouterr().out
        assert f"{phase}: candidates ranked in {folder.review_path(phase)}" in text
        assert (
            f"chromatic promote {out} {phase}" in text
            and f"chromatic compose {source} --out {out}" in text
        )
        later = PHASES[PHASES.index(phase) + 1 :]
        assert all(not folder.review_path(p).exists() for p in later)  # stopped at the gate
        # asking again before approving changes nothing and says the same
        review = folder.review_path(phase).read_bytes()
        assert compose_step(source, out, ComposeOptions(n=N, render=False)).phase == phase
        assert folder.review_path(phase).read_bytes() == review
        _approve_first(folder, phase)
        step = compose_step(source, out, ComposeOptions(n=N, render=False))
        assert step.phase == phase and "not promoted" in step.message
        promote(out, phase)
    assert main(["compose", source, "--out", str(out), "-n", str(N), "--no-render"]) == 0
    text = capsys.readouterr().out
    assert "every phase is approved" in text and str(out / "arrangement.mid") in text
    markers = [m.text for m in load_score(out / "arrangement.mid").markers]
    assert markers[0] == "intro" and set(markers) == {"intro", "verse", "chorus"}


def test_phases_are_found_in_the_registry_and_missing_ones_skipped(monkeypatch):
    from chromatic.produce.compose import run
    from chromatic.produce.phases import registry

    assert registry.find("chords").name == "chords" and registry.find("harmonica") is None
    monkeypatch.setattr(run, "PHASES", (*PHASES, "harmonica"))
    notes: list[str] = []
    assert [p.name for p in run.available_phases(notes)] == list(PHASES)
    assert notes == [
        "phase 'harmonica' is not available (not in chromatic.produce.phases.registry): skipped"
    ]


@pytest.mark.parametrize("thread", THREADS)
def test_compose_auto_on_the_final_proposal_of_every_real_thread(real_chains, tmp_path, thread):
    """Every real thread either composes or fails with a ProduceError that says why."""
    result = compose_auto(
        real_chains / thread, tmp_path / "song", ComposeOptions(n=N, beam=BEAM, render=False)
    )
    assert {s["name"] for s in result.sections} == set(result.options.form)
    arr = load_score(tmp_path / "song" / "arrangement.mid")
    assert len(arr.markers) == len(result.sections) and sum(len(t.notes) for t in arr.tracks) > 100


def test_compose_auto_with_a_model_scores_every_phase(exported, tmp_path, capsys):
    """``exported``: the tiny exported model of tests/scoring, shared through tests/produce/conftest."""
    _, model, _ = exported
    out = tmp_path / "scored"
    assert (
        main(
            [
                "compose",
                str(MAJOR_4_4),
                "--out",
                str(out),
                "--auto",
                "--model",
                str(model),
                "-n",
                "6",
                "--beam",
                "2",
                "--no-render",
                "--trust-model",  # the tiny model of 3 epochs may fail its sanity gates
            ]
        )
        == 0
    )
    assert str(out / "arrangement.mid") in capsys.readouterr().out
    summary = json.loads((out / "compose_summary.json").read_text())
    assert summary["options"]["model"] == str(model) and summary["options"]["weights"] == {
        "theory": 0.3,
        "chromatic": 0.7,
    }
    for phase in PHASES:
        review = load_review(out / phase / "review.yml")
        assert review.model.scoring.model == str(model)
        chosen = [c for c in review.model.candidates if c.status == "approved"]
        assert len(chosen) == len(summary["options"]["form"]) and all(
            c.scores.chromatic is not None for c in chosen
        )
    assert "no model given" not in " ".join(summary["warnings"])


@pytest.mark.slow
def test_compose_auto_renders_a_preview_of_the_planned_length(tmp_path):
    import numpy as np
    import soundfile as sf

    res = compose_auto(MINOR_7_8, tmp_path / "r", ComposeOptions(n=N, beam=1, sample_rate=22050))
    audio, sr = sf.read(str(tmp_path / "r" / "arrangement.wav"), dtype="float32")
    assert abs(len(audio) / sr - res.length["seconds"]) <= 1.0
    assert 0.1 < float(np.max(np.abs(audio))) < 1.0
    assert (
        res.outputs["preview"] == "arrangement.wav"
        and (tmp_path / "r" / "arrangement.png").is_file()
    )
    assert set(res.timings) >= {"render", "total"} and res.loudness["true_peak_db"] <= -0.99


@pytest.mark.slow
def test_compose_stems_stereo_at_minus_14_lufs_melody_audible(tmp_path):
    """Stereo preview at -14 LUFS under -1 dBTP, one stem per instrument, the melody stem no
    more than 3 dB under the chords stem, measured with pyloudnorm on the real renders."""
    import pyloudnorm
    import soundfile as sf

    opts = ComposeOptions(n=N, beam=1, sample_rate=22050, stems=True)
    res = compose_auto(MINOR_7_8, tmp_path / "s", opts)
    audio, sr = sf.read(str(tmp_path / "s" / "arrangement.wav"), always_2d=True)
    assert audio.shape[1] == 2 and not np.allclose(audio[:, 0], audio[:, 1])
    assert pyloudnorm.Meter(sr).integrated_loudness(audio) == pytest.approx(-14.0, abs=1.0)
    stems = {p.stem: p for p in (tmp_path / "s" / "stems").glob("*.wav")}
    assert {"bass", "melody", "drums"} <= set(stems)
    assert any(s.startswith("chords") for s in stems), sorted(stems)

    def lufs(name):
        data, rate = sf.read(str(stems[name]), always_2d=True)
        return pyloudnorm.Meter(rate).integrated_loudness(data)

    chords = next(s for s in sorted(stems) if s.startswith("chords"))
    assert lufs("melody") >= lufs(chords) - 3.0
    assert res.performance["humanized"] is True and res.options.stems
    summary = json.loads((tmp_path / "s" / "compose_summary.json").read_text())
    assert summary["options"]["quantized"] is False and summary["performance"]["timing_ms"] > 0


def test_examples_compose(tmp_path):
    """The example proposals the demo composes load and compose."""
    examples = sorted(
        (Path(__file__).resolve().parents[2] / "examples" / "proposals").glob("*.yml")
    )
    assert examples
    for i, path in enumerate(examples):
        res = compose_auto(path, tmp_path / f"ex{i}", ComposeOptions(n=N, beam=1, render=False))
        assert not [w for w in res.warnings if "disagrees" in w or "missing" in w]
        # the arrangement is the proposal's song: every part plays, the song lasts what the
        # summary says, and it ends on the proposal's tonic in the bass and the tune
        song = res.root
        piece = piece_from_production(song)
        score = load_score(song / "arrangement.mid")
        roles = daw.part_roles(song / "arrangement.mid")
        played = {roles.get(t.name, t.name) for t in score.tracks if len(t.notes)}
        kit = style_for(res.proposal, song).drums  # a color whose songs have no drums drops them
        assert {"chords", "bass", "melody"} | ({"drums"} if kit else set()) <= played, played
        assert ("drums" in played) == kit
        assert tonic_ending(piece) and drums_end_with_music(piece) is (True if kit else None)
        tonic = res.proposal.key.pc
        bass = [n for t in score.tracks if roles.get(t.name) == "bass" for n in t.notes]
        assert max(bass, key=lambda n: n.time).pitch % 12 == tonic
        seconds = score.to("second").end()
        assert seconds == pytest.approx(res.length["seconds"], abs=2.5)
        shutil.rmtree(tmp_path / f"ex{i}")
