"""The roll encoder on the part of each roll that holds notes (``scoring.crop``): the same
outputs as the full graph within float32 rounding, for notes anywhere (the roll's corners
included), an empty roll and real training rows in one batch; a smaller window where the
notes leave room; and the full graph kept for an encoder of another shape."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from chromatic.model.data import load_dataset
from chromatic.scoring import ChromaticScorer
from chromatic.scoring.crop import CroppedSession, crop_graph, cropped_session, exact
from chromatic.scoring.graph import scorer_graph


def _twins(model):
    path = model.with_suffix(".onnx")
    full = ChromaticScorer.load(model, fuse=True)
    return full, cropped_session(full.session, scorer_graph(path))


def _rolls(shape, boxes):
    """Rolls with a block of notes in each (pitch from, pitch to, step from, step to) box."""
    rolls = np.zeros((len(boxes), *shape), np.float32)
    for r, box in enumerate(boxes):
        if box is not None:
            p0, p1, t0, t1 = box
            rolls[r, p0:p1, t0:t1:3] = 0.5 + 0.01 * r
    return rolls


def test_the_cropped_encoder_gives_the_full_graphs_outputs_for_notes_anywhere(exported):
    _, model, data = exported
    scorer, cropped = _twins(model)
    assert isinstance(cropped, CroppedSession)
    p, t = scorer.roll_config.pitches, scorer.roll_config.steps
    boxes = [
        (60, 66, 0, 40),  # a short part low in time
        (0, 3, 0, 20),  # the lowest pitches
        (p - 2, p, t - 30, t),  # the top right corner
        (40, 41, 100, 101),  # one note in the middle
        None,  # no notes at all: the full roll
        (20, 90, 0, t),  # wide
        (50, 58, 64, 130),  # a window with inner edges on every side
    ]
    ds = load_dataset(data)
    real = ds.roll_batch(np.arange(min(len(ds), 9)))
    rolls = np.concatenate([_rolls((p, t), boxes), real])
    n = len(rolls)
    feeds = scorer._feeds(n, rolls, [None] * n, ds.concept[0], None)
    feeds["midi_features"] = ds.features[np.arange(n) % len(ds)].astype(np.float32)
    want = dict(zip(scorer.outputs, scorer.session.run(scorer.outputs, feeds), strict=True))
    got = dict(zip(scorer.outputs, cropped.run(scorer.outputs, feeds), strict=True))
    for name in scorer.outputs:
        np.testing.assert_allclose(got[name], want[name], rtol=0, atol=2e-6)
    # each row alone too (its own, smaller window), and in a batch of small parts
    for i in (0, 2, 3, 6):
        one = {k: v[i : i + 1] for k, v in feeds.items()}
        out = cropped.run(scorer.outputs, one)
        for name, v in zip(scorer.outputs, out, strict=True):
            np.testing.assert_allclose(v[0], want[name][i], rtol=0, atol=2e-6)
    small = {k: v[[0, 3, 6]] for k, v in feeds.items()}
    fed = cropped.cropper.feeds(small)
    assert fed["roll"].shape[1] < p and fed["roll"].shape[2] < t  # it did crop
    assert 0 < fed["roll_keep"].sum() < fed["roll_keep"].size  # and masked an inner edge
    out = cropped.run(scorer.outputs, small)
    for name, v in zip(scorer.outputs, out, strict=True):
        np.testing.assert_allclose(v, want[name][[0, 3, 6]], rtol=0, atol=2e-6)


def test_a_window_loses_exact_positions_at_inner_edges_only():
    """(first, last) exact position of the last map and the window's offset there, worked by
    hand: a 3x3 stride-2 layer's position i reads i * 2 - 1 .. i * 2 + 1 below it; the first
    layer is exact everywhere (the roll is zero outside the window, as its padding)."""
    convs = (((5, 5), (2, 2), (2, 2, 2, 2)), ((3, 3), (2, 2), (1, 1, 1, 1)))
    assert exact(convs, 0, 128, 0, 128) == (0, 31, 0)  # the whole axis: every position
    assert exact(convs, 0, 128, 32, 64) == (9, 15, 8)  # 8 reads 15 below, outside the window
    assert exact(convs, 0, 128, 0, 32) == (0, 7, 0)  # the roll's own edge is true padding
    four = convs + convs[1:] * 2  # the exported encoder's four layers, total stride 16
    assert exact(four, 0, 128, 32, 96) == (3, 5, 2)  # one lost below, none above
    assert exact(four, 0, 128, 96, 128) == (7, 7, 6)


def test_another_encoder_keeps_the_full_graph():
    x = helper.make_tensor_value_info("roll", TensorProto.FLOAT, ["batch", 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 64])
    graph = helper.make_graph([helper.make_node("Flatten", ["roll"], ["y"])], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    assert crop_graph(onnx.load_from_string(model.SerializeToString())) is None
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    assert cropped_session(session, model.SerializeToString()) is session


def test_breedings_fitness_runs_the_cropped_graph_and_ranking_the_file(exported):
    from chromatic.produce.evolve import Evolve
    from chromatic.produce.phases.composite import load_scorer

    _, model, _ = exported
    scorer = load_scorer(model)
    twin = Evolve().fitness(scorer)
    assert isinstance(twin.session, CroppedSession)
    assert not isinstance(scorer.session, CroppedSession)


def test_breedings_fitness_prepares_a_batch_in_one_part(exported, monkeypatch):
    """The ranking scorer prepares a batch of 24 in two parts (the rest read while the first
    quarter is inferred); breeding's twin, whose own thread already overlaps breeding, in one:
    half the per-batch work (rolls, features, crop windows), the same matches."""
    import chromatic.scoring.batch as batch
    from chromatic.music.notes import Note
    from chromatic.music.song import MeterChange, Song, Track
    from chromatic.produce.evolve import Evolve
    from chromatic.produce.phases.composite import load_scorer

    _, model, _ = exported
    scorer = load_scorer(model)
    twin = Evolve().fitness(scorer)
    songs = [
        Song(
            tracks=(
                Track(
                    "keys",
                    0,
                    notes=tuple(Note(t * 480, 480, 48 + k + t % 5, 80) for t in range(16)),
                ),
            ),
            meters=(MeterChange(0, 4, 4),),
            end=16 * 480,
        )
        for k in range(24)
    ]
    real = batch.midi_batch
    runs = {}
    for name, s in (("rank", scorer), ("twin", twin)):
        s.__dict__.pop("_memo", None)
        sizes = []
        monkeypatch.setattr(
            batch,
            "midi_batch",
            lambda sc, scores, _s=sizes: _s.append(len(scores)) or real(sc, scores),
        )
        got = s.score_batch([{"midi": x, "id": str(i)} for i, x in enumerate(songs)], color="Red")
        runs[name] = (sizes, {d["id"]: d["match"] for d in got})
    assert runs["rank"][0] == [8, 16] and runs["twin"][0] == [24]
    a, b = runs["rank"][1], runs["twin"][1]
    assert a.keys() == b.keys() and max(abs(a[k] - b[k]) for k in a) < 1e-5
