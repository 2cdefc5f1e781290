"""Shared fixtures: a scratch specs tree, the MLE-bench anchors, and skip helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"
ANCHORS = REPO.parent / "shared" / "anchors" / "mle-bench"


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


def anchors_or_skip() -> Path:
    if not ANCHORS.is_dir():
        pytest.skip(f"MLE-bench anchors not found at {ANCHORS} (they live in ../shared beside the repo)")
    return ANCHORS
