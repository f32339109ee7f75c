"""Fixtures for production tests: real proposals by their traits, and production folders
generated once per module (kept small: -n 30) so the suite stays fast."""

from __future__ import annotations

from pathlib import Path

import pytest

MINOR_7_8 = "136919aa-c350-41aa-af7b-0ab538ae2cff/yml/song_proposal_Black (0x231f20)_digital_flesh_yearning_v2.yml"
MINOR_3_4 = "136919aa-c350-41aa-af7b-0ab538ae2cff/yml/song_proposal_Green (0xabe36d)_parallel_extinction_elegy_v1.yml"
MAJOR_4_4 = "136919aa-c350-41aa-af7b-0ab538ae2cff/yml/song_proposal_Y_unstable_vestibule_consciousness_v1.yml"
TEMPO_WORD = "21b4d29b-d564-4db7-881e-f0ffd7a3cc22/yml/song_proposal_indigo_indigo_proposal_1770293745864.yml"
N, TOP = 30, 6


def make_folder(real_chains: Path, rel: str, out: Path, seed: int = 7, n: int = N, top: int = TOP):
    from chromatic.produce.folder import init_production
    from chromatic.produce.phases.chords import run_chords

    folder, _ = init_production(real_chains / rel, out)
    run_chords(folder, n=n, top=top, seed=seed)
    return folder


@pytest.fixture(scope="module")
def minor_78(real_chains, tmp_path_factory):
    return make_folder(real_chains, MINOR_7_8, tmp_path_factory.mktemp("minor78"))


@pytest.fixture(scope="module")
def minor_34(real_chains, tmp_path_factory):
    return make_folder(real_chains, MINOR_3_4, tmp_path_factory.mktemp("minor34"))


@pytest.fixture(scope="module")
def major_44(real_chains, tmp_path_factory):
    return make_folder(real_chains, MAJOR_4_4, tmp_path_factory.mktemp("major44"))


# --- plan / assemble / compose helpers (appended) ----------------------------------------------


def approve_clean(folder, phase: str, labels: dict[int, str]) -> None:
    """Approve review candidates by position with the given labels, then promote the phase
    with ``clean`` (approved/ holds exactly what review.yml approves)."""
    from chromatic.produce.promote import promote
    from chromatic.yamlio import _yaml

    path = folder.review_path(phase)
    y = _yaml()
    doc = y.load(path.read_text())
    for i, label in labels.items():
        doc["candidates"][i]["label"] = label
        doc["candidates"][i]["status"] = "approved"
    with open(path, "w") as f:
        y.dump(doc, f)
    promote(folder.root, phase, clean=True)


@pytest.fixture
def sectioned(minor_78, tmp_path):
    """A writable copy of the 7/8 folder with four approved chord sections (promoted)."""
    import shutil

    from chromatic.produce.folder import ProductionFolder

    dst = tmp_path / minor_78.root.name
    shutil.copytree(minor_78.root, dst)
    folder = ProductionFolder(dst)
    approve_clean(folder, "chords", {0: "verse", 1: "Chorus", 2: "outro", 3: "intro"})
    return folder


# --- the part phases (drums, bass, melody): songs whose chords are approved ----------------------

SECTIONS = ("intro", "verse", "chorus", "verse 2", "bridge", "outro")
PART_N, PART_TOP = 8, 3


def approve(folder, phase: str, labels: dict[int, str | None] | None = None, *, skip: tuple[str, ...] = ()):
    """Edit review.yml as a user would, then promote. ``labels``: candidate index -> label
    (chords); without it, the first candidate of every section not in ``skip`` is approved
    with no label (a per-section phase names it after its section)."""
    from chromatic.produce.promote import promote
    from chromatic.yamlio import _yaml

    path = folder.review_path(phase)
    y = _yaml()
    doc = y.load(path.read_text())
    if labels is not None:
        for i, label in labels.items():
            doc["candidates"][i]["label"] = label
            doc["candidates"][i]["status"] = "approved"
    else:
        seen = set()
        for c in doc["candidates"]:
            section = c["details"]["section"]
            if section not in seen and section not in skip:
                seen.add(section)
                c["status"] = "approved"
    with open(path, "w") as f:
        y.dump(doc, f)
    return promote(folder.root, phase)


def make_song(real_chains: Path, rel: str, out: Path, labels=SECTIONS, seed: int = 7):
    """A production folder with chords generated and one approved per section label."""
    folder = make_folder(real_chains, rel, out, seed=seed)
    approve(folder, "chords", dict(enumerate(labels)))
    return folder


@pytest.fixture(scope="module")
def song_78(real_chains, tmp_path_factory):
    """Black, F# minor, 7/8: six sections with approved chords."""
    return make_song(real_chains, MINOR_7_8, tmp_path_factory.mktemp("song78"))


@pytest.fixture(scope="module")
def song_44(real_chains, tmp_path_factory):
    """Yellow, 4/4, major: five sections with approved chords."""
    return make_song(real_chains, MAJOR_4_4, tmp_path_factory.mktemp("song44"), labels=SECTIONS[:3] + SECTIONS[4:])


@pytest.fixture(scope="module")
def song_34_drums(real_chains, tmp_path_factory):
    """Green, 3/4: chords approved, drums generated and approved for every section but the intro."""
    from chromatic.produce.phases.drums import run_drums

    folder = make_song(real_chains, MINOR_3_4, tmp_path_factory.mktemp("song34"))
    run_drums(folder, n=PART_N, top=PART_TOP, seed=3)
    approve(folder, "drums", skip=("intro",))
    return folder

