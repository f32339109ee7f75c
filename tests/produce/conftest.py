"""Fixtures for production tests: proposals by their traits, and production folders generated
once per module (kept small: -n 30) so the suite stays fast.

The proposals live in the repository (tests/data/proposals): stand-ins for four real proposals
with the same title, key, bpm, meter, colour, genres and mood, so the production suite runs
without ../shared. Tests that read the real threads themselves use ``real_chains`` (marked
``real``)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "proposals"
MINOR_7_8 = (
    DATA / "song_proposal_Black (0x231f20)_digital_flesh_yearning_v2.yml"
)  # F# minor, 7/8, 72
MINOR_3_4 = (
    DATA / "song_proposal_Green (0xabe36d)_parallel_extinction_elegy_v1.yml"
)  # G minor, 3/4, 68
MAJOR_4_4 = DATA / "song_proposal_Y_unstable_vestibule_consciousness_v1.yml"  # F# major, 4/4, 121
TEMPO_WORD = DATA / "song_proposal_indigo_indigo_proposal_1770293745864.yml"  # tempo: Andante
N, TOP = 30, 6


def make_folder(source: Path, out: Path, seed: int = 7, n: int = N, top: int = TOP):
    """A production folder initialized from ``source`` with chords generated (none approved)."""
    from chromatic.produce.folder import init_production
    from chromatic.produce.phases.chords import run_chords

    folder, _ = init_production(source, out)
    run_chords(folder, n=n, top=top, seed=seed)
    return folder


@pytest.fixture(scope="module")
def minor_78(tmp_path_factory):
    return make_folder(MINOR_7_8, tmp_path_factory.mktemp("minor78"))


@pytest.fixture(scope="module")
def minor_34(tmp_path_factory):
    return make_folder(MINOR_3_4, tmp_path_factory.mktemp("minor34"))


@pytest.fixture(scope="module")
def major_44(tmp_path_factory):
    return make_folder(MAJOR_4_4, tmp_path_factory.mktemp("major44"))


# --- plan / assemble / compose helpers (appended) ----------------------------------------------


def approve_clean(folder, phase: str, labels: dict[int, str]) -> None:
    """Approve review candidates by position with the given labels, then promote the phase
    with ``clean`` (approved/ holds exactly what review.yml approves)."""
    from chromatic.produce.promote import promote
    from chromatic.yamlio import round_trip as _yaml

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
    # these tests are about the plan's mechanics on the electronic family's form, so the folder
    # pins it (a style.yml override) rather than the color profile's drawn form
    (dst / "style.yml").write_text("form: build_drop\n", encoding="utf-8")
    return folder


# --- the part phases (drums, bass, melody): songs whose chords are approved ----------------------

SECTIONS = ("intro", "verse", "chorus", "verse 2", "bridge", "outro")
PART_N, PART_TOP = 8, 3


def approve(
    folder, phase: str, labels: dict[int, str | None] | None = None, *, skip: tuple[str, ...] = ()
):
    """Edit review.yml as a user would, then promote. ``labels``: candidate index -> label
    (chords); without it, the first candidate of every section not in ``skip`` is approved
    with no label (a per-section phase names it after its section)."""
    from chromatic.produce.promote import promote
    from chromatic.yamlio import round_trip as _yaml

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


def make_song(source: Path, out: Path, labels=SECTIONS, seed: int = 7):
    """A production folder with chords generated and one approved per section label."""
    folder = make_folder(source, out, seed=seed)
    approve(folder, "chords", dict(enumerate(labels)))
    return folder


@pytest.fixture(scope="module")
def song_78(tmp_path_factory):
    """Black, F# minor, 7/8: six sections with approved chords."""
    return make_song(MINOR_7_8, tmp_path_factory.mktemp("song78"))


@pytest.fixture(scope="module")
def song_44(tmp_path_factory):
    """Yellow, 4/4, major: five sections with approved chords."""
    return make_song(
        MAJOR_4_4, tmp_path_factory.mktemp("song44"), labels=SECTIONS[:3] + SECTIONS[4:]
    )


@pytest.fixture(scope="module")
def song_34_drums(tmp_path_factory):
    """Green, 3/4: chords approved, drums generated and approved for every section but the intro."""
    from chromatic.produce.phases.drums import run_drums

    folder = make_song(MINOR_3_4, tmp_path_factory.mktemp("song34"))
    run_drums(folder, n=PART_N, top=PART_TOP, seed=3)
    approve(folder, "drums", skip=("intro",))
    return folder


def halewyn_midi(folder: Path) -> Path:
    """Halewyn (Essen, altdeu10), a 3/4 folk tune, parsed from music21's corpus into
    ``folder/halewyn.mid`` (real MIDI for the tests that import a part the artist played)."""
    from music21 import converter, corpus

    text = Path(corpus.getWork("essenFolksong/altdeu10")).read_text(encoding="latin-1")
    tune = next("X:" + t for t in text.split("\nX:")[1:] if "Halewyn" in t and "M: 3/4" in t)
    path = folder / "halewyn.mid"
    converter.parse(tune, format="abc").write("midi", fp=str(path))
    return path
