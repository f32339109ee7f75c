"""Fixtures for the studio: real production folders made by the project's own steps (init,
chords, drums, bass; promote), copied per test so each test writes its own review.yml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.produce.conftest import MINOR_3_4, PART_N, PART_TOP, approve, make_folder, make_song

TOKEN = "test-token"


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """Two songs: ``parts`` (chords approved per section, drums approved, bass generated) and
    ``fresh`` (chords generated, nothing approved)."""
    from chromatic.produce.phases.bass import run_bass
    from chromatic.produce.phases.drums import run_drums

    base = tmp_path_factory.mktemp("studio_src")
    song = make_song(MINOR_3_4, base / "parts")
    run_drums(song, n=PART_N, top=PART_TOP, seed=3)
    approve(song, "drums")
    run_bass(song, n=PART_N, top=PART_TOP, seed=3)
    fresh = make_folder(MINOR_3_4, base / "fresh")
    return {"parts": song.root, "fresh": fresh.root}


@pytest.fixture
def library(built, tmp_path) -> Path:
    """A folder of production folders: ``song`` (the parts song) and ``fresh``."""
    lib = tmp_path / "lib"
    shutil.copytree(built["parts"], lib / "song")
    shutil.copytree(built["fresh"], lib / "fresh")
    return lib


@pytest.fixture
def client(library) -> TestClient:
    from chromatic.studio.app import Studio, create_app

    return TestClient(create_app(Studio(library, token=TOKEN)), base_url="http://127.0.0.1:8765")


def post(client: TestClient, path: str, body: object, token: str | None = TOKEN):
    headers = {"X-Studio-Token": token} if token is not None else {}
    return client.post(path, json=body, headers=headers)
