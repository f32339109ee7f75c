"""The scorer's roll encoder run on the part of the piano roll that holds notes.

A candidate's roll is mostly empty: a bred part spans about 13 of the 128 pitches and half of
the 256 steps. The exported encoder is ``roll -> Unsqueeze -> (Conv -> Gelu) x n -> ReduceMean
over the map``, and its four strided convolutions with their GELUs cost about 95 % of a
row's inference. Far from the notes every activation equals the empty roll's (``background``),
so the encoder only needs the map near the notes: ``Cropper`` cuts each row to a window
aligned to the encoder's total stride that holds its notes plus the margin the receptive
fields need, and the rewritten graph (``crop_graph``) replaces the mean over the full map by

    (sum over the window's exact positions + the empty roll's sum over the others) / map size.

A window position is *exact* when every input it depends on, layer by layer, was computed inside
the window or is the image's own zero padding; the window's own zero padding stands for the
empty roll's activations, which are not zero, so positions near an inner window edge are not
exact and take the background. Every position a note reaches is exact (the window is chosen so),
so the outputs are the full graph's up to float32 rounding (about 2e-7: the map's sum runs in
another order). ``crop_graph`` returns None for any other encoder; the caller keeps the full
graph then.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

Conv = tuple[tuple[int, int], tuple[int, int], tuple[int, int, int, int]]  # kernel, strides, pads


def _roll_encoder(graph) -> tuple[list[Conv], object, str] | None:
    """(the convolutions, the ReduceMean node, its input name) of the roll encoder, or None
    when the graph's roll does not run exactly roll -> Unsqueeze -> (Conv -> Gelu)+ -> mean."""
    from onnx import helper, numpy_helper

    users: dict[str, list] = {}
    for n in graph.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    consts = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consts.update(
        {
            n.output[0]: numpy_helper.to_array(n.attribute[0].t)
            for n in graph.node
            if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value"
        }
    )

    def only(name):
        u = users.get(name, [])
        return u[0] if len(u) == 1 else None

    node, convs = only("roll"), []
    if node is None or node.op_type != "Unsqueeze":
        return None
    while (nxt := only(node.output[0])) is not None and nxt.op_type == "Conv":
        a = {x.name: helper.get_attribute_value(x) for x in nxt.attribute}
        k, s = tuple(a.get("kernel_shape", ())), tuple(a.get("strides", (1, 1)))
        p = tuple(a.get("pads", (0, 0, 0, 0)))
        plain = a.get("group", 1) == 1 and tuple(a.get("dilations", (1, 1))) == (1, 1)
        if not plain or a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or len(k) != 2:
            return None
        convs.append((k, s, p))
        node = only(nxt.output[0])
        if node is None or node.op_type != "Gelu":
            return None
    if not convs or nxt is None or nxt.op_type != "ReduceMean" or len(nxt.input) < 2:
        return None
    keep = {x.name: helper.get_attribute_value(x) for x in nxt.attribute}.get("keepdims", 1)
    axes = consts.get(nxt.input[1])
    if keep != 0 or axes is None or sorted(int(v) for v in np.ravel(axes)) != [2, 3]:
        return None
    return convs, nxt, node.output[0]


def crop_graph(model) -> tuple[list[Conv], bytes] | None:
    """Rewrite ``model`` (an onnx ModelProto, changed in place) to take a cropped ``roll``
    [batch, h, w] and ``roll_keep`` [batch, 1, h', w'] (1: an exact position of the window's
    last map), ``roll_rest`` [batch, channels] (the empty roll's sum over the other positions)
    and ``roll_scale`` [1] (1 / the full map's size); returns the convolutions and the roll
    encoder's own graph (roll -> its last map, to compute the background), or None."""
    from onnx import TensorProto, helper, numpy_helper
    from onnx.utils import Extractor

    g = model.graph
    found = _roll_encoder(g)
    if found is None:
        return None
    convs, mean, last = found
    encoder = Extractor(model).extract_model(["roll"], [last]).SerializeToString()
    roll = next(i for i in g.input if i.name == "roll")
    for d, name in zip(roll.type.tensor_type.shape.dim[1:], ("crop_h", "crop_w"), strict=True):
        d.dim_param = name  # replaces the fixed size (a oneof)
    g.input.extend(
        [
            helper.make_tensor_value_info("roll_keep", TensorProto.FLOAT, ["batch", 1, "h", "w"]),
            helper.make_tensor_value_info("roll_rest", TensorProto.FLOAT, ["batch", "c"]),
            helper.make_tensor_value_info("roll_scale", TensorProto.FLOAT, [1]),
        ]
    )
    g.initializer.append(numpy_helper.from_array(np.array([2, 3], np.int64), "roll_axes"))
    sum_mean = [
        helper.make_node("Mul", [last, "roll_keep"], ["roll_kept"]),
        helper.make_node("ReduceSum", ["roll_kept", "roll_axes"], ["roll_sum"], keepdims=0),
        helper.make_node("Add", ["roll_sum", "roll_rest"], ["roll_total"]),
        helper.make_node("Mul", ["roll_total", "roll_scale"], [mean.output[0]]),
    ]
    nodes = []
    for n in g.node:
        nodes.extend(sum_mean if n is mean else [n])
    del g.node[:]
    g.node.extend(nodes)
    del g.value_info[:]  # shapes inferred for the full roll no longer hold
    return convs, encoder


