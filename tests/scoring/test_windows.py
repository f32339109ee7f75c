"""Whole-song scoring (``scoring.windows``): a candidate longer than the roll is heard in
windows of whole bars, its outputs the duration-weighted mean of theirs; a short one is scored
as before, to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from chromatic.music.song import TPQ, MeterChange, Note, Song, Track
from chromatic.scoring import ChromaticScorer
from chromatic.scoring.batch import _notes_and_bars, midi_batch
from chromatic.scoring.windows import window_bars, window_notes, window_spans

BEATS = 64  # the roll: 256 sixteenths


def _song(parts, meter=(4, 4)) -> Song:
    """One track: ``parts`` = (first beat, beats, pitches) blocks of quarter notes."""
    notes = []
    for first, beats, pitches in parts:
        for b in range(beats):
            p = pitches[b % len(pitches)]
            notes.append(Note((first + b) * TPQ, TPQ - 10, p, 90))
    end = max(first + beats for first, beats, _ in parts) * TPQ
    return Song(
        tracks=(Track("keys", 0, notes=tuple(notes)),),
        meters=(MeterChange(0, *meter),),
        end=end,
    )


def _old_outputs(scorer, songs):
    """The model's outputs as scoring read them before windows: one row a song."""
    rolls, feats = midi_batch(scorer, songs)
    feeds = scorer._feeds(len(songs), rolls, [None] * len(songs), None, None, feats)
    return scorer.infer(feeds)


@pytest.fixture(scope="module")
def scorer(exported):
    return ChromaticScorer.load(exported[1])


LOW = [45, 48, 52, 57]  # an A-minor arpeggio, low
HIGH = [84, 88, 91, 96, 79, 86]  # a high C-major figure


def test_a_short_candidate_scores_as_before_to_the_bit(scorer):
    short = _song([(0, BEATS, LOW)])  # exactly the roll's length
    out = _old_outputs(scorer, [short])
    before = scorer._results(out, "Red", np.array([True]))[0]
    after = scorer.score_batch([{"id": "s", "midi": short}], color="Red")[0]
    assert after["match"] == before.match
    assert after["temporal"] == before.temporal


