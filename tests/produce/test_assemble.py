from __future__ import annotations

import mido
import numpy as np
import pytest
from symusic import Note

from chromatic.cli import main
from chromatic.errors import ProduceError
from chromatic.music import daw
from chromatic.music.midi import add_track, load_score, new_score, write_score
from chromatic.produce.arrange.assemble import ARRANGEMENT_FILE, assemble, velocity_scale
from chromatic.produce.arrange.plan import PLAN_FILE, write_plan
from chromatic.produce.style import style_for
from chromatic.yamlio import round_trip as _yaml

BAR = 1680  # 7/8 at 480 ticks per quarter
BAR_S = 3.5 * 60 / 72


def _loop(path, name, bars, notes, *, program=0, is_drum=False):
    """A hand-made approved loop: ``notes`` (time, duration, pitch) repeated every bar."""
    s = new_score(72, "7/8", "F# minor")
    tr = add_track(s, name, program=program, is_drum=is_drum)
    for b in range(bars):
        for t, d, p in notes:
            tr.notes.append(Note(time=b * BAR + t, duration=d, pitch=p, velocity=80))
    write_score(s, path)


@pytest.fixture
def parts(sectioned):
    """Approved drum, bass and melody loops beside the approved chords: drums one bar for every
    section, bass two bars for verse and chorus only, melody for every section but ending in a
    rest (its last note stops half way through the bar)."""
    for ph in ("drums", "bass", "melody"):
        sectioned.approved_dir(ph).mkdir(parents=True, exist_ok=True)
    for label in ("intro", "verse", "chorus", "outro"):
        _loop(
            sectioned.approved_dir("drums") / f"{label}.mid",
            label,
            1,
            [(0, 60, 36), (840, 60, 38), (1260, 60, 42)],
            is_drum=True,
        )
        _loop(
            sectioned.approved_dir("melody") / f"{label}.mid",
            label,
            1,
            [(0, 400, 66), (420, 400, 69)],
            program=73,
        )
    for label in ("verse", "chorus"):
        _loop(
            sectioned.approved_dir("bass") / f"{label}.mid",
            label,
            2,
            [(0, 800, 42), (840, 800, 45)],
            program=33,
        )
    write_plan(sectioned.root)
    return sectioned


def _edit_plan(folder, edit) -> None:
    y = _yaml()
    path = folder.root / PLAN_FILE
    doc = y.load(path.read_text())
    edit(doc["sections"])
    with open(path, "w") as f:
        y.dump(doc, f)


def _plain(secs) -> None:
    """The loops as approved: no variation (the layout itself is under test)."""
    for s in secs:
        s["variation"] = None


def test_arrangement_lays_out_the_plan(parts):
    # chorus: instrumental, three times, its name typed by hand (it still plays approved/chorus.mid)
    _edit_plan(
        parts, lambda secs: [_plain(secs), secs[2].update(vocals=False, repeat=3, name="Chorus")]
    )
    result = assemble(parts.root, quantized=True)  # the layout, on the grid
    plan_secs = [(s.name, s.bars, s.repeat) for s in result.arrangement.sections]
    total_bars = sum(b * r for _, b, r in plan_secs)
    assert plan_secs[2] == ("Chorus", plan_secs[2][1], 3)
    path = parts.root / ARRANGEMENT_FILE
    assert result.midi == path

    import pretty_midi

    pm = pretty_midi.PrettyMIDI(str(path))
    assert pm.get_end_time() == pytest.approx(total_bars * BAR_S, abs=1e-3)
    # the programs the style table gives this proposal (electronic: polysynth pad chords,
    # synth bass, saw lead; the melody as the assembly voices it)
    style = style_for(parts.proposal())
    # tracks are named by instrument; each keeps its phase as its part text
    roles = daw.part_roles(path)
    # the chords play the style's program of each section's role (a color's palette, #30)
    from chromatic.music.form import section_role

    rows = [(roles[i.name], i.program, i.is_drum) for i in pm.instruments]
    chords = {style.program("chords", section_role(s.name)[0]) for s in result.arrangement.sections}
    assert {p for r, p, _ in rows if r == "chords"} == chords
    assert [r for r in rows if r[0] != "chords"] == [
        ("drums", 0, True),
        ("bass", 33, False),  # the fixture's own bass loops
        ("melody", 73, False),
    ]
    assert [i.name for i in pm.instruments if roles[i.name] != "chords"] == [
        "Drums",
        "Electric Bass (finger)",
        "Flute",
    ]
    assert (
        pm.time_signature_changes[0].numerator == 7
        and pm.time_signature_changes[0].denominator == 8
    )
    assert pm.get_tempo_changes()[1][0] == pytest.approx(72.0)
    assert pretty_midi.key_number_to_key_name(pm.key_signature_changes[0].key_number) == "F# minor"

    import music21

    m21 = music21.converter.parse(str(path))
    assert m21.highestTime == pytest.approx(total_bars * 3.5)
    assert len(m21.parts) == 3 + len(chords)

    mid = mido.MidiFile(str(path))
    channels: dict[str, set[int]] = {}
    for tr in mid.tracks:
        if tr.name in roles:
            channels.setdefault(roles[tr.name], set()).update(
                m.channel for m in tr if m.type == "note_on"
            )
    chords_channels = channels.pop("chords")  # each chords program on its own channel
    assert 0 in chords_channels and not chords_channels & {1, 2, 9}
    assert channels == {"drums": {9}, "bass": {1}, "melody": {2}}
    conductor = {m.type for m in mid.tracks[0]}  # song-wide events only
    assert conductor <= {
        "track_name",
        "set_tempo",
        "time_signature",
        "key_signature",
        "marker",
        "text",
        "end_of_track",
    }
    markers = [(m.text) for tr in mid.tracks for m in tr if m.type == "marker"]
    assert markers == [n for n, _, _ in plan_secs]
    score = load_score(path)
    starts = [0]
    for _, b, r in plan_secs:
        starts.append(starts[-1] + b * r * BAR)
    assert [m.time for m in score.markers] == starts[:-1]

    tracks = {roles.get(t.name, t.name): t for t in score.tracks}
    chorus = (starts[2], starts[3])
    melody = [n for n in tracks["melody"].notes if chorus[0] <= n.time < chorus[1]]
    assert melody == []  # vocals: false mutes the melody
    assert all(n.end <= starts[-1] for t in score.tracks for n in t.notes)
    # bass only where it was approved (verse, chorus) and in the ending's cadence (the last two
    # bars); the two-bar loop repeats across the section
    bass_times = [n.time for n in tracks["bass"].notes]
    assert min(bass_times) == starts[1]
    assert all(starts[1] <= t < starts[5] or t >= starts[-1] - 2 * BAR for t in bass_times)
    verse_bars = plan_secs[1][1] * plan_secs[1][2]
    assert len([t for t in bass_times if t < starts[2]]) == 2 * verse_bars
    assert (
        any("bass" in w for w in result.arrangement.warnings) is False
    )  # bass has loops: no phase-wide warning