def _out(size: int, conv: Conv, axis: int) -> int:
    k, s, p = conv
    return (size + p[axis] + p[axis + 2] - k[axis]) // s[axis] + 1


def exact(convs: tuple, axis: int, n: int, a: int, b: int) -> tuple[int, int, int]:
    """For a window [a, b) of an axis of length n: (first, last) exact position of the last
    map (last < first: none) and the window's first position there."""
    size, lo, hi, ok = n, a, b, None  # computed range [lo, hi); ok: its exact positions
    for conv in convs:
        k, s, p = conv[0][axis], conv[1][axis], conv[2][axis]
        width = _out(hi - lo, conv, axis)
        lo, hi = lo // s, lo // s + width
        new = set()
        for i in range(lo, hi):
            deps = [j for j in range(i * s - p, i * s - p + k) if 0 <= j < size]
            # the input is zero outside the window (it holds every note), as its padding
            if ok is None or all(j in ok for j in deps):
                new.add(i)
        ok, size = new, _out(size, conv, axis)
    return (min(ok), max(ok), lo) if ok else (1, 0, lo)


@lru_cache(maxsize=16)
def tables(convs: tuple, axis: int, n: int, step: int):
    """Every aligned window of an axis: starts [A], lengths [L], and [A, L] tables of the exact
    range's first and last position and the window's offset on the last map."""
    starts, lens = np.arange(0, n, step), np.arange(step, n + step, step)
    first = np.full((len(starts), len(lens)), 1 << 20)
    last, off = np.full_like(first, -1), np.zeros_like(first)
    for ia, a in enumerate(starts):
        for il, length in enumerate(lens):
            if a + length <= n:
                first[ia, il], last[ia, il], off[ia, il] = exact(convs, axis, n, a, a + length)
    return starts, lens, first, last, off


