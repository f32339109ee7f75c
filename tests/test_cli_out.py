"""``--out`` is what a command writes (a folder, or the one file it writes); the old meanings of
``produce init --out``, ``export --out`` and ``chain feedback --out`` still work for one release
with a one-line deprecation warning on stderr."""

from __future__ import annotations

from pathlib import Path

from chromatic.cli import main
from chromatic.paths import slugify
from chromatic.proposals.threads import read_any_proposal

REPO = Path(__file__).resolve().parents[1]
PROPOSAL = REPO / "examples" / "proposals" / "song_proposal_green_cooling_tower_choir_v1.yml"
SLUG = slugify(read_any_proposal(PROPOSAL).title)


def run(capsys, *args: str) -> tuple[int, str]:
    rc = main(list(args))
    return rc, capsys.readouterr().err


def test_produce_init_out_is_the_production_folder(tmp_path, capsys):
    rc, err = run(capsys, "produce", "init", str(PROPOSAL), "--out", str(tmp_path / "a" / SLUG))
    assert rc == 0 and (tmp_path / "a" / SLUG / "proposal.yml").is_file()
    assert "deprecated" not in err and [p.name for p in (tmp_path / "a").iterdir()] == [SLUG]
    # a production folder already there (compose --out names it freely) is initialized in place
    assert (
        main(["compose", str(PROPOSAL), "--out", str(tmp_path / "song"), "-n", "8", "--no-render"])
        == 0
    )
    capsys.readouterr()
    rc, err = run(capsys, "produce", "init", str(PROPOSAL), "--out", str(tmp_path / "song"))
    assert rc == 0 and "deprecated" not in err and not (tmp_path / "song" / SLUG).exists()


def test_produce_init_out_as_a_parent_still_works_with_a_warning(tmp_path, capsys):
    rc, err = run(capsys, "produce", "init", str(PROPOSAL), "--out", str(tmp_path / "prod"))
    assert rc == 0 and (tmp_path / "prod" / SLUG / "proposal.yml").is_file()
    (line,) = [w for w in err.splitlines() if "deprecated" in w]
    assert (
        line.startswith("warning: 'produce init --out DIR'")
        and str(tmp_path / "prod" / SLUG) in line
    )


def test_chain_feedback_out_is_a_folder_and_a_yml_file_still_works(real_chains, tmp_path, capsys):
    sw = tmp_path / "sw"
    assert main(["chain", "shrinkwrap", str(real_chains), "--out", str(sw), "-q"]) == 0
    capsys.readouterr()
    rc, err = run(capsys, "chain", "feedback", str(sw), "--out", str(tmp_path / "fb"), "--markdown")
    assert rc == 0 and "deprecated" not in err
    assert {p.name for p in (tmp_path / "fb").iterdir()} == {
        "negative_constraints.yml",
        "negative_constraints.md",
    }
    rc, err = run(capsys, "chain", "feedback", str(sw), "--out", str(tmp_path / "old.yml"))
    assert rc == 0 and (tmp_path / "old.yml").is_file()
    assert "warning: 'chain feedback --out FILE.yml' is deprecated" in err
    assert (tmp_path / "old.yml").read_bytes() == (
        tmp_path / "fb" / "negative_constraints.yml"
    ).read_bytes()


def test_export_out_is_the_model_folder_and_model_onnx_still_works(exported, tmp_path, capsys):
    from chromatic.scoring import ChromaticScorer

    run_dir, _, _ = exported
    rc, err = run(capsys, "export", str(run_dir), "--out", str(tmp_path / "m"))
    assert rc == 0 and "deprecated" not in err
    assert {p.name for p in (tmp_path / "m").iterdir()} == {"model.onnx", "model.json"}
    assert ChromaticScorer.load(tmp_path / "m") is not None  # --model FOLDER
    rc, err = run(capsys, "export", str(run_dir), "--out", str(tmp_path / "old.onnx"))
    assert rc == 0 and (tmp_path / "old.onnx").is_file() and (tmp_path / "old.json").is_file()
    assert "warning: 'export --out MODEL.onnx' is deprecated" in err
