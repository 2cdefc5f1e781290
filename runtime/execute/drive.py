"""The driver: claims pending runs from the store, feeds an executor, records what comes back.

    recover orphans ─▶ loop { claim while slots free ─▶ submit ─▶ collect ─▶ record } ─▶ done

The driver is the only writer of records in a `podium run`, whatever the executor; a claimed run
is `running` in the store only while it is in flight. On Ctrl-C (KeyboardInterrupt) it cancels
the runs in flight, records any that finished meanwhile, puts the rest back to pending, and
re-raises: the store stays consistent and `podium runs resume` picks up from there.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from podium.runtime.execute.executors import Executor, Outcome
from podium.runtime.execute.run import finished
from podium.runtime.store.records import RunRecord
from podium.runtime.store.runs import RunStore

COLLECT_SECONDS = 0.25
CANCEL_GRACE_SECONDS = 30.0


class Progress(Protocol):
    def started(self, record: RunRecord) -> None: ...

    def finished(self, record: RunRecord) -> None: ...

    def refresh(self) -> None: ...


class NoProgress:
    def started(self, record: RunRecord) -> None:
        pass

    def finished(self, record: RunRecord) -> None:
        pass

    def refresh(self) -> None:
        pass


def run_pending(
    store: RunStore,
    executor: Executor,
    *,
    run_ids: Sequence[str] | None = None,
    suite: str | None = None,
    progress: Progress | None = None,
) -> list[RunRecord]:
    """Run every pending run (of `run_ids`, else of `suite`, else all) to a finished record."""
    shown = progress or NoProgress()
    store.recover_orphans()
    in_flight: dict[str, RunRecord] = {}
    done: list[RunRecord] = []
    try:
        while True:
            refused = _fill(store, executor, in_flight, run_ids, suite, shown)
            done += refused
            if not in_flight and not refused:
                return done
            for outcome in executor.collect(COLLECT_SECONDS):
                done.append(_settle(store, in_flight.pop(outcome.run_id), outcome, shown))
            shown.refresh()
    except KeyboardInterrupt:
        _stop(store, executor, in_flight, done, shown)
        raise


def _fill(
    store: RunStore,
    executor: Executor,
    in_flight: dict[str, RunRecord],
    run_ids: Sequence[str] | None,
    suite: str | None,
    progress: Progress,
) -> list[RunRecord]:
    """Claim runs for the free slots and submit them; returns those the executor refused (failed)."""
    refused: list[RunRecord] = []
    free = executor.slots - len(in_flight)
    for record in store.claim_pending(suite=suite, run_ids=run_ids, limit=free) if free > 0 else []:
        try:
            executor.submit(record)
        except Exception as error:  # the executor refused it (Ray down, …): a failed run, not a crash
            outcome = Outcome(record.run_id, error=f"the executor could not start it: {error}")
            refused.append(_settle(store, record, outcome, progress))
            continue
        in_flight[record.run_id] = record
        progress.started(record)
    return refused


def _settle(store: RunStore, record: RunRecord, outcome: Outcome, progress: Progress) -> RunRecord:
    if outcome.cancelled:
        store.release([record.run_id])
        return record.model_copy(update={"status": "pending", "started_at": None})
    result = outcome.record or finished(record, "failed", error=outcome.error or "the run ended without a record")
    store.upsert(result)
    progress.finished(result)
    return result


def _stop(
    store: RunStore, executor: Executor, in_flight: dict[str, RunRecord], done: list[RunRecord], progress: Progress
) -> None:
    """Cancel what runs, keep what finished meanwhile, put the rest back to pending."""
    try:
        executor.cancel()
        deadline = time.monotonic() + CANCEL_GRACE_SECONDS
        while in_flight and time.monotonic() < deadline:
            for outcome in executor.collect(COLLECT_SECONDS):
                done.append(_settle(store, in_flight.pop(outcome.run_id), outcome, progress))
    finally:
        store.release_mine()
        executor.close()
