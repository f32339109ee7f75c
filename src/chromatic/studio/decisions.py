"""The page's writes: a decision on one candidate, and plan edits, each refused when the file
changed on disk since the page read it (no lost update).

A write carries the version (SHA-256 of the bytes) of the file the page showed. Under the
folder's lock (the one promote and regenerate take) the file is read, its version compared, the
edit applied to the round-trip document (comments, order and quoting kept), and the new text
validated exactly as a hand edit is: written to a temporary file beside review.yml and loaded
with ``read_review`` (``load_review``'s checks) (or ``planfile.validate`` for the plan), then moved into place atomically.
The version is compared once more just before the move, so an editor saving in between still
refuses the write instead of being overwritten. A refusal is a ``Conflict`` listing what
changed, candidate by candidate, against what the page said it saw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from chromatic.fileio import write_with
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.review import STATUSES, load_review, read_review
from chromatic.studio.errors import Conflict, NotFound, StudioError
from chromatic.studio.songs import check_phase_name, version_of
from chromatic.yamlio import dump_yaml

FIELDS = ("status", "label", "notes")
LOCK_WAIT_S = 10.0
MAX_TEXT = 2000


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text_field(body: Mapping, key: str) -> str | None:
    v = body.get(key)
    if v is None:
        return None
    if not isinstance(v, str) or len(v) > MAX_TEXT:
        raise StudioError(f"expected {key} to be text of at most {MAX_TEXT} characters", field=key)
    return v.strip() or None


def parse_decision(body: Mapping) -> dict:
    """The fields a decision sets (status, label, notes), checked before the file is touched."""
    if not isinstance(body.get("id"), str):
        raise StudioError("expected the candidate id as text", field="id")
    if not isinstance(body.get("version"), str):
        raise StudioError("expected the version of review.yml the page showed", field="version")
    changes: dict = {}
    if "status" in body:
        status = body["status"]
        if status not in STATUSES:
            raise StudioError(
                f"expected status to be one of {', '.join(STATUSES)}, got {status!r}",
                field="status",
            )
        changes["status"] = status
    for key in ("label", "notes"):
        if key in body:
            changes[key] = _text_field(body, key)
    if not changes:
        raise StudioError("expected at least one of status, label, notes", field="status")
    return changes


def review_changes(path: Path, seen: object) -> list[dict]:
    """What differs between what the page saw (``seen``: id -> {status, label, notes}) and the
    file now: one entry per changed field, added or removed candidate."""
    try:
        model = read_review(path)
    except Exception as e:  # the file is broken now: that is the change
        return [{"error": " ".join(str(e).split())}]
    if not isinstance(seen, Mapping):
        return [{"note": "the file changed on disk"}]
    now = {c.id: c for c in model.candidates}
    out: list[dict] = []
    for cid, old in seen.items():
        c = now.get(cid)
        if c is None:
            out.append({"id": cid, "change": "removed"})
            continue
        if not isinstance(old, Mapping):
            continue
        for f in FIELDS:
            if f in old and old[f] != getattr(c, f):
                out.append({"id": cid, "field": f, "page": old[f], "disk": getattr(c, f)})
    out.extend({"id": cid, "change": "added"} for cid in now if cid not in seen)
    return out or [{"note": "the file changed on disk (comments or other fields)"}]


def _write_checked(path: Path, text: str, base: str, validate, changes):
    """Write ``text`` over ``path`` atomically after ``validate(tmp)`` passes and only while the
    file on disk is still version ``base``; what ``validate`` returned."""
    out = []

    def writer(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")
        out.append(validate(tmp))
        now = version_of(path)
        if now != base:
            raise Conflict(
                "the file changed on disk while saving; nothing written",
                changes=changes(),
                version=now or "",
                path=path,
            )

    write_with(path, writer)
    return out[0]


def decide(folder: ProductionFolder, phase: str, body: Mapping) -> dict:
    """Apply one decision to review.yml (through its round-trip reader and writer); the
    candidate as written and the file's new version."""
    check_phase_name(phase)
    changes = parse_decision(body)
    path = folder.review_path(phase)
    if not path.is_file():
        raise NotFound(f"no review.yml for phase {phase!r}", path=path)
    base = body["version"]

    def diff() -> list[dict]:
        return review_changes(path, body.get("seen"))

    with folder.locked(timeout=LOCK_WAIT_S):
        now = version_of(path)
        if now != base:
            raise Conflict(
                "review.yml changed on disk since the page loaded it; nothing written",
                changes=diff(),
                version=now or "",
                path=path,
            )
        review = load_review(path, check_files=False)
        node = next((c for c in review.doc["candidates"] if c.get("id") == body["id"]), None)
        if node is None:
            raise NotFound(f"no candidate {body['id']!r} in {phase}/review.yml", field="id")
        for key, value in changes.items():
            node[key] = value
        text = dump_yaml(review.doc)
        # the new text passes the checks a hand edit meets (read_review: load_review's checks)
        model = _write_checked(path, text, base, read_review, diff)
    cand = next(c for c in model.candidates if c.id == body["id"])
    return {
        "version": _sha(text),
        "candidate": {
            "id": cand.id,
            "status": cand.status,
            "label": cand.label,
            "notes": cand.notes,
        },
    }


