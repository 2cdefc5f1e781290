"""Fixtures of the catalog tests: the repository's catalog, loaded once."""

from __future__ import annotations

import pytest
from mlebench_catalog import SPECS

from podium.generator.catalog import Catalog, load_catalog


@pytest.fixture(scope="session")
def repo_catalog() -> Catalog:
    catalog = load_catalog(SPECS, check_metrics=False)
    assert not catalog.errors, "\n".join(map(str, catalog.errors))
    return catalog
