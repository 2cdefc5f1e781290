"""Run one improver: `improve(solution, utility, lm)` in its own process, served and metered from here.

The improver's process (`_improver_child.py`) holds proxies only. This side owns everything
that must not be in reach of the improver: the utility (which runs solutions in their own
sandboxes and holds the answers), the language-model gateway and every budget. A call over a
budget stops the improver at once (its process group is killed) and the outcome names the
limit; so does the wall clock. An exception inside the improver is an outcome, not a crash.
"""

from __future__ import annotations

import json
import os
import select
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from podium.runtime.llm import BudgetExceeded, Gateway, LLMError, ReplayMiss
from podium.runtime.stop.budget import CallBudget, Deadline, LimitReached
from podium.runtime.stop.programs import largest_code_block
from podium.runtime.stop.sandboxing import HOME, STDERR_LOG, Limits, run_python

CHILD_SCRIPT = Path(__file__).with_name("_improver_child.py")
SOCKET_ENV = "STOP_IMPROVER_SOCKET"
SOCKET_NAME = "rpc.sock"
CONNECT_SECONDS = 60.0  # a Python start with numpy on a loaded machine, with room to spare
LINE_LIMIT = 64 * 2**20  # one request; a larger one is an attack on the runtime, not a program
OutcomeStatus = Literal["returned", "failed", "budget-exceeded", "timed-out", "invalid-return", "crashed"]
ProgramKind = Literal["lm-answer", "utility-call", "returned"]


class Objective(Protocol):
    """What an improver is given as `utility`: a description, and scoring charged to a budget."""

    description: str
    keep_input: bool

    def charged(self, program: str, budget: CallBudget) -> float: ...


@dataclass(frozen=True)
class ModelAccess:
    """How improver runs reach the model: a fresh metered gateway per run, and sampling defaults."""

    new_gateway: Callable[[str], Gateway]  # label of the run -> gateway with a fresh budget
    samples_per_call: int
    temperature: float
    system_prompt: str
    max_tokens: int | None = None


