from __future__ import annotations

import shutil

from chromatic.cli import main
from tests.chain.fabricate import make_thread, proposal


def test_shrinkwrap_then_feedback(tmp_path, real_chains, capsys):
    out = tmp_path / "sw"
    assert main(["chain", "shrinkwrap", str(real_chains), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("written ") >= 8 and "0 skipped" in printed
    assert main(["chain", "shrinkwrap", str(real_chains), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "8 unchanged" in printed and "index.yml unchanged" in printed
    assert (
        "note" in printed and "disagrees with the canonical table" in printed
    )  # what it could not take as given

    assert main(["chain", "feedback", str(out), "--markdown"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("## Negative constraints")  # stdout is the Markdown block alone
    assert "entropy 1.75 bits" in captured.err and "warning" in captured.err
    assert (out / "negative_constraints.yml").is_file() and (
        out / "negative_constraints.md"
    ).is_file()


def test_skipped_thread_is_reported_with_exit_0(tmp_path, capsys):
    chain = tmp_path / "chain"
    make_thread(chain, "t-good", [proposal("Good Song")])
    make_thread(chain, "t-empty", None, files={"md/notes.md": "nothing"})
    assert main(["chain", "shrinkwrap", str(chain), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert (
        "skipped t-empty" in printed and "no song proposals" in printed and "1 skipped" in printed
    )


def test_missing_chain_folder_is_one_line_exit_1(tmp_path, capsys):
    assert (
        main(["chain", "shrinkwrap", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 1
    )
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "chain folder not found" in err
    assert not (tmp_path / "out").exists()


def test_bad_thread_is_exit_1_naming_file_and_field(tmp_path, capsys):
    chain = tmp_path / "chain"
    make_thread(chain, "t-bad", [{**proposal("x"), "title": ""}])
    assert main(["chain", "shrinkwrap", str(chain), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert (
        "all_song_proposals_t-bad.yml: iterations[0].title" in err and err.strip().count("\n") == 0
    )
    assert not (tmp_path / "out").exists()


def test_feedback_errors_exit_1(tmp_path, shrunk, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["chain", "feedback", str(tmp_path / "empty")]) == 1
    assert "run 'chromatic chain shrinkwrap' first" in capsys.readouterr().err
    folder = tmp_path / "sw"
    shutil.copytree(shrunk, folder)
    (folder / "negative_constraints.yml").write_text(
        "manual: [not, a, mapping]\n", encoding="utf-8"
    )
    assert main(["chain", "feedback", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "negative_constraints.yml: manual: expected a mapping" in err


def test_chain_help_lists_commands(capsys):
    assert main(["chain", "--help"]) == 0
    printed = capsys.readouterr().out
    assert "shrinkwrap" in printed and "feedback" in printed
