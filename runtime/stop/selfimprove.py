"""Self-improvement, `I(t+1) = I(t)(meta_utility, I(t))`, and transfer of the final improver.

Each iteration runs the current improver on its own text with the meta-utility as its utility
(a fresh budget of meta-utility calls and language-model calls), then applies the acceptance
gate: `replace` takes what it returned, `if-better` only when its meta-utility is higher. Every
version is stored (improvers/iteration-<t>.py) with its meta-utility on the validation split and
on the held-out split. Transfer applies the seed and the final improver to competitions never
seen during self-improvement and scores what they make of each seed solution.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from statistics import fmean
from typing import Any

from podium.runtime.stop.budget import Deadline
from podium.runtime.stop.meta import MetaUtility, run_on_task
from podium.runtime.stop.programs import program_sha256
from podium.runtime.stop.session import StopSession
from podium.runtime.stop.tasks import CompetitionTask


@dataclass(frozen=True)
class Version:
    iteration: int
    improver_sha256: str
    meta_utility: float
    held_out: float


@dataclass(frozen=True)
class Step:
    iteration: int
    status: str
    proposed_sha256: str | None
    accepted: bool
    limit: str | None


@dataclass(frozen=True)
class TransferRow:
    competition_id: str
    seed_solution: tuple[float, float]  # (validation, held-out) of the seed solution itself
    seed_improver: tuple[float, float]  # mean over repetitions of what the seed improver made of it
    final_improver: tuple[float, float]


@dataclass
class SelfImprovementResult:
    versions: list[Version] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    transfer: list[TransferRow] = field(default_factory=list)
    stopped: str | None = None  # the budget that ended the run early, if any

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def self_improve(
    session: StopSession,
    meta: MetaUtility,
    seed_improver: str,
    *,
    transfer_tasks: list[CompetitionTask] = (),  # type: ignore[assignment]
) -> SelfImprovementResult:
    settings = session.config.params.self_improvement
    deadline = Deadline(settings.wall_time)
    result = SelfImprovementResult()
    current = seed_improver
    result.versions.append(_version(session, meta, 0, current))
    for iteration in range(1, settings.iterations + 1):
        if deadline.expired:
            result.stopped = "wall_time"
            session.log.event("stopped", limit="wall_time", before_iteration=iteration)
            break
        current = _step(session, meta, current, iteration, result)
        result.versions.append(_version(session, meta, iteration, current))
    if transfer_tasks:
        result.transfer = transfer(session, seed_improver, current, transfer_tasks, settings.repetitions)
    return result


def _step(session: StopSession, meta: MetaUtility, current: str, iteration: int, result: SelfImprovementResult) -> str:
    """One application of the improver to itself, through the acceptance gate."""
    settings = session.config.params.self_improvement
    outcome = session.improve(
        current, current, meta, role="improver", label=f"iteration-{iteration}",
        utility_calls=settings.meta_utility_calls,
        wall_time=min(settings.iteration_wall_time, settings.wall_time),
    )  # fmt: skip
    proposed = outcome.solution
    accepted = proposed is not None and (settings.acceptance == "replace" or meta.value(proposed) > meta.value(current))
    step = Step(iteration, outcome.status, program_sha256(proposed) if proposed else None, accepted, outcome.limit)
    result.steps.append(step)
    session.log.event("step", **asdict(step))
    return proposed if accepted and proposed is not None else current


def _version(session: StopSession, meta: MetaUtility, iteration: int, improver: str) -> Version:
    evaluation = meta.evaluate(improver)
    folder = session.run_dir / "improvers"
    folder.mkdir(exist_ok=True)
    (folder / f"iteration-{iteration}.py").write_text(improver, encoding="utf-8")
    version = Version(iteration, evaluation.improver_sha256, evaluation.value, evaluation.held_out)
    session.log.event("version", **asdict(version))
    return version


def transfer(
    session: StopSession, seed_improver: str, final_improver: str, tasks: list[CompetitionTask], repetitions: int
) -> list[TransferRow]:
    """What the seed and the final improver make of each unseen competition's seed solution."""
    rows = []
    for task in tasks:
        seed = (task.validation.value(task.seed_solution), task.held_out.value(task.seed_solution))
        by_seed = _applied(session, seed_improver, task, repetitions, "transfer-seed")
        by_final = by_seed if final_improver == seed_improver else _applied(
            session, final_improver, task, repetitions, "transfer-final"
        )  # fmt: skip
        row = TransferRow(task.id, seed, by_seed, by_final)
        session.log.event("transfer", **asdict(row))
        rows.append(row)
    return rows


def _applied(
    session: StopSession, improver: str, task: CompetitionTask, repetitions: int, label: str
) -> tuple[float, float]:
    runs = [run_on_task(session, improver, task, r, f"{label}-{task.id}-r{r}") for r in range(repetitions)]
    return fmean(run.validation for run in runs), fmean(run.held_out for run in runs)
