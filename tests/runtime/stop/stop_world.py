"""STOP test helpers: a scripted language model (no network), configs, tasks and sessions around them."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from podium.generator.catalog import load_catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.llm import Cassette, Completion, ModelIdentity
from podium.runtime.stop.config import StopConfig
from podium.runtime.stop.models import model_access
from podium.runtime.stop.session import StopSession
from podium.runtime.stop.tasks import CompetitionTask
from podium.runtime.stop.utility import CompetitionUtility, EvaluationCache

SPECS = Path(__file__).resolve().parents[3] / "specs"
MODEL = {"name": "scripted", "base_url": "http://127.0.0.1:9/v1", "api_key_env": None, "temperature": 0.7}

# A solution for the parity tasks that needs no pandas (fast to start): one label expression per row.
PARITY_SOLUTION = """import csv
rows = list(csv.DictReader(open("data/test.csv")))
with open("submission.csv", "w", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["id", "label"])
    for row in rows:
        writer.writerow([row["id"], {label}])
"""


def parity_solution(label: str) -> str:
    return PARITY_SOLUTION.format(label=label)


def fenced(program: str) -> str:
    return f"Here is an idea.\n```python\n{program}```\nDone."


@dataclass
class ScriptedModel:
    """An endpoint the Gateway can call: answers come from `respond(request) -> list of texts`."""

    respond: Callable[[Any], list[str]]
    requests: list[Any] = field(default_factory=list)
    timeout_s: float = 60.0
    model: str = "scripted"

    def identity(self) -> ModelIdentity:
        return ModelIdentity(base_url=MODEL["base_url"], name="scripted", fingerprint="scripted-1")

    def send(self, request: Any, timeout_s: float | None = None) -> Completion:
        self.requests.append(request)
        texts = self.respond(request)[: request.n]
        return Completion(choices=texts, prompt_tokens=10, completion_tokens=5 * len(texts), model="scripted")


def queued(*answers: list[str]) -> Callable[[Any], list[str]]:
    """Answers served in order, one list per call."""
    pending = deque(answers)
    return lambda request: pending.popleft()


def stop_config(budgets: dict[str, Any] | None = None, **params: Any) -> StopConfig:
    merged = {"solution_limits": {"timeout": 30}, "samples_per_call": 4, **params}
    return StopConfig.from_spec("stop", dict(MODEL), {"utility_calls": 4, "wall_time": 120, **(budgets or {})}, merged)


def build_task(
    competition_id: str, config: StopConfig, data_dir: Path, work: Path, cache: EvaluationCache
) -> CompetitionTask:
    catalog = load_catalog(SPECS, check_metrics=False)
    competition = resolve_competition(catalog, competition_id)
    folder = catalog.competitions[competition_id].folder
    return CompetitionTask.build(competition, config, spec_dir=folder, data_dir=data_dir, work_root=work, cache=cache)


def new_session(
    config: StopConfig, run_dir: Path, model: ScriptedModel | None, cassette: Cassette | None = None
) -> StopSession:
    access = model_access(config, run_dir, cassette or Cassette.off(), endpoint=model)
    return StopSession(config, access, run_dir, condition="test")


def attach(task: CompetitionTask, session: StopSession) -> CompetitionTask:
    """The task's utilities rebound to the session: its cache, its log, its keep_input setting."""

    def rebound(utility: CompetitionUtility) -> CompetitionUtility:
        return CompetitionUtility(
            utility.split, utility.scale, utility.runner, utility.description,
            keep_input=session.config.params.keep_input, cache=session.cache,
            on_evaluation=session.record_evaluation,
        )  # fmt: skip

    return replace(task, validation=rebound(task.validation), held_out=rebound(task.held_out))
