"""Budget accounting: every limit checked before a call, every call charged after it.

The first refusal is final: once a limit has stopped the agent, every later call is refused
with the same limit, so a run ends in one well-defined budget state whatever the agent does.
A call is admitted while the spent amount is under the limit, so the call that crosses the
tokens or dollars limit is served and charged whole; calls and samples are never exceeded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from podium.runtime.llm.errors import BudgetExceeded, LimitName
from podium.runtime.llm.types import BudgetLimits


class Budget:
    """Thread-safe spend counters against `BudgetLimits`; the wall clock starts at creation."""

    def __init__(self, limits: BudgetLimits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or BudgetLimits()
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self.calls = 0
        self.samples = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.cost_usd = 0.0
        self.refused = 0
        self.exceeded: LimitName | None = None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def elapsed_s(self) -> float:
        return self._clock() - self._started

    def remaining_wall_s(self) -> float | None:
        """Seconds left before the wall-time limit, for the call's timeout; None without a limit."""
        if self.limits.wall_time is None:
            return None
        return max(0.0, self.limits.wall_time - self.elapsed_s())

    def admit(self, n: int) -> None:
        """Reserve one call of `n` samples, or raise BudgetExceeded naming the limit that refuses it.

        A request that then fails still counts as a call with its samples: it may have cost the
        endpoint work, and a failing endpoint must not let an agent retry without end.
        """
        with self._lock:
            limit = self.exceeded or self._refusing_limit(n)
            if limit is not None:
                self.exceeded = limit
                self.refused += 1
                raise BudgetExceeded(limit, self._describe(limit))
            self.calls += 1
            self.samples += n

    def charge(self, prompt_tokens: int, completion_tokens: int, cost_usd: float) -> None:
        with self._lock:
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.cost_usd += cost_usd

    def _refusing_limit(self, n: int) -> LimitName | None:
        limits = self.limits
        checks: list[tuple[LimitName, bool]] = [
            ("wall_time", limits.wall_time is not None and self.elapsed_s() >= limits.wall_time),
            ("llm_calls", limits.llm_calls is not None and self.calls + 1 > limits.llm_calls),
            ("samples", limits.samples is not None and self.samples + n > limits.samples),
            ("tokens", limits.tokens is not None and self.tokens >= limits.tokens),
            ("dollars", limits.dollars is not None and self.cost_usd >= limits.dollars),
        ]
        return next((name for name, refuses in checks if refuses), None)

    def _describe(self, limit: LimitName) -> str:
        spent = {
            "llm_calls": f"{self.calls} calls made",
            "samples": f"{self.samples} samples drawn",
            "tokens": f"{self.tokens} tokens used",
            "dollars": f"${self.cost_usd:.4f} spent",
            "wall_time": f"{self.elapsed_s():.1f} s elapsed",
        }[limit]
        return f"{spent} of a limit of {getattr(self.limits, limit)}"
