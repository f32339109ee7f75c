from __future__ import annotations

import math
import re
import shutil
import statistics
from collections import Counter

import pytest
import yaml

from chromatic.chain.constraints import write_feedback
from chromatic.chain.feedback import bpm_clusters, entropy_bits, key_counts
from chromatic.chain.phrases import overused_phrases, overused_words, phrase_frequency
from chromatic.errors import ChainError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader keeps these tests quick


def _final_proposals(real_chains):
    """The last iteration of each real thread, read here without the package's code."""
    finals = []
    for folder in sorted(real_chains.iterdir()):
        (listing,) = (folder / "yml").glob("all_song_proposals_*.yml")
        finals.append(yaml.load(listing.read_bytes(), Loader=_LOADER)["iterations"][-1])
    return finals


def test_feedback_figures_match_a_hand_computation(shrunk, real_chains, tmp_path):
    finals = _final_proposals(real_chains)
    # by hand: drop a parenthetical tail, nothing else is needed on these keys
    keys = Counter(re.sub(r"\s*\(.*\)\s*$", "", f["key"]) for f in finals)
    n = sum(keys.values())
    entropy = -sum(c / n * math.log2(c / n) for c in keys.values())
    bpms = [float(f["bpm"]) for f in finals]
    assert keys == {"C major": 4, "F# minor": 2, "D minor": 1, "F# major": 1}
    assert entropy == pytest.approx(1.75)

    result = write_feedback(shrunk, tmp_path / "nc.yml")
    d = result.diversity
    assert d.key_counts == dict(keys)
    assert d.key_entropy_bits == pytest.approx(entropy)
    assert d.bpm_mean == pytest.approx(statistics.fmean(bpms)) == pytest.approx(91.375)
    assert d.bpm_std == pytest.approx(statistics.pstdev(bpms)) == pytest.approx(9.2997, abs=1e-4)
    assert d.bpm_counts == dict(sorted(Counter(bpms).items()))

    saved = yaml.safe_load((tmp_path / "nc.yml").read_text(encoding="utf-8"))
    assert saved["keys"]["counts"] == dict(keys) and saved["keys"]["entropy_bits"] == 1.75
    assert saved["bpm"]["std"] == pytest.approx(9.3, abs=1e-3)
    assert saved["rules"]["exclude"]["keys"] == ["C major"]  # 4 of 8 = 50 %
    assert saved["rules"]["avoid"]["keys"] == []  # F# minor is 25 %
    assert saved["rules"]["avoid"]["bpm"] == ["86-96"]  # 88, 91 x3, 94, 96: 6 of 8
    assert sorted(saved["rules"]["exclude"]["titles"]) == sorted(f["title"] for f in finals)
    assert "consciousness archaeology" in saved["rules"]["avoid"]["phrases"]
    assert [w.split(":")[0] for w in saved["warnings"]] == [
        "key entropy 1.75 bits < 2.0",
        "BPM std 9.30 < 10",
    ]


def test_markdown_for_the_prompt(shrunk, tmp_path):
    result = write_feedback(shrunk, tmp_path / "nc.yml", markdown=True)
    md = (tmp_path / "nc.md").read_text(encoding="utf-8")
    assert md == result.markdown
    assert md.startswith("## Negative constraints (from 8 earlier threads)")
    assert "**Do not use these keys:** C major" in md and "86-96" in md
    assert '"The Prism Protocol (All Frequencies Simultaneous)"' in md
    assert "Warning: key entropy 1.75 bits" in md


