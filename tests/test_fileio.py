"""Atomic writes and cloned trees: a write to one clone never shows in the other."""

from __future__ import annotations

import os

from chromatic.fileio import clone_tree, write_bytes_atomic, write_text_atomic, write_with


def test_clone_tree_shares_files_until_one_is_written(tmp_path):
    src = tmp_path / "a"
    (src / "chords" / "candidates").mkdir(parents=True)
    (src / "chords" / "review.yml").write_text("status: pending\n")
    (src / "chords" / "candidates" / "c1.mid").write_bytes(b"MThd-one")
    dst = tmp_path / "b"
    clone_tree(src, dst)

    review_a, review_b = src / "chords" / "review.yml", dst / "chords" / "review.yml"
    assert review_b.read_text() == "status: pending\n"
    assert os.path.samefile(review_a, review_b)  # a link, not a copy: nothing was read

    write_text_atomic(review_b, "status: approved\n")
    write_bytes_atomic(dst / "chords" / "candidates" / "c1.mid", b"MThd-two")
    write_with(dst / "chords" / "new.txt", lambda p: p.write_text("x"))
    assert review_a.read_text() == "status: pending\n"
    assert (src / "chords" / "candidates" / "c1.mid").read_bytes() == b"MThd-one"
    assert not (src / "chords" / "new.txt").exists()
    assert (dst / "chords" / "candidates" / "c1.mid").read_bytes() == b"MThd-two"

    (dst / "chords" / "candidates" / "c1.mid").unlink()
    assert (src / "chords" / "candidates" / "c1.mid").is_file()
