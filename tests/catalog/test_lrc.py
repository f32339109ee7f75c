from __future__ import annotations

import pytest

from chromatic.catalog.lrc import load_lrc, parse_lrc
from chromatic.catalog.timecode import format_timestamp, parse_timestamp
from chromatic.errors import LrcError


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("[00:15.000]", 15.0),
        ("[2:08.221]", 128.221),
        ("[00:18.086 ]", 18.086),
        ("[00:42.25]", 42.25),
        ("01:02", 62.0),
    ],
)
def test_timestamps_seen_in_the_real_files(text, seconds):
    assert parse_timestamp(text) == pytest.approx(seconds)


def test_format_roundtrip():
    for s in (0.0, 59.999, 61.5, 3599.001):
        assert parse_timestamp(format_timestamp(s)) == pytest.approx(s)
    assert format_timestamp(128.221) == "[02:08.221]"


def test_stamp_on_own_line_and_inline_forms_agree():
    own = "[ti: T]\n[ar: A]\n[al: B]\n[00:01.000]\nfirst line\n[00:03.500]\nsecond line\n"
    inline = "[ti: T]\n[00:01.000]first line\n[00:03.500] second line\n"
    a, b = parse_lrc(own), parse_lrc(inline)
    assert (
        [(x.time, x.text) for x in a.lines]
        == [(x.time, x.text) for x in b.lines]
        == [(1.0, "first line"), (3.5, "second line")]
    )
    assert a.title == "T" and a.tags["al"] == "B"


def test_problems_unordered_and_long_gap():
    lrc = parse_lrc("[00:10.000]\na\n[00:05.000]\nb\n[00:50.000]\nc\n")
    kinds = [(sev, msg.split()[1]) for sev, _f, msg in lrc.problems()]
    assert ("error", "5.000s") in kinds
    assert any(sev == "warning" and "gap" in msg for sev, _f, msg in lrc.problems())


def test_text_before_any_stamp_is_an_error():
    with pytest.raises(LrcError, match="line 1"):
        parse_lrc("hello\n[00:01.000]\nx\n", path="x.lrc")


def test_all_69_real_lrc_files_parse(real_catalog):
    files = sorted(real_catalog.glob("*/*.lrc"))
    assert len(files) == 69
    total = 0
    for f in files:
        lrc = load_lrc(f)
        assert lrc.lines, f
        assert all(line.text for line in lrc.lines), f
        assert not [p for p in lrc.problems() if p[0] == "error"], f
        total += len(lrc.lines)
    assert total == 1066  # every timestamp of the real files, each with its lyric line
