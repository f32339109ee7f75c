"""`catalog synth` writes only under --out, whatever the manifest's media paths say (issue 19)."""

from __future__ import annotations

import shutil

import pytest

from chromatic.synth.catalog import synth_catalog


@pytest.fixture
def layout(tmp_path, example_catalog):
    cat = tmp_path / "catalog"
    for song in ("01_90", "02_90"):
        shutil.copytree(example_catalog / song, cat / song)
    precious = cat / "02_90" / "precious.mid"
    precious.write_bytes(b"MThd precious bytes")
    return cat, tmp_path / "out", precious


@pytest.mark.parametrize(
    "field, old",
    [
        ("midi_file", "midi_file: 01_90_synth_bass.mid"),
        ("midi_group_file", "midi_group_file: 01_90_drums.mid"),
        ("lrc_file", "lrc_file: 01_90.lrc"),
    ],
)
@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_synth_never_overwrites_a_file_outside_out(layout, field, old, how):
    cat, out, precious = layout
    target = "../../catalog/02_90/precious.mid" if how == "relative" else str(precious)
    path = cat / "01_90" / "01_90.yml"
    if field == "lrc_file":
        shutil.copyfile(precious, cat / "02_90" / "precious.lrc")
        precious = cat / "02_90" / "precious.lrc"
        target = target.replace(".mid", ".lrc")
    path.write_text(path.read_text().replace(old, f"{field}: {target}", 1))
    before = precious.read_bytes()
    res = synth_catalog(cat, out, max_seconds=4, workers=1, progress=False, audio=False)
    assert precious.read_bytes() == before
    assert "01_90" in res.failed and field in res.failed["01_90"]
    assert res.done == ["02_90"]
    written = {p for p in out.rglob("*") if p.is_file()}
    assert all(out in p.parents for p in written)


def test_synth_into_the_source_catalog_is_refused(layout):
    cat, _out, _ = layout
    before = {p: p.read_bytes() for p in cat.rglob("*") if p.is_file()}
    res = synth_catalog(cat, cat, max_seconds=4, workers=1, progress=False, audio=False)
    assert set(res.failed) == {"01_90", "02_90"} and "overlaps" in res.failed["01_90"]
    assert {p: p.read_bytes() for p in cat.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    "args", [["--sample-rate", "1"], ["--seed", "-1"], ["--max-seconds", "-3"]]
)
def test_absurd_synth_options_are_refused_at_the_option(layout, args):
    from chromatic.cli import main

    cat, out, _ = layout
    assert main(["catalog", "synth", str(cat), "--out", str(out), "--no-audio", *args]) != 0
    assert not out.exists()
