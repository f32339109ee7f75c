"""Regenerating a phase, or one section of it, with a new seed, through the phase registry and
the project's regeneration (which keeps every candidate a human touched).

One section: the phases generate every section, so the other sections' untouched candidates
are held for the run: their ``notes`` carry ``HOLD`` (a candidate with notes counts as touched,
so ``produce.regenerate`` keeps it with its files), and the hold is lifted afterwards, all under
the folder's lock, in a ``finally``. A held section that has fewer candidates than ``top`` gets
fresh ones up to ``top``, as a regeneration gives any section.
"""

from __future__ import annotations

from chromatic.fileio import write_text_atomic
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.review import GROUP_KEY, load_review, read_review
from chromatic.studio.errors import StudioError
from chromatic.yamlio import dump_yaml

HOLD = "(held by chromatic studio while another section regenerates)"
DEFAULT_N = {"chords": 200}
DEFAULT_TOP = {"chords": 10}


def _set_hold(path, section: str, hold: bool) -> int:
    """Put on (or lift) the hold on the untouched candidates of every other section."""
    review = load_review(path, check_files=False)
    changed = 0
    for node, c in zip(review.doc["candidates"], review.model.candidates, strict=True):
        if hold and not c.touched and c.details.get(GROUP_KEY) != section:
            node["notes"] = HOLD
            changed += 1
        elif not hold and c.notes == HOLD:
            node["notes"] = None
            changed += 1
    if changed:
        write_text_atomic(path, dump_yaml(review.doc))
    return changed


def section_top(path, section: str) -> int:
    sizes = [c for c in read_review(path).candidates if c.details.get(GROUP_KEY) == section]
    if not sizes:
        raise StudioError(f"no candidates of section {section!r} to regenerate", field="section")
    return len(sizes)


def regenerate(
    folder: ProductionFolder,
    phase: str,
    *,
    seed: int,
    n: int | None = None,
    top: int | None = None,
    section: str | None = None,
) -> dict:
    """Run ``phase`` again with ``seed``; with ``section``, only that section's untouched
    candidates are replaced."""
    from chromatic.produce.phases import PhaseOptions
    from chromatic.produce.phases.registry import get

    path = folder.review_path(phase)
    if section is not None and (phase == "chords" or not path.is_file()):
        raise StudioError(
            f"phase {phase!r} has no sections to regenerate one by one", field="section"
        )
    n = n or DEFAULT_N.get(phase, 50)
    with folder.locked():
        if section is None:
            options = PhaseOptions(n=n, top=top or DEFAULT_TOP.get(phase, 5), seed=seed)
            run = get(phase).run(folder, options).gate(folder)
        else:
            top = top or section_top(path, section)
            _set_hold(path, section, True)
            try:
                run = get(phase).run(folder, PhaseOptions(n=n, top=top, seed=seed)).gate(folder)
            finally:
                _set_hold(path, section, False)
    return {
        "seed": seed,
        "section": section,
        "summary": run.merge.summary(),
        "generated": run.generated,
    }
