"""Segmentation rules, on the real manifests and LRC files and on hand-made cases."""

from __future__ import annotations

import itertools

import pytest

from chromatic.catalog.validate import validate_catalog
from chromatic.segments.boundaries import (
    Span,
    TimedLine,
    lines_of_lrc,
    segment_song,
    spans_of_manifest,
    split_windows,
)


@pytest.fixture(scope="module")
def real_songs(real_catalog):
    return [s for s in validate_catalog(real_catalog, check_media=False).songs if s.loaded]


def _bounds(manifest):
    return {b for s in manifest.structure for b in (s.start, s.end)}


def test_rules_hold_on_every_real_song(real_songs):
    assert len(real_songs) == 84
    total = 0
    for s in real_songs:
        m = s.loaded.manifest
        song_end = max(m.trt_seconds, max(sec.end for sec in m.structure))  # 01_07's TRT is a typo
        segs = segment_song(spans_of_manifest(m), lines_of_lrc(s.lrc), song_end)
        total += len(segs)
        assert segs, s.song
        assert all(0 < g.duration <= 30.0 + 1e-6 for g in segs), s.song
        assert [g.index for g in segs] == list(range(len(segs)))
        assert all(a.start <= b.start for a, b in itertools.pairwise(segs))
        # split windows overlap by exactly 2 s
        for a, b in itertools.pairwise(segs):
            if b.window > 0:
                assert a.end - b.start == pytest.approx(2.0)
        if s.lrc is None:
            continue
        bounds = _bounds(m)
        for line in s.lrc.lines:
            if line.time >= song_end:
                continue
            holders = [g for g in segs if g.start <= line.time < g.end]
            # a line lies in exactly one segment, or in the overlap of two windows
            assert 1 <= len(holders) <= 2, (s.song, line)
            if len(holders) == 2:
                assert holders[0].end - holders[1].start == pytest.approx(2.0)
        lyric_starts = [g for g in segs if g.source == "lrc" and g.window == 0]
        line_times = sorted({ln.time for ln in s.lrc.lines})
        for g in lyric_starts:
            if g.start not in line_times:  # moved: it was snapped onto a section boundary
                assert g.start in bounds, (s.song, g)
                nearest = min(line_times, key=lambda t: abs(t - g.start))
                assert abs(nearest - g.start) <= 2.0
    assert total > 1000


def test_snapping_by_hand():
    sections = [Span("Intro", 0, 14.027), Span("Verse", 14.027, 40), Span("Outro", 40, 50)]
    lines = [TimedLine(15.0, "first"), TimedLine(20.0, "second"), TimedLine(38.5, "last")]
    segs = segment_song(sections, lines, 50.0)
    assert [(g.start, g.end, g.lyric or g.section) for g in segs] == [
        (0, 14.027, "Intro"),  # instrumental intro from the structure
        (14.027, 20.0, "first"),  # snapped back 0.973 s to the verse's start
        (20.0, 38.5, "second"),
        (38.5, 40.0, "last"),  # the last line runs to the end of its section
        (40.0, 50.0, "Outro"),
    ]


def test_instrumental_song_one_or_more_segments_per_section():
    sections = [Span("A", 0, 10), Span("B", 10, 75), Span("C", 75, 80)]
    segs = segment_song(sections, None, 80.0)
    for sec in sections:
        mine = [g for g in segs if g.section == sec.name]
        assert mine and mine[0].start == sec.start and mine[-1].end == sec.end
    assert len([g for g in segs if g.section == "B"]) == 3  # 65 s -> three windows


def test_split_windows_are_equal_and_cover():
    w = split_windows(0.0, 31.0)
    assert w == [(0.0, 16.5), (14.5, 31.0)]
    w = split_windows(10.0, 100.0)
    assert w[0][0] == 10.0 and w[-1][1] == 100.0
    assert all(b - a <= 30.0 + 1e-9 for a, b in w)
    assert all(x[1] - y[0] == pytest.approx(2.0) for x, y in itertools.pairwise(w))


def test_duplicate_timestamps_merge_text():
    segs = segment_song(
        [Span("V", 0, 20)], [TimedLine(5, "a"), TimedLine(5, "b"), TimedLine(10, "c")], 20
    )
    lyr = [g.lyric for g in segs if g.lyric]
    assert lyr == ["a / b", "c"]


def test_broken_sections_are_skipped():
    # 01_07-like: a section that ends before it starts
    segs = segment_song([Span("A", 0, 10), Span("B", 10, 3)], None, 10)
    assert [(g.section, g.start, g.end) for g in segs] == [("A", 0, 10)]


def test_last_line_at_a_section_end_runs_into_the_next_section():
    # 07_10: the last line is sung 11 ms before its section ends
    sections = [Span("Chorus", 0, 173.022), Span("Verse 3", 173.023, 187.02)]
    segs = segment_song(sections, [TimedLine(160.0, "a"), TimedLine(173.011, "b")], 187.02)
    last = [g for g in segs if g.lyric == "b"]
    assert last and last[0].start == 173.011 and last[-1].end == 187.02


def test_line_start_never_snaps_past_itself():
    # a boundary 1 s after the line is not used: the line must stay in its own segment
    segs = segment_song(
        [Span("A", 0, 11), Span("B", 11, 30)], [TimedLine(10.0, "x"), TimedLine(20.0, "y")], 30
    )
    x = next(g for g in segs if g.lyric == "x")
    assert x.start == 10.0 and x.end == 20.0
