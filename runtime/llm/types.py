"""The data that crosses the LLM layer's boundary: model spec, budget limits, completions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from podium.runtime.spec.units import Duration

Message = Mapping[str, str]
"""One chat message, e.g. {"role": "user", "content": "..."} (OpenAI's shape)."""


class ModelSpec(BaseModel):
    """Which model to call; the same fields as a scaffold spec's `model` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="model name as the endpoint knows it")
    base_url: str | None = Field(None, description="OpenAI-compatible URL; default OPENAI_BASE_URL")
    api_key_env: str | None = Field("OPENAI_API_KEY", description="env var holding the key; None: none")
    temperature: float = Field(0.7, ge=0, le=2)
    max_tokens: int = Field(2048, gt=0)
    fingerprint: str | None = Field(
        None, description="pins the model's identity in cassette keys; default: what the server reports"
    )


class BudgetLimits(BaseModel):
    """Limits the runtime enforces outside the agent; None means unlimited.

    Built from a scaffold spec's `budgets`; budgets of other layers (utility_calls) are ignored.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    llm_calls: int | None = Field(None, gt=0, description="chat completion requests")
    samples: int | None = Field(None, gt=0, description="choices generated (n summed over calls)")
    tokens: int | None = Field(None, gt=0, description="prompt + completion tokens")
    dollars: float | None = Field(None, gt=0, description="cost by the price table")
    wall_time: Duration | None = Field(None, description="seconds from the proxy's start")


class ChatRequest(BaseModel):
    """One request with every default filled in: what is sent, logged and hashed into cassette keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    messages: list[dict[str, str]] = Field(min_length=1)
    n: int = Field(1, ge=1, le=128)
    temperature: float = Field(ge=0, le=2)
    max_tokens: int = Field(gt=0)
    seed: int | None = None

    @classmethod
    def build(
        cls,
        spec: ModelSpec,
        messages: Sequence[Message],
        n: int = 1,
        temperature: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
    ) -> ChatRequest:
        """Validates the caller's arguments; None temperature/max_tokens take the spec's defaults."""
        return cls(
            messages=[dict(message) for message in messages],
            n=n,
            temperature=spec.temperature if temperature is None else temperature,
            max_tokens=spec.max_tokens if max_tokens is None else max_tokens,
            seed=seed,
        )

    @field_validator("messages", mode="before")
    @classmethod
    def _chat_messages(cls, messages: Any) -> Any:
        for index, message in enumerate(messages if isinstance(messages, list) else []):
            if not isinstance(message, Mapping):
                raise ValueError(f"message {index} must be an object with 'role' and 'content'")
            if not isinstance(message.get("role"), str) or not isinstance(message.get("content"), str):
                raise ValueError(f"message {index} needs a 'role' and a 'content' string, got {dict(message)}")
        return messages


class Completion(BaseModel):
    """What one `complete` call returned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    choices: list[str] = Field(description="the texts of the n choices, in order")
    finish_reasons: list[str | None] = Field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = Field(0.0, description="wall time the model took (as recorded, when replayed)")
    cost_usd: float = 0.0
    model: str = Field(description="the model name the endpoint reported")
    system_fingerprint: str | None = None
    replayed: bool = Field(False, description="served from a cassette rather than the model")

    @property
    def text(self) -> str:
        """The first choice: what most callers with n=1 want."""
        return self.choices[0]

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@runtime_checkable
class LLM(Protocol):
    """Anything that completes chat messages: the endpoint, the metered gateway, the proxy client."""

    @property
    def model(self) -> str:
        """The model name requests are sent for."""
        ...

    def complete(
        self,
        messages: Sequence[Message],
        n: int = 1,
        temperature: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
    ) -> Completion:
        """Complete `messages` with `n` choices; None temperature/max_tokens take the model spec's.

        Raises BudgetExceeded when a limit refuses the call, ReplayMiss when replaying an
        unrecorded request, EndpointError when the endpoint fails after retries.
        """
        ...