def test_manual_overrides_and_comments_survive_reruns(shrunk, tmp_path):
    path = tmp_path / "nc.yml"
    write_feedback(shrunk, path)
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "  watch_phrases: []",
        "  # the artist asked to watch this one\n  watch_phrases:\n  - digital flesh  # from thread one",
    )
    text = text.replace(
        "  allow:\n    keys: []",
        "  allow:\n    # C major is fine for the White album\n    keys:\n    - c major",
    )
    text = text.replace(
        "  avoid:\n    keys: []\n    bpm: []\n    phrases: []",
        "  avoid:\n    keys: []\n    bpm: [60-64]\n    phrases: [Liminal Threshold]",
    )
    text = text.replace(
        "thread_count: 8", "thread_count: 999"
    )  # a hand edit outside manual: regenerated
    path.write_text(text, encoding="utf-8")

    result = write_feedback(shrunk, path)
    assert result.changed
    again = path.read_text(encoding="utf-8")
    for kept in (
        "# the artist asked to watch this one",
        "- digital flesh  # from thread one",
        "# C major is fine for the White album",
        "- c major",
        "bpm: [60-64]",
        "phrases: [Liminal Threshold]",
    ):
        assert kept in again
    saved = yaml.safe_load(again)
    assert saved["thread_count"] == 8
    assert saved["rules"]["exclude"]["keys"] == []  # allowed by hand
    assert saved["rules"]["avoid"]["bpm"] == ["86-96", "60-64"]
    assert "Liminal Threshold" in saved["rules"]["avoid"]["phrases"]
    assert saved["phrases"]["watched"][0]["text"] == "digital flesh"
    # a third run changes nothing
    result = write_feedback(shrunk, path)
    assert not result.changed and path.read_text(encoding="utf-8") == again


def test_bad_manual_entry_names_file_and_field(shrunk, tmp_path):
    path = tmp_path / "nc.yml"
    write_feedback(shrunk, path)
    text = path.read_text(encoding="utf-8").replace(
        "  avoid:\n    keys: []", "  avoid:\n    keys: [H minor]"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChainError, match=r"nc\.yml: manual\.avoid\.keys: expected a key"):
        write_feedback(shrunk, path)
    assert path.read_text(encoding="utf-8") == text  # no partial output


def test_bad_manifest_names_file_and_field(shrunk, tmp_path):
    folder = tmp_path / "sw"
    shutil.copytree(shrunk, folder)
    manifest = next(folder.glob("*/manifest.yml"))
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("bpm: ", "bpm: fast # "), encoding="utf-8"
    )
    with pytest.raises(
        ChainError, match=r"manifest\.yml: bpm: expected a tempo in beats per minute"
    ):
        write_feedback(folder)
    assert not (folder / "negative_constraints.yml").exists()


def test_key_counts_merge_enharmonics_and_count_unparsed():
    counts, unparsed = key_counts(["F# major", "Gb major", "F# major", None, "not a key"])
    assert counts == {"F# major": 3} and unparsed == 2


def test_entropy_and_bpm_clusters():
    assert entropy_bits([1, 1, 1, 1]) == pytest.approx(2.0)
    assert entropy_bits([5]) == 0.0
    clusters = bpm_clusters([60, 62, 64, 100, 101, 140], window=5, min_share=0.3)
    assert [(c.low, c.high, c.count) for c in clusters] == [
        (57, 67, 3),
        (95, 105, 2),
    ]  # centred on 62, not 60


def test_phrases_are_mined_from_the_corpus():
    texts = [
        "The quantum flux engine hums, of the night.",
        "A quantum flux engine sleeps of the night",
        "Inside the quantum flux engine: of the night",
        "Nothing to see here of the night",
    ]
    found = {p.text: p.count for p in overused_phrases(texts)}
    assert found["quantum flux engine"] == 3
    assert "quantum flux" not in found and "flux engine" not in found  # subsumed, same frequency
    assert not any(p.split()[0] in {"of", "the"} or p.split()[-1] in {"of", "the"} for p in found)
    assert phrase_frequency(texts, ["Quantum Flux"])[0].count == 3
    words = overused_words(["The Glass Room", "The Glass Tower", "Elsewhere"], min_share=0.3)
    assert [(w.text, w.count) for w in words] == [("glass", 2)]
    openings = overused_words(["The Glass Room", "The Glass Tower", "Elsewhere"], first_only=True)
    assert [(w.text, w.count) for w in openings] == [("the", 2)]


def test_manual_keys_match_enharmonically():
    from chromatic.chain.constraints import Manual, apply_manual
    from chromatic.chain.feedback import Rules

    rules = Rules(exclude_keys=["F# major"], avoid_keys=["A minor"])
    out = apply_manual(
        rules, Manual(avoid={"keys": ["Gb major", "D minor"]}, allow={"keys": ["A minor"]})
    )
    assert out.exclude_keys == ["F# major"] and out.avoid_keys == ["D minor"]
    out = apply_manual(rules, Manual(allow={"keys": ["Gb major"]}))
    assert out.exclude_keys == []
