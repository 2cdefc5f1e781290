"""The call log (`llm_calls.jsonl`) and usage summary (`usage.json`) in a run's logs folder."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from podium.runtime.llm.budget import Budget
from podium.runtime.llm.errors import LimitName
from podium.runtime.llm.types import Completion
from podium.runtime.store.records import Usage

CALLS_FILE = "llm_calls.jsonl"
USAGE_FILE = "usage.json"


class UsageSummary(BaseModel):
    """usage.json: the run record's `Usage` fields plus what the budget saw."""

    model_config = ConfigDict(extra="forbid")

    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    samples: int = 0
    refused_calls: int = 0
    budget_exceeded: LimitName | None = None
    limits: dict[str, int | float | None] = {}

    @classmethod
    def of(cls, budget: Budget) -> UsageSummary:
        return cls(
            llm_calls=budget.calls,
            prompt_tokens=budget.prompt_tokens,
            completion_tokens=budget.completion_tokens,
            cost_usd=budget.cost_usd,
            samples=budget.samples,
            refused_calls=budget.refused,
            budget_exceeded=budget.exceeded,
            limits=budget.limits.model_dump(),
        )

    def to_usage(self) -> Usage:
        return Usage(
            llm_calls=self.llm_calls,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cost_usd=self.cost_usd,
        )


class CallJournal:
    """Appends one JSON line per call (served, refused or failed) and keeps usage.json current.

    Lines carry no secrets: requests hold messages and sampling settings, never the API key.
    """

    def __init__(self, logs_dir: Path) -> None:
        self.logs_dir = Path(logs_dir)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self.calls_path = self.logs_dir / CALLS_FILE
        self.usage_path = self.logs_dir / USAGE_FILE
        self._lock = threading.Lock()
        self._seq = 0

    def served(self, key: str, request: dict[str, Any], completion: Completion) -> None:
        response = completion.model_dump(mode="json", exclude={"replayed"})
        self._append({"key": key, "request": request, "response": response, "replayed": completion.replayed})

    def refused(self, key: str, request: dict[str, Any], error_type: str, message: str) -> None:
        self._append({"key": key, "request": request, "error": {"type": error_type, "message": message}})

    def write_usage(self, budget: Budget) -> UsageSummary:
        summary = UsageSummary.of(budget)
        with self._lock:
            # Written whole then renamed: a reader never sees half a file, even if the run is killed.
            partial = self.usage_path.with_suffix(".json.partial")
            partial.write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
            os.replace(partial, self.usage_path)
        return summary

    def _append(self, fields: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            line = {"seq": self._seq, "at": datetime.now(timezone.utc).isoformat(), **fields}
            with self.calls_path.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps(line, ensure_ascii=False) + "\n")


def read_usage(logs_dir: Path) -> Usage:
    """The run record's Usage from a logs folder; zero when the run made no LLM call."""
    return read_usage_summary(logs_dir).to_usage()


def read_usage_summary(logs_dir: Path) -> UsageSummary:
    path = Path(logs_dir) / USAGE_FILE
    if not path.exists():
        return UsageSummary()
    try:
        return UsageSummary.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as error:
        raise ValueError(f"{path} is not a usage summary written by podium's LLM layer: {error}") from error
