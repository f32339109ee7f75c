"""The scorer's onnxruntime session: intra-op threads leaving one core to the thread that builds
the next inputs while onnxruntime runs (``DEFAULT_THREADS``: on 2 cores one thread, since a
second costs more CPU than it saves there: 1.4 -> 1.05 ms of CPU a candidate with the demo
model, the same outputs; at most 4 on a larger machine), and on request
(``fuse``) every GELU the exporter wrote as five elementwise nodes
(``x * (0.5 * (1 + erf(x / sqrt 2)))``) made one ``com.microsoft`` Gelu node, at load, in
memory (the file is not touched).

onnxruntime's own GELU fusion does not match that node order, so each activation runs as five
passes over the tensor, the first one over a 16 x 64 x 128 map a candidate: fused, a candidate
costs about 25 % less CPU again (1.05 -> 0.79 ms). Gelu computes the same function with the same
erf but multiplies by 1/sqrt 2 where the graph divides by sqrt 2, so its outputs differ from the
unfused graph's by a float32 rounding (about 1e-7): a score printed to four decimals in a
review.yml can then change in its last digit, which is why it is not the default.
"""

from __future__ import annotations

import math
import os

_SQRT2 = math.sqrt(2.0)
#: intra-op threads: the cores but one (the scorer builds the next rows meanwhile), 1 to 4
DEFAULT_THREADS = max(1, min(4, (os.cpu_count() or 1) - 1))


def _consts(graph) -> dict:
    """Scalar values of the graph's initializers and Constant nodes (others are skipped)."""
    from onnx import numpy_helper

    found = {}
    for init in graph.initializer:
        if init.dims in ([], [1]) or list(init.dims) in ([], [1]):
            found[init.name] = float(numpy_helper.to_array(init).reshape(-1)[0])
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            t = node.attribute[0].t
            if list(t.dims) in ([], [1]):
                found[node.output[0]] = float(numpy_helper.to_array(t).reshape(-1)[0])
    return found


def _is(value: float | None, target: float) -> bool:
    return value is not None and abs(value - target) <= 1e-6 * abs(target)


def _gelu_chain(erf, producer: dict, users: dict, consts: dict) -> tuple[list, str] | None:
    """The five nodes of one exported GELU around ``erf`` and its input name, or None when
    they are not exactly that pattern (each intermediate read by the next node only)."""

    def only_user(node, op):
        nxt = users.get(node.output[0], [])
        return nxt[0] if len(nxt) == 1 and nxt[0].op_type == op else None

    div = producer.get(erf.input[0])
    if div is None or div.op_type != "Div" or not _is(consts.get(div.input[1]), _SQRT2):
        return None
    if len(users.get(div.output[0], [])) != 1:
        return None
    x = div.input[0]
    add = only_user(erf, "Add")
    if add is None or not _is(
        consts.get(next((i for i in add.input if i != erf.output[0]), "")), 1.0
    ):
        return None
    half = only_user(add, "Mul")
    if half is None or not _is(
        consts.get(next((i for i in half.input if i != add.output[0]), "")), 0.5
    ):
        return None
    last = only_user(half, "Mul")
    if last is None or sorted(last.input) != sorted([x, half.output[0]]):
        return None
    return [div, erf, add, half, last], x


def fuse_gelu(model) -> int:
    """Replace each exported GELU chain of ``model`` (an onnx ModelProto, changed in place)
    by one com.microsoft Gelu node; returns how many were fused."""
    from onnx import helper

    graph = model.graph
    consts = _consts(graph)
    producer = {o: n for n in graph.node for o in n.output}
    users: dict[str, list] = {}
    for n in graph.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    drop: set[int] = set()
    replace: dict[int, object] = {}
    for erf in [n for n in graph.node if n.op_type == "Erf"]:
        chain = _gelu_chain(erf, producer, users, consts)
        if chain is None:
            continue
        nodes, x = chain
        last = nodes[-1]
        drop.update(id(n) for n in nodes)
        replace[id(last)] = helper.make_node(
            "Gelu", [x], [last.output[0]], name=f"{last.name}_gelu", domain="com.microsoft"
        )
    if not replace:
        return 0
    kept = [replace.get(id(n), n) for n in graph.node if id(n) not in drop or id(n) in replace]
    del graph.node[:]
    graph.node.extend(kept)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return len(replace)


def open_session(onnx_path, *, threads: int | None = None, fuse: bool = False):
    """The onnxruntime session of ``MODEL.onnx`` (ScorerError when it cannot load it)."""
    import onnxruntime as ort

    from chromatic.scoring.meta import ScorerError

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or DEFAULT_THREADS
    opts.log_severity_level = 3
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        source = scorer_graph(onnx_path) if fuse else str(onnx_path)
        return ort.InferenceSession(source, sess_options=opts, providers=["CPUExecutionProvider"])
    except ScorerError:
        raise
    except Exception as e:
        raise ScorerError(
            f"onnxruntime cannot load it: {str(e).splitlines()[0]}", path=onnx_path
        ) from None


def scorer_graph(onnx_path) -> bytes:
    """The bytes onnxruntime loads for the scorer: the file's graph with its GELUs fused (kept
    in the user's cache per model, ``graph_cache``: a process that finds it there does not
    import onnx). ScorerError when it must be built and the onnx package is missing."""
    from pathlib import Path

    from chromatic.scoring.graph_cache import fused

    data = Path(onnx_path).read_bytes()

    def build() -> bytes:
        try:
            import onnx
        except ImportError:
            from chromatic.scoring.meta import ScorerError

            raise ScorerError("fuse=True needs the onnx package (the 'ml' extra)") from None
        model = onnx.load(str(onnx_path))
        return model.SerializeToString() if fuse_gelu(model) else data

    return fused(data, build)
