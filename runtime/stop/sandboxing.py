"""Run one Python program in the sandbox with a wall-clock limit: the STOP scaffold's only door to processes.

Candidate solutions and improvers are untrusted model output. Each runs through podium's
sandbox (`podium.runtime.sandbox.LocalSandbox`: bubblewrap with no network, the system
read-only, a uid of its own, rlimits; a plain process with rlimits where bubblewrap is missing),
with one writable folder mounted as its home, a scrubbed environment and a timeout after which
its whole process group is killed. The sandbox also counts the actions it denied.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from podium.runtime.sandbox import LocalSandbox, Mount, SandboxLimits
from podium.runtime.sandbox.base import STDERR_LOG, STDOUT_LOG

HOME = "/home/agent"  # where a program's folder appears inside the sandbox; its working folder
OUTPUT_TAIL = 4000  # characters of stdout/stderr kept for the record; enough for a traceback
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class ProgramRun:
    """How one program run ended; `denied_actions` counts what the sandbox refused."""

    returncode: int | None
    timed_out: bool
    seconds: float
    stdout: str
    stderr: str
    denied_actions: int = 0

    @property
    def succeeded(self) -> bool:
        return not self.timed_out and self.returncode == 0


@dataclass(frozen=True)
class Limits:
    """Per-program limits; STOP's tasks are small, so the defaults are tight."""

    timeout: float = 60.0
    memory: int = 4 * 2**30
    cpus: int = 1


@cache
def sandbox() -> LocalSandbox:
    return LocalSandbox("auto")


def program_env(limits: Limits, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """No API keys, tokens or podium settings reach a program: only what Python needs to start."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": HOME, "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}
    env.update(dict.fromkeys(THREAD_ENV, str(limits.cpus)))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def run_python(
    script: str,
    folder: Path,
    limits: Limits,
    *,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    cancel: threading.Event | None = None,
) -> ProgramRun:
    """Run `python -I script` with `folder` mounted writable as its home and working folder.

    `script` is a path inside the sandbox: relative to the home, or an absolute path of podium's
    own source (mounted read-only). Output goes to stdout.log and stderr.log in `log_dir`.
    """
    result = sandbox().run(
        [sys.executable, "-I", script],
        [Mount(folder, HOME, read_only=False)],
        SandboxLimits(cpus=limits.cpus, memory_bytes=limits.memory),
        program_env(limits, env),
        limits.timeout,
        log_dir=log_dir,
        cancel=cancel,
        workdir=HOME,
    )
    return ProgramRun(
        returncode=result.exit_code,
        timed_out=result.timed_out,
        seconds=result.wall_seconds,
        stdout=_tail(result.stdout_path),
        stderr=_tail(result.stderr_path),
        denied_actions=result.denied_actions,
    )


def _tail(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-OUTPUT_TAIL:].decode("utf-8", errors="replace")


__all__: Sequence[str] = [
    "HOME",
    "STDERR_LOG",
    "STDOUT_LOG",
    "Limits",
    "ProgramRun",
    "program_env",
    "run_python",
    "sandbox",
]
