"""What a phase's breeder is: its operators, how a child's theory is scored again, its two
niche descriptors and which parents may cross; and the details a child records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chromatic.yamlio import flow

Operator = Callable  # (notes, section, rng) -> notes | None (None: not applicable here)


@dataclass(frozen=True)
class Breeder:
    operators: tuple[tuple[str, Operator], ...]
    child: Callable  # (section, notes, parent, index, lineage) -> PartCandidate
    descriptor: Callable  # (section, notes) -> (x, y) in [0, 1]
    compatible: Callable = lambda a, b: True
    kind: str = "template"  # the detail that names a candidate's idea (template, style, contour)
    cross: Callable | None = None  # (a, b, section, rng) -> (notes, label) | None
    lyrics: dict | None = None  # (section, index) -> a child's own lyric events (melody)
    # whether ``child`` keeps the notes it is given (drums, bass, backing vocals): the engine
    # then drops a repeated part before building (and scoring the theory of) its child
    keeps_notes: bool = True


def lineage_details(parent_details: dict, lineage: dict, **updates) -> dict:
    """A child's details: its first parent's, updated, with its lineage (parents by draw
    index within the section, the operators applied, the generation)."""
    out = {
        k: v
        for k, v in parent_details.items()
        if k not in ("lineage", "niche", "draw", "review_id")
    }
    out.update(updates)
    # parents: the immediate ones; roots (the engine adds them): the first candidates (review
    # ids or draw indices) the child descends from
    out["lineage"] = {
        **lineage,
        "parents": flow(lineage["parents"]),
        "operators": flow(lineage["operators"]),
    }
    return out


def fresh(value):
    """A copy of a details value with new lists and dicts (flow lists stay flow lists): the
    kept candidates share no object, so review.yml has no YAML anchors. (Scalars are taken as
    they are without a call: a bred section copies thousands of details.)"""
    if isinstance(value, dict):
        return {k: fresh(v) if isinstance(v, _NESTED) else v for k, v in value.items()}
    if isinstance(value, list):
        items = [fresh(v) if isinstance(v, _NESTED) else v for v in value]
        return flow(items) if hasattr(value, "fa") and value.fa.flow_style() else items
    return value


_NESTED = (dict, list)


def unshared(value, seen: set[int]):
    """``value`` itself when no list or dict inside it is one ``seen`` holds, else a copy with
    ``fresh`` copies of those; the ids of what it returns are added to ``seen``. Details passed
    through it one after another share no object (no YAML anchors in review.yml), and only what
    a child took from its parent is copied (``fresh`` of every candidate's details cost more
    than a bred section's theory)."""
    if id(value) in seen:
        return unshared(fresh(value), seen)
    seen.add(id(value))
    if isinstance(value, dict):
        out = None  # a copy, made at the first nested value that had to be copied
        for k, v in value.items():
            if isinstance(v, _NESTED):
                u = unshared(v, seen)
                if u is not v:
                    if out is None:
                        out = dict(value)
                    out[k] = u
        return value if out is None else out
    if isinstance(value, list):
        items = None
        for i, v in enumerate(value):
            if isinstance(v, _NESTED):
                u = unshared(v, seen)
                if u is not v:
                    if items is None:
                        items = list(value)
                    items[i] = u
        if items is None:
            return value
        return flow(items) if hasattr(value, "fa") and value.fa.flow_style() else items
    return value
