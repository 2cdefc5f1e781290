"""The Ray executor on a local Ray instance: runs become Ray tasks with the competition's resource
requests, and their records come back to the driver's store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from runtime_world import COMPETITION, World, needs_bwrap

from podium.runtime.execute import Matrix, Packages, plan_runs, run_pending
from podium.runtime.spec import Limits
from podium.runtime.store import RunStore

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'podium[ray]'")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    needs_bwrap()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    yield ray
    ray.shutdown()


def run_with_ray(
    world: World, tmp_path: Path, scaffolds: list[str], seeds: list[int], limits_of: Any = None
) -> RunStore:
    from podium.runtime.execute.ray_executor import RayExecutor

    packages = Packages(world.packages)
    store = RunStore(tmp_path / "runs.sqlite")
    plan = plan_runs(store, Matrix("ray", [COMPETITION], scaffolds, seeds), packages, tmp_path / "runs", world.data)
    limits = limits_of or (lambda competition: packages.competition(competition).competition.limits)
    executor = RayExecutor(world.settings(), limits)
    try:
        run_pending(store, executor, run_ids=plan.to_run)
    finally:
        executor.close()
    return store


def test_a_small_suite_runs_as_ray_tasks_and_records_reach_the_driver(
    local_ray: Any, world: World, tmp_path: Path
) -> None:
    store = run_with_ray(world, tmp_path, ["dummy", "no-submission"], [0, 1])
    rows = store.list()
    assert len(rows) == 4
    assert [r.status for r in rows if r.scaffold_id == "dummy"] == ["succeeded", "succeeded"]
    assert [r.status for r in rows if r.scaffold_id == "no-submission"] == ["invalid", "invalid"]
    assert all(r.sandbox == "bwrap" and r.report for r in rows)


def test_the_task_asks_for_the_competitions_resources(local_ray: Any, world: World) -> None:
    from podium.runtime.execute.ray_executor import RayExecutor

    packages = Packages(world.packages)
    executor = RayExecutor(world.settings(), lambda c: packages.competition(c).competition.limits)
    assert executor.resources_for(COMPETITION) == {"num_cpus": 1.0, "memory": 2 * 2**30, "num_gpus": 0}
    assert executor.slots == 2


def test_a_run_bigger_than_the_cluster_fails_at_once(local_ray: Any, world: World, tmp_path: Path) -> None:
    store = run_with_ray(world, tmp_path, ["dummy"], [0], limits_of=lambda _: Limits(cpus=64, memory=2**30))
    (record,) = store.list()
    assert record.status == "failed"
    assert "needs CPU 64 but the whole Ray cluster has 2" in (record.error or "")
