"""Fixtures of the catalog tests: the repository's catalog, loaded once, and MLE-bench's prepare functions."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from mlebench_catalog import SPECS
from mlebench_reference import REFERENCE_VARIABLE, Prepare, mount_registry, unmount_registry

from podium.generator.catalog import Catalog, load_catalog


@pytest.fixture(scope="session")
def repo_catalog() -> Catalog:
    catalog = load_catalog(SPECS, check_metrics=False)
    assert not catalog.errors, "\n".join(map(str, catalog.errors))
    return catalog


@pytest.fixture(scope="session")
def mlebench_prepare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Prepare]]:
    """`mlebench_prepare(competition_id)` is MLE-bench's own prepare(raw, public, private), or the test skips."""
    yield mount_registry(os.environ.get(REFERENCE_VARIABLE), tmp_path_factory.mktemp("mlebench-reference"))
    unmount_registry()
