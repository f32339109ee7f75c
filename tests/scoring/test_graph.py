"""The scorer's session: the cores but one as intra-op threads, runs of 16 rows giving exactly
the outputs of onnxruntime's default session on the file, rows that do not depend on the batch
they run in, and on request the exported GELUs fused into one node each at load (outputs within 1e-6 on
real inputs)."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from chromatic.model.data import load_dataset
from chromatic.scoring import ChromaticScorer
from chromatic.scoring.graph import DEFAULT_THREADS, fuse_gelu, scorer_graph


def _ops(model) -> dict:
    ops: dict = {}
    for n in model.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    return ops


def _real_feeds(scorer, data, n=40) -> dict:
    ds = load_dataset(data)
    idx = np.arange(min(len(ds), n))
    cvec = ds.concept[idx[0]]
    feeds = scorer._feeds(len(idx), ds.roll_batch(idx), [None] * len(idx), cvec, None)
    feeds["midi_features"] = ds.features[idx].astype(np.float32)
    assert feeds["roll"].any()
    return feeds


def test_the_default_session_gives_the_files_outputs_exactly_and_fuse_within_1e6(exported):
    _, model, data = exported
    path = model.with_suffix(".onnx")
    plain, fused = onnx.load(str(path)), onnx.load_from_string(scorer_graph(path))
    erfs = _ops(plain)["Erf"]
    assert erfs >= 4  # the roll CNN's, the feature and fusion MLPs'
    assert _ops(fused).get("Gelu") == erfs and "Erf" not in _ops(fused)
    assert len(fused.graph.node) == len(plain.graph.node) - 4 * erfs
    scorer, fused_scorer = ChromaticScorer.load(model), ChromaticScorer.load(model, fuse=True)
    feeds = _real_feeds(scorer, data)
    ref = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])  # all cores, 1 run
    want = dict(zip(scorer.outputs, ref.run(scorer.outputs, feeds), strict=True))
    exact, got = scorer.infer(feeds), fused_scorer.infer(feeds)
    for name in scorer.outputs:
        np.testing.assert_array_equal(exact[name], want[name])
        np.testing.assert_allclose(got[name], want[name], rtol=0, atol=1e-6)
    # and the fused graph was the one that ran: the unfused one gives other last bits somewhere
    assert any(not np.array_equal(got[n], want[n]) for n in scorer.outputs)


def test_rows_do_not_depend_on_their_batch_and_the_default_threads_run_them(exported):
    _, model, data = exported
    scorer = ChromaticScorer.load(model)
    assert scorer.session.get_session_options().intra_op_num_threads == DEFAULT_THREADS
    feeds = _real_feeds(scorer, data)
    whole = scorer.infer(feeds)  # in runs of 16 rows
    for i in (0, 17, len(feeds["roll"]) - 1):
        one = scorer.infer({k: v[i : i + 1] for k, v in feeds.items()})
        for name in scorer.outputs:
            np.testing.assert_array_equal(one[name][0], whole[name][i])


def _chain(divisor: float, half: float = 0.5) -> onnx.ModelProto:
    """y = x * (half * (1 + erf(x / divisor))), written node by node as the exporter does."""
    c = [
        helper.make_tensor(name, TensorProto.FLOAT, [], [v])
        for name, v in (("d", divisor), ("one", 1.0), ("h", half))
    ]
    nodes = [
        helper.make_node("Div", ["x", "d"], ["a"]),
        helper.make_node("Erf", ["a"], ["b"]),
        helper.make_node("Add", ["b", "one"], ["c"]),
        helper.make_node("Mul", ["h", "c"], ["e"]),
        helper.make_node("Mul", ["x", "e"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 8])],
        initializer=c,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=9)


def test_only_an_exact_gelu_chain_is_fused_and_it_computes_gelu():
    x = np.linspace(-4, 4, 64, dtype=np.float32).reshape(8, 8)
    model = _chain(float(np.sqrt(2.0)))
    assert fuse_gelu(model) == 1 and [n.op_type for n in model.graph.node] == ["Gelu"]
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    plain = ort.InferenceSession(
        _chain(float(np.sqrt(2.0))).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    np.testing.assert_allclose(
        sess.run(None, {"x": x})[0], plain.run(None, {"x": x})[0], rtol=0, atol=1e-6
    )
    for other in (_chain(2.0), _chain(float(np.sqrt(2.0)), half=0.25)):  # not a GELU
        before = other.SerializeToString()
        assert fuse_gelu(other) == 0 and other.SerializeToString() == before
