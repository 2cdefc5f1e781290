"""The SQLite run store: records round-trip, claims are exclusive, a dead owner's runs come back,
and a kill -9 loses nothing that was committed."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from podium.runtime.store import (
    STORE_ENV,
    RunRecord,
    RunStore,
    StoreError,
    default_runs_dir,
    default_store_path,
    run_id_for,
)


def record(seed: int, suite: str = "s", attempt: int = 0, competition: str = "c", **fields: object) -> RunRecord:
    return RunRecord(
        run_id=run_id_for(suite, competition, "dummy", seed, attempt),
        suite=suite,
        competition_id=competition,
        scaffold_id="dummy",
        seed=seed,
        attempt=attempt,
        competition_sha256="a" * 64,
        scaffold_sha256="b" * 64,
        created_at=datetime.now(timezone.utc),
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    opened = RunStore(tmp_path / "runs.sqlite")
    yield opened  # type: ignore[misc]
    opened.close()


def test_records_round_trip_and_list_in_key_order(store: RunStore) -> None:
    finished = record(1, status="succeeded", report={"score": 0.5}, error=None)
    store.add([record(2), finished, record(0, suite="a")])
    assert store.get(finished.run_id) == finished
    assert [r.run_id for r in store.list()] == ["a/c/dummy/0/0", "s/c/dummy/1/0", "s/c/dummy/2/0"]
    assert [r.seed for r in store.list(suite="s", status="pending")] == [2]
    assert store.get("no/such/run/0/0") is None


def test_add_never_overwrites_an_existing_run(store: RunStore) -> None:
    done = record(0, status="succeeded")
    assert store.add([done]) == [done]
    assert [r.run_id for r in store.add([record(0), record(1)])] == ["s/c/dummy/1/0"]
    assert store.get(done.run_id).status == "succeeded"  # type: ignore[union-attr]


def test_claim_marks_running_and_upsert_finishes(store: RunStore) -> None:
    store.add([record(seed) for seed in range(3)])
    claimed = store.claim_pending(limit=2)
    assert [r.seed for r in claimed] == [0, 1]
    assert all(r.status == "running" and r.started_at for r in claimed)
    assert store.claim_pending(run_ids=[claimed[0].run_id]) == []  # already claimed
    store.upsert(claimed[0].model_copy(update={"status": "succeeded"}))
    assert [r.status for r in store.list()] == ["succeeded", "running", "pending"]
    assert store.release_mine() == 1
    assert [r.status for r in store.list()] == ["succeeded", "pending", "pending"]


def test_latest_attempts_and_delete(store: RunStore) -> None:
    store.add([record(0), record(0, attempt=1), record(1)])
    latest = store.latest_attempts("s")
    assert latest[("c", "dummy", 0)].attempt == 1 and latest[("c", "dummy", 1)].attempt == 0
    assert store.delete(["s/c/dummy/0/0", "missing"]) == 1
    assert len(store.list()) == 2


def _claim_all(path: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    with RunStore(Path(path)) as store:
        mine = []
        while claimed := store.claim_pending(limit=1):
            mine += [r.run_id for r in claimed]
        out.put(mine)


def test_concurrent_claims_from_processes_never_overlap(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        store.add([record(seed) for seed in range(40)])
    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
    workers = [
        multiprocessing.get_context("spawn").Process(target=_claim_all, args=(str(path), queue)) for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    claims = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    every = [run_id for claim in claims for run_id in claim]
    assert len(every) == 40 and len(set(every)) == 40


CLAIM_AND_HANG = """
import sys, time
from pathlib import Path
from podium.runtime.store import RunStore
store = RunStore(Path(sys.argv[1]))
print(len(store.claim_pending(limit=2)), flush=True)
time.sleep(600)
"""


def test_runs_of_a_dead_owner_are_recovered_not_those_of_a_live_one(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        store.add([record(seed) for seed in range(3)])
    owner = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout and owner.stdout.readline().strip() == "2"
        with RunStore(path) as store:
            assert store.recover_orphans() == []  # its owner is alive
            owner.send_signal(signal.SIGKILL)
            owner.wait()
            assert sorted(store.recover_orphans()) == ["s/c/dummy/0/0", "s/c/dummy/1/0"]
            assert [r.status for r in store.list()] == ["pending"] * 3
            assert all(r.started_at is None for r in store.list())
    finally:
        owner.kill()
        owner.wait()


WRITE_FOREVER = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from pathlib import Path
    from podium.runtime.store import RunRecord, RunStore, run_id_for
    store = RunStore(Path(sys.argv[1]))
    for seed in range(100000):
        store.upsert(RunRecord(run_id=run_id_for("k", "c", "d", seed), suite="k", competition_id="c",
                               scaffold_id="d", seed=seed, status="succeeded", competition_sha256="a",
                               scaffold_sha256="b", created_at=datetime.now(timezone.utc), report={"n": seed}))
        print(seed, flush=True)
""")


def test_kill_9_loses_nothing_already_committed(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    writer = subprocess.Popen([sys.executable, "-c", WRITE_FOREVER, str(path)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    confirmed = -1
    deadline = time.monotonic() + 60
    while confirmed < 30 and time.monotonic() < deadline:
        confirmed = int(writer.stdout.readline())
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    with RunStore(path) as store:
        kept = {r.seed: r for r in store.list(suite="k")}
    assert set(range(confirmed + 1)) <= set(kept)  # every write reported done is there, and readable
    assert all(r.report == {"n": r.seed} for r in kept.values())


def test_an_unreadable_store_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "runs.sqlite"
    bad.write_text("this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the run store"):
        RunStore(bad)


def test_default_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STORE_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_runs_dir(tmp_path / "data") == tmp_path.resolve() / "runs"
    assert default_runs_dir() == tmp_path / "xdg" / "podium" / "runs"
    monkeypatch.setenv("PODIUM_DATA_DIR", str(tmp_path / "elsewhere" / "data"))
    assert default_store_path() == tmp_path.resolve() / "elsewhere" / "runs" / "runs.sqlite"
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "mine.sqlite"))
    assert default_store_path(tmp_path / "runs") == tmp_path / "mine.sqlite"
    assert json.loads(record(0).model_dump_json())["status"] == "pending"
