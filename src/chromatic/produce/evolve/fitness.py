"""The scorer breeding's fitness runs on: the phase's own model with each GELU run as one node
(``scoring.graph.fuse_gelu``: about 25 % less CPU a candidate) and its roll encoder run on the
part of each roll that holds notes (``scoring.crop``: about 60 % less again, the same outputs
within float32 rounding).

Breeding is a mode with no earlier bytes to keep, so it takes the fused graph by default
(``Evolve.fuse``). The fused graph is deterministic (the same inputs give the same outputs, run
after run); it differs from the file's graph only by a float32 rounding (Gelu multiplies by
1/sqrt 2 where the exported graph divides by sqrt 2, about 1e-7), which can move a score's
fourth decimal against a ranking run. The twin is loaded once per scorer and shares its text
vectors; a scorer that is not a ``ChromaticScorer`` (a test's, a wrapper of another) is used as
it is, and so is the model when the onnx package is missing (fusing needs it).
"""

from __future__ import annotations

#: Breeding's batches go to onnxruntime in one part (``scoring.batch.infer_items`` splits a
#: large batch so its preparation hides behind inference; breeding's own thread already does).
ONE_PART = 1 << 30


def fused(scorer):
    """The fused twin of ``scorer`` (a ``ChromaticScorer``, or a ``phases.concept.ConceptScorer``
    around one), loaded on first use and kept on it; ``scorer`` itself when it cannot be."""
    if scorer is None:
        return None
    own = vars(scorer)
    if "scorer" in own and "vector" in own:  # ConceptScorer: the same wrapper around the twin
        if "_fused" not in own:
            inner = fused(own["scorer"])
            own["_fused"] = scorer if inner is own["scorer"] else _rewrap(scorer, inner)
        return own["_fused"]
    try:
        from chromatic.scoring import ChromaticScorer
        from chromatic.scoring.meta import ScorerError
    except ImportError:
        return scorer
    if not isinstance(scorer, ChromaticScorer):
        return scorer
    if "_fused" not in own:
        try:
            twin = ChromaticScorer.load(
                scorer.path, match=scorer.match_method, head=scorer.head, fuse=True
            )
        except ScorerError:  # no onnx package: the file's graph, as ranking runs it
            twin = scorer
        if twin is not scorer:
            from chromatic.scoring.crop import cropped_session
            from chromatic.scoring.graph import DEFAULT_THREADS, scorer_graph

            graph = scorer_graph(twin.path)
            twin.session = cropped_session(twin.session, graph, threads=DEFAULT_THREADS)
            twin.pipeline_min = ONE_PART
            for name in ("trusted", "_text", "_text_cache", "_audio"):
                if name in own:
                    setattr(twin, name, own[name])
        own["_fused"] = twin
    return own["_fused"]


def _rewrap(wrapper, inner):
    twin = object.__new__(type(wrapper))
    vars(twin).update({k: v for k, v in vars(wrapper).items() if k != "_fused"})
    twin.scorer = inner
    return twin
