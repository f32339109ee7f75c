from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import chromatic.chain.shrinkwrap as sw
from chromatic.chain.shrinkwrap import clip, shrinkwrap, slugify
from chromatic.errors import ChainError
from tests.chain.fabricate import make_thread, proposal


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in folder.rglob("*")
        if p.is_file()
    }


def _manifests(out: Path) -> dict[str, dict]:
    return {
        p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in out.glob("*/manifest.yml")
    }


def test_every_real_thread_shrinkwrapped(shrunk, real_chains):
    manifests = _manifests(shrunk)
    assert len(manifests) == 8
    assert {m["thread_id"] for m in manifests.values()} == {d.name for d in real_chains.iterdir()}
    for name, m in manifests.items():
        assert name == f"white-{slugify(m['title'])}"
        folder = shrunk / name
        assert (folder / m["final_proposal"]).is_file()
        assert (folder / "yml" / f"all_song_proposals_{m['thread_id']}.yml").is_file()
        for field in (
            "title",
            "bpm",
            "key",
            "time_signature",
            "concept",
            "color",
            "mood",
            "genres",
            "agent",
            "iteration_count",
        ):
            assert m[field] not in (None, "", []), (name, field)
        # the manifest's kept list is exactly what the folder holds
        held = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {
            "manifest.yml"
        }
        assert held == set(m["files"]["kept"])


def test_index_sorted_and_complete(shrunk):
    index = yaml.safe_load((shrunk / "index.yml").read_text(encoding="utf-8"))
    manifests = _manifests(shrunk)
    assert index["thread_count"] == 8 == len(index["threads"])
    titles = [e["title"] for e in index["threads"]]
    assert titles == sorted(titles, key=str.casefold)
    for entry in index["threads"]:
        m = manifests[entry["dir"]]
        assert (entry["title"], entry["color"], entry["key"], entry["bpm"]) == (
            m["title"],
            m["color"],
            m["key"],
            m["bpm"],
        )
        assert len(entry["concept"]) <= 200
        flat = " ".join(m["concept"].split())
        assert flat.startswith(entry["concept"].rstrip("…"))


def test_keep_and_drop_rules_on_real_threads(shrunk):
    kept = [p.relative_to(shrunk).as_posix() for p in shrunk.rglob("*") if p.is_file()]
    assert not any("_rebracketing_analysis" in k for k in kept)
    assert not any(k.endswith("_evp.yml") for k in kept)
    assert not any("/.debug/" in k for k in kept)
    assert sum(k.endswith("_CHROMATIC_SYNTHESIS.md") for k in kept) == 8
    assert sum(k.endswith("_META_REBRACKETING.md") for k in kept) == 8
    assert sum("song_proposal_" in k for k in kept) == 8  # the final one per thread only
    assert any(
        k.endswith("_o_The Lakeland 7/8 Recorder.yml") for k in kept
    )  # a slash in a name upstream
    assert any(
        k.endswith("json/audio_phantom_gliders_metadata.json") for k in kept
    )  # from wav/, grouped by type
    m = _manifests(shrunk)[
        next(n for n in _manifests(shrunk) if n.startswith("white-the-rainbow-table-a-manual"))
    ]
    reasons = {d["reason"] for d in m["files"]["dropped"]}
    assert any(r.startswith("agent analysis") for r in reasons) and any(
        r.startswith("EVP") for r in reasons
    )


def test_key_normalized_with_raw_kept(shrunk):
    m = _manifests(shrunk)[
        "white-the-prism-mandala-seven-fold-return-to-the-architecture-of-awakening"
    ]
    assert m["key"] == "C major"
    assert m["key_raw"] == "C major (resolving through complete chromatic cycle)"
    assert any("dropped '(resolving through complete chromatic cycle)'" in n for n in m["notes"])


