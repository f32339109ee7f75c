"""Shared fixtures. Real material lives in ../shared/real beside the repository (or where
CHROMATIC_SHARED points); fixtures that need media synthesize it in code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED", REPO.parent / "shared"))
REAL = SHARED / "real"
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="session")
def real_catalog() -> Path:
    path = REAL / "catalog"
    if not path.is_dir():
        pytest.skip(f"real catalog not found at {path} (set CHROMATIC_SHARED)")
    return path


@pytest.fixture(scope="session")
def real_chains() -> Path:
    path = REAL / "chain_artifacts"
    if not path.is_dir():
        pytest.skip(f"real chain artifacts not found at {path} (set CHROMATIC_SHARED)")
    return path


@pytest.fixture(scope="session")
def example_catalog() -> Path:
    return EXAMPLES / "catalog"


@pytest.fixture(scope="session")
def synth_real(tmp_path_factory, real_catalog) -> Path:
    """A few real songs synthesized and trimmed to 12 s (shared by the catalog tests)."""
    from chromatic.catalog.synth import synth_catalog

    out = tmp_path_factory.mktemp("synth_real")
    res = synth_catalog(
        real_catalog, out, songs=["01_01", "05_03", "08_01"], max_seconds=12.0, workers=1, progress=False
    )
    assert not res.failed, res.failed
    return out
