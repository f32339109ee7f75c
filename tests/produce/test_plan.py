from __future__ import annotations

import re
import shutil

import pytest

from chromatic.catalog.manifest import load_manifest
from chromatic.catalog.timecode import parse_timestamp
from chromatic.catalog.validate import validate_catalog
from chromatic.cli import main
from chromatic.errors import ProduceError
from chromatic.produce.arrange.bootstrap import BOOTSTRAP_FILE, bootstrap_manifest
from chromatic.produce.arrange.plan import PLAN_FILE, load_plan, midi_bars, write_plan
from chromatic.produce.review import load_review
from chromatic.yamlio import round_trip as _yaml
from tests.produce.conftest import approve_clean as approve


def _hr_bars(folder) -> dict[str, int]:
    review = load_review(folder.review_path("chords"))
    return {
        c.label.lower(): c.details["harmonic_rhythm"]["total_bars"]
        for c in review.model.candidates
        if c.status == "approved"
    }


def test_plan_lists_approved_sections_in_song_order_with_bars_from_the_harmonic_rhythm(sectioned):
    result = write_plan(sectioned.root)
    assert result.created and not result.orphaned
    secs = result.plan.sections
    # no singer named, but not said to be instrumental: the style's song form (electronic:
    # build_drop; its bridge is not approved, so left out)
    assert [s.name for s in secs] == ["intro", "verse", "chorus", "verse", "chorus", "outro"]
    assert {s.name: s.bars for s in secs} == _hr_bars(sectioned)
    assert all(s.bars_from == "harmonic_rhythm" for s in secs)
    form = result.plan.doc["form"]
    assert form["name"] == "build_drop" and form["phrase_bars"] == 8
    assert any("no approved bridge" in n for n in form["notes"])
    # the chord loops are whole phrases now, so every occurrence is whole 8-bar phrases (a loop
    # that cannot be is played as it is, with a note: tests/produce/test_form.py)
    assert all(s.bars * s.repeat % 8 == 0 for s in secs)
    by = {s.name: s for s in secs}
    assert by["verse"].vocals and not by["intro"].vocals and not by["outro"].vocals
    # the final chorus is lifted, the section before it drops out for a bar
    assert secs[4].variation.lift and secs[3].variation.dropout == 1
    assert not secs[0].variation.crash and all(s.variation.crash for s in secs[1:])
    # the intensity arc: intro quiet, chorus hottest
    assert by["intro"].intensity < by["verse"].intensity < by["chorus"].intensity
    length = result.plan.doc["length"]
    assert length["bars"] == sum(s.bars * s.repeat for s in secs)
    song = result.plan.model.song
    assert (song.time_signature, song.bpm) == ("7/8", 72.0)
    assert length["seconds"] == pytest.approx(length["bars"] * 3.5 * 60 / 72, abs=1e-3)


def test_refresh_keeps_every_human_edit(sectioned):
    path = write_plan(sectioned.root).path
    y = _yaml()
    doc = y.load(path.read_text())
    secs = doc["sections"]
    secs.insert(0, secs.pop(2))  # chorus first: the human's order
    secs[0]["repeat"] = 3
    secs[0]["vocals"] = False
    secs[0]["notes"] = "double the vocal"
    secs[0]["custom"] = "kept too"
    secs[0]["variation"]["fill"] = "stop"
    secs[0]["transpose"] = 2
    secs[1]["bars"] = 99  # machine-owned: recomputed
    secs[1]["intensity"] = 0.9
    secs.yaml_set_comment_before_after_key(1, before="the intro starts dry")
    doc["song"].yaml_add_eol_comment("# tempo agreed with the band", "bpm")
    with open(path, "w") as f:
        y.dump(doc, f)

    result = write_plan(sectioned.root, refresh=True)
    assert not result.created and not result.added and not result.orphaned
    text = path.read_text()
    assert "the intro starts dry" in text and "# tempo agreed with the band" in text
    secs = result.plan.sections
    assert [s.name for s in secs] == ["chorus", "intro", "verse", "verse", "chorus", "outro"]
    assert (secs[0].repeat, secs[0].vocals, secs[0].notes, secs[0].model_extra["custom"]) == (
        3,
        False,
        "double the vocal",
        "kept too",
    )
    assert (secs[0].variation.fill, secs[0].transpose) == ("stop", 2)
    assert secs[1].bars == _hr_bars(sectioned)["intro"] and secs[1].intensity == 0.9
    assert result.plan.doc["length"]["bars"] == sum(s.bars * s.repeat for s in secs)
    # refreshing again changes nothing
    before = path.read_text()
    assert main(["plan", str(sectioned.root), "--refresh"]) == 0
    assert path.read_text() == before


