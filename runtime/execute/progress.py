"""A live view of a suite: one bar per running run (elapsed against its time limit), a line per
finished run, and a total with how many succeeded, were invalid, failed or timed out."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn

from podium.runtime.spec.units import format_duration
from podium.runtime.store.records import RunRecord

STATUS_STYLE = {"succeeded": "green", "invalid": "yellow", "failed": "red", "timed-out": "magenta"}


class RunProgress:
    """Implements drive.Progress; use as a context manager around `run_pending`."""

    def __init__(self, total: int, time_limits: Mapping[str, float], console: Console | None = None):
        self.time_limits = time_limits
        self.counts: Counter[str] = Counter()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[clock]}"),
            console=console,
            transient=False,
        )
        self._total = self._progress.add_task("runs", total=total, clock="")
        self._running: dict[str, tuple[TaskID, float]] = {}

    def __enter__(self) -> RunProgress:
        self._progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._progress.stop()

    def started(self, record: RunRecord) -> None:
        limit = self.time_limits.get(record.competition_id, 0.0)
        task = self._progress.add_task(_label(record), total=limit or None, clock=_clock(0.0, limit))
        self._running[record.run_id] = (task, time.monotonic())

    def finished(self, record: RunRecord) -> None:
        task, _ = self._running.pop(record.run_id, (None, 0.0))
        if task is not None:
            self._progress.remove_task(task)
        self.counts[record.status] += 1
        self._progress.advance(self._total)
        self._progress.update(self._total, description=f"runs ({self._summary()})")
        self._progress.console.print(_finished_line(record), highlight=False)

    def refresh(self) -> None:
        now = time.monotonic()
        for run_id, (task, started) in self._running.items():
            limit = self.time_limits.get(run_id.split("/")[1], 0.0)
            self._progress.update(task, completed=min(now - started, limit or 0.0), clock=_clock(now - started, limit))

    def _summary(self) -> str:
        return ", ".join(f"{count} {status}" for status, count in sorted(self.counts.items()))


def _label(record: RunRecord) -> str:
    return f"{record.competition_id} · {record.scaffold_id} · seed {record.seed}"


def _clock(elapsed: float, limit: float) -> str:
    shown = f"{elapsed:.0f}s"
    return f"{shown} / {format_duration(limit)}" if limit else shown


def _finished_line(record: RunRecord) -> str:
    style = STATUS_STYLE.get(record.status, "white")
    score = (record.report or {}).get("score")
    seconds = record.resources.wall_seconds
    parts = [f"[{style}]{record.status}[/]", _label(record)]
    if score is not None:
        parts.append(f"score {score}")
    if seconds is not None:
        parts.append(f"{seconds:.1f}s")
    return "  ".join(parts)
