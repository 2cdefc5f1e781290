"""The one small interface every sandbox implements, and what the sandboxes share.

    Sandbox.run(command, mounts, limits, env, timeout, log_dir=..., cancel=...) -> SandboxResult

A sandbox starts one command with the agent container contract's folders mounted (`Mount`
pairs a host path with the path the agent sees), enforces `SandboxLimits` from outside the
agent's process, and always returns a `SandboxResult`: a crash, a timeout or a cancel is a
result, never an exception. Only a sandbox that cannot start at all raises `SandboxError`.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

STDOUT_LOG, STDERR_LOG = "stdout.log", "stderr.log"
DEFAULT_MAX_PROCESSES = 512
DEFAULT_MAX_FILE_SIZE = 512 * 2**20  # one file; a runaway submission or log stops here
DEFAULT_TMP_SIZE = 2 * 2**30
# Errors an agent hits when the sandbox refuses something; counted in its stderr (see count_denials).
DENIAL_PATTERNS = (
    r"Network is unreachable",
    r"Temporary failure in name resolution",
    r"Name or service not known",
    r"Permission denied",
    r"Read-only file system",
    r"Operation not permitted",
    r"File too large",
    r"Resource temporarily unavailable",  # fork refused by the process limit
)
_DENIAL = re.compile("|".join(DENIAL_PATTERNS))
DENIAL_SCAN_BYTES = 2**20


class SandboxError(Exception):
    """The sandbox cannot run anything (a missing tool, an unreachable daemon); the message says what to do."""


@dataclass(frozen=True)
class Mount:
    """`source` on the host appears at `target` inside; read-only unless said otherwise."""

    source: Path
    target: str
    read_only: bool = True


@dataclass(frozen=True)
class SandboxLimits:
    """Limits enforced from outside the agent: by the kernel (rlimits, cgroups) or by the runtime."""

    cpus: float = 1.0
    memory_bytes: int = 4 * 2**30
    gpus: int = 0
    max_processes: int = DEFAULT_MAX_PROCESSES
    max_file_bytes: int = DEFAULT_MAX_FILE_SIZE
    disk_bytes: int | None = None  # total the agent may write into its writable mounts
    tmp_bytes: int = DEFAULT_TMP_SIZE

    @property
    def threads(self) -> int:
        return max(1, int(self.cpus + 0.999))


@dataclass(frozen=True)
class SandboxResult:
    exit_code: int | None  # negative: killed by that signal; None: never finished
    timed_out: bool
    wall_seconds: float
    cpu_seconds: float | None
    max_rss_bytes: int | None
    denied_actions: int
    stdout_path: Path
    stderr_path: Path
    isolation: str  # bwrap, plain (not isolated), docker
    cancelled: bool = False
    disk_exceeded: bool = False
    notes: tuple[str, ...] = ()
    started: bool = True  # False: the sandbox itself failed to start (its error is in stderr)


class Sandbox(Protocol):
    isolation: str

    def run(
        self,
        command: Sequence[str],
        mounts: Sequence[Mount],
        limits: SandboxLimits,
        env: Mapping[str, str],
        timeout: float,
        *,
        log_dir: Path,
        cancel: threading.Event | None = None,
        workdir: str = "/home/agent",
    ) -> SandboxResult: ...


@dataclass
class Watch:
    """What a sandbox's wait loop watches besides the process: the deadline, a cancel, the disk."""

    timeout: float
    cancel: threading.Event | None
    writable: list[Path]
    disk_bytes: int | None
    started: float = field(default_factory=time.monotonic)
    _disk_checked: float = 0.0
    _disk_every: float = 0.2

    def stop_reason(self) -> str | None:
        """'timeout', 'cancel', 'disk' or None: why the run must be stopped now."""
        now = time.monotonic()
        if self.cancel is not None and self.cancel.is_set():
            return "cancel"
        if now - self.started >= self.timeout:
            return "timeout"
        if self.disk_bytes is not None and now - self._disk_checked >= self._disk_every:
            used = bytes_used(self.writable)
            self._disk_checked = time.monotonic()
            # A big tree is walked less often: the check never takes more than a tenth of the time.
            self._disk_every = max(0.2, 10 * (self._disk_checked - now))
            if used > self.disk_bytes:
                return "disk"
        return None

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def wait_for(done: Callable[[float], bool], watch: Watch, poll: float = 0.05) -> str | None:
    """Call `done(poll)` until it says the process ended (None) or a stop reason appears."""
    while not done(poll):
        reason = watch.stop_reason()
        if reason is not None:
            return reason
    return None


def bytes_used(folders: Iterable[Path]) -> int:
    """Bytes allocated under the folders (sparse files count what they really use)."""
    total = 0
    for folder in folders:
        for root, _, files in os.walk(folder):
            for name in files:
                try:
                    total += os.lstat(os.path.join(root, name)).st_blocks * 512
                except OSError:
                    continue  # removed while walking
    return total


def count_denials(*logs: Path) -> int:
    """Refusals visible in the agent's own output (its stdout and stderr logs): unreachable network,
    denied paths, read-only folders, too-large files, refused forks. A heuristic: the kernel does
    not report refusals, so one that the agent swallowed silently is not counted."""
    return sum(len(_DENIAL.findall(_tail(path))) for path in logs)


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - DENIAL_SCAN_BYTES))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def stop_note(reason: str | None, limits: SandboxLimits, timeout: float) -> tuple[str, ...]:
    from podium.runtime.spec.units import format_duration

    notes = {
        "timeout": f"killed after the wall-clock limit of {format_duration(timeout)}",
        "cancel": "stopped: the run was cancelled",
        "disk": f"killed: wrote more than the disk limit of {human_size(limits.disk_bytes or 0)}",
    }
    return (notes[reason],) if reason else ()


def signal_note(exit_code: int | None) -> tuple[str, ...]:
    """What a death by signal means for an agent under rlimits."""
    import signal

    meanings: dict[int, str] = {
        signal.SIGXFSZ: "killed: a file reached the file-size limit",
        signal.SIGXCPU: "killed: the CPU-time limit was reached",
        signal.SIGKILL: "killed (SIGKILL: out of memory, or the runtime stopped it)",
        signal.SIGSEGV: "crashed with a segmentation fault (possibly the memory limit)",
    }
    if exit_code is None or exit_code >= 0:
        return ()
    return (meanings.get(-exit_code, f"killed by signal {-exit_code}"),)


def human_size(size: int) -> str:
    """`16GiB` for sizes written in binary units, else decimal megabytes (`20MB`)."""
    from podium.runtime.spec.units import format_size

    shown = format_size(size)
    return shown if not shown.endswith("B") or shown.endswith("iB") else f"{size / 1e6:g}MB"
