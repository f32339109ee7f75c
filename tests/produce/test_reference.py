"""A reference track as style (issue #35): its figures measured on a Bach chorale, and the bias
they give the phases (program, velocity level and spread, closeness in the composite)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from chromatic.cli import main
from chromatic.errors import ProduceError
from chromatic.music.midi import load_score
from chromatic.produce.folder import ProductionFolder, init_production
from chromatic.produce.phases import PhaseOptions
from chromatic.produce.phases.chords import run_chords
from chromatic.produce.phases.registry import get
from chromatic.produce.reference.bias import REFERENCE_FILE, restyle, set_reference
from chromatic.produce.reference.figures import distance, figures_of
from chromatic.produce.review import read_review
from tests.produce.conftest import MAJOR_4_4, approve


@pytest.fixture(scope="module")
def chorale(tmp_path_factory) -> Path:
    from music21 import corpus

    path = tmp_path_factory.mktemp("bach") / "bwv66.6.mid"
    corpus.parse("bach/bwv66.6").write("midi", fp=str(path))
    return path


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    folder, _ = init_production(MAJOR_4_4, tmp_path_factory.mktemp("ref"))
    run_chords(folder, n=30, top=4, seed=3)
    approve(folder, "chords", {0: "verse", 1: "chorus"})
    get("drums").run(folder, PhaseOptions(6, 2, 1)).gate(folder)
    approve(folder, "drums")
    return folder


def _copy(folder: ProductionFolder, dst: Path) -> ProductionFolder:
    shutil.copytree(folder.root, dst / folder.root.name)
    return ProductionFolder(dst / folder.root.name)


def test_chorale_figures_by_voice(chorale):
    figs = figures_of(chorale)
    assert set(figs) == {"melody", "bass", "chords"}  # soprano, bass; alto and tenor
    assert figs["bass"]["register"] < figs["chords"]["register"] < figs["melody"]["register"]
    assert all(f["program"] == 0 and f["velocity"] == 90 for f in figs.values())
    assert figs["chords"]["chord_rhythm"] > 1  # a chorale changes harmony on most beats
    assert distance(figs, figs) == 0


def test_restyle_moves_program_and_velocities_only(chorale, song):
    data = (song.approved_dir("chords") / "verse.mid").read_bytes()
    target = {"program": 19, "velocity": 70.0, "velocity_sd": 5.0}
    out = restyle(data, target)
    before, after = load_score(data), load_score(out)
    notes = lambda s: [(n.time, n.duration, n.pitch) for t in s.tracks for n in t.notes]  # noqa: E731
    assert notes(before) == notes(after)
    figs = figures_of(out, only="chords")["chords"]
    assert figs["program"] == 19
    assert abs(figs["velocity"] - 70) < 1 and abs(figs["velocity_sd"] - 5) < 1


def test_a_reference_biases_the_phase(song, chorale, tmp_path):
    plain = _copy(song, tmp_path / "plain")
    biased = _copy(song, tmp_path / "biased")
    set_reference(biased, chorale)
    options = PhaseOptions(12, 3, 2)
    get("bass").run(plain, options).gate(plain)
    get("bass").run(biased, options).gate(biased)
    ref = figures_of(chorale)
    review = read_review(biased.review_path("bass"))
    assert review.model_extra["reference"]["source"] == "bwv66.6.mid"
    kept = [c for c in review.candidates if c.status == "pending"]
    assert kept and all("reference" in c.scores.model_extra for c in kept)

    def best(folder):
        r = read_review(folder.review_path("bass"))
        out = {}
        for c in r.candidates:
            if c.rank == 1:
                out[c.details["section"]] = figures_of(
                    folder.phase_dir("bass") / c.midi_file, only="bass"
                )
        return out

    for section, figs in best(biased).items():
        assert figs["bass"]["program"] == 0 and abs(figs["bass"]["velocity"] - 90) < 1
        plain_figs = best(plain)[section]
        assert distance(ref, figs) < distance(ref, plain_figs)


def test_a_reference_without_the_role_changes_nothing(song, chorale, tmp_path):
    plain = _copy(song, tmp_path / "plain")
    biased = _copy(song, tmp_path / "biased")
    set_reference(biased, chorale)  # a chorale has no drums
    get("drums").run(plain, PhaseOptions(6, 2, 4)).gate(plain)
    get("drums").run(biased, PhaseOptions(6, 2, 4)).gate(biased)

    def digests(folder):
        r = read_review(folder.review_path("drums"))
        return sorted(
            hashlib.sha256((folder.phase_dir("drums") / c.midi_file).read_bytes()).hexdigest()
            for c in r.candidates
        )

    assert digests(plain) == digests(biased)


def test_cli_reference_style_and_clear(song, chorale, tmp_path, capsys):
    folder = _copy(song, tmp_path)
    assert main(["produce", "reference", str(folder.root), str(chorale)]) == 0
    out = capsys.readouterr().out
    assert "bass, chords, melody from bwv66.6.mid" in out and "spread 0" in out
    assert (folder.root / REFERENCE_FILE).is_file()
    assert main(["style", str(folder.root)]) == 0
    out = capsys.readouterr().out
    assert "reference: bwv66.6.mid" in out and "closeness to the reference" in out
    assert main(["produce", "reference", str(folder.root), "--clear"]) == 0
    assert not (folder.root / REFERENCE_FILE).exists()


def test_a_reference_with_no_notes_is_refused(song, tmp_path, capsys):
    import mido

    empty = tmp_path / "empty.mid"
    mf = mido.MidiFile()
    mf.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="silence")]))
    mf.save(empty)
    folder = _copy(song, tmp_path)
    assert main(["produce", "reference", str(folder.root), str(empty)]) != 0
    err = capsys.readouterr().err
    assert "empty.mid: the file holds no notes" in err and len(err.strip().splitlines()) == 1
    assert not (folder.root / REFERENCE_FILE).exists()
    with pytest.raises(ProduceError, match="no such MIDI file"):
        set_reference(folder, tmp_path / "missing.mid")


def test_compose_refuses_a_bad_reference_before_writing(tmp_path, capsys):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd but not really a MIDI file")
    out = tmp_path / "song"
    code = main(["compose", str(MAJOR_4_4), "--out", str(out), "--auto", "--reference", str(bad)])
    err = capsys.readouterr().err
    assert code != 0 and "bad.mid" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_compose_with_a_reference_plays_its_instruments(chorale, tmp_path):
    from chromatic.music.daw import part_roles

    out = tmp_path / "song"
    args = ["compose", str(MAJOR_4_4), "--out", str(out), "--auto", "--no-render"]
    assert main([*args, "-n", "6", "--beam", "1", "--reference", str(chorale)]) == 0
    assert (out / REFERENCE_FILE).is_file()
    roles = part_roles(out / "arrangement.mid")
    programs = {
        roles[t.name]: int(t.program) for t in load_score(out / "arrangement.mid").tracks if t.notes
    }
    assert programs["chords"] == programs["bass"] == programs["melody"] == 0  # the chorale's
    for phase in ("chords", "bass", "melody"):
        review = read_review(out / phase / "review.yml")
        assert review.model_extra["reference"]["role"] == phase
    assert read_review(out / "drums" / "review.yml").model_extra["reference"]["role"] is None
