"""Drums, bass and melody end to end on real proposals: the CLI as a user runs it, refusals,
per-section merges on regeneration, and the model path (stand-in and real exported model)."""

from __future__ import annotations

import shutil

import pytest
from symusic import Score

from chromatic.cli import main
from chromatic.errors import ProduceError
from chromatic.music import daw
from chromatic.music.midi import load_score
from chromatic.produce.folder import ProductionFolder, init_production
from chromatic.produce.phases.bass import run_bass
from chromatic.produce.phases.composite import Weights
from chromatic.produce.phases.drums import run_drums
from chromatic.produce.phases.melody import run_melody
from chromatic.produce.review import load_review
from chromatic.taxonomy import chromatic_match
from chromatic.yamlio import round_trip as _yaml
from tests.produce.conftest import MAJOR_4_4, MINOR_3_4, PART_TOP, approve

RUNS = {"drums": run_drums, "bass": run_bass, "melody": run_melody}


def _copy(folder: ProductionFolder, dst) -> ProductionFolder:
    shutil.copytree(folder.root, dst / folder.root.name)
    return ProductionFolder(dst / folder.root.name)


def test_cli_end_to_end_without_a_model(tmp_path, capsys):
    import music21
    import pretty_midi

    assert main(["produce", "init", str(MAJOR_4_4), "--out", str(tmp_path)]) == 0
    (root,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    folder = ProductionFolder(root)
    assert main(["produce", "chords", str(root), "-n", "30", "--top", "6", "--seed", "2"]) == 0
    approve(folder, "chords", {0: "Intro", 1: "Verse", 2: "Chorus", 3: "Bridge", 4: "Outro"})
    sections = {"intro", "verse", "chorus", "bridge", "outro"}
    capsys.readouterr()
    for phase, extra in (
        ("drums", ["--humanize", "swing"]),
        ("bass", []),
        ("melody", ["--singer", "Shirley"]),
    ):
        assert (
            main(["produce", phase, str(root), "-n", "6", "--top", "2", "--seed", "1", *extra]) == 0
        )
        out = capsys.readouterr()
        assert "no model given" in out.err
        prefix = {"drums": "drum", "bass": "bass", "melody": "melody"}[phase]
        assert f"{prefix}_verse_01" in out.out and "[bridge] energy low, next: outro" in out.out
        approve(folder, phase)
        assert main(["promote", str(root), phase]) == 0  # promoting again is harmless
        assert {p.stem for p in folder.approved_dir(phase).iterdir()} == sections
    for phase in ("drums", "bass", "melody"):
        for path in folder.approved_dir(phase).iterdir():
            score = load_score(path)
            assert score.note_num() > 0
            pm = pretty_midi.PrettyMIDI(str(path))
            assert pm.instruments[0].is_drum == (phase == "drums")
            # named by instrument, the phase kept as the track's part text
            want = "Drums" if phase == "drums" else pm.instruments[0].name
            assert score.tracks[0].name == want
            assert daw.part_roles(path) == {want: phase}
            assert len(music21.converter.parse(str(path)).flatten().notes) > 0


def test_each_phase_refuses_until_what_it_needs_is_approved(tmp_path, capsys):
    folder, _ = init_production(MINOR_3_4, tmp_path)
    for phase, run in RUNS.items():
        with pytest.raises(ProduceError) as e:
            run(folder, n=2, top=1)
        msg = str(e.value)
        assert msg.startswith(
            f"{phase} needs approved chords: no approved chords in {folder.approved_dir('chords')}"
        )
        assert f"run 'chromatic produce chords {folder.root}'" in msg
        assert f"approve candidates in {folder.review_path('chords')}" in msg
        assert f"then 'chromatic promote {folder.root} chords'" in msg
    from chromatic.produce.phases.chords import run_chords

    run_chords(folder, n=20, top=3, seed=1)
    approve(folder, "chords", {0: "verse", 1: "chorus"})
    run_drums(folder, n=2, top=1)
    run_melody(folder, n=2, top=1)  # melody needs chords only
    with pytest.raises(
        ProduceError, match=r"bass needs approved drums.*chromatic produce drums.*chromatic promote"
    ):
        run_bass(folder, n=2, top=1)
    capsys.readouterr()
    assert main(["produce", "bass", str(folder.root)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "no model given" in err[0] and "chromatic produce drums" in err[1]


def test_regenerating_keeps_reviewed_candidates_per_section(song_34_drums, tmp_path):
    folder = _copy(song_34_drums, tmp_path)
    review_path = folder.review_path("drums")
    y = _yaml()
    doc = y.load(review_path.read_text())
    verse = [c for c in doc["candidates"] if c["details"]["section"] == "verse"]
    kept_id = verse[1]["id"]
    verse[1]["notes"] = "try this under the vocal"
    verse[1].yaml_add_eol_comment("the ghost notes", "notes")
    with open(review_path, "w") as f:
        y.dump(doc, f)
    kept_bytes = (folder.phase_dir("drums") / verse[1]["midi_file"]).read_bytes()
    (folder.approved_dir("chords") / "bridge.mid").unlink()  # the bridge is no longer approved

    run = run_drums(folder, n=5, top=PART_TOP, seed=99)
    review = load_review(review_path)
    assert "# the ghost notes" in review_path.read_text()
    by_section: dict[str, list] = {}
    for c in review.model.candidates:
        by_section.setdefault(c.details["section"], []).append(c)
    assert set(by_section) == {"intro", "verse", "chorus", "verse_2", "bridge", "outro"}
    # bridge: only its approved (touched) candidate stays; its pending ones are gone with their files
    assert [c.status for c in by_section["bridge"]] == ["approved"]
    assert all(
        len(by_section[s]) == PART_TOP for s in ("intro", "verse", "chorus", "verse_2", "outro")
    )
    again = next(c for c in by_section["verse"] if c.id == kept_id)
    assert again.notes == "try this under the vocal"
    assert (folder.phase_dir("drums") / again.midi_file).read_bytes() == kept_bytes
    assert sorted(c.rank for c in by_section["verse"]) == list(range(1, PART_TOP + 1))
    on_disk = {p.name for p in (folder.phase_dir("drums") / "candidates").iterdir()}
    assert on_disk == {f"{c.id}.mid" for c in review.model.candidates}
    assert kept_id in run.merge.kept and review.model.seed == 99
    order = [c.details["section"] for c in review.model.candidates]
    assert order == sorted(
        order, key=["intro", "verse", "chorus", "verse_2", "outro", "bridge"].index
    )


def _heard(data) -> tuple:
    """What a model hears of MIDI bytes or of a Song handed over in memory (the scorer takes
    either): every note with its drum flag, and the meter."""
    from chromatic.music.song import Song
    from chromatic.music.song_midi import heard_score

    if isinstance(data, Song):  # the phases hand the scorer the candidate's Song
        data = heard_score(data)
    score = data if isinstance(data, Score) else load_score(data)
    notes = sorted(
        (tr.is_drum, n.time, n.duration, n.pitch, n.velocity)
        for tr in score.tracks
        for n in tr.notes
    )
    meter = [(t.time, t.numerator, t.denominator) for t in score.time_signatures]
    return tuple(notes), tuple(meter), score.tpq


class _Recorder:
    """Stands in for the fitness model to see which notes reach it."""

    def __init__(self):
        self.seen: set[str] = set()

    def score_batch(self, candidates, *, color, concept):
        out = []
        for i, c in enumerate(candidates):
            self.seen.add(_heard(c["midi"]))
            t = (i % 5) / 10
            out.append(
                {
                    "id": c["id"],
                    "temporal": [0.7 - t, 0.2, 0.1 + t],
                    "spatial": [0.3, 0.4, 0.3],
                    "ontological": [0.2, 0.3, 0.5],
                    "confidence": 0.8,
                }
            )
        return out


def _check_scored(folder, phase, rec, color, added):
    review = load_review(folder.review_path(phase))
    assert review.model.scoring.weights == {"theory": 0.3, "chromatic": 0.7}
    assert review.model.scoring.model == "stand-in"
    new = [c for c in review.model.candidates if c.id in added]  # (drums also holds approved ones)
    assert len(new) == len(added) > 0
    for c in new:
        data = (folder.phase_dir(phase) / c.midi_file).read_bytes()
        assert _heard(data) in rec.seen  # the scored notes are the delivered notes
        ch = c.scores.chromatic
        expected = chromatic_match(
            {"temporal": ch.temporal, "spatial": ch.spatial, "ontological": ch.ontological},
            color,
            ch.confidence,
        )
        assert ch.match == pytest.approx(expected, abs=1e-3)
        assert c.scores.composite == pytest.approx(
            (0.3 * c.scores.theory["total"] + ch.weight * ch.term) / (0.3 + ch.weight), abs=2e-4
        )


def test_with_a_model_the_delivered_bytes_are_scored(song_34_drums, tmp_path):
    folder = _copy(song_34_drums, tmp_path)
    color = folder.proposal().color.name
    for phase, run in RUNS.items():
        rec = _Recorder()
        result = run(
            folder, n=4, top=2, seed=1, scorer=rec, model="stand-in", weights=Weights(0.3, 0.7)
        )
        assert len(rec.seen) >= 2 and not any("no model given" in w for w in result.warnings)
        _check_scored(folder, phase, rec, color, set(result.merge.added))


@pytest.mark.slow
def test_with_a_real_exported_model(exported, song_34_drums, tmp_path, capsys):
    """The tiny exported fitness model through the adapter, the three phases one after another."""
    from chromatic.produce.phases.composite import load_scorer

    _, model, _ = exported
    folder = _copy(song_34_drums, tmp_path)
    scorer = load_scorer(model)
    for phase, run in RUNS.items():
        result = run(folder, n=4, top=2, seed=1, scorer=scorer, model=str(model))
        review = load_review(folder.review_path(phase))
        new = [c for c in review.model.candidates if c.id in result.merge.added]
        assert new and review.model.scoring.model == str(model)
        for c in new:
            ch = c.scores.chromatic
            assert ch is not None and 0.0 <= ch.match <= 1.0
            assert c.scores.composite == pytest.approx(
                (0.3 * c.scores.theory["total"] + ch.weight * ch.term) / (0.3 + ch.weight), abs=2e-4
            )
        if phase != "melody":
            approve(folder, phase)
    capsys.readouterr()
    assert (
        main(
            ["produce", "melody", str(folder.root), "-n", "3", "--top", "1", "--model", str(model)]
        )
        == 0
    )
    assert "no model given" not in capsys.readouterr().err
