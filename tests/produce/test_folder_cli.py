from __future__ import annotations

import json

import pytest
import yaml

from chromatic.cli import main
from chromatic.errors import ProduceError
from chromatic.produce.folder import PHASES, init_production, open_folder, slugify
from tests.produce.conftest import MINOR_7_8, TEMPO_WORD

THREAD = "136919aa-c350-41aa-af7b-0ab538ae2cff"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("The Weight of Invisible Chains", "the-weight-of-invisible-chains"),
        (
            "ThreadKeepr's Return (The White Album Transmission)",
            "threadkeepr-s-return-the-white-album-transmission",
        ),
        ("Déjà Vu: Part II", "deja-vu-part-ii"),
        ("???", "untitled"),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_init_creates_the_folder(tmp_path):
    folder, written = init_production(MINOR_7_8, tmp_path)
    assert written and folder.root == tmp_path / "the-weight-of-invisible-chains"
    saved = yaml.safe_load(folder.proposal_path.read_text())
    assert saved["schema_version"] == 1
    assert (saved["key"], saved["bpm"], saved["time_signature"], saved["color"]) == (
        "F# minor",
        72.0,
        "7/8",
        "Black",
    )
    for phase in PHASES:
        assert folder.candidates_dir(phase).is_dir() and folder.approved_dir(phase).is_dir()
    assert folder.proposal() == init_production(MINOR_7_8, tmp_path)[0].proposal()
    assert init_production(MINOR_7_8, tmp_path)[1] is False  # unchanged


def test_init_refuses_another_proposal_unless_forced(tmp_path):
    init_production(MINOR_7_8, tmp_path)
    other = yaml.safe_load((MINOR_7_8).read_text())
    other["key"] = "D minor"
    path = tmp_path / "song_proposal_other.yml"
    path.write_text(yaml.safe_dump(other))
    with pytest.raises(ProduceError, match="different proposal"):
        init_production(path, tmp_path)
    folder, written = init_production(path, tmp_path, force=True)
    assert written and str(folder.proposal().key) == "D minor"


def test_init_from_a_thread_takes_its_final_proposal(tmp_path):
    """A thread folder in the real layout whose last iteration is the one to produce."""
    from tests.chain.fabricate import make_thread, proposal

    final = "The Rainbow Table: A Manual for Building Your Own Chromatic Methodology"
    thread = make_thread(
        tmp_path / "chains", THREAD, [proposal("The Interview"), proposal(final, key="C major")]
    )
    folder, _ = init_production(thread, tmp_path / "out")
    assert (
        folder.root.name == "the-rainbow-table-a-manual-for-building-your-own-chromatic-methodology"
    )
    assert str(folder.proposal().key) == "C major"


def test_init_from_a_real_thread_takes_its_final_proposal(real_chains, tmp_path):
    folder, _ = init_production(real_chains / THREAD, tmp_path)
    assert (
        folder.root.name == "the-rainbow-table-a-manual-for-building-your-own-chromatic-methodology"
    )


def test_open_folder_errors(tmp_path):
    with pytest.raises(ProduceError, match="not found"):
        open_folder(tmp_path / "nope")
    with pytest.raises(ProduceError, match="produce init"):
        open_folder(tmp_path)


def test_cli_proposals_report(real_chains, capsys):
    assert main(["produce", "proposals", str(real_chains), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["proposals"] == 265 and report["counts"]["failed"] == 0
    assert main(["produce", "proposals", str(real_chains), "-q"]) == 0
    assert "265 loaded" in capsys.readouterr().out


def test_cli_init_chords_end_to_end(tmp_path, capsys):
    assert main(["produce", "init", str(TEMPO_WORD), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "created" in out.out and "tempo marking" in out.err
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert main(["produce", "chords", str(folder), "-n", "20", "--top", "3", "--seed", "4"]) == 0
    out = capsys.readouterr()
    assert (
        "no model given" in out.err and "chord_001" in out.out and "3 new candidate(s)" in out.out
    )
    assert len(list((folder / "chords" / "candidates").glob("chord_00?.mid"))) == 3


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["produce", "chords", str(tmp_path)]) == 1
    assert main(["produce", "chords", str(tmp_path), "--model", str(tmp_path / "m.onnx")]) == 1
    bad = tmp_path / "song_proposal_x.yml"
    bad.write_text("title: X\nbpm: 90\nkey: H minor\nrainbow_color: R\n")
    assert main(["produce", "init", str(bad), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "key: expected a key" in err[2] and str(bad) in err[2]