def test_refresh_flags_sections_no_longer_approved_and_appends_new_ones(sectioned):
    write_plan(sectioned.root)
    # the human rejects the outro and approves a bridge
    y = _yaml()
    path = sectioned.review_path("chords")
    doc = y.load(path.read_text())
    doc["candidates"][2]["status"] = "rejected"
    with open(path, "w") as f:
        y.dump(doc, f)
    approve(sectioned, "chords", {4: "bridge"})

    result = write_plan(sectioned.root, refresh=True)
    assert result.orphaned == ("outro",) and result.added == ("bridge",)
    assert any("'outro' is no longer approved" in w for w in result.warnings)
    names = [(s.name, s.approved) for s in result.plan.sections]
    assert names == [
        ("intro", True),
        ("verse", True),
        ("chorus", True),
        ("verse", True),
        ("chorus", True),
        ("outro", False),
        ("bridge", True),
    ]
    # approved again: the flag goes away
    approve(sectioned, "chords", {2: "outro", 4: "bridge"})
    assert all(s.approved for s in write_plan(sectioned.root, refresh=True).plan.sections)


def test_plan_exists_needs_refresh_and_no_approvals_is_refused(sectioned, minor_78, tmp_path):
    write_plan(sectioned.root)
    with pytest.raises(ProduceError, match="--refresh"):
        write_plan(sectioned.root)
    bare = tmp_path / "bare"
    shutil.copytree(minor_78.root, bare)
    with pytest.raises(ProduceError, match="no approved chord sections"):
        write_plan(bare)


def test_bars_fall_back_to_the_midi_length_then_the_chord_count(sectioned):
    bars = _hr_bars(sectioned)
    y = _yaml()
    path = sectioned.review_path("chords")
    doc = y.load(path.read_text())
    for c in doc["candidates"]:
        c["details"].pop("harmonic_rhythm", None)
    with open(path, "w") as f:
        y.dump(doc, f)
    plan = write_plan(sectioned.root).plan
    assert {s.name: (s.bars, s.bars_from) for s in plan.sections} == {
        k: (v, "midi") for k, v in bars.items()
    }
    assert midi_bars(sectioned.approved_dir("chords") / "verse.mid") == bars["verse"]

    # no notes in the MIDI: one bar per chord of the approved candidate
    from chromatic.music.midi import new_score, write_score

    write_score(new_score(72, "7/8"), sectioned.approved_dir("chords") / "intro.mid")
    plan = write_plan(sectioned.root, refresh=True).plan
    intro = next(s for s in plan.sections if s.name == "intro")
    chords = next(c for c in load_review(path).model.candidates if c.label == "intro").details[
        "chords"
    ]
    assert (intro.bars, intro.bars_from) == (len(chords), "chords")


def test_invalid_plan_names_the_field(sectioned):
    path = write_plan(sectioned.root).path
    text = path.read_text()
    repeats = re.findall(r"(?m)^    repeat: (\d+)$", text)
    path.write_text(re.sub(r"(?m)^(    repeat: )\d+$", r"\g<1>-1", text, count=1))
    assert repeats  # the first section's repeat is now -1
    with pytest.raises(ProduceError, match=r"sections\[0\]\.repeat"):
        load_plan(path)


def test_bootstrap_manifest_validates_as_a_catalog_song(sectioned, tmp_path):
    assert main(["plan", str(sectioned.root), "--bootstrap-manifest"]) == 0
    src = sectioned.root / BOOTSTRAP_FILE
    plan = load_plan(sectioned.root / PLAN_FILE)
    data = bootstrap_manifest(plan, sectioned.proposal())
    assert (
        data["manifest_id"] == "01_99" and data["rainbow_color"] == "Z" and data["tempo"] == "7/8"
    )
    # cumulative section times: bars x repeat x bar seconds, back to back, TRT at the end
    bar_s = 3.5 * 60 / 72
    t = 0.0
    for s, entry in zip(plan.sections, data["structure"], strict=True):
        assert parse_timestamp(entry["start_time"]) == pytest.approx(t, abs=1e-3)
        t += s.bars * s.repeat * bar_s
        assert parse_timestamp(entry["end_time"]) == pytest.approx(t, abs=1e-3)
    assert parse_timestamp(data["TRT"]) == pytest.approx(t, abs=1e-3)
    assert data["main_audio_file"] == "" and data["audio_tracks"] == [] and data["vocals"] is True

    song = tmp_path / "catalog" / "01_99"
    song.mkdir(parents=True)
    shutil.copy(src, song / "01_99.yml")
    report = validate_catalog(tmp_path / "catalog", check_media=False)
    assert report.errors == [] and len(report.loaded) == 1
    assert load_manifest(song / "01_99.yml").manifest.structure[0].section_name == "Intro"
    assert main(["catalog", "validate", str(tmp_path / "catalog"), "--no-media"]) == 0


def test_only_a_proposal_that_says_so_is_instrumental():
    from dataclasses import replace

    from chromatic.produce.arrange.plan import is_instrumental_proposal
    from chromatic.proposals.reader import load_proposal
    from tests.produce.conftest import TEMPO_WORD

    p = load_proposal(TEMPO_WORD)
    assert not is_instrumental_proposal(replace(p, singer=None, lyrics=None))
    assert is_instrumental_proposal(replace(p, genres=("ambient", "instrumental hip-hop")))
    assert is_instrumental_proposal(replace(p, singer="none"))
