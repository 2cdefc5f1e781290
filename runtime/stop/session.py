"""One STOP run's shared state: its folder, its log, the escape scans, and `improve(...)` itself.

<runs-dir>/<run-id>/
    log.jsonl         every event, in order, with no timings or paths: a replay of the run
                      from its cassette reproduces this file byte for byte
    summary.json      the results (per iteration, transfer, escapes), timings and the config
    programs/<sha>.py every program the run saw: improvers, solutions, model answers
    improvers/        each improver version I(t), as iteration-<t>.py
    cassette.jsonl    the model's answers, for replay
    llm/<label>/      the LLM layer's call journal of each improver run
    logs/<label>/     stdout and stderr of each improver process
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from podium.runtime.stop.budget import CallBudget, Deadline
from podium.runtime.stop.config import StopConfig
from podium.runtime.stop.escape import scan
from podium.runtime.stop.host import ImproveOutcome, ImproverRun, ModelAccess, ProgramKind
from podium.runtime.stop.programs import program_sha256
from podium.runtime.stop.utility import Evaluation, EvaluationCache

LOG_FILE = "log.jsonl"
SUMMARY_FILE = "summary.json"
CASSETTE_FILE = "cassette.jsonl"
Role = Literal["improver", "solution"]


class Scorable(Protocol):
    """An objective the runtime can also score itself, uncharged (to record a run's input)."""

    description: str
    keep_input: bool

    def charged(self, program: str, budget: CallBudget) -> float: ...

    def value(self, program: str) -> float: ...


class RunLog:
    """Appends events to log.jsonl and keeps every program once under programs/."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        (run_dir / "programs").mkdir(parents=True, exist_ok=True)
        self.path = run_dir / LOG_FILE
        self.path.touch()

    def event(self, kind: str, **fields: Any) -> None:
        line = json.dumps({"event": kind, **fields}, sort_keys=True, ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def keep(self, program: str) -> str:
        sha = program_sha256(program)
        path = self.run_dir / "programs" / f"{sha}.py"
        if not path.exists():
            path.write_text(program, encoding="utf-8")
        return sha

    def program(self, sha: str) -> str:
        return (self.run_dir / "programs" / f"{sha}.py").read_text(encoding="utf-8")


@dataclass
class EscapeScans:
    """Scans each distinct program once; logs the result with the role and condition it appeared in."""

    log: RunLog
    condition: str
    seen: set[str] = field(default_factory=set)

    def watcher(
        self, role: Role, condition: str | None = None, *, each_time: bool = False
    ) -> Callable[[ProgramKind, str], None]:
        """A callback scanning what an improver run sees; `each_time` counts repeats (one per request)."""

        def saw(kind: ProgramKind, program: str) -> None:
            sha = self.log.keep(program)
            if sha in self.seen and not each_time:
                return
            self.seen.add(sha)
            result = scan(program)
            self.log.event(
                "scan", program=sha, role=role, seen_as=kind, condition=condition or self.condition,
                flagged=result.flagged, categories=list(result.categories), parsed=result.parsed,
            )  # fmt: skip

        return saw


class StopSession:
    """Runs improvers for one STOP run and records everything they do."""

    def __init__(self, config: StopConfig, access: ModelAccess, run_dir: Path, *, condition: str) -> None:
        self.config = config
        self.access = access
        self.run_dir = run_dir
        self.log = RunLog(run_dir)
        self.scans = EscapeScans(self.log, condition)
        self.labels: dict[str, int] = {}
        self.cache = EvaluationCache()  # every utility of the run shares it
        self.summary: dict[str, Any] = {}  # what the run reports; written to summary.json at its end

    def record_evaluation(self, evaluation: Evaluation) -> None:
        self.log.event(
            "evaluation", competition=evaluation.competition_id, split=evaluation.split,
            program=evaluation.program_sha256, status=evaluation.status, utility=evaluation.utility,
            raw_score=evaluation.raw_score, error=evaluation.error, denied_actions=evaluation.denied_actions,
        )  # fmt: skip

    def improve(
        self,
        improver: str,
        solution: str,
        objective: Scorable,
        *,
        role: Role,
        label: str,
        utility_calls: int,
        wall_time: float,
    ) -> ImproveOutcome:
        """`improve(solution, objective, lm)` with fresh budgets; the input is scored first, uncharged."""
        label = self._unique(label)
        improver_sha, solution_sha = self.log.keep(improver), self.log.keep(solution)
        objective.value(solution)  # cached from here on: keeping the input costs the improver nothing
        run = ImproverRun(
            improver=improver,
            solution=solution,
            objective=objective,
            utility_budget=CallBudget("meta_utility_calls" if role == "improver" else "utility_calls", utility_calls),
            gateway=self.access.new_gateway(label),
            access=self.access,
            deadline=Deadline(wall_time),
            limits=self.config.improver_limits(),
            log_dir=self.run_dir / "logs" / label,
            watch=self.scans.watcher(role),
        )
        outcome = run.run()
        returned = self.log.keep(outcome.solution) if outcome.solution is not None else None
        self.log.event(
            "improve", label=label, role=role, improver=improver_sha, input=solution_sha, output=returned,
            **outcome.summary(),
        )  # fmt: skip
        return outcome

    def _unique(self, label: str) -> str:
        """A label safe as a folder name, numbered when it repeats."""
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") or "run"
        count = self.labels.get(safe, 0)
        self.labels[safe] = count + 1
        return safe if count == 0 else f"{safe}-{count}"
