"""Shrinkwrap never leaks or destroys a user's files (issue #19 items 3, 5, 7) and reads
threads through the one proposal reader (issue #12 item 1)."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml

from chromatic.chain.proposals import read_thread
from chromatic.chain.shrinkwrap import shrinkwrap
from chromatic.errors import ChainError
from tests.chain.fabricate import make_thread, proposal


def _one(out):
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


def test_symlink_to_etc_passwd_is_not_copied(tmp_path):
    chain = tmp_path / "chain"
    t = make_thread(chain, "t-plain", [proposal("Plain Song")], files={"md/ok.md": "fine"})
    os.symlink("/etc/passwd", t / "md" / "leak.md")
    os.symlink("/etc", t / "etcdir")
    out = tmp_path / "out"
    result = shrinkwrap(chain, out)
    folder = _one(out)
    held = {p.relative_to(folder).as_posix() for p in folder.rglob("*")}
    assert not any("leak" in h or "etcdir" in h or "passwd" in h for h in held)
    assert (folder / "md" / "ok.md").read_text() == "fine"
    manifest = yaml.safe_load((folder / "manifest.yml").read_text())
    notes = " | ".join(manifest["notes"])
    assert "skipped md/leak.md" in notes and "skipped etcdir" in notes
    assert result.threads[0].status == "written"


def test_dangling_symlink_gives_no_traceback(tmp_path):
    chain = tmp_path / "chain"
    make_thread(chain, "a-good", [proposal("Good Song")])
    t = make_thread(chain, "b-dangle", [proposal("Dangling Song")])
    os.symlink(tmp_path / "missing.md", t / "md.md")
    out = tmp_path / "out"
    result = shrinkwrap(chain, out)
    assert result.count("written") == 2
    assert {p.name for p in out.iterdir() if p.is_dir()} == {
        "green-good-song",
        "green-dangling-song",
    }
    assert not (out / "green-dangling-song" / "md.md").exists()


def test_symlinked_list_file_is_not_followed(tmp_path):
    chain = tmp_path / "chain"
    t = make_thread(
        chain,
        "t-link",
        None,
        files={"yml/song_proposal_G_real_v1.yml": yaml.safe_dump(proposal("Real"))},
    )
    outside = tmp_path / "outside.yml"
    outside.write_text(yaml.safe_dump({"iterations": [proposal("Outside")]}))
    os.symlink(outside, t / "yml" / "all_song_proposals_t-link.yml")
    assert read_thread(t).proposal.title == "Real"


def test_rerun_keeps_files_the_user_added(tmp_path):
    chain = tmp_path / "chain"
    make_thread(chain, "t-user", [proposal("User Song")], files={"md/a.md": "a"})
    out = tmp_path / "out"
    shrinkwrap(chain, out)
    folder = _one(out)
    (folder / "my-notes.txt").write_text("mine")
    (folder / "mixes").mkdir()
    (folder / "mixes" / "take1.wav").write_bytes(b"RIFF")
    assert shrinkwrap(chain, out).count("unchanged") == 1
    make_thread(chain, "t-user", [proposal("User Song")], files={"md/a.md": "changed"})
    assert shrinkwrap(chain, out).count("updated") == 1
    assert (folder / "my-notes.txt").read_text() == "mine"
    assert (folder / "mixes" / "take1.wav").read_bytes() == b"RIFF"
    assert (folder / "md" / "a.md").read_text() == "changed"


def test_title_change_carries_user_files_to_the_new_folder(tmp_path):
    chain = tmp_path / "chain"
    make_thread(chain, "t-move", [proposal("Old Title")])
    out = tmp_path / "out"
    shrinkwrap(chain, out)
    (out / "green-old-title" / "mine.txt").write_text("keep me")
    make_thread(chain, "t-move", [proposal("Old Title"), proposal("New Title")])
    result = shrinkwrap(chain, out)
    assert result.removed == ["green-old-title"]
    assert (out / "green-new-title" / "mine.txt").read_text() == "keep me"


def test_rerun_keeps_comments_in_the_manifest(tmp_path):
    chain = tmp_path / "chain"
    make_thread(chain, "t-comment", [proposal("Commented Song", bpm=100)])
    out = tmp_path / "out"
    shrinkwrap(chain, out)
    path = _one(out) / "manifest.yml"
    path.write_text(
        "# my notes on this thread\n"
        + path.read_text().replace("bpm: 100", "bpm: 100  # too slow?")
    )
    assert shrinkwrap(chain, out).count("unchanged") == 1
    assert "# my notes on this thread" in path.read_text()
    make_thread(
        chain,
        "t-comment",
        [proposal("Commented Song", bpm=100), proposal("Commented Song", bpm=120)],
    )
    assert shrinkwrap(chain, out).count("updated") == 1
    text = path.read_text()
    assert "# my notes on this thread" in text
    data = yaml.safe_load(text)
    assert data["bpm"] == 120 and data["iteration_count"] == 2
    assert shrinkwrap(chain, out).count("unchanged") == 1  # and stays put


def test_user_file_where_shrinkwrap_writes_is_refused_by_name(tmp_path):
    chain = tmp_path / "chain"
    make_thread(chain, "t-clash", [proposal("Clash Song")])
    out = tmp_path / "out"
    shrinkwrap(chain, out)
    folder = _one(out)
    (folder / "md").mkdir()
    (folder / "md" / "new.md").write_text("user's")
    make_thread(chain, "t-clash", [proposal("Clash Song")], files={"md/new.md": "agent's"})
    with pytest.raises(ChainError, match=r"md/new\.md"):
        shrinkwrap(chain, out)
    assert (folder / "md" / "new.md").read_text() == "user's"


def test_alias_bomb_in_a_thread_list_is_refused(tmp_path):
    chain = tmp_path / "chain"
    t = make_thread(chain, "t-bomb", None)
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 7):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    lines.append(
        "iterations:\n  - {title: Bomb, bpm: 90, key: A minor, rainbow_color: G, genres: *a6}"
    )
    (t / "yml" / "all_song_proposals_t-bomb.yml").write_text("\n".join(lines) + "\n")
    with pytest.raises(ChainError, match=r"all_song_proposals_t-bomb\.yml"):
        shrinkwrap(chain, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_too_many_genres_is_a_note_in_the_chain(tmp_path):
    chain = tmp_path / "chain"
    make_thread(chain, "t-many", [proposal("Many Genres", genres=["g"] * 100)])
    thread = read_thread(chain / "t-many")
    assert thread.proposal.genres == ()
    assert any("genres: expected at most 50 genres" in n for n in thread.notes)


def test_real_threads_rerun_keeps_a_user_file(tmp_path, real_chains):
    chain = tmp_path / "chain"
    shutil.copytree(real_chains, chain)
    out = tmp_path / "out"
    first = shrinkwrap(chain, out)
    assert first.count("written") == 8
    folder = out / first.threads[0].dir_name
    (folder / "listening-notes.md").write_text("notes")
    again = shrinkwrap(chain, out)
    assert again.count("unchanged") == 8 and not again.index_changed
    assert (folder / "listening-notes.md").read_text() == "notes"
    for t in first.threads:
        assert len(t.dir_name) <= len("white-") + 80


def test_real_threads_chain_and_production_agree_on_the_final(real_chains):
    from chromatic.proposals.threads import final_proposal_of_thread

    for d in sorted(p for p in real_chains.iterdir() if p.is_dir()):
        chain, prod = read_thread(d).proposal, final_proposal_of_thread(d)
        assert chain.title == prod.title and chain.iteration_id == prod.iteration_id
        assert chain.key == str(prod.key) and chain.bpm == prod.bpm
        assert chain.time_signature == str(prod.time_signature)
        assert chain.color == prod.color


def test_cli_prints_a_note_with_rich_markup_verbatim(tmp_path):
    from typer.testing import CliRunner

    from chromatic.cli import app

    chain = tmp_path / "chain"
    make_thread(chain, "t-markup", [proposal("Markup Song", key="[/] [bold")])
    result = CliRunner().invoke(
        app, ["chain", "shrinkwrap", str(chain), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "[/] [bold" in result.output
