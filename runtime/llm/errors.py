"""Typed failures of the LLM layer: each says what happened and what to do next."""

from __future__ import annotations

from typing import Literal

LimitName = Literal["llm_calls", "samples", "tokens", "dollars", "wall_time"]
LIMIT_NAMES: tuple[LimitName, ...] = ("llm_calls", "samples", "tokens", "dollars", "wall_time")


class LLMError(RuntimeError):
    """Base of every error this layer raises on purpose."""


class BudgetExceeded(LLMError):
    """A budget limit refused the call; no further call of this run will be served.

    `limit` is the name of the limit as scaffold specs write it under `budgets`
    (llm_calls, samples, tokens, dollars, wall_time).
    """

    def __init__(self, limit: LimitName, detail: str = "") -> None:
        self.limit: LimitName = limit
        self.detail = detail
        super().__init__(f"LLM budget exceeded: {limit}" + (f" ({detail})" if detail else ""))


class ReplayMiss(LLMError):
    """Replay mode met a request the cassette does not hold."""

    def __init__(self, request_hash: str, occurrence: int, cassette: str) -> None:
        self.request_hash = request_hash
        self.occurrence = occurrence
        super().__init__(
            f"the cassette {cassette} holds no response for request {request_hash} (occurrence {occurrence}); "
            "the agent asked something the recorded run did not, or with another model: "
            "record again with --llm-mode record, or replay the run that made this cassette"
        )


class EndpointError(LLMError):
    """The model endpoint failed after retries, or is configured wrongly."""
