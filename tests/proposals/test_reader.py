from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml

from chromatic.errors import ProposalError
from chromatic.proposals.reader import load_proposal, proposal_from_mapping
from chromatic.proposals.threads import final_proposal_of_thread, load_all
from chromatic.taxonomy import ColorModeWarning
from tests.produce.conftest import MINOR_7_8, TEMPO_WORD

BASE = {
    "title": "A Song",
    "bpm": 90,
    "key": "A minor",
    "tempo": {"numerator": 4, "denominator": 4},
    "rainbow_color": "R",
}


def test_every_real_proposal_loads_or_fails_with_one_line(real_chains):
    singles = sorted(real_chains.glob("*/yml/song_proposal_*.yml"))
    lists = sorted(real_chains.glob("*/yml/all_song_proposals_*.yml"))
    iterations = sum(len(yaml.safe_load(p.read_text())["iterations"]) for p in lists)
    report = load_all(real_chains)
    counts = report.counts()
    assert counts["files"] == len(singles) + len(lists) == 135
    assert counts["proposals"] == len(singles) + iterations == 265
    assert counts["threads"] == 8 and counts["threads_failed"] == 0
    assert counts["loaded"] + counts["failed"] == counts["proposals"]
    assert counts["failed"] == 0  # every real proposal is understood (with warnings where needed)
    assert 0 < counts["warned"] < counts["loaded"]
    for r in report.results:
        assert (r.proposal is None) == (r.error is not None)
        if r.error:
            assert "\n" not in r.error
        else:
            p = r.proposal
            assert p.title and p.bpm > 0 and p.key.mode in ("major", "minor")
            assert str(p.time_signature) in ("4/4", "7/8", "3/4")


def test_final_proposal_is_last_iteration_of_each_thread(real_chains):
    threads = sorted(p for p in real_chains.iterdir() if p.is_dir())
    assert len(threads) == 8  # the loop below checks every one of them
    for thread in threads:
        (lst,) = thread.glob("yml/all_song_proposals_*.yml")
        last = yaml.safe_load(lst.read_text())["iterations"][-1]
        final = final_proposal_of_thread(thread)
        assert final.title == " ".join(last["title"].split())
        assert final.iteration_id == last["iteration_id"]
        assert load_proposal(lst).title == final.title  # the list file itself reads as its final


def test_color_object_disagreement_is_a_recorded_warning_not_an_emitted_one():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ColorModeWarning)
        p = load_proposal(MINOR_7_8)
    assert p.color.name == "Black" and p.key.tonic == "F#" and p.mode == "minor"
    assert str(p.time_signature) == "7/8" and p.bpm == 72.0
    data = {
        **BASE,
        "rainbow_color": {
            "color_name": "Indigo",
            "mnemonic_character_value": "I",
            "temporal_mode": "Future",
            "objectional_mode": "Person",
            "ontological_mode": ["Imagined"],
        },
    }
    p = proposal_from_mapping(data)
    assert p.color.name == "Indigo"
    assert any("disagrees with the canonical table" in w for w in p.warnings)


def test_tempo_word_falls_back_to_4_4_with_a_warning():
    p = load_proposal(TEMPO_WORD)
    assert str(p.time_signature) == "4/4"
    assert any("'Andante' is a tempo marking" in w for w in p.warnings)
    assert p.color.name == "Indigo"  # 'indigo' in lower case


@pytest.mark.parametrize(
    ("raw", "expected", "warned"),
    [
        ("F# minor", "F# minor", False),
        ("E ♭ major", "Eb major", False),
        ("C major (resolving through complete chromatic cycle)", "C major", True),
        ({"tonic": "D", "mode": "dorian"}, "D dorian", False),
        ("Bb", "Bb major", True),
    ],
)
def test_key_shapes(raw, expected, warned):
    p = proposal_from_mapping({**BASE, "key": raw})
    assert str(p.key) == expected
    assert bool(p.warnings) == warned


def test_unparseable_key_is_an_error_naming_file_and_field():
    with pytest.raises(ProposalError) as e:
        proposal_from_mapping(
            {**BASE, "key": "H minor (Chromatic Convergence)"},
            source="x/p.yml",
            where="iterations[3]",
        )
    msg = str(e.value)
    assert msg.startswith("x/p.yml: iterations[3].key: ") and "'H minor (Chromatic" in msg
    assert "\n" not in msg


