"""Chain fixtures: the real threads shrinkwrapped once per session."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shrunk(tmp_path_factory, real_chains) -> Path:
    """The 8 real threads shrinkwrapped (read-only use: tests that modify output make their own)."""
    from chromatic.chain.shrinkwrap import shrinkwrap

    out = tmp_path_factory.mktemp("shrunk") / "shrinkwrapped"
    result = shrinkwrap(real_chains, out)
    assert result.count("written") == 8
    return out
