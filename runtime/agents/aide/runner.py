"""Running one node's program: a subprocess in its own folder and process group, under a timeout.

The program runs as `python solution.py` in `<code>/node_<id>/`, must write `submission.csv`
there and print, as its last structured line, `{"podium_metric": <float>}`: its own validation
score. On timeout the whole process group is killed, so a program that forks workers or hangs
never outlives its step. Output goes to files, never pipes, so a chatty program cannot block.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

METRIC_KEY = "podium_metric"
PROGRAM = "solution.py"
STDOUT, STDERR = "stdout.txt", "stderr.txt"
TAIL_BYTES = 64 * 1024
STDOUT_TAIL_CHARS, STDERR_TAIL_CHARS = 1500, 2500
KILL_GRACE_SECONDS = 5.0

# Metrics whose values lie in a known range: a value outside it is a bug in the program's
# validation code (accuracy 10.73 is a percentage or a sum), never a real score.
# Words are the metric name's parts ("mean-column-auc" -> mean, column, auc).
UNIT_RANGE_WORDS = frozenset({"accuracy", "auc", "f1", "precision", "recall", "map", "dice", "iou", "jaccard", "top1"})
SIGNED_UNIT_WORDS = frozenset({"kappa", "corrcoef", "correlation", "spearman", "pearson", "matthews", "mcc"})
NON_NEGATIVE_WORDS = frozenset({"rmse", "mse", "mae", "rmsle", "mcrmse", "loss", "error", "divergence", "distance"})


@dataclass(frozen=True)
class Execution:
    exit_code: int | None
    timed_out: bool
    seconds: float
    stdout_tail: str
    stderr_tail: str
    metric: float | None
    metric_problem: str | None  # why no usable metric was printed; None when `metric` is one

    @property
    def output_tail(self) -> str:
        return f"--- stdout (end) ---\n{self.stdout_tail}\n--- stderr (end) ---\n{self.stderr_tail}".strip()


def run_program(folder: Path, code: str, timeout: float, env: Mapping[str, str]) -> Execution:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROGRAM).write_text(code, encoding="utf-8")
    started = time.monotonic()
    with (folder / STDOUT).open("wb") as stdout, (folder / STDERR).open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, PROGRAM],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=dict(env),
            start_new_session=True,  # its own process group: one kill stops it and every child
        )
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(process)
    seconds = time.monotonic() - started
    out, err = _tail(folder / STDOUT), _tail(folder / STDERR)
    metric, problem = parse_metric(out)
    return Execution(
        process.returncode,
        timed_out,
        seconds,
        out[-STDOUT_TAIL_CHARS:],
        err[-STDERR_TAIL_CHARS:],
        metric,
        problem,
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the program's process group, then reap the program."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(process.pid, signal.SIGKILL)
    try:
        process.wait(timeout=KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - TAIL_BYTES))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def parse_metric(stdout: str) -> tuple[float | None, str | None]:
    """The value of the last `{"podium_metric": …}` line, or why there is none."""
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if METRIC_KEY not in line or not line.startswith("{"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return None, f"the last {METRIC_KEY} line is not valid JSON: {line[:200]}"
        value = data.get(METRIC_KEY) if isinstance(data, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"{METRIC_KEY} must be a number, got {value!r}"
        return float(value), None
    return None, f'the program printed no final line {{"{METRIC_KEY}": <validation score>}}'


def metric_problem(metric: str | None, value: float) -> str | None:
    """Why `value` cannot be a real validation score of `metric`; None when it can."""
    if not math.isfinite(value):
        return f"the validation score is {value}, not a finite number"
    words = set(re.split(r"[^a-z0-9]+", (metric or "").lower()))
    if words & UNIT_RANGE_WORDS and not 0.0 <= value <= 1.0:
        return f"{metric} = {value} is impossible (it lies between 0 and 1); the validation code is wrong"
    if words & SIGNED_UNIT_WORDS and not -1.0 <= value <= 1.0:
        return f"{metric} = {value} is impossible (it lies between -1 and 1); the validation code is wrong"
    if words & NON_NEGATIVE_WORDS and value < 0:
        return f"{metric} = {value} is impossible (it is never negative); the validation code is wrong"
    return None
