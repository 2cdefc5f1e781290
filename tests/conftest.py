"""Shared fixtures: a scratch specs tree, the MLE-bench anchors, and skip helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"
ANCHORS = REPO.parent / "shared" / "anchors" / "mle-bench"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's cache, data dir or leaderboards."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    for variable in ("PODIUM_DATA_DIR", "PODIUM_LEADERBOARDS", "PODIUM_SPECS"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def specs_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's specs/ in a temp dir, made the working directory."""
    root = tmp_path / "specs"
    shutil.copytree(SPECS, root)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PODIUM_SPECS", raising=False)
    from podium.cli.context import catalog

    catalog.cache_clear()
    return root


@pytest.fixture
def anchors() -> Path:
    """MLE-bench's competition folders (config, leaderboard) from ../shared, or skip."""
    if not ANCHORS.is_dir():
        pytest.skip(f"MLE-bench anchors not found at {ANCHORS} (they live in ../shared beside the repo)")
    return ANCHORS
