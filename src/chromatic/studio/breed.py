"""The studio's "breed from these": star the candidates a human picked on a phase page, then
run the phase with ``--breed`` (``produce.evolve``, the same code path as ``chromatic produce
<phase> --breed``): the starred and approved candidates are the parents, their children are
written beside them as new candidates, each with its lineage in review.yml.

A star (``star: true`` on the candidate in review.yml) is a decision like a label: the
regeneration keeps a starred candidate with its file, so a parent is never replaced by its
children.
"""

from __future__ import annotations

from collections.abc import Callable

from chromatic.fileio import write_text_atomic
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.review import load_review
from chromatic.studio.errors import StudioError
from chromatic.studio.regen import DEFAULT_N, DEFAULT_TOP
from chromatic.yamlio import dump_yaml

MAX_IDS = 50
LIMITS = {"generations": (1, 20, 6), "population": (2, 100, 24), "seed": (0, 2**32 - 1, 0)}


def parse_breed(body: dict) -> dict:
    """``ids`` (the candidates to breed from, at least one) and optional ``generations``,
    ``population`` and ``seed``; anything else out of range is one line naming the field."""
    ids = body.get("ids")
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= MAX_IDS
        or not all(isinstance(i, str) and i.strip() for i in ids)
    ):
        raise StudioError(
            f"expected ids to be a list of 1-{MAX_IDS} candidate ids, got {ids!r}", field="ids"
        )
    out: dict = {"ids": list(dict.fromkeys(ids))}
    for key, (low, high, default) in LIMITS.items():
        v = body.get(key, default)
        if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
            raise StudioError(f"expected {key} to be an integer {low}-{high}, got {v!r}", field=key)
        out[key] = v
    return out


def star(folder: ProductionFolder, phase: str, ids: list[str]) -> None:
    """Mark ``ids`` with ``star: true`` in the phase's review.yml (every id must be there)."""
    path = folder.review_path(phase)
    review = load_review(path, check_files=True)
    known = {c.id for c in review.model.candidates}
    missing = [i for i in ids if i not in known]
    if missing:
        raise StudioError(f"no candidate {missing[0]!r} in {phase}/review.yml", field="ids")
    for node in review.doc["candidates"]:
        if node["id"] in ids:
            node["star"] = True
    write_text_atomic(path, dump_yaml(review.doc))


def breed(folder: ProductionFolder, phase: str, args: dict) -> dict:
    """Star the picks and breed from them (see the module docstring)."""
    from chromatic.produce.evolve import Evolve
    from chromatic.produce.phases import PhaseOptions
    from chromatic.produce.phases.registry import get

    evolve = Evolve(args["generations"], args["population"], from_review=True)
    options = PhaseOptions(
        n=DEFAULT_N.get(phase, 50),
        top=DEFAULT_TOP.get(phase, 5),
        seed=args["seed"],
        evolve=evolve,
    )
    with folder.locked():
        star(folder, phase, args["ids"])
        run = get(phase).run(folder, options).gate(folder)
    return {"parents": args["ids"], "added": list(run.merge.added), "summary": run.merge.summary()}


def breed_work(folder: ProductionFolder, phase: str, args: dict) -> Callable:
    def work(job) -> dict:
        return breed(folder, phase, args)

    return work