def test_a_long_song_is_the_duration_weighted_mean_of_its_windows(scorer):
    a, b = _song([(0, BEATS, LOW)]), _song([(0, BEATS // 2, HIGH)])
    whole = _song([(0, BEATS, LOW), (BEATS, BEATS // 2, HIGH)])  # 96 beats: two windows
    out = _old_outputs(scorer, [a, b])
    w = np.array([BEATS, BEATS // 2], np.float64)[:, None]
    mean = {k: (v.astype(np.float64).reshape(2, -1) * w).sum(0) / w.sum() for k, v in out.items()}
    mean = {k: v.reshape(1, *out[k].shape[1:]).astype(out[k].dtype) for k, v in mean.items()}
    expected = scorer._results(mean, "Red", np.array([True]))[0]
    first16 = scorer._results(_old_outputs(scorer, [whole]), "Red", np.array([True]))[0]
    got = scorer.score_batch([{"id": "w", "midi": whole}], color="Red")[0]
    assert got["match"] == pytest.approx(expected.match, rel=1e-5)
    assert got["temporal"] == pytest.approx(expected.temporal, rel=1e-5)
    # the old reading heard the first 16 bars' roll only: a different answer
    assert abs(first16.match - expected.match) > 1e-4


def test_long_and_short_candidates_in_one_batch_keep_their_own_scores(scorer):
    short = _song([(0, 32, HIGH)])
    whole = _song([(0, BEATS, LOW), (BEATS, BEATS, HIGH)])
    alone = {
        r["id"]: r["match"]
        for k, m in (("s", short), ("w", whole))
        for r in scorer.score_batch([{"id": k, "midi": m}], color="Blue")
    }
    both = scorer.score_batch(
        [{"id": "w", "midi": whole}, {"id": "s", "midi": short}], color="Blue"
    )
    assert {r["id"]: r["match"] for r in both} == pytest.approx(alone, rel=1e-6)


def test_windows_are_whole_bars_of_the_meter_in_force():
    four = (np.zeros(1), np.full(1, 4.0))
    assert window_spans(150.0, four, 64.0) == [(0.0, 64.0), (64.0, 128.0), (128.0, 150.0)]
    three = (np.zeros(1), np.full(1, 3.0))  # 3/4: 21 bars = 63 beats, not 64
    assert window_spans(130.0, three, 64.0) == [(0.0, 63.0), (63.0, 126.0), (126.0, 130.0)]
    change = (np.array([0.0, 64.0]), np.array([4.0, 3.0]))  # 4/4, then 3/4 from beat 64
    assert window_spans(140.0, change, 64.0) == [(0.0, 64.0), (64.0, 127.0), (127.0, 140.0)]
    starts, lengths = window_bars(change, 64.0, 127.0)
    assert starts.tolist() == [0.0] and lengths.tolist() == [3.0]


def test_a_note_across_a_window_edge_is_clipped_into_both():
    song = _song([(0, 1, [60])])
    notes, _ = _notes_and_bars(song, True)
    notes = {**notes, "start": np.array([62.0]), "end": np.array([66.0])}
    first, second = window_notes(notes, 0.0, 64.0), window_notes(notes, 64.0, 128.0)
    assert (first["start"].tolist(), first["end"].tolist()) == ([62.0], [64.0])
    assert (second["start"].tolist(), second["end"].tolist()) == ([0.0], [2.0])


def test_one_input_scores_as_it_does_in_a_batch(scorer, tmp_path):
    """``score()`` of one MIDI reads it as ``score_batch`` does: a 96-beat song in windows (not
    its first 16 bars), as a Song, a file and bytes alike."""
    from chromatic.music.song_midi import heard_score

    whole = _song([(0, BEATS, LOW), (BEATS, BEATS // 2, HIGH)])
    batch = scorer.score_batch([{"id": "w", "midi": whole}], color="Red")[0]
    first16 = scorer._results(_old_outputs(scorer, [whole]), "Red", np.array([True]))[0]
    assert abs(first16.match - batch["match"]) > 1e-4
    path = tmp_path / "whole.mid"
    heard_score(whole).dump_midi(str(path))
    from_file = scorer.score_batch([{"id": "f", "midi": path}], color="Red")[0]
    for midi, want in ((whole, batch), (path, from_file), (path.read_bytes(), from_file)):
        one = scorer.score(midi=midi, color="Red")
        assert one.match == want["match"]
        assert one.temporal == want["temporal"] and one.ontological == want["ontological"]
        assert one.predicted_color == want["predicted_color"]


def _two_stems(low_beats: int, high_beats: int) -> Song:
    """Keys (``LOW``) and a lead (``HIGH``) in one song: two tracks with notes."""
    keys = _song([(0, low_beats, LOW)]).tracks[0]
    lead = _song([(0, high_beats, HIGH)]).tracks[0]
    lead = Track("lead", 81, notes=lead.notes)
    end = max(low_beats, high_beats) * TPQ
    return Song(tracks=(keys, lead), meters=(MeterChange(0, 4, 4),), end=end)


def test_a_song_of_two_stems_is_heard_one_stem_at_a_time(scorer):
    """The model trained on one-stem segments: a song of two tracks is the mean of each stem
    heard alone (each stem's rows weighted by their windows' beats), not one merged roll."""
    both = _two_stems(32, 32)
    alone = [_song([(0, 32, LOW)]), _song([(0, 32, HIGH)])]
    out = _old_outputs(scorer, alone)
    mean = {
        k: v.astype(np.float64).mean(axis=0, keepdims=True).astype(v.dtype) for k, v in out.items()
    }
    expected = scorer._results(mean, "Red", np.array([True]))[0]
    merged = scorer._results(_old_outputs(scorer, [both]), "Red", np.array([True]))[0]
    got = scorer.score_batch([{"id": "b", "midi": both}], color="Red")[0]
    assert got["match"] == pytest.approx(expected.match, rel=1e-5)
    assert got["spatial"] == pytest.approx(expected.spatial, rel=1e-5)
    assert abs(merged.match - expected.match) > 1e-4  # the merged roll heard something else
    assert scorer.score(midi=both, color="Red").match == got["match"]


def test_relative_match_is_the_match_against_the_models_held_out_baseline(scorer):
    """Export stores each color's held-out match (mean, sd); a row's relative match is its
    match in sds above that, and the target's relative rank orders the trained colors by it."""
    from chromatic.scoring.match import match_scores

    base = scorer.meta["sanity"]["match_baseline"]
    assert scorer.baseline == base and set(scorer.colors) <= set(base)
    song = _song([(0, 32, HIGH)])
    rows = {c: scorer.score_batch([{"id": "s", "midi": song}], color=c)[0] for c in scorer.colors}
    for c, r in rows.items():
        mu, sd = base[c]
        assert r["match_relative"] == pytest.approx((r["match"] - mu) / sd, rel=1e-9)
        rel = {k: v["match_relative"] for k, v in rows.items()}
        assert r["target_rank_relative"] == 1 + sum(v > rel[c] for v in rel.values())
    # affine for one color: a pool ranks the same by either match
    pool = [_song([(0, 32, p)]) for p in (LOW, HIGH, [60, 64, 67], [62, 65, 69, 72])]
    got = scorer.score_batch([{"id": str(i), "midi": s} for i, s in enumerate(pool)], color="Blue")
    assert [r["id"] for r in got] == [
        r["id"] for r in sorted(got, key=lambda r: -r["match_relative"])
    ]
    pred = np.array([[r[a] for a in ("temporal", "spatial", "ontological")] for r in got])
    assert [r["match"] for r in got] == pytest.approx(list(match_scores(pred, "Blue")), rel=1e-9)


def test_a_model_without_a_baseline_gives_no_relative_match(scorer):
    import copy

    bare = copy.copy(scorer)
    bare.baseline = None
    r = bare.score_batch([{"id": "s", "midi": _song([(0, 32, HIGH)])}], color="Red")[0]
    assert r["match_relative"] is None and r["target_rank_relative"] is None
    assert (
        r["match"]
        == scorer.score_batch([{"id": "s", "midi": _song([(0, 32, HIGH)])}], color="Red")[0][
            "match"
        ]
    )


def test_the_predicted_color_is_the_best_relative_match_among_the_trained_colors(scorer):
    """With a baseline the predicted color is the trained color of the highest relative match
    (as ``target_rank_relative`` ranks them), and its probability the KL reading's for that
    color; without one it is the KL reading's most likely color, as before."""
    import copy

    from chromatic.taxonomy import predict_color

    pool = [_song([(0, 32, p)]) for p in (LOW, HIGH, [60, 64, 67], [62, 65, 69, 72], [40, 47])]
    items = [{"id": str(i), "midi": s} for i, s in enumerate(pool)]
    by_color = {c: scorer.score_batch(items, color=c) for c in scorer.colors}
    bare = copy.copy(scorer)
    bare.baseline = None
    kl_rows = bare.score_batch(items, color="Red")
    for i, row in enumerate(scorer.score_batch(items, color="Red")):
        rel = {c: next(r for r in rows if r["id"] == str(i)) for c, rows in by_color.items()}
        best = max(scorer.colors, key=lambda c: rel[c]["match_relative"])
        assert row["predicted_by"] == "relative" and row["predicted_color"] == best
        assert rel[best]["target_rank_relative"] == 1
        dist = {a: row[a] for a in ("temporal", "spatial", "ontological")}
        kl_best, _ = predict_color(dist, candidates=scorer.colors)
        kl = next(r for r in kl_rows if r["id"] == str(i))
        assert kl["predicted_by"] == "kl" and kl["predicted_color"] == kl_best.name
    # a color whose held-out match is far lower wins every song relatively, not by KL
    least = next(c for c in scorer.colors if c not in {r["predicted_color"] for r in kl_rows})
    low = copy.copy(scorer)
    low.baseline = {**scorer.baseline, least: [scorer.baseline[least][0] - 10, 0.05]}
    assert {r["predicted_color"] for r in low.score_batch(items, color="Red")} == {least}