def test_rerun_is_a_noop(tmp_path, real_chains):
    out = tmp_path / "out"
    shrinkwrap(real_chains, out)
    before = _snapshot(out)
    result = shrinkwrap(real_chains, out)
    assert result.count("unchanged") == 8 and not result.index_changed
    assert _snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_input_is_never_modified(tmp_path, real_chains):
    def listing():
        return sorted(
            (p.as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in real_chains.rglob("*")
        )

    before = listing()
    shrinkwrap(real_chains, tmp_path / "out", archive=True)
    assert listing() == before


def test_archive_copies_dropped_files_into_debug(tmp_path, real_chains):
    out = tmp_path / "out"
    result = shrinkwrap(real_chains, out, archive=True)
    assert result.count("written") == 8
    for name, m in _manifests(out).items():
        assert m["files"]["archived"] is True
        for d in m["files"]["dropped"]:
            copy = out / name / ".debug" / d["path"]
            assert copy.read_bytes() == (real_chains / m["thread_id"] / d["path"]).read_bytes()
    # back to the default: .debug goes, the thread is updated, nothing else changes
    result = shrinkwrap(real_chains, out)
    assert result.count("updated") == 8
    assert not list(out.glob("*/.debug"))


def test_thread_without_proposals_is_reported_and_skipped(tmp_path, real_chains):
    chain = tmp_path / "chain"
    shutil.copytree(
        real_chains / "77558585-99cd-4667-9acf-e839750e6661",
        chain / "77558585-99cd-4667-9acf-e839750e6661",
    )
    make_thread(chain, "deadbeef-0000", None, files={"md/notes.md": "# an abandoned thread"})
    result = shrinkwrap(chain, tmp_path / "out")
    skipped = [t for t in result.threads if t.status == "skipped"]
    assert [t.thread_id for t in skipped] == ["deadbeef-0000"] and "no song proposals" in skipped[
        0
    ].reason
    assert result.count("written") == 1
    index = yaml.safe_load((tmp_path / "out" / "index.yml").read_text(encoding="utf-8"))
    assert index["thread_count"] == 1


def test_bad_input_writes_nothing(tmp_path):
    chain = tmp_path / "chain"
    make_thread(chain, "a-good", [proposal("Good Song")])
    bad = make_thread(chain, "b-bad", [proposal("Bad Song")])
    (bad / "yml" / "all_song_proposals_b-bad.yml").write_text(
        "iterations:\n  - title: [unclosed\n", encoding="utf-8"
    )
    with pytest.raises(ChainError, match=r"all_song_proposals_b-bad\.yml"):
        shrinkwrap(chain, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_interrupted_run_leaves_no_half_thread(tmp_path, monkeypatch):
    chain = tmp_path / "chain"
    make_thread(
        chain,
        "t-one",
        [proposal("One Song")],
        files={f"md/doc_{i}.md": f"doc {i}" for i in range(5)},
    )
    out = tmp_path / "out"
    real_copy = shutil.copyfile
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real_copy(src, dst)

    monkeypatch.setattr(sw.shutil, "copyfile", flaky)
    with pytest.raises(OSError):
        shrinkwrap(chain, out)
    assert [p.name for p in out.iterdir()] == []  # no thread folder, no temp folder
    monkeypatch.setattr(sw.shutil, "copyfile", real_copy)
    shrinkwrap(chain, out)
    before = _snapshot(out / "green-one-song")
    # an interrupted update keeps the previous folder whole
    (chain / "t-one" / "md" / "doc_0.md").write_text("changed", encoding="utf-8")
    calls["n"] = 0
    monkeypatch.setattr(sw.shutil, "copyfile", flaky)
    with pytest.raises(OSError):
        shrinkwrap(chain, out)
    assert _snapshot(out / "green-one-song") == before
    monkeypatch.setattr(sw.shutil, "copyfile", real_copy)
    result = shrinkwrap(chain, out)
    assert result.count("updated") == 1
    assert (out / "green-one-song" / "md" / "doc_0.md").read_text(encoding="utf-8") == "changed"


def test_title_change_moves_the_folder_and_collisions_get_the_thread_id(tmp_path):
    chain = tmp_path / "chain"
    make_thread(chain, "aaaa1111-x", [proposal("Same Title")])
    make_thread(chain, "bbbb2222-y", [proposal("Same Title")])
    out = tmp_path / "out"
    shrinkwrap(chain, out)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "green-same-title-aaaa1111",
        "green-same-title-bbbb2222",
    ]
    make_thread(chain, "bbbb2222-y", [proposal("Same Title"), proposal("New Title")])
    result = shrinkwrap(chain, out)
    assert result.removed == ["green-same-title-bbbb2222"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "green-new-title",
        "green-same-title-aaaa1111",
    ]
    index = yaml.safe_load((out / "index.yml").read_text(encoding="utf-8"))
    assert [e["title"] for e in index["threads"]] == ["New Title", "Same Title"]


def test_earlier_threads_stay_indexed(tmp_path):
    out = tmp_path / "out"
    first, second = tmp_path / "c1", tmp_path / "c2"
    make_thread(first, "t-old", [proposal("Older Song", rainbow_color="red")])
    make_thread(second, "t-new", [proposal("Newer Song", rainbow_color="Violet (0xad85d6)")])
    shrinkwrap(first, out)
    result = shrinkwrap(second, out)
    assert result.indexed == 2
    assert {p.name for p in out.iterdir() if p.is_dir()} == {"red-older-song", "violet-newer-song"}


def test_slug_and_clip():
    assert (
        slugify("ThreadKeepr's Return (The White Album Transmission)")
        == "threadkeepr-s-return-the-white-album-transmission"
    )  # the one slugify (paths)
    assert slugify("Ça va: 7/8 Recorder") == "ca-va-7-8-recorder"
    long = slugify("word " * 40)
    assert len(long) <= 80 and not long.endswith("-")
    text = "alpha beta " * 40
    cut = clip(text)
    assert len(cut) <= 200 and cut.endswith("…") and not cut[:-1].endswith(" ")
    assert clip("short  text") == "short text"


def test_a_single_thread_folder_is_accepted_but_not_as_its_own_output(tmp_path):
    thread = make_thread(tmp_path, "t-solo", [proposal("Solo")])
    assert shrinkwrap(thread, tmp_path / "out").count("written") == 1
    with pytest.raises(ChainError, match="lies inside the thread folder"):
        shrinkwrap(thread, thread / "shrinkwrapped")
    assert not (thread / "shrinkwrapped").exists()
