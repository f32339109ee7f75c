"""``chromatic verify``: coverage against an independent count, and fidelity failures that a
user must see (corrupt audio, a MIDI slice at the wrong tempo) turning into exit code 1."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chromatic.cli import main
from chromatic.dataset.verify import DEFAULT_SAMPLE, select_rows, verify
from tests.dataset.segdata import built_data, copy_data


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return built_data(tmp_path_factory)


def _rows(data: Path) -> list[dict]:
    return pq.read_table(data / "segments.parquet").to_pylist()


def _run_json(args: list[str], capsys) -> tuple[int, dict]:
    rc = main(["verify", *args, "--json"])
    return rc, json.loads(capsys.readouterr().out)


def _replace_media(data: Path, song: str, segment_id: str, **columns) -> None:
    """Rewrite one row of DATA/media/<song>.parquet with new column values."""
    path = data / "media" / f"{song}.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    (row,) = [r for r in rows if r["segment_id"] == segment_id]
    row.update(columns)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)


def _first(data: Path, **where) -> dict:
    return next(r for r in _rows(data) if all(r[k] == v for k, v in where.items()))


def test_coverage_matches_an_independent_count(data, capsys):
    rows = _rows(data)
    expect: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        e = expect[r["color"]]
        e[0] += 1
        e[1] += r["has_audio"]
        e[2] += r["has_midi"]
        e[3] += r["has_lyric"]
    indices = defaultdict(set)
    for r in rows:
        indices[r["song_id"]].add(r["segment_index"])

    rc, out = _run_json(["--data", str(data)], capsys)
    assert rc == 0 and out["ok"]
    got = {c["color"]: c for c in out["coverage"]["colors"]}
    assert set(expect) == {"Black", "Green", "Indigo"}
    for color, (n, audio, midi, lyric) in expect.items():
        c = got[color]
        assert (c["segments"], c["audio"], c["midi"], c["lyric"]) == (n, audio, midi, lyric)
        assert c["audio_pct"] == pytest.approx(100 * audio / n, abs=0.01)
        assert c["midi_pct"] == pytest.approx(100 * midi / n, abs=0.01)
        assert c["lyric_pct"] == pytest.approx(100 * lyric / n, abs=0.01)
    # every album color is listed, the absent ones with 0 segments
    assert got["Red"]["segments"] == 0 and got["Red"]["audio_pct"] is None
    assert out["coverage"]["total"]["segments"] == len(rows)
    short = {s["song_id"]: s["segments"] for s in out["coverage"]["short_songs"]}
    assert short == {s: len(i) for s, i in indices.items() if len(i) < 3}
    assert set(short) == {"05_90", "07_90"}


def test_clean_data_checks_every_row_against_the_source_midi(data, capsys):
    rows = _rows(data)
    rc, out = _run_json(["--data", str(data)], capsys)
    fid = out["fidelity"]
    assert rc == 0
    assert fid["selected"] == fid["of"] == len(rows) <= DEFAULT_SAMPLE and not fid["sampled"]
    assert fid["passed"] == len(rows) and fid["failures"] == []
    assert fid["audio_checked"] == sum(r["has_audio"] for r in rows)
    assert fid["midi_checked"] == fid["tempo_from_source"] == sum(r["has_midi"] for r in rows)


def test_table_output_and_chart(data, capsys):
    png = data / "verify" / "coverage.png"
    png.unlink(missing_ok=True)
    assert main(["verify", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "Black" in out and "Indigo" in out and "passed" in out
    assert "05_90 (2)" in out  # the short songs are named
    assert str(png) in out
    head = png.read_bytes()[:8]
    assert head == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000


def test_corrupt_flac_is_a_fidelity_failure(data, tmp_path, capsys):
    bad = copy_data(data, tmp_path / "data")
    victim = _first(bad, song_id="01_90", has_audio=True)["segment_id"]
    _replace_media(bad, "01_90", victim, audio_flac=b"fLaC" + b"\x00garbage" * 50)
    rc, out = _run_json(["--data", str(bad), "--song", "01_90"], capsys)
    assert rc == 1 and not out["ok"]
    fails = out["fidelity"]["failures"]
    assert [f["segment_id"] for f in fails] == [victim]
    assert fails[0]["check"] == "audio" and "does not decode" in fails[0]["reason"]
    assert out["fidelity"]["failed"] == 1


def test_table_output_lists_failures(data, tmp_path, capsys):
    bad = copy_data(data, tmp_path / "data")
    (bad / "media" / "05_90.parquet").unlink()
    assert main(["verify", "--data", str(bad), "--color", "green"]) == 1
    out = capsys.readouterr().out
    assert "failed" in out and "05_90_seg_0000_track_" in out and "not found" in out


def _retimed_midi(midi: bytes, qpm: float) -> bytes:
    from symusic import Tempo

    from chromatic.music.midi import load_score, score_bytes

    score = load_score(midi)
    score.tempos.clear()
    score.tempos.append(Tempo(time=0, qpm=qpm))
    return score_bytes(score)


def test_midi_slice_at_another_tempo_is_caught(data, tmp_path, capsys):
    from chromatic.segments.build import read_media

    bad = copy_data(data, tmp_path / "data")
    row = _first(bad, song_id="01_90", has_midi=True, segment_index=2)
    midi = read_media(bad, "01_90", [row["segment_id"]])[row["segment_id"]]["midi"]
    _replace_media(bad, "01_90", row["segment_id"], midi=_retimed_midi(midi, row["midi_qpm"] * 1.5))
    rc, out = _run_json(["--data", str(bad), "--song", "01_90"], capsys)
    assert rc == 1
    (fail,) = out["fidelity"]["failures"]
    assert (
        fail["segment_id"] == row["segment_id"]
        and fail["check"] == "midi"
        and "tempo" in fail["reason"]
    )
    # without the catalog, the tempo recorded at build time catches it too
    report = verify(bad, song="01_90", use_catalog=False, chart=False)
    assert [f.segment_id for f in report.fidelity.failures] == [row["segment_id"]]
    assert report.fidelity.tempo_from_row == report.fidelity.midi_checked > 0


def test_source_midi_catches_what_the_recorded_tempo_hides(data, tmp_path):
    """A build that lost the tempo records the wrong tempo in the row *and* writes it into the
    slice; only the catalog's MIDI file tells."""
    bad = copy_data(data, tmp_path / "data")
    row = _first(bad, song_id="01_90", has_midi=True)
    wrong = row["midi_qpm"] + 20
    from chromatic.segments.build import read_media

    midi = read_media(bad, "01_90", [row["segment_id"]])[row["segment_id"]]["midi"]
    _replace_media(bad, "01_90", row["segment_id"], midi=_retimed_midi(midi, wrong))
    seg = pq.read_table(bad / "segments.parquet")
    qpm = [
        wrong if sid == row["segment_id"] else q
        for sid, q in zip(seg["segment_id"].to_pylist(), seg["midi_qpm"].to_pylist(), strict=True)
    ]
    seg = seg.set_column(
        seg.schema.get_field_index("midi_qpm"), "midi_qpm", pa.array(qpm, pa.float64())
    )
    pq.write_table(seg, bad / "segments.parquet")

    assert verify(bad, use_catalog=False, chart=False).ok
    report = verify(bad, chart=False)
    assert [f.segment_id for f in report.fidelity.failures] == [row["segment_id"]]