@lru_cache(maxsize=16)
def _fields(convs: tuple, axis: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each last-map position's receptive field [from, to] on the input axis."""
    size = n
    for conv in convs:
        size = _out(size, conv, axis)
    a, b = np.arange(size), np.arange(size)
    for k, s, p in reversed(convs):
        a, b = a * s[axis] - p[axis], b * s[axis] - p[axis] + k[axis] - 1
    return a, b


class Cropper:
    """Cuts a batch of rolls [B, P, T] to one window size (each row its own place) and says
    which of the window's last-map positions are exact and what the rest sums to."""

    def __init__(self, convs: list[Conv], background: np.ndarray):
        self.convs = tuple(convs)
        self.step = int(np.prod([c[1][0] for c in convs])), int(np.prod([c[1][1] for c in convs]))
        self.background = background  # [C, P', T']: the empty roll's last map
        c = np.zeros((background.shape[0], background.shape[1] + 1, background.shape[2] + 1))
        c[:, 1:, 1:] = background.astype(np.float64).cumsum(1).cumsum(2)
        self.cum = c
        self.scale = np.array([1.0 / (background.shape[1] * background.shape[2])], np.float32)

    def _axis(self, axis: int, occupied: np.ndarray):
        """Per row: the window's start and exact range, and the one length every row fits."""
        n = occupied.shape[1]
        starts, lens, first, last, off = tables(self.convs, axis, n, self.step[axis])
        lo_f, hi_f = _fields(self.convs, axis, n)
        has = occupied.any(1)
        lo = np.where(has, occupied.argmax(1), 0)
        hi = np.where(has, n - 1 - occupied[:, ::-1].argmax(1), n - 1)
        reached = (lo_f[None] <= hi[:, None]) & (hi_f[None] >= lo[:, None])
        r0 = reached.argmax(1)
        r1 = reached.shape[1] - 1 - reached[:, ::-1].argmax(1)
        fits = (first[None] <= r0[:, None, None]) & (last[None] >= r1[:, None, None])
        il = int(fits.any(1).all(0).argmax())  # the full axis always fits
        ia = fits[:, :, il].argmax(1)
        return starts[ia], int(lens[il]), first[ia, il], last[ia, il], off[ia, il]

    def feeds(self, feeds: dict) -> dict:
        """The cropped graph's feeds for the full graph's ``feeds``."""
        roll = feeds["roll"]
        b = len(roll)
        nz = roll != 0
        p0, ph, pf, pl, po = self._axis(0, nz.any(2))
        t0, tw, tf, tl, to = self._axis(1, nz.any(1))
        crop = np.empty((b, ph, tw), np.float32)
        for r in range(b):
            crop[r] = roll[r, p0[r] : p0[r] + ph, t0[r] : t0[r] + tw]
        pi = np.arange(ph // self.step[0])[None] + po[:, None]
        ti = np.arange(tw // self.step[1])[None] + to[:, None]
        pk = (pi >= pf[:, None]) & (pi <= pl[:, None])
        tk = (ti >= tf[:, None]) & (ti <= tl[:, None])
        keep = (pk[:, :, None] & tk[:, None, :])[:, None].astype(np.float32)
        c = self.cum  # the background's sum over each row's exact rectangle, then the rest
        pf, tf = np.minimum(pf, pl + 1), np.minimum(tf, tl + 1)  # an empty range sums nothing
        rect = c[:, pl + 1, tl + 1] - c[:, pf, tl + 1] - c[:, pl + 1, tf] + c[:, pf, tf]
        rest = (c[:, -1, -1][:, None] - rect).T.astype(np.float32)
        return {
            **feeds,
            "roll": crop,
            "roll_keep": keep,
            "roll_rest": rest,
            "roll_scale": self.scale,
        }


class CroppedSession:
    """An onnxruntime session of the cropped graph that reads the full graph's feeds: what
    ``ChromaticScorer`` calls (``run``, ``get_inputs``, ``get_outputs``) with the full graph's
    inputs and outputs."""

    def __init__(self, full, cropped, cropper: Cropper):
        self.full, self.cropped, self.cropper = full, cropped, cropper

    def get_inputs(self):
        return self.full.get_inputs()

    def get_outputs(self):
        return self.full.get_outputs()

    def get_modelmeta(self):
        return self.full.get_modelmeta()

    def run(self, names, feeds, *args):
        return self.cropped.run(names, self.cropper.feeds(feeds), *args)


def cropped_session(session, model_bytes: bytes, *, threads: int = 1):
    """A ``CroppedSession`` over ``session`` (whose graph is ``model_bytes``), or ``session``
    itself when its roll encoder is not the pattern ``crop_graph`` rewrites."""
    import onnxruntime as ort

    from chromatic.scoring.graph_cache import cropped

    def build():
        import onnx

        model = onnx.load_from_string(model_bytes)
        found = crop_graph(model)
        return None if found is None else (found[0], model.SerializeToString(), found[1])

    found = cropped(model_bytes, build)  # kept in the user's cache: no onnx import next time
    if found is None:
        return session
    convs, graph, encoder = found
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    cpu = ["CPUExecutionProvider"]
    roll = next(i for i in session.get_inputs() if i.name == "roll")
    if not all(isinstance(d, int) for d in roll.shape[1:]):
        return session
    shape = [1, *roll.shape[1:]]
    enc = ort.InferenceSession(encoder, sess_options=opts, providers=cpu)
    background = enc.run(None, {"roll": np.zeros(shape, np.float32)})[0][0]
    full = ort.InferenceSession(graph, sess_options=opts, providers=cpu)
    return CroppedSession(session, full, Cropper(convs, background))
