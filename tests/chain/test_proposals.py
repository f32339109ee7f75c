from __future__ import annotations

import os

import pytest
import yaml

from chromatic.chain.proposals import NoProposals, read_thread
from chromatic.errors import ChainError
from chromatic.proposals.values import parse_proposal_filename
from tests.chain.fabricate import make_thread, proposal

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader keeps these tests quick


@pytest.mark.parametrize(
    ("name", "color", "hex_code", "iteration"),
    [
        (
            "song_proposal_Green (0xabe36d)_parallel_extinction_elegy_v1.yml",
            "Green",
            "0xabe36d",
            "parallel_extinction_elegy_v1",
        ),
        (
            "song_proposal_Y_unstable_vestibule_consciousness_v1.yml",
            "Yellow",
            None,
            "unstable_vestibule_consciousness_v1",
        ),
        (
            "song_proposal_indigo_indigo_proposal_1770314867925.yml",
            "Indigo",
            None,
            "indigo_proposal_1770314867925",
        ),
        (
            "song_proposal_Blue (0x4267b)_millbrook_year_v1.yml",
            "Blue",
            "0x4267b",
            "millbrook_year_v1",
        ),
        (
            "song_proposal_White (0xffffff)_white_album_synthesis_v1.yml",
            "White",
            "0xffffff",
            "white_album_synthesis_v1",
        ),
        ("song_proposal_Mauve (0x123456)_whatever_v1.yml", None, "0x123456", "whatever_v1"),
    ],
)
def test_messy_proposal_file_names(name, color, hex_code, iteration):
    parsed = parse_proposal_filename(name)
    assert parsed is not None
    assert (parsed.color.name if parsed.color else None) == color
    assert parsed.hex == hex_code and parsed.iteration_id == iteration


def test_not_a_proposal_file_name():
    assert parse_proposal_filename("all_song_proposals_x.yml") is None


def test_real_threads_final_is_last_iteration(real_chains):
    for folder in sorted(real_chains.iterdir()):
        thread = read_thread(folder)
        raw = yaml.load((folder / thread.list_file).read_bytes(), Loader=_LOADER)["iterations"]
        assert thread.proposal.title == " ".join(raw[-1]["title"].split())
        assert thread.iteration_count == len(raw)
        assert thread.final_file.endswith(f"_{raw[-1]['iteration_id']}.yml")
        assert thread.proposal.color.name == "White"
        # the embedded object says mnemonic W; the name is the truth and the mismatch is a note
        assert any("disagrees with the canonical table" in n for n in thread.notes)


def test_fallback_to_newest_song_proposal(tmp_path):
    folder = make_thread(tmp_path, "t-fallback", None)
    old = folder / "yml" / "song_proposal_Green (0xabe36d)_first_v1.yml"
    new = folder / "yml" / "song_proposal_Y_second_v2.yml"
    old.write_text(yaml.safe_dump(proposal("First", rainbow_color="Green")), encoding="utf-8")
    new.write_text(
        yaml.safe_dump(proposal("Second", rainbow_color="Y", key="D major")), encoding="utf-8"
    )
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(new, (2_000_000, 2_000_000))
    thread = read_thread(folder)
    assert thread.proposal.title == "Second" and thread.proposal.color.name == "Yellow"
    assert thread.list_file is None and thread.final_file.endswith("song_proposal_Y_second_v2.yml")
    assert any("no all_song_proposals list" in n for n in thread.notes)


def test_fallback_prefers_the_proposals_own_timestamp(tmp_path):
    folder = make_thread(tmp_path, "t-stamp", [])
    a = folder / "yml" / "song_proposal_Red_a_v1.yml"
    b = folder / "yml" / "song_proposal_Red_b_v1.yml"
    a.write_text(
        yaml.safe_dump(proposal("A", rainbow_color="R", timestamp=2000.0)), encoding="utf-8"
    )
    b.write_text(
        yaml.safe_dump(proposal("B", rainbow_color="R", timestamp=1000.0)), encoding="utf-8"
    )
    os.utime(a, (1, 1))
    thread = read_thread(folder)
    assert thread.proposal.title == "A"
    assert any("list is empty" in n for n in thread.notes)


def test_no_proposals(tmp_path):
    folder = make_thread(tmp_path, "t-empty", None, files={"md/notes.md": "# nothing here"})
    with pytest.raises(NoProposals):
        read_thread(folder)


def test_bad_yaml_names_the_file(tmp_path):
    folder = make_thread(tmp_path, "t-bad", None)
    (folder / "yml" / "all_song_proposals_t-bad.yml").write_text(
        "iterations: [\n  - {title: x", encoding="utf-8"
    )
    with pytest.raises(ChainError, match=r"all_song_proposals_t-bad\.yml.*invalid YAML"):
        read_thread(folder)


def test_missing_title_names_the_field(tmp_path):
    folder = make_thread(tmp_path, "t-notitle", [proposal("Ok"), {**proposal("x"), "title": None}])
    with pytest.raises(ChainError, match=r"iterations\[1\]\.title"):
        read_thread(folder)


def test_unknown_color_falls_back_to_the_file_name(tmp_path):
    folder = make_thread(
        tmp_path,
        "t-color",
        [proposal("Mauve Song", rainbow_color="Mauve")],
        files={"yml/song_proposal_Green (0xabe36d)_mauve_song_v1.yml": "title: Mauve Song\n"},
    )
    thread = read_thread(folder)
    assert thread.proposal.color.name == "Green"
    assert any("unknown color 'Mauve'" in n for n in thread.notes)


def test_unknown_color_without_a_file_is_an_error(tmp_path):
    folder = make_thread(tmp_path, "t-nocolor", [proposal("Mauve Song", rainbow_color="Mauve")])
    with pytest.raises(ChainError, match=r"iterations\[0\]\.rainbow_color"):
        read_thread(folder)


def test_values_production_refuses_are_notes_in_the_chain_and_guesses_are_the_same(tmp_path):
    folder = make_thread(
        tmp_path,
        "t-messy",
        [proposal("Messy", key="in the cracks between", tempo="Andante", bpm="1e3")],
    )
    thread = read_thread(folder)
    p = thread.proposal
    assert p.key is None and p.key_raw == "in the cracks between"
    assert p.bpm is None  # "1e3" is refused, never read as 1 bpm
    assert p.time_signature == "4/4"  # the same guess as production, recorded
    notes = " | ".join(thread.notes)
    assert "iterations[0].key" in notes and "iterations[0].bpm" in notes
    assert "'Andante' is a tempo marking" in notes


def test_chain_and_production_read_a_bpm_range_the_same_way(tmp_path):
    from chromatic.proposals.threads import final_proposal_of_thread

    folder = make_thread(tmp_path, "t-range", [proposal("Ranged", bpm="90-100", tempo="Andante")])
    chain, prod = read_thread(folder).proposal, final_proposal_of_thread(folder)
    assert chain.bpm == prod.bpm == 95.0
    assert chain.time_signature == str(prod.time_signature) == "4/4"
    assert any("midpoint" in w for w in prod.warnings)


def test_iterations_must_be_a_list(tmp_path):
    folder = make_thread(tmp_path, "t-shape", None)
    (folder / "yml" / "all_song_proposals_t-shape.yml").write_text(
        "iterations: 5\n", encoding="utf-8"
    )
    with pytest.raises(
        ChainError, match=r"all_song_proposals_t-shape\.yml: iterations: expected a list"
    ):
        read_thread(folder)
