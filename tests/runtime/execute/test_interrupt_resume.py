"""A runtime killed mid-suite (SIGKILL) or interrupted (SIGINT) leaves a consistent store, and
`podium runs resume` finishes the suite with no run lost and none run twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from runtime_world import World, needs_bwrap, processes_with

from podium.runtime.store import RunRecord, RunStore

SUITE_RUNS = 6
AGENT_MARKER = "fault_agents.py sleepy"


def podium(world: World, tmp_path: Path, *arguments: str) -> subprocess.Popen[str]:
    options = [
        "--data-dir",
        str(world.data),
        "--runs-dir",
        str(tmp_path / "runs"),
        "--store",
        str(tmp_path / "runs.sqlite"),
    ]
    command = [sys.executable, "-m", "podium", *arguments, *options]
    if arguments[0] == "run" or arguments[-1] == "resume":
        command += ["--packages", str(world.packages), "--workers", "1"]
    return subprocess.Popen(command, cwd=world.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def records(tmp_path: Path) -> list[RunRecord]:
    path = tmp_path / "runs.sqlite"
    if not path.exists():
        return []
    with RunStore(path) as store:
        return store.list()


def wait_for(condition: Callable[[list[RunRecord]], bool], tmp_path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not condition(records(tmp_path)):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the suite did not get that far in time"
        time.sleep(0.1)


def finished(rows: list[RunRecord]) -> int:
    return sum(r.finished for r in rows)


def resume(world: World, tmp_path: Path) -> list[RunRecord]:
    process = podium(world, tmp_path, "runs", "resume")
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert "run(s)" in out
    return records(tmp_path)


@pytest.fixture(autouse=True)
def _bwrap() -> None:
    needs_bwrap()


def test_kill_9_mid_suite_then_resume_loses_and_repeats_nothing(world: World, tmp_path: Path) -> None:
    runtime = podium(world, tmp_path, "run", "--suite", "slow")
    wait_for(lambda rows: finished(rows) >= 2, tmp_path, runtime)
    runtime.send_signal(signal.SIGKILL)
    runtime.wait()
    before = {r.run_id: r for r in records(tmp_path)}
    done_before = {run_id: r for run_id, r in before.items() if r.finished}
    assert len(before) == SUITE_RUNS and len(done_before) >= 2
    assert processes_with(AGENT_MARKER) == []  # the agent in flight died with its runtime
    assert processes_with(str(tmp_path / "runs")) == []  # and so did its sandbox (bwrap names the run folder)

    after = resume(world, tmp_path)
    assert len(after) == SUITE_RUNS and len({r.run_id for r in after}) == SUITE_RUNS
    assert all(r.status == "succeeded" for r in after)
    for record in after:  # what was recorded before the kill was kept, not run again
        if record.run_id in done_before:
            assert record.finished_at == done_before[record.run_id].finished_at


def test_ctrl_c_stops_cleanly_and_resume_picks_up(world: World, tmp_path: Path) -> None:
    runtime = podium(world, tmp_path, "run", "--suite", "slow")
    wait_for(lambda rows: finished(rows) >= 1 and any(r.status == "running" for r in rows), tmp_path, runtime)
    runtime.send_signal(signal.SIGINT)
    _, err = runtime.communicate(timeout=60)
    assert runtime.returncode == 130
    assert "interrupted" in err and "podium runs resume" in err
    rows = records(tmp_path)
    assert not any(r.status == "running" for r in rows)  # nothing left claimed by a runtime that is gone
    assert {r.status for r in rows} <= {"succeeded", "pending"} and finished(rows) >= 1
    assert all(r.started_at is None for r in rows if r.status == "pending")
    assert processes_with(AGENT_MARKER) == []

    after = resume(world, tmp_path)
    assert len(after) == SUITE_RUNS and all(r.status == "succeeded" for r in after)
    assert os.path.isdir(after[0].run_dir or "")