@dataclass(frozen=True)
class ImproveOutcome:
    """How one improver run ended. `solution` is set only when the improver returned a string."""

    status: OutcomeStatus
    solution: str | None
    error: str | None = None
    limit: str | None = None  # the budget that stopped it
    utility_calls: int = 0
    llm_calls: int = 0
    samples: int = 0
    tokens: int = 0
    cost_usd: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The outcome as the run log records it (programs by hash elsewhere, no timings)."""
        return {key: value for key, value in asdict(self).items() if key != "solution"}


ProgramWatcher = Callable[[ProgramKind, str], None]


@dataclass
class ImproverRun:
    """One `improve(solution, utility, lm)` call under its own budgets."""

    improver: str
    solution: str
    objective: Objective
    utility_budget: CallBudget
    gateway: Gateway
    access: ModelAccess
    deadline: Deadline
    limits: Limits
    log_dir: Path
    watch: ProgramWatcher = field(default=lambda kind, program: None)

    def run(self) -> ImproveOutcome:
        with tempfile.TemporaryDirectory(prefix="stop-") as folder:  # short: a socket path has 108 bytes
            home = Path(folder)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
                server.bind(str(home / SOCKET_NAME))
                os.chmod(home / SOCKET_NAME, 0o666)  # the improver runs as the sandbox's own uid
                server.listen(1)
                cancel = threading.Event()
                process = threading.Thread(target=self._process, args=(home, cancel), daemon=True)
                process.start()
                try:
                    return self._serve(server, process)
                finally:
                    cancel.set()  # the sandbox kills the improver's process group
                    process.join()

    def _process(self, home: Path, cancel: threading.Event) -> None:
        # The process lives as long as the run's own wall clock (an iteration's can exceed one improve call's).
        seconds = self.deadline.remaining if self.deadline.remaining is not None else self.limits.timeout
        limits = Limits(timeout=seconds + 5.0, memory=self.limits.memory, cpus=1)
        env = {SOCKET_ENV: f"{HOME}/{SOCKET_NAME}"}
        run_python(str(CHILD_SCRIPT), home, limits, log_dir=self.log_dir, env=env, cancel=cancel)

    def _serve(self, server: socket.socket, process: threading.Thread) -> ImproveOutcome:
        connect_by = time.monotonic() + self.deadline.cap(CONNECT_SECONDS)
        server.settimeout(0.2)
        while True:
            try:
                connection, _ = server.accept()
                break
            except TimeoutError:
                if not process.is_alive() or time.monotonic() > connect_by:
                    return self._outcome("crashed", error=f"the improver process did not start: {self._stderr()}")
        with connection:
            channel = _Channel(connection)
            channel.send({"improver": self.improver, "solution": self.solution, **self._job()})
            return self._loop(channel)

    def _job(self) -> dict[str, Any]:
        return {
            "description": self.objective.description,
            "keep_input": self.objective.keep_input,
            "samples_per_call": self.access.samples_per_call,
            "temperature": self.access.temperature,
        }

    def _loop(self, channel: _Channel) -> ImproveOutcome:
        while True:
            remaining = self.deadline.remaining
            request = channel.receive(remaining)
            if request is _TIMED_OUT:
                return self._outcome("timed-out", error=f"ran over its wall-clock budget of {self.deadline.seconds:g}s")
            if request is None:
                return self._outcome("crashed", error=f"the improver process ended without a result: {self._stderr()}")
            try:
                finished = self._handle(request, channel)
            except (LimitReached, BudgetExceeded) as stop:
                return self._outcome("budget-exceeded", error=str(stop), limit=stop.limit)
            if finished is not None:
                return finished
            if self.deadline.expired:
                return self._outcome("timed-out", error=f"ran over its wall-clock budget of {self.deadline.seconds:g}s")

    def _handle(self, request: Any, channel: _Channel) -> ImproveOutcome | None:
        op = request.get("op") if isinstance(request, dict) else None
        if op == "result":
            return self._returned(request)
        if op == "failed":
            error = f"{request.get('type')}: {request.get('message')}\n{request.get('traceback', '')}".strip()
            return self._outcome("failed", error=error)
        handlers = {
            "utility": self._utility,
            "utility.budget": lambda _: self.utility_budget.remaining,
            "lm.sample": self._sample,
            "lm.budget": lambda _: self._samples_left(),
        }
        handler = handlers.get(op)  # type: ignore[arg-type]
        if handler is None:
            channel.reply_error(f"unknown request {op!r}")
            return None
        try:
            channel.reply(handler(request))
        except _Refused as refused:
            channel.reply_error(str(refused))
        return None

    def _returned(self, request: dict[str, Any]) -> ImproveOutcome:
        solution = request.get("solution")
        if not isinstance(solution, str):
            return self._outcome("invalid-return", error=f"improve returned {request.get('returned_type')}, not str")
        self.watch("returned", solution)
        return self._outcome("returned", solution=solution)

    def _utility(self, request: dict[str, Any]) -> float:
        program = request.get("program")
        if not isinstance(program, str):
            raise _Refused(f"utility takes a program as a str, not {type(program).__name__}")
        self.watch("utility-call", program)
        return self.objective.charged(program, self.utility_budget)

    def _sample(self, request: dict[str, Any]) -> list[str]:
        prompt, n, system = request.get("prompt"), request.get("n", 1), request.get("system")
        temperature = request.get("temperature")
        if not isinstance(prompt, str) or not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise _Refused("lm.sample takes a prompt (str) and n (an int >= 1)")
        if not (system is None or isinstance(system, str)) or not (
            temperature is None or isinstance(temperature, int | float)
        ):
            raise _Refused("lm.sample: system must be a str and temperature a number")
        messages = [
            {"role": "system", "content": system or self.access.system_prompt},
            {"role": "user", "content": prompt},
        ]
        try:
            completion = self.gateway.complete(
                messages,
                n=n,
                temperature=self.access.temperature if temperature is None else float(temperature),
                max_tokens=self.access.max_tokens,
            )
        except (BudgetExceeded, ReplayMiss):
            raise
        except LLMError as error:  # the endpoint failed after retries: the improver may carry on
            raise _Refused(str(error)) from None
        for answer in completion.choices:
            if (code := largest_code_block(answer)) is not None:
                self.watch("lm-answer", code)
        return list(completion.choices)

    def _samples_left(self) -> int | None:
        limit = self.gateway.budget.limits.samples
        return None if limit is None else max(limit - self.gateway.budget.samples, 0)

    def _outcome(
        self, status: OutcomeStatus, *, solution: str | None = None, error: str | None = None, limit: str | None = None
    ) -> ImproveOutcome:
        spent = self.gateway.budget
        return ImproveOutcome(
            status=status,
            solution=solution,
            error=error,
            limit=limit,
            utility_calls=self.utility_budget.used,
            llm_calls=spent.calls,
            samples=spent.samples,
            tokens=spent.tokens,
            cost_usd=round(spent.cost_usd, 6),
        )

    def _stderr(self) -> str:
        try:
            lines = (self.log_dir / STDERR_LOG).read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "no error output"
        return lines[-1][:500] if lines else "no error output"


class _Refused(Exception):
    """A request the runtime answers with an error the improver can catch."""


_TIMED_OUT = object()


class _Channel:
    """Newline-delimited JSON over the improver's socket, with a deadline on every read."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.pending = b""

    def send(self, message: dict[str, Any]) -> None:
        self.connection.sendall(json.dumps(message).encode("utf-8") + b"\n")

    def reply(self, value: Any) -> None:
        self.send({"value": value})

    def reply_error(self, message: str) -> None:
        self.send({"error": {"type": "refused", "message": message}})

    def receive(self, timeout: float | None) -> Any:
        """The next request; None when the process hung up or sent garbage; _TIMED_OUT at the deadline."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.pending:
            wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            ready, _, _ = select.select([self.connection], [], [], wait)
            if not ready:
                return _TIMED_OUT
            chunk = self.connection.recv(1 << 16)
            if not chunk or len(self.pending) > LINE_LIMIT:
                return None
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            return None
