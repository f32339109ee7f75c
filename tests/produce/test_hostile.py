"""Issue #19, production folders: names from hand-edited files stay inside their phase folder,
and hostile review.yml / plan contents are one-line errors, never a deleted or leaked file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chromatic.errors import ReviewError

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "examples"
    / "proposals"
    / "song_proposal_green_cooling_tower_choir_v1.yml"
)


@pytest.fixture(scope="module")
def chords_folder(tmp_path_factory):
    from chromatic.produce.folder import init_production
    from chromatic.produce.phases.chords import run_chords

    folder, _ = init_production(EXAMPLE, tmp_path_factory.mktemp("hostile"))
    run_chords(folder, n=12, top=4, seed=1)
    return folder


@pytest.fixture
def song(chords_folder, tmp_path):
    """A writable copy of the example folder, one level down so ``../`` lands in ``tmp_path``."""
    from chromatic.produce.folder import ProductionFolder

    dst = tmp_path / "prod" / chords_folder.root.name
    shutil.copytree(chords_folder.root, dst)
    return ProductionFolder(dst)


def _edit(folder, phase: str, i: int, **values) -> None:
    from chromatic.yamlio import round_trip as _yaml

    path = folder.review_path(phase)
    y = _yaml()
    doc = y.load(path.read_text())
    for k, v in values.items():
        doc["candidates"][i][k] = v
    with open(path, "w") as f:
        y.dump(doc, f)


def _precious(folder) -> list[Path]:
    """A file at every level a ``..`` could reach from the phase folder."""
    out = []
    for d in (folder.root, folder.root.parent, folder.root.parent.parent):
        p = d / "precious.mid"
        p.write_bytes(b"keep me")
        out.append(p)
    return out


def test_review_id_with_dotdot_is_refused_and_deletes_nothing(song):
    from chromatic.produce.phases.chords import run_chords

    files = _precious(song)
    for up in ("../precious", "../../precious", "../../../precious", "../../../../precious"):
        _edit(song, "chords", 3, id=up)
        with pytest.raises(ReviewError, match=r"candidates\[3\]\.id"):
            run_chords(song, n=12, top=4, seed=2)
    assert all(p.read_bytes() == b"keep me" for p in files)


def test_review_attachment_with_dotdot_is_refused_and_deletes_nothing(song):
    from chromatic.produce.phases.chords import run_chords
    from chromatic.yamlio import load_rt

    files = _precious(song)
    doc = load_rt(song.review_path("chords"), ReviewError)
    cid = doc["candidates"][3]["id"]
    key = next(
        k
        for k, v in doc["candidates"][3]["details"].items()
        if isinstance(v, str) and v.endswith(".mid")
    )
    details = dict(doc["candidates"][3]["details"])
    details[key] = f"candidates/{cid}_/../../../precious.mid"
    _edit(song, "chords", 3, details=details)
    with pytest.raises(ReviewError, match=r"candidates\[3\]\.details"):
        run_chords(song, n=12, top=4, seed=2)
    assert all(p.read_bytes() == b"keep me" for p in files)


@pytest.mark.parametrize("bad", ["../../precious.mid", "/etc/passwd", "ABSOLUTE"])
def test_review_midi_file_outside_the_phase_is_refused_by_promote(song, bad):
    from chromatic.produce.promote import promote

    files = _precious(song)
    outside = files[1] if bad == "ABSOLUTE" else None
    _edit(
        song,
        "chords",
        0,
        midi_file=str(outside) if outside else bad,
        status="approved",
        label="verse",
    )
    with pytest.raises(ReviewError, match=r"candidates\[0\]\.midi_file"):
        promote(song.root, "chords")
    assert not any(song.approved_dir("chords").iterdir())


def test_review_label_of_300_characters_is_one_line_error(song):
    from chromatic.produce.promote import promote

    _edit(song, "chords", 0, status="approved", label="v" * 300)
    with pytest.raises(ReviewError, match=r"candidates\[0\]\.label") as e:
        promote(song.root, "chords")
    assert "\n" not in str(e.value)
