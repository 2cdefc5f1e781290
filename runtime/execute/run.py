"""One run, start to finish: data, sandbox, submission, grade, record.

    packages ─▶ prepared data ─▶ run folder + task card ─▶ agent in the sandbox (validator serving)
             ─▶ submission ─▶ grade + place ─▶ the finished RunRecord

`execute_run` never raises for what an agent does: a crash, a hang, a missing or huge submission
are statuses (failed, timed-out, invalid) with an error sentence. It raises only `RunCancelled`
(the runtime was asked to stop; the run goes back to pending).
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import stat
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from podium.runtime.execute.contract import (
    USAGE_FILE,
    RunDirs,
    agent_env,
    agent_mounts,
    write_task_card,
)
from podium.runtime.execute.model_service import CassetteSetting, ModelSetupError, serve_model
from podium.runtime.execute.packages import Packages, ScaffoldPackage
from podium.runtime.execute.validation import ValidationService
from podium.runtime.sandbox import LocalSandbox, Sandbox, SandboxError, SandboxLimits, SandboxResult
from podium.runtime.sandbox.base import DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_PROCESSES
from podium.runtime.store.records import Resources, RunRecord, RunStatus, Usage

if TYPE_CHECKING:
    from podium.runtime.grading.report import GradingReport
    from podium.runtime.package import Package
    from podium.runtime.spec import ResolvedCompetition

Backend = Literal["local", "docker"]
MAX_SUBMISSION_BYTES = 256 * 2**20  # larger is refused before parsing: no CSV answer is that big
USAGE_MAX_BYTES = 64 * 2**10
LLM_JOURNAL = "llm"  # <run dir>/llm/: the model calls as the runtime logged them, out of the agent's reach
STDERR_TAIL_LINES = 1  # the last line: for a Python agent, the exception; the rest is in logs/stderr.log


class RunCancelled(Exception):
    """The runtime stopped this run (Ctrl-C, cancel); it should go back to pending."""


class RunSetupError(Exception):
    """The run could not start: packages, data. The message is the record's error."""


@dataclass(frozen=True)
class RunSettings:
    """What every run of one `podium run` shares. Picklable: Ray ships it to its workers."""

    packages_dir: Path
    data_dir: Path
    backend: Backend = "local"
    isolation: Literal["auto", "bwrap", "plain"] = "auto"
    max_processes: int = DEFAULT_MAX_PROCESSES
    max_file_bytes: int = DEFAULT_MAX_FILE_SIZE
    docker: dict[str, Any] = field(default_factory=dict)  # DockerSandbox options (base_url, base_image)
    llm_cassette: CassetteSetting | None = None  # record or replay the model calls of the run

    @property
    def packages(self) -> Packages:
        return Packages(self.packages_dir)


def execute_run(record: RunRecord, settings: RunSettings, cancel: threading.Event | None = None) -> RunRecord:
    """Run `record` (status running) to its finished record."""
    try:
        return _execute(record, settings, cancel)
    except RunCancelled:
        raise
    except (RunSetupError, ModelSetupError) as error:
        return finished(record, "failed", error=str(error))
    except Exception as error:  # a runtime bug must fail one run, not the suite
        detail = "".join(traceback.format_exception_only(error)).strip()
        return finished(record, "failed", error=f"the runtime failed on this run: {detail}")


