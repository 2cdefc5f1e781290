"""Budgets the STOP runtime keeps outside every improver: utility calls, meta-utility calls, wall clock.

Language-model budgets (calls, samples, tokens, dollars) are kept by the LLM layer's gateway;
this module counts what only the STOP scaffold has. Both raise an exception that names the
limit, and the runtime records which limit stopped an improver.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


class LimitReached(Exception):
    """A STOP budget refused a call; `limit` is its name as the scaffold spec writes it."""

    def __init__(self, limit: str, detail: str = "") -> None:
        self.limit = limit
        self.detail = detail
        super().__init__(f"budget exceeded: {limit}" + (f" ({detail})" if detail else ""))


@dataclass
class CallBudget:
    """At most `limit` charged calls (None: unlimited); a charge beyond it raises LimitReached."""

    name: str
    limit: int | None
    used: int = 0

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    def charge(self) -> None:
        if self.limit is not None and self.used >= self.limit:
            raise LimitReached(self.name, f"{self.used} of {self.limit} used")
        self.used += 1


@dataclass
class Deadline:
    """A wall-clock budget measured from its creation (None: no limit)."""

    seconds: float | None
    started: float = field(default_factory=time.monotonic)

    @property
    def remaining(self) -> float | None:
        if self.seconds is None:
            return None
        return max(self.seconds - (time.monotonic() - self.started), 0.0)

    @property
    def expired(self) -> bool:
        return self.remaining == 0.0

    def check(self) -> None:
        if self.expired:
            raise LimitReached("wall_time", f"{self.seconds:g}s")

    def cap(self, seconds: float) -> float:
        """`seconds`, shortened so that a step started now ends by the deadline."""
        remaining = self.remaining
        return seconds if remaining is None else min(seconds, remaining)
