"""Shared fixtures. Real material lives in ../shared/real beside the repository (or where
CHROMATIC_SHARED points); fixtures that need media synthesize it in code.

Every test that reads the real material (through ``real_catalog`` or ``real_chains``, directly
or through a fixture built on them) is marked ``real`` here and skips, saying where it looked,
when that material is absent: ``pytest -m "not real"`` runs the rest, ``-m real`` only those."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("CHROMATIC_CACHE", "off")  # no concept vectors in the home folder

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED", REPO.parent / "shared"))
REAL = SHARED / "real"
EXAMPLES = REPO / "examples"


REAL_FIXTURES = frozenset({"real_catalog", "real_chains"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if REAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.real)


@pytest.fixture(scope="session")
def real_catalog() -> Path:
    path = REAL / "catalog"
    if not path.is_dir():
        pytest.skip(
            f"real: the real catalog is not at {path} (set CHROMATIC_SHARED to the folder holding real/)"
        )
    return path


@pytest.fixture(scope="session")
def real_chains() -> Path:
    path = REAL / "chain_artifacts"
    if not path.is_dir():
        pytest.skip(
            f"real: the real chain artifacts are not at {path} (set CHROMATIC_SHARED to the folder holding real/)"
        )
    return path


@pytest.fixture(scope="session")
def example_catalog() -> Path:
    return EXAMPLES / "catalog"


@pytest.fixture(scope="session")
def synth_real(tmp_path_factory, real_catalog) -> Path:
    """A few real songs synthesized and trimmed to 12 s (shared by the catalog tests)."""
    from chromatic.synth.catalog import synth_catalog

    out = tmp_path_factory.mktemp("synth_real")
    res = synth_catalog(
        real_catalog,
        out,
        songs=["01_01", "05_03", "08_01"],
        max_seconds=12.0,
        workers=1,
        progress=False,
    )
    assert not res.failed, res.failed
    return out


# --- the small trained-model fixtures, defined once here so every suite shares one build -----

MODEL_SONGS = [
    "02_90",
    "02_91",
    "05_90",
    "05_91",
]  # two Red, two Green: a song-grouped split exists


@pytest.fixture(scope="session")
def embedded_data(tmp_path_factory):
    """A DATA folder with embeddings: four example songs trimmed to 12 s."""
    from chromatic.catalog.tracks import build_tracks
    from chromatic.embed.run import embed_segments
    from chromatic.segments.build import build_segments
    from chromatic.synth.catalog import synth_catalog

    root = tmp_path_factory.mktemp("model_data")
    catalog, data = root / "catalog", root / "data"
    res = synth_catalog(
        EXAMPLES / "catalog", catalog, songs=MODEL_SONGS, max_seconds=12, workers=1, progress=False
    )
    assert not res.failed
    build_tracks(catalog, data)
    build_segments(catalog, data, workers=1, progress=False)
    embed_segments(data, progress=False)
    return data


@pytest.fixture(scope="session")
def exported(embedded_data, tmp_path_factory):
    """A briefly trained tiny model, exported: (run dir, MODEL path, data dir)."""
    from chromatic.model.export import export_run
    from chromatic.model.fusion import FusionConfig
    from chromatic.model.train import train_fusion

    root = tmp_path_factory.mktemp("exported")
    cfg = FusionConfig(
        epochs=3, cnn_channels=(4, 8), midi_dim=16, proj_dim=32, hidden_dims=(32,), val_fraction=0.5
    )
    train_fusion(embedded_data, root / "run", config=cfg, row_level=False, progress=False)
    export_run(root / "run", root / "fitness")
    return root / "run", root / "fitness", embedded_data
