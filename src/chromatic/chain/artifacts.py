"""Which files of a thread are worth keeping, and where they go in the shrinkwrapped folder.

The rule, learned from the real ``chain_artifacts`` (decided by file name, first match wins):

* **dropped, agent intermediates**
  - ``*_rebracketing_analysis.md``: the White agent's per-color working analysis. Its results are
    carried into the matching ``*_document_synthesis.md`` and the ``*_CHROMATIC_SYNTHESIS.md``,
    which are kept.
  - non-final ``song_proposal_*`` files: superseded iterations. Every one of them is also in the
    ``all_song_proposals`` list, which is kept, so nothing is lost. (Without that list they are
    the only record of the iterations, and then they are all kept.)
* **dropped, EVP intermediates**
  - ``*_segment_N.wav`` and ``*blended*.wav``: the raw EVP audio cut-ups.
  - ``*_evp.yml``: a record of those intermediates (absolute paths of the segment and blended
    WAVs on the agent's machine) plus the transcript, which the proposals and syntheses already
    quote. Once the WAVs it points at are dropped it is a list of dangling paths.
* dot files (``.DS_Store``) are dropped.
* **kept**: everything else: the final proposal (and its md rendering if any), the
  ``all_song_proposals`` list and its md rendering, the White agent's syntheses (CHROMATIC
  SYNTHESIS, META_REBRACKETING, transformation traces, facet evolution, per-color document
  syntheses), the color agents' documents, and txt/json/png/html/wav outputs (the infranym
  audio and its metadata included).

Kept files are grouped by type (``yml/``, ``md/``, ``json/``, ``txt/``, ``png/``, ``html/``,
``wav/`` ...: the lower-case extension, ``.yaml`` counted as ``yml``) under their original
names, since that is how the user knows them. A name that held a slash upstream ("The Lakeland
7/8 Recorder") arrived as a subfolder and keeps it. With ``--archive`` the dropped files are
copied to ``.debug/<original path>``; the input is never modified, so "moved" means copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chromatic.chain.proposals import PROPOSAL_PREFIX

DEBUG_DIR = ".debug"

_DROP_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"_rebracketing_analysis\.md$", re.I), "agent analysis (per-color rebracketing)"),
    (re.compile(r"_segment_\d+\.wav$", re.I), "EVP intermediate (segment audio)"),
    (re.compile(r"blended[^/]*\.wav$", re.I), "EVP intermediate (blended audio)"),
    (re.compile(r"_evp\.ya?ml$", re.I), "EVP intermediate (segment list)"),
)
_TYPE_ALIASES = {"yaml": "yml", "htm": "html", "jpeg": "jpg", "markdown": "md"}


@dataclass(frozen=True)
class FileDecision:
    """One source file (posix path relative to the thread) and where it goes."""

    source: str
    keep: bool
    target: str
    reason: str


def file_type(name: str) -> str:
    """The folder a kept file is grouped into: its lower-case extension, or ``other``."""
    if "." not in name.strip("."):
        return "other"
    ext = name.rsplit(".", 1)[1].lower()
    return _TYPE_ALIASES.get(ext, ext) or "other"


def drop_reason(rel: str, *, final_file: str | None, has_list: bool) -> str | None:
    """Why a file is dropped, or None to keep it."""
    name = rel.rsplit("/", 1)[-1]
    if name.startswith("."):
        return "hidden file"
    for pattern, reason in _DROP_RULES:
        if pattern.search(name):
            return reason
    if has_list and name.startswith(PROPOSAL_PREFIX):
        final_stem = final_file.rsplit("/", 1)[-1].rsplit(".", 1)[0] if final_file else None
        if name.rsplit(".", 1)[0] != final_stem:
            return "superseded proposal (kept in the all_song_proposals list)"
    return None


def plan_files(
    files: tuple[str, ...], *, final_file: str | None, has_list: bool, archive: bool
) -> list[FileDecision]:
    """Decide every file of a thread. Targets never collide: a second file that would land on
    the same path gets its source folder as a prefix (deterministic, since ``files`` is sorted)."""
    decisions: list[FileDecision] = []
    used: set[str] = set()
    for rel in files:
        reason = drop_reason(rel, final_file=final_file, has_list=has_list)
        if reason is not None:
            target = f"{DEBUG_DIR}/{rel}" if archive else ""
            decisions.append(FileDecision(rel, False, target, reason))
            continue
        head, _, inner = rel.partition("/")
        if not inner:  # a file at the thread's top level
            head, inner = "", rel
        kind = file_type(rel.rsplit("/", 1)[-1])
        target, n = f"{kind}/{inner}", 1
        while target in used:
            n += 1
            target = f"{kind}/{head or 'top'}{'' if n == 2 else n}-{inner}"
        used.add(target)
        decisions.append(FileDecision(rel, True, target, "kept"))
    return decisions
