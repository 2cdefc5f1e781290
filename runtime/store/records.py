"""The run record: one row per (suite, competition, scaffold, seed, attempt).

This model is the contract between the run loop that writes records, the SQLite store that
keeps them, and the reports that read them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RunStatus = Literal["pending", "running", "succeeded", "invalid", "failed", "timed-out"]
FINISHED: frozenset[str] = frozenset({"succeeded", "invalid", "failed", "timed-out"})


class Resources(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wall_seconds: float | None = None
    cpu_seconds: float | None = None
    max_rss_bytes: int | None = None
    denied_actions: int = Field(0, description="actions the sandbox refused (network, answers, ...)")


class Usage(BaseModel):
    """What the agent spent on language models, as the LLM layer counted it."""

    model_config = ConfigDict(extra="forbid")

    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    validator_calls: int = 0


class RunRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: str = Field(description="stable: suite/competition/scaffold/seed/attempt")
    suite: str
    competition_id: str
    scaffold_id: str
    seed: int
    attempt: int = 0
    status: RunStatus = "pending"
    competition_sha256: str
    scaffold_sha256: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    report: dict[str, Any] | None = Field(None, description="the GradingReport as JSON")
    error: str | None = None
    resources: Resources = Field(default_factory=Resources)
    usage: Usage = Field(default_factory=Usage)
    run_dir: str | None = Field(None, description="holds submission/, logs/, code/ of this run")
    data_dir: str | None = Field(None, description="the prepared-data folder the run reads")
    exit_code: int | None = Field(None, description="the agent's exit code; negative: killed by that signal")
    sandbox: str | None = Field(None, description="bwrap, plain (not isolated) or docker")

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def run_id_for(suite: str, competition_id: str, scaffold_id: str, seed: int, attempt: int = 0) -> str:
    return f"{suite}/{competition_id}/{scaffold_id}/{seed}/{attempt}"
