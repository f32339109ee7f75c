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
