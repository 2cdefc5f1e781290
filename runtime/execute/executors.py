"""Executors: where runs execute. The driver (drive.py) claims runs and hands them over here.

    LocalExecutor(settings, workers)   a bounded pool of threads on this machine (each run's agent
                                       is its own sandboxed process; the thread supervises and grades)
    RayExecutor(settings, ...)         each run a Ray task (ray_executor.py), locally or on a cluster

An executor returns `Outcome`s: the finished record, or cancelled, or an error saying why the
executor itself could not run it. It never writes the store: records flow back to the driver.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol

from podium.runtime.execute.run import RunCancelled, RunSettings, execute_run
from podium.runtime.store.records import RunRecord


@dataclass(frozen=True)
class Outcome:
    run_id: str
    record: RunRecord | None = None  # the finished record
    cancelled: bool = False  # goes back to pending
    error: str | None = None  # the executor failed; the run is recorded as failed with this


class Executor(Protocol):
    slots: int  # how many runs it takes at once

    def submit(self, record: RunRecord) -> None: ...

    def collect(self, timeout: float) -> list[Outcome]:
        """Outcomes of runs that ended since the last call; waits up to `timeout` for the first."""
        ...

    def cancel(self) -> None:
        """Stop every run in flight; each comes back from `collect` as cancelled (or finished)."""
        ...

    def close(self) -> None: ...


class LocalExecutor:
    def __init__(self, settings: RunSettings, workers: int = 1):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.settings = settings
        self.slots = workers
        self._cancel = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="podium-run")
        self._futures: dict[Future[RunRecord], str] = {}

    def submit(self, record: RunRecord) -> None:
        future = self._pool.submit(execute_run, record, self.settings, self._cancel)
        self._futures[future] = record.run_id

    def collect(self, timeout: float) -> list[Outcome]:
        if not self._futures:
            return []
        done, _ = wait(self._futures, timeout=timeout, return_when=FIRST_COMPLETED)
        return [self._outcome(future, self._futures.pop(future)) for future in done]

    @staticmethod
    def _outcome(future: Future[RunRecord], run_id: str) -> Outcome:
        try:
            return Outcome(run_id, record=future.result())
        except RunCancelled:
            return Outcome(run_id, cancelled=True)
        except Exception as error:  # execute_run catches its own; this is a last resort
            return Outcome(run_id, error=f"the executor failed: {error!r}")

    def cancel(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
