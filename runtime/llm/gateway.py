"""The host-side `LLM` that every agent call goes through: budget, cassette, journal, endpoint.

The proxy serves a Gateway to the sandbox; host code may call one directly. Order per call:
the budget admits it (or refuses, logged and final), the cassette answers it in replay mode
or the endpoint does otherwise, then the spend is charged, recorded and logged.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from podium.runtime.llm.budget import Budget
from podium.runtime.llm.cassette import Cassette, ModelIdentity, request_key
from podium.runtime.llm.endpoint import Endpoint, OpenAIEndpoint, resolve_base_url
from podium.runtime.llm.errors import BudgetExceeded, LimitName, LLMError
from podium.runtime.llm.journal import CallJournal, UsageSummary
from podium.runtime.llm.prices import PriceTable
from podium.runtime.llm.types import BudgetLimits, ChatRequest, Completion, Message, ModelSpec
from podium.runtime.store.records import Usage


class Gateway:
    """Serves one run's model calls under its budget; writes llm_calls.jsonl and usage.json to logs_dir."""

    def __init__(
        self,
        spec: ModelSpec,
        limits: BudgetLimits | None,
        logs_dir: Path,
        *,
        cassette: Cassette | None = None,
        endpoint: Endpoint | None = None,
        prices: PriceTable | None = None,
        timeout_s: float = 600.0,
        max_retries: int = 4,
    ) -> None:
        self.spec = spec
        self.budget = Budget(limits)
        self.journal = CallJournal(logs_dir)
        self.cassette = cassette if cassette is not None else Cassette.off()
        self.endpoint: Endpoint | None = None
        if self.cassette.mode != "replay":  # replay runs without a model: nothing to connect to
            self.endpoint = endpoint or OpenAIEndpoint(
                spec, prices=prices, timeout_s=timeout_s, max_retries=max_retries
            )
        self._identity: ModelIdentity | None = None
        self._identity_lock = threading.Lock()
        self.journal.write_usage(self.budget)  # a run that never calls still reports zero usage

    @property
    def model(self) -> str:
        return self.spec.name

    @property
    def budget_exceeded(self) -> LimitName | None:
        """The limit that stopped the agent, if one did."""
        return self.budget.exceeded

    def usage(self) -> Usage:
        """The run record's usage, from memory: files in a logs folder the agent can write are not proof."""
        return UsageSummary.of(self.budget).to_usage()

    def summary(self) -> UsageSummary:
        return UsageSummary.of(self.budget)

    def identity(self) -> ModelIdentity:
        with self._identity_lock:
            if self._identity is None:
                if self.endpoint is not None:
                    self._identity = self.endpoint.identity()
                else:
                    base_url = resolve_base_url(self.spec)
                    self._identity = self.cassette.identity_for(base_url, self.spec.name, self.spec.fingerprint)
            return self._identity

    def complete(
        self,
        messages: Sequence[Message],
        n: int = 1,
        temperature: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
    ) -> Completion:
        return self.serve(ChatRequest.build(self.spec, messages, n, temperature, max_tokens, seed))

    def serve(self, request: ChatRequest) -> Completion:
        logged_request = request.model_dump(mode="json")
        key = request_key(self.identity(), logged_request)
        try:
            self.budget.admit(request.n)
            completion = self._answer(key, request)
        except LLMError as error:
            kind = "budget_exceeded" if isinstance(error, BudgetExceeded) else type(error).__name__
            self.journal.refused(key, logged_request, kind, str(error))
            self.journal.write_usage(self.budget)
            raise
        self.budget.charge(completion.prompt_tokens, completion.completion_tokens, completion.cost_usd)
        self.cassette.record(key, self.identity(), logged_request, completion)
        self.journal.served(key, logged_request, completion)
        self.journal.write_usage(self.budget)
        return completion

    def _answer(self, key: str, request: ChatRequest) -> Completion:
        if self.endpoint is None:
            return self.cassette.replay(key)
        remaining = self.budget.remaining_wall_s()
        timeout_s = self.endpoint.timeout_s if remaining is None else min(self.endpoint.timeout_s, remaining)
        return self.endpoint.send(request, timeout_s=timeout_s)
