"""STOP fixtures: the prepared data and the parity task, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from stop_world import build_task, stop_config

from podium.runtime.stop.tasks import CompetitionTask
from podium.runtime.stop.utility import EvaluationCache


@pytest.fixture(scope="session")
def stop_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stop-data")


@pytest.fixture(scope="session")
def parity_task(stop_data: Path, tmp_path_factory: pytest.TempPathFactory) -> CompetitionTask:
    """stop-parity-noise built once (data, splits, scales); tests rebind it to their session."""
    work = tmp_path_factory.mktemp("stop-work")
    return build_task("stop-parity-noise", stop_config(), stop_data, work, EvaluationCache())