def _execute(record: RunRecord, settings: RunSettings, cancel: threading.Event | None) -> RunRecord:
    package, scaffold = load_packages(record, settings)
    competition = package.competition
    data_dir = Path(record.data_dir) if record.data_dir else settings.data_dir
    public = ensure_prepared(package, data_dir)
    dirs = RunDirs(Path(record.run_dir or "")).create()
    write_task_card(dirs, competition, public, record.seed)
    limits = sandbox_limits(competition, settings)
    sandbox = make_sandbox(settings, scaffold)
    local = settings.backend == "local"
    answers = answers_path(competition, data_dir)
    with (
        serve_model(scaffold.spec, dirs.root / LLM_JOURNAL, dirs.logs, settings.llm_cassette) as model,
        ValidationService(dirs.validate, competition, answers, dirs.validator_log, MAX_SUBMISSION_BYTES) as validator,
    ):
        result = sandbox.run(
            scaffold.command(sys.executable if local else "python"),
            agent_mounts(dirs, public, scaffold.agent_dir) + model.mounts,
            limits,
            agent_env(competition.id, record.run_id, record.seed, limits, local) | model.env,
            competition.limits.time,
            log_dir=dirs.logs,
            cancel=cancel,
        )
    if result.cancelled:
        raise RunCancelled(record.run_id)
    report = grade_run(dirs.submission_file, competition, answers)
    status, error = classify(result, report)
    error = "; ".join(part for part in (error, model.budget_note()) if part) or None
    return finished(
        record.model_copy(update={"competition_sha256": package.spec_sha256, "scaffold_sha256": scaffold.spec_sha256}),
        status,
        error=error,
        report=report.to_json_dict(),
        resources=Resources(
            wall_seconds=result.wall_seconds,
            cpu_seconds=result.cpu_seconds,
            max_rss_bytes=result.max_rss_bytes,
            denied_actions=result.denied_actions,
        ),
        usage=model.usage(read_usage(dirs.logs / USAGE_FILE, validator.calls)),
        exit_code=result.exit_code,
        sandbox=result.isolation,
    )


def finished(record: RunRecord, status: RunStatus, **fields: Any) -> RunRecord:
    return record.model_copy(update={"status": status, "finished_at": datetime.now(timezone.utc), **fields})


def load_packages(record: RunRecord, settings: RunSettings) -> tuple[Package, ScaffoldPackage]:
    from podium.runtime.package import PackageError

    try:
        return settings.packages.competition(record.competition_id), settings.packages.scaffold(record.scaffold_id)
    except PackageError as error:
        raise RunSetupError(str(error)) from None


def ensure_prepared(package: Package, data_dir: Path) -> Path:
    """The public data folder, prepared first if needed (once at a time per competition)."""
    from podium.runtime.data import paths
    from podium.runtime.data.prepare import prepare_competition
    from podium.runtime.data.sources import DataError

    competition = package.competition
    try:
        with _competition_lock(data_dir, competition.id):
            prepare_competition(competition, data_dir, spec_dir=package.hooks_dir)
    except (DataError, OSError) as error:
        raise RunSetupError(f"cannot prepare the data of {competition.id}: {error}") from None
    return paths.public_dir(competition.id, data_dir)


