"""A bred shortlist's details share no object (review.yml would write YAML anchors), and only
what is shared is copied: ``breeder.unshared``, as ``engine._with_niche`` applies it."""

from __future__ import annotations

import io

from chromatic.produce.evolve.breeder import lineage_details, unshared
from chromatic.yamlio import flow


def _ids(value, out: list) -> list:
    if isinstance(value, dict | list):
        out.append(id(value))
        for v in value.values() if isinstance(value, dict) else value:
            _ids(v, out)
    return out


def test_a_childs_details_taken_from_its_parent_are_copied_once_seen_and_keep_flow_style():
    from ruamel.yaml import YAML

    parent = {"range": flow([48, 60]), "voices": [{"kick": flow([0, 2])}], "bars": 4}
    child = lineage_details(parent, {"parents": [3], "operators": ["shift"], "generation": 1})
    assert child["range"] is parent["range"]  # lineage_details copies the top level only
    seen: set[int] = set()
    first = unshared(parent, seen)
    second = unshared(child, seen)
    assert first is parent  # nothing seen yet: nothing copied
    ids = _ids(first, [])
    assert not set(ids) & set(_ids(second, []))  # no object in both
    assert second["range"] == [48, 60] and second["range"].fa.flow_style()
    assert second["voices"] == parent["voices"] and second["lineage"] is child["lineage"]
    again = unshared(child, seen)  # the same details twice: a whole copy
    assert again == second and not set(_ids(again, [])) & set(_ids(second, []) + ids)
    buf = io.StringIO()
    YAML().dump({"a": first, "b": second, "c": again}, buf)
    assert "&" not in buf.getvalue() and "[48, 60]" in buf.getvalue()
