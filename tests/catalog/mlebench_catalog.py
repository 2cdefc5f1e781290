"""What the catalog tests share: where the specs are, and which competitions are MLE-bench's."""

from __future__ import annotations

from pathlib import Path

from podium.generator.catalog import Catalog

SPECS = Path(__file__).resolve().parents[2] / "specs"
ANCHORS = SPECS.parent.parent / "shared" / "anchors" / "mle-bench"
MLEBENCH_SUITES = ("all", "dev")  # the 75 benchmark competitions and MLE-bench's 7 dev ones


def mlebench_ids(catalog: Catalog) -> list[str]:
    return sorted({member for suite in MLEBENCH_SUITES for member in catalog.suite_members(suite)})
