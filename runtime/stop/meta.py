"""The meta-utility: how good an improver is, as the mean utility of what it makes of seed solutions.

For each of K competitions and R repetitions, the improver runs on the competition's seed
solution with a fresh language-model budget and a fresh utility budget; the program it returns
is scored on the validation split (what the improver optimised) and, for the record, on the
held-out split. A run that raises, runs over a budget or returns no string scores 0. Values are
cached by the improver's sha256: a charged call on a known improver is free, as for utilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean
from typing import Any

from podium.runtime.spec.units import format_duration
from podium.runtime.stop.budget import CallBudget
from podium.runtime.stop.host import ImproveOutcome
from podium.runtime.stop.programs import program_sha256
from podium.runtime.stop.session import StopSession
from podium.runtime.stop.tasks import CompetitionTask


@dataclass(frozen=True)
class MetaRun:
    competition_id: str
    repetition: int
    status: str
    solution_sha256: str | None
    validation: float
    held_out: float


@dataclass(frozen=True)
class MetaEvaluation:
    improver_sha256: str
    runs: tuple[MetaRun, ...]

    @property
    def value(self) -> float:
        """The meta-utility: mean validation utility over every run."""
        return fmean(run.validation for run in self.runs) if self.runs else 0.0

    @property
    def held_out(self) -> float:
        return fmean(run.held_out for run in self.runs) if self.runs else 0.0


def run_on_task(session: StopSession, improver: str, task: CompetitionTask, repetition: int, label: str) -> MetaRun:
    """The improver applied once to a task's seed solution, scored on both splits (0 on failure)."""
    outcome = improve_solution(session, improver, task, task.seed_solution, label)
    if outcome.solution is None:
        return MetaRun(task.id, repetition, outcome.status, None, 0.0, 0.0)
    validation = task.validation.value(outcome.solution)
    held_out = task.held_out.value(outcome.solution)
    return MetaRun(task.id, repetition, outcome.status, program_sha256(outcome.solution), validation, held_out)


def improve_solution(
    session: StopSession, improver: str, task: CompetitionTask, solution: str, label: str
) -> ImproveOutcome:
    """`improve(solution, utility, lm)` on one competition under the spec's per-run budgets."""
    config = session.config
    return session.improve(
        improver, solution, task.validation, role="solution", label=label,
        utility_calls=config.utility_calls, wall_time=config.improver_wall_time,
    )  # fmt: skip


def improve_and_score(session: StopSession, improver: str, task: CompetitionTask, solution: str) -> dict[str, Any]:
    """`podium improve`: one improver run, with the utility before and after on both splits."""
    before = [task.validation.value(solution), task.held_out.value(solution)]
    outcome = improve_solution(session, improver, task, solution, f"improve-{task.id}")
    result = outcome.solution if outcome.solution is not None else solution  # a failed run changes nothing
    after = [task.validation.value(result), task.held_out.value(result)]
    record = {
        "competition_id": task.id, "status": outcome.status, "error": outcome.error, "limit": outcome.limit,
        "before": before, "after": after, "solution": program_sha256(result),
    }  # fmt: skip
    session.log.event("improved", **record)
    return record


class MetaUtility:
    """`meta_utility(improver) -> float`, the objective an improver is given when it improves itself."""

    keep_input: bool

    def __init__(self, session: StopSession, tasks: list[CompetitionTask], repetitions: int) -> None:
        self.session = session
        self.tasks = tasks
        self.repetitions = repetitions
        self.keep_input = session.config.params.keep_input
        self.cache: dict[str, MetaEvaluation] = {}
        self.description = describe_meta_utility(session, tasks, repetitions)

    def evaluate(self, improver: str) -> MetaEvaluation:
        sha = program_sha256(improver)
        if sha not in self.cache:
            runs = tuple(
                run_on_task(self.session, improver, task, repetition, f"meta-{sha[:8]}-{task.id}-r{repetition}")
                for task in self.tasks
                for repetition in range(self.repetitions)
            )
            self.cache[sha] = MetaEvaluation(sha, runs)
            self.session.log.event(
                "meta_utility", improver=sha, value=self.cache[sha].value, held_out=self.cache[sha].held_out,
                runs=[run.__dict__ for run in runs],
            )  # fmt: skip
        return self.cache[sha]

    def value(self, improver: str) -> float:
        return self.evaluate(improver).value

    def charged(self, improver: str, budget: CallBudget) -> float:
        if program_sha256(improver) not in self.cache:
            budget.charge()
        return self.value(improver)


def describe_meta_utility(session: StopSession, tasks: list[CompetitionTask], repetitions: int) -> str:
    config = session.config
    limits = config.llm_limits
    spent = ", ".join(f"{name} {value}" for name, value in limits.model_dump(exclude_none=True).items())
    return f"""The program is an improver: Python source defining `improve(solution, utility, lm) -> str`, which
returns an improved version of the program `solution` (a str) as judged by `utility`.
Its score (the meta-utility) is the mean utility of the programs it returns when it is run on the seed
solutions of {len(tasks)} task(s) ({", ".join(task.id for task in tasks)}), {repetitions} time(s) each, every run
with a fresh budget of {config.utility_calls} utility call(s), language-model limits ({spent or "none"}) and
{format_duration(config.improver_wall_time)} of wall clock. A run that raises, exceeds a budget (it is stopped at
once) or returns something other than a str scores 0.
Inside improve: `utility(program) -> float` (a result already computed is free), `utility.budget` (calls
left), `utility.description` (the task and the program's contract), `utility.keep_input` (returning the
input unchanged is allowed); `lm.sample(prompt, n=1, temperature=None, system=None) -> list of n str`
(one batched call), `lm.samples_per_call`, `lm.temperature`, `lm.budget` (samples left, or None).
The improver runs in a sandbox with the Python standard library only: no files, network or processes;
the budgets are enforced outside it."""