@pytest.mark.parametrize(
    ("raw", "expected", "modulation", "fragment"),
    [
        # the two keys the artist wrote in real final proposals (issue #14)
        ("C Chromatic Complete", "C major", None, "'Chromatic Complete' names no mode"),
        ("All Keys (Chromatic Convergence)", "C major", "all_keys", "asks for every key"),
        ("D chromatic minor descent", "D minor", None, "assuming D minor"),
        ("every key", "C major", "all_keys", "asks for every key"),
    ],
)
def test_the_artists_own_keys_compose_with_a_warning(raw, expected, modulation, fragment):
    p = proposal_from_mapping({**BASE, "key": raw})
    assert (str(p.key), p.modulation) == (expected, modulation)
    assert any(fragment in w and repr(raw) in w for w in p.warnings), p.warnings
    again = proposal_from_mapping(p.to_dict())  # proposal.yml keeps the modulation
    assert (str(again.key), again.modulation) == (expected, modulation)
    assert ("modulation" in p.to_dict()) == (modulation is not None)


def test_with_key_overrides_and_names_both():
    from chromatic.proposals.reader import with_key

    p = with_key(proposal_from_mapping({**BASE, "key": "All Keys"}), "D minor")
    assert (str(p.key), p.modulation) == ("D minor", None)
    assert "key D minor from --key replaces the proposal's C major" in p.warnings
    with pytest.raises(ProposalError, match="--key"):
        with_key(p, "H minor")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("title", "", "title"),
        ("bpm", None, "bpm"),
        ("bpm", -5, "bpm"),
        ("tempo", "7/9", "power of two"),
        ("tempo", "in 99 beats", "tempo"),
        ("rainbow_color", "Magenta", "unknown color"),
    ],
)
def test_what_cannot_be_understood_is_an_error(field, value, fragment):
    with pytest.raises(ProposalError, match=fragment):
        proposal_from_mapping({**BASE, field: value}, source="p.yml")


def test_other_shapes_normalize():
    p = proposal_from_mapping(
        {
            **BASE,
            "bpm": "72 BPM",
            "tempo": "7/8",
            "rainbow_color": "y",
            "mood": "calm, dark",
            "vocalist": "Shirley",
        }
    )
    assert p.bpm == 72.0 and str(p.time_signature) == "7/8" and p.color.name == "Yellow"
    assert p.mood == ("calm", "dark") and p.singer == "Shirley"
    assert proposal_from_mapping(BASE).singer is None
    missing = {k: v for k, v in BASE.items() if k != "tempo"}
    assert str(proposal_from_mapping(missing).time_signature) == "4/4"


def test_color_from_file_name_when_missing(tmp_path):
    path = tmp_path / "song_proposal_Green (0xabe36d)_x_v1.yml"
    path.write_text(yaml.safe_dump({k: v for k, v in BASE.items() if k != "rainbow_color"}))
    p = load_proposal(path)
    assert p.color.name == "Green" and any("file name" in w for w in p.warnings)


def test_normalized_proposal_round_trips(tmp_path):
    p = load_proposal(MINOR_7_8)
    path = tmp_path / "proposal.yml"
    path.write_text(yaml.safe_dump(p.to_dict(), allow_unicode=True))
    q = load_proposal(path)
    assert q.to_dict() == p.to_dict()


def test_invalid_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "song_proposal_bad.yml"
    bad.write_text("title: [unclosed\n")
    with pytest.raises(ProposalError, match="invalid YAML"):
        load_proposal(bad)
    with pytest.raises(ProposalError, match="file not found"):
        load_proposal(tmp_path / "nope.yml")
    with pytest.raises(ProposalError, match="invalid YAML"):  # the fallback reads the proposal file
        final_proposal_of_thread(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProposalError, match="all_song_proposals"):
        final_proposal_of_thread(tmp_path / "empty")


def test_report_counts_failures(tmp_path):
    thread = tmp_path / "t1" / "yml"
    thread.mkdir(parents=True)
    (thread / "song_proposal_A_ok_v1.yml").write_text(yaml.safe_dump(BASE))
    (thread / "song_proposal_A_bad_v1.yml").write_text(yaml.safe_dump({**BASE, "key": "H minor"}))
    (thread / "all_song_proposals_t1.yml").write_text(
        yaml.safe_dump({"iterations": [BASE, {**BASE, "bpm": 0}]})
    )
    report = load_all(tmp_path)
    c = report.counts()
    assert (c["proposals"], c["loaded"], c["failed"], c["files"]) == (4, 2, 2, 3)
    assert report.threads[0].error and "iterations[1].bpm" in report.threads[0].error
    failed = {r.source: r.error for r in report.results if r.error}
    assert failed["t1/yml/song_proposal_A_bad_v1.yml"].startswith("key: ")
    assert Path(report.chain_dir) == tmp_path
