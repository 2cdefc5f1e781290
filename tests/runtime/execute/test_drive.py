"""The driver with stand-in executors: slots are respected, refusals and executor errors become
failed runs, a cancel puts runs back to pending, and runs of a dead runtime are taken up again."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from podium.runtime.execute import Outcome, run_pending
from podium.runtime.execute.run import finished
from podium.runtime.store import RunRecord, RunStore, run_id_for


def record(seed: int) -> RunRecord:
    return RunRecord(
        run_id=run_id_for("d", "c", "s", seed), suite="d", competition_id="c", scaffold_id="s", seed=seed,
        competition_sha256="a", scaffold_sha256="b", created_at=datetime.now(timezone.utc),
    )  # fmt: skip


class Recorder:
    """Finishes runs instantly; refuses or fails the seeds it is told to; remembers the most in flight."""

    def __init__(self, slots: int, refuse: set[int] = frozenset(), broken: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.slots, self.refuse, self.broken = slots, refuse, broken
        self.in_flight: list[RunRecord] = []
        self.most_at_once = 0

    def submit(self, run: RunRecord) -> None:
        if run.seed in self.refuse:
            raise RuntimeError("no room on the cluster")
        self.in_flight.append(run)
        self.most_at_once = max(self.most_at_once, len(self.in_flight))

    def collect(self, timeout: float) -> list[Outcome]:
        outcomes = [
            Outcome(r.run_id, error="worker died")
            if r.seed in self.broken
            else Outcome(r.run_id, record=finished(r, "succeeded"))
            for r in self.in_flight
        ]
        self.in_flight = []
        return outcomes

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    opened = RunStore(tmp_path / "runs.sqlite")
    opened.add([record(seed) for seed in range(5)])
    return opened


def test_every_pending_run_finishes_within_the_slots(store: RunStore) -> None:
    executor = Recorder(slots=2)
    done = run_pending(store, executor)
    assert sorted(r.seed for r in done) == [0, 1, 2, 3, 4]
    assert executor.most_at_once == 2
    assert {r.status for r in store.list()} == {"succeeded"}


def test_refused_and_broken_runs_are_failed_and_the_rest_still_run(store: RunStore) -> None:
    run_pending(store, Recorder(slots=1, refuse={0, 1}, broken={3}))
    status = {r.seed: (r.status, r.error) for r in store.list()}
    assert status[0] == ("failed", "the executor could not start it: no room on the cluster")
    assert status[3] == ("failed", "worker died")
    assert status[2][0] == status[4][0] == "succeeded"


def test_only_the_named_runs_are_run(store: RunStore) -> None:
    run_pending(store, Recorder(slots=4), run_ids=[run_id_for("d", "c", "s", 1)])
    assert [r.seed for r in store.list(status="succeeded")] == [1]


class Interrupted(Recorder):
    """Ctrl-C arrives while runs are in flight; the cancel brings one back finished, one cancelled."""

    cancelled = False

    def collect(self, timeout: float) -> list[Outcome]:
        if not self.cancelled:
            raise KeyboardInterrupt
        first, second = self.in_flight
        self.in_flight = []
        return [Outcome(first.run_id, record=finished(first, "succeeded")), Outcome(second.run_id, cancelled=True)]

    def cancel(self) -> None:
        self.cancelled = True


def test_ctrl_c_keeps_what_finished_and_puts_the_rest_back(store: RunStore) -> None:
    with pytest.raises(KeyboardInterrupt):
        run_pending(store, Interrupted(slots=2))
    assert [(r.seed, r.status) for r in store.list()] == [
        (0, "succeeded"), (1, "pending"), (2, "pending"), (3, "pending"), (4, "pending"),
    ]  # fmt: skip


def test_runs_left_running_by_a_dead_runtime_run_again(tmp_path: Path, store: RunStore) -> None:
    dead = RunStore(tmp_path / "runs.sqlite")
    dead.claim_pending(limit=2)
    dead.close()  # its owner lock is gone, as after a kill -9
    run_pending(store, Recorder(slots=2))
    assert {r.status for r in store.list()} == {"succeeded"}
