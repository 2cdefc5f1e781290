"""A small world for runtime tests: a specs tree with a tiny competition (scikit-learn's iris, no
network), the dummy scaffold and one `command` scaffold per fault agent, compiled and prepared.
Helpers only; the fixtures that use them are in conftest.py beside this file."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from podium.generator import compile as compiler
from podium.generator.catalog import load_catalog
from podium.runtime.execute import LocalExecutor, Matrix, Packages, RunSettings, plan_runs, run_pending
from podium.runtime.execute.run import ensure_prepared
from podium.runtime.store import RunRecord, RunStore

REPO = Path(__file__).resolve().parents[3]
FAULT_AGENTS = Path(__file__).with_name("fault_agents.py")
COMPETITION = "tiny-iris"
TINY_SPEC = """\
spec_version: 1
id: tiny-iris
name: Tiny iris
modality: tabular
complexity: low
description: description.md
source: {kind: sklearn, dataset: load_iris}
prepare:
  split: {from: train.csv, test_size: 0.3, random_state: 0}
  id_column: id
  targets: [target]
grader: {metric: accuracy}
limits: {time: 6s, cpus: 1, memory: 2GiB, gpus: 0, disk: 20MB}
"""
FAULTS = ["crash", "hang", "fill_disk", "no_submission", "huge_submission", "fork_bomb", "probe_answers",
          "validate", "usage", "contract"]  # fmt: skip
TEST_MAX_PROCESSES = 64
TEST_MAX_FILE_BYTES = 8 * 2**20


@dataclass(frozen=True)
class World:
    root: Path
    specs: Path
    packages: Path
    data: Path
    listener_port: int

    @property
    def private(self) -> Path:
        return self.data / COMPETITION / "prepared" / "private"

    def settings(self, **overrides: object) -> RunSettings:
        values: dict[str, object] = {
            "packages_dir": self.packages,
            "data_dir": self.data,
            "max_processes": TEST_MAX_PROCESSES,
            "max_file_bytes": TEST_MAX_FILE_BYTES,
        }
        return RunSettings(**(values | overrides))  # type: ignore[arg-type]


def write_specs(specs: Path, data: Path, listener_port: int) -> None:
    """The tiny competition, the repository's accuracy grader and dummy scaffold, the fault scaffolds."""
    (specs / "competitions" / COMPETITION).mkdir(parents=True)
    (specs / "competitions" / COMPETITION / "spec.yaml").write_text(TINY_SPEC)
    (specs / "competitions" / COMPETITION / "description.md").write_text("Predict `target` for each id.\n")
    (specs / "graders").mkdir()
    shutil.copy(REPO / "specs" / "graders" / "accuracy.yaml", specs / "graders")
    (specs / "scaffolds").mkdir()
    shutil.copy(REPO / "specs" / "scaffolds" / "dummy.yaml", specs / "scaffolds")
    shutil.copy(FAULT_AGENTS, specs / "scaffolds" / FAULT_AGENTS.name)
    arguments = {"network": [str(listener_port)], "probe_answers": [str(data / COMPETITION / "prepared" / "private")]}
    for mode in [*FAULTS, "network", "sleepy"]:
        extra = arguments.get(mode, ["1.5"] if mode == "sleepy" else [])
        write_command_scaffold(specs, mode.replace("_", "-"), [mode, *extra])
    (specs / "suites").mkdir()
    (specs / "suites" / "slow.yaml").write_text(
        "spec_version: 1\nid: slow\ncompetitions: [tiny-iris]\nscaffolds: [sleepy]\nseeds: [0, 1, 2, 3, 4, 5]\n"
    )


def write_command_scaffold(specs: Path, scaffold_id: str, arguments: Sequence[str]) -> None:
    command = ["python", f"/home/agent/hooks/{FAULT_AGENTS.name}", *arguments]
    (specs / "scaffolds" / f"{scaffold_id}.yaml").write_text(
        f"spec_version: 1\nid: {scaffold_id}\nname: Fault {scaffold_id}\nagent: command\n"
        f"command: {command!r}\nhook: {FAULT_AGENTS.name}:main\n"
    )


def build_world(root: Path, listener_port: int = 0) -> World:
    specs, packages, data = root / "specs", root / "generated", root / "data"
    write_specs(specs, data, listener_port)
    catalog = load_catalog(specs)
    assert not catalog.errors, catalog.errors
    compiler.build(catalog, packages)
    ensure_prepared(Packages(packages).competition(COMPETITION), data)
    return World(root, specs, packages, data, listener_port)


def run_scaffolds(
    world: World,
    store: RunStore,
    scaffolds: Sequence[str],
    *,
    workers: int = 2,
    suite: str = "test",
    **settings: object,
) -> dict[str, RunRecord]:
    """Plan and run tiny-iris x `scaffolds` (seed 0); the finished records by scaffold id."""
    matrix = Matrix(suite, [COMPETITION], list(scaffolds), [0])
    plan = plan_runs(store, matrix, Packages(world.packages), world.root / "runs", world.data)
    executor = LocalExecutor(world.settings(**settings), workers)
    try:
        run_pending(store, executor, run_ids=plan.to_run)
    finally:
        executor.close()
    records = {r.scaffold_id: r for r in store.list(suite=suite)}
    assert set(records) == set(scaffolds)
    return records


def processes_with(marker: str, wait: float = 3.0) -> list[int]:
    """Pids whose command line holds `marker`, after giving a dying sandbox `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    cmdline = Path(entry.path, "cmdline").read_bytes()
                except OSError:
                    continue
                if marker.encode() in cmdline and int(entry.name) != os.getpid():
                    found.append(int(entry.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def needs_bwrap() -> None:
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed; `apt-get install bubblewrap` to run isolation tests")