def test_extract_writes_playable_files(data, tmp_path, capsys):
    import soundfile as sf

    from chromatic.music.midi import load_score

    out_dir = tmp_path / "listen"
    rc, out = _run_json(["--data", str(data), "--song", "07_90", "--extract", str(out_dir)], capsys)
    rows = [r for r in _rows(data) if r["song_id"] == "07_90"]
    assert rc == 0 and out["extracted"] == len(rows)
    for r in rows:
        sid = r["segment_id"]
        meta = json.loads((out_dir / f"{sid}.json").read_text())
        assert meta["segment_id"] == sid and meta["start_seconds"] == r["start_seconds"]
        if r["has_audio"]:
            info = sf.info(str(out_dir / f"{sid}.wav"))
            assert info.format == "WAV" and abs(info.duration - r["duration_seconds"]) < 0.5
        if r["has_midi"]:
            assert load_score(out_dir / f"{sid}.mid").note_num() == r["midi_notes"]
            assert (out_dir / f"{sid}.png").read_bytes()[:4] == b"\x89PNG"  # its piano roll
        else:
            assert not (out_dir / f"{sid}.mid").exists()


def test_random_sample_is_seeded(data, capsys):
    rows = _rows(data)
    a, sampled = select_rows(rows, random_n=5, seed=3)
    b, _ = select_rows(rows, random_n=5, seed=3)
    c, _ = select_rows(rows, random_n=5, seed=4)
    assert sampled and [r["segment_id"] for r in a] == [r["segment_id"] for r in b] != [
        r["segment_id"] for r in c
    ]
    assert select_rows(rows, random_n=len(rows) + 1) == (
        sorted(rows, key=lambda r: r["segment_id"]),
        False,
    )
    assert len(select_rows(rows * 10)[0]) == DEFAULT_SAMPLE  # a large table is sampled by default
    assert len(select_rows(rows * 10, all_rows=True)[0]) == len(rows) * 10
    rc, out = _run_json(["--data", str(data), "--random", "5", "--seed", "3"], capsys)
    assert (
        rc == 0
        and out["fidelity"]["selected"] == 5
        and out["fidelity"]["sampled"]
        and out["fidelity"]["seed"] == 3
    )


def test_color_filter_and_errors(data, tmp_path, capsys):
    rc, out = _run_json(["--data", str(data), "--color", "I"], capsys)
    assert rc == 0 and [c["color"] for c in out["coverage"]["colors"]] == ["Indigo"]
    assert out["fidelity"]["of"] == sum(r["color"] == "Indigo" for r in _rows(data))
    assert main(["verify", "--data", str(data), "--color", "mauve"]) == 1
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "unknown color 'mauve'" in err
    assert main(["verify", "--data", str(tmp_path)]) == 1
    assert "segments build" in capsys.readouterr().err