_THREAD_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextmanager
def _competition_lock(data_dir: Path, competition_id: str) -> Iterator[None]:
    """Prepare builds in a folder named by pid: threads of one process, and processes (Ray workers),
    must take turns."""
    key = (str(data_dir), competition_id)
    with _THREAD_LOCKS_GUARD:
        thread_lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
    folder = data_dir / competition_id
    folder.mkdir(parents=True, exist_ok=True)
    with thread_lock, (folder / ".prepare.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def answers_path(competition: ResolvedCompetition, data_dir: Path) -> Path:
    from podium.runtime.data import paths

    return paths.private_dir(competition.id, data_dir) / competition.prepare.answers


def sandbox_limits(competition: ResolvedCompetition, settings: RunSettings) -> SandboxLimits:
    limits = competition.limits
    largest_file = min(settings.max_file_bytes, limits.disk) if limits.disk else settings.max_file_bytes
    return SandboxLimits(
        cpus=limits.cpus,
        memory_bytes=limits.memory,
        gpus=limits.gpus,
        max_processes=settings.max_processes,
        max_file_bytes=largest_file,
        disk_bytes=limits.disk,
    )


def make_sandbox(settings: RunSettings, scaffold: ScaffoldPackage) -> Sandbox:
    if settings.backend == "local":
        return _local_sandbox(settings.isolation)
    from podium.runtime.sandbox.docker import DockerSandbox

    try:
        return DockerSandbox.for_scaffold(scaffold, **settings.docker)
    except SandboxError as error:
        raise RunSetupError(str(error)) from None


@functools.cache
def _local_sandbox(isolation: Literal["auto", "bwrap", "plain"]) -> LocalSandbox:
    return LocalSandbox(isolation)  # one per process: the not-isolated warning is said once


# ── grading and the outcome ─────────────────────────────────────────────────────────────────


def grade_run(submission: Path, competition: ResolvedCompetition, answers: Path) -> GradingReport:
    """Grade what the agent left; a link, a non-file or an oversized file is invalid unread."""
    from podium.runtime.grading.grade import GRADING_FAILURES, grade_submission
    from podium.runtime.grading.report import failed_report

    refused = refuse_submission(submission)
    if refused is not None:
        report = failed_report(competition.id, str(submission), refused)
        return report.model_copy(update={"outcome": "invalid", "submission_exists": True})
    try:
        leaderboard, note = _leaderboard(competition)
        return grade_submission(submission, competition, answers, leaderboard, leaderboard_note=note)
    except GRADING_FAILURES as error:
        return failed_report(competition.id, str(submission), f"grading failed: {error}")


def refuse_submission(path: Path) -> str | None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None  # the grader reports a missing submission in its own words
    if stat.S_ISLNK(info.st_mode):
        return f"{path.name} is a symbolic link; write the predictions to a regular file"
    if not stat.S_ISREG(info.st_mode):
        return f"{path.name} is not a regular file"
    if info.st_size > MAX_SUBMISSION_BYTES:
        return f"{path.name} is {info.st_size:,} bytes, more than the {MAX_SUBMISSION_BYTES:,} podium grades"
    return None


def _leaderboard(competition: ResolvedCompetition) -> tuple[Any, str | None]:
    """The checked leaderboard, or None and why not: a missing leaderboard is a note, not a failure
    (a None note lets the grader say it in its own words)."""
    from podium.runtime.grading.leaderboard import LeaderboardError, load_leaderboard

    try:
        board = load_leaderboard(
            competition.id, pin=competition.leaderboard.sha256, direction=competition.grader.direction
        )
    except LeaderboardError as error:
        return None, f"leaderboard not used: {error}"
    return board, None


def classify(result: SandboxResult, report: GradingReport) -> tuple[RunStatus, str | None]:
    """The run's status and error sentence from how the agent ended and how its submission graded."""
    notes = "; ".join(result.notes)
    if not result.started:
        return "failed", f"the sandbox could not start: {stderr_tail(result.stderr_path)}"
    if result.timed_out:
        return "timed-out", notes
    if result.disk_exceeded:
        return "failed", notes
    if result.exit_code != 0:
        said = stderr_tail(result.stderr_path)
        because = f" ({notes})" if notes else ""
        return "failed", f"the agent exited with code {result.exit_code}{because}" + (f": {said}" if said else "")
    if report.outcome == "failed":
        return "failed", report.error
    return ("succeeded", None) if report.valid_submission else ("invalid", report.error)


def stderr_tail(path: Path, lines: int = STDERR_TAIL_LINES, limit: int = 600) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - 16384))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept)[-limit:]


def read_usage(path: Path, validator_calls: int) -> Usage:
    """What the agent says it spent (`/home/logs/usage.json`, optional); unreadable means nothing."""
    usage: dict[str, Any] = {}
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as handle:
            data = json.loads(handle.read(USAGE_MAX_BYTES))
        fields = set(Usage.model_fields) - {"validator_calls"}
        usage = {key: value for key, value in data.items() if key in fields} if isinstance(data, dict) else {}
        return Usage.model_validate({**usage, "validator_calls": validator_calls})
    except (OSError, ValueError, ValidationError):
        return Usage(validator_calls=validator_calls)