PLAN_FIELDS = {"repeat": int, "vocals": bool, "notes": str, "intensity": float}


def _plan_section_edit(entry: object, i: int) -> tuple[int, dict]:
    """(the section's position in the plan the page loaded, the fields it sets): a plan may
    hold one section name several times (chorus, chorus), so sections are named by position."""
    index = entry.get("index") if isinstance(entry, Mapping) else None
    if not isinstance(index, int) or isinstance(index, bool):
        raise StudioError(
            "expected each section as {index, repeat, vocals, notes, intensity}",
            field=f"sections[{i}].index",
        )
    edit = {}
    for key, kind in PLAN_FIELDS.items():
        if key not in entry:
            continue
        v = entry[key]
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        ok = (key == "notes" and v is None) or (
            isinstance(v, kind) and not (kind is not bool and isinstance(v, bool))
        )
        if not ok:
            raise StudioError(
                f"expected {key} to be {kind.__name__}, got {v!r}", field=f"sections[{i}].{key}"
            )
        edit[key] = (v.strip() or None) if isinstance(v, str) else v
    return index, edit


def edit_plan(folder: ProductionFolder, body: Mapping) -> dict:
    """Reorder the plan's sections and set repeat / vocals / notes / intensity, validated by the
    plan's own schema (``planfile.validate``) and refused on a changed file."""
    from chromatic.produce.planfile import load_plan, plan_path, validate

    path = plan_path(folder.root)
    if not path.is_file():
        raise NotFound(f"no production plan (run: chromatic plan {folder.root})", path=path)
    sections = body.get("sections")
    if not isinstance(sections, list) or not sections:
        raise StudioError("expected sections: a list of {index, ...}", field="sections")
    if not isinstance(body.get("version"), str):
        raise StudioError("expected the version of the plan the page showed", field="version")
    edits = [_plan_section_edit(e, i) for i, e in enumerate(sections)]
    base = body["version"]
    with folder.locked(timeout=LOCK_WAIT_S):
        now = version_of(path)
        if now != base:
            raise Conflict(
                "production_plan.yml changed on disk since the page loaded it; nothing written",
                changes=[{"note": "the plan changed on disk"}],
                version=now or "",
                path=path,
            )
        plan = load_plan(path)
        seq = plan.doc["sections"]
        order = [i for i, _ in edits]
        if sorted(order) != list(range(len(seq))):
            raise StudioError(
                f"expected every section index 0-{len(seq) - 1} once, got {order}",
                field="sections",
            )
        for i, edit in edits:
            for key, value in edit.items():
                seq[i][key] = value
        if order != sorted(order):  # reorder only when asked: keeps the items' comments
            ordered = [seq[i] for i in order]
            seq.clear()
            seq.extend(ordered)
        validate(plan.doc, path)
        text = dump_yaml(plan.doc)
        _write_checked(
            path,
            text,
            base,
            lambda tmp: load_plan(tmp),
            lambda: [{"note": "the plan changed on disk"}],
        )
    return {"version": _sha(text)}