def test_loops_longer_than_a_section_are_cut_and_intensity_scales_velocity(parts, monkeypatch):
    # the plan's intensity alone: the pass that lowers a section the soundfont plays much louder
    # than the bars before it (this fixture's thin intro, then the band) has its own tests
    monkeypatch.setattr(
        "chromatic.produce.arrange.perform.balanced", lambda parts, grid, expression: (parts, [])
    )
    # a 2-bar bass loop in a 1-bar verse: cut at the section end, the crossing note shortened
    _edit_plan(
        parts,
        lambda secs: [
            _plain(secs),
            secs[1].update(bars=1, repeat=1, intensity=1.0),
            *(secs[i].update(repeat=0) for i in (2, 3, 4)),
        ],
    )
    # bars are machine-owned, but a hand edit stays until the next refresh: assembly follows the file
    arr = assemble(parts.root, quantized=True).arrangement  # the layout, on the grid
    assert [s.name for s in arr.sections] == [
        "intro",
        "verse",
        "outro",
    ]  # repeat 0 leaves chorus out
    score = load_score(parts.root / ARRANGEMENT_FILE)
    verse_start = arr.sections[1].start_bar * BAR
    roles = daw.part_roles(parts.root / ARRANGEMENT_FILE)
    bass = [n for t in score.tracks if roles.get(t.name) == "bass" for n in t.notes]
    in_verse = [n for n in bass if n.time < verse_start + BAR]  # later: the ending's cadence
    assert [(n.time - verse_start, n.duration) for n in in_verse] == [(0, 800), (840, 800)]
    drums = next(t for t in score.tracks if roles.get(t.name) == "drums")
    in_verse = [n.velocity for n in drums.notes if verse_start <= n.time < verse_start + BAR]
    assert in_verse == [round(80 * velocity_scale(1.0))] * 3
    assert len(score.markers) == 3


def test_same_plan_and_loops_give_identical_bytes(parts):
    first = assemble(parts.root).midi.read_bytes()
    assert assemble(parts.root).midi.read_bytes() == first


def test_sections_without_approved_chords_are_skipped_with_a_warning(parts):
    (parts.approved_dir("chords") / "outro.mid").unlink()
    with pytest.raises(ProduceError, match="approved loop missing") as e:  # issue 28: not silent
        assemble(parts.root)
    assert e.value.path == str(parts.approved_dir("chords") / "outro.mid")
    arr = assemble(parts.root, allow_missing=True).arrangement
    assert "outro" not in [s.name for s in arr.sections]
    assert any("'outro' has no approved chord loop" in w for w in arr.warnings)
    assert any("chords/approved/outro.mid is missing" in w for w in arr.warnings)


def test_assemble_cli_without_a_plan_says_what_to_run(sectioned, capsys):
    assert main(["assemble", str(sectioned.root)]) == 1
    assert "chromatic plan" in capsys.readouterr().err


@pytest.mark.slow
def test_rendered_preview_is_audible_full_length_and_unclipped(parts, tmp_path):
    import soundfile as sf

    assert (
        main(
            [
                "assemble",
                str(parts.root),
                "--render",
                "--stems",
                "--quantized",
                "--format",
                "flac",
                "--sample-rate",
                "22050",
            ]
        )
        == 0
    )
    arr_secs = sum(s.total_bars for s in assemble(parts.root).arrangement.sections) * BAR_S
    audio, sr = sf.read(str(parts.root / "arrangement.flac"), dtype="float32")
    assert sr == 22050 and audio.ndim == 2 and audio.shape[1] == 2  # stereo: the mix's pans
    assert (parts.root / "stems" / "bass.flac").is_file()  # --stems: one file per instrument
    assert abs(len(audio) / sr - arr_secs) <= 1.0
    peak = float(np.max(np.abs(audio)))
    assert 0.1 < peak < 1.0  # normalized, never clipped
    assert 20 * np.log10(peak) <= -0.9
    rms = np.sqrt(np.mean(audio.astype(np.float64) ** 2))
    assert 20 * np.log10(rms) > -40  # not silent
    png = (parts.root / "arrangement.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
