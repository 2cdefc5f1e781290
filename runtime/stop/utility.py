"""The utility over a competition: run a solution program, check and grade its submission, normalise.

    program ──sandbox──▶ submission.csv ──check_submission──▶ grader ──raw score──▶ scale ──▶ utility

A solution program trains on `data/train.csv` and writes `submission.csv` for `data/test.csv`.
Its submission is checked exactly like an agent's (`grade_submission`: shape, ids, NaN), so a
submission that broadcasts or repeats rows is invalid and scores 0, and never 1000%. The raw
score is placed on a scale that is 0 at the trivial baseline (the sample submission's score on
the same split) and 1 at the target the spec chose (the human median or bronze threshold, or a
reference solution's score for competitions without a human leaderboard).

Results are cached by (split, program sha256); only a miss is charged to the caller's budget.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from podium.runtime.grading import grade_submission
from podium.runtime.stop.budget import CallBudget
from podium.runtime.stop.programs import program_sha256
from podium.runtime.stop.sandboxing import Limits, ProgramRun, run_python
from podium.runtime.stop.splits import EvaluationSplit

SOLUTION_FILE = "solution.py"
SUBMISSION_FILE = "submission.csv"
Status = Literal["scored", "invalid", "failed", "timed-out"]


@dataclass(frozen=True)
class Evaluation:
    """One program scored on one split (utility 0 unless the status is `scored`)."""

    program_sha256: str
    split: str
    competition_id: str
    status: Status
    utility: float
    raw_score: float | None
    error: str | None
    denied_actions: int = 0


@dataclass(frozen=True)
class Scale:
    """Maps a raw metric score to a utility: 0 at `zero`, 1 at `one` (either direction)."""

    zero: float
    one: float
    one_is: str  # what 1 stands for, e.g. "human median"

    def __post_init__(self) -> None:
        if self.zero == self.one:
            raise ValueError(
                f"the trivial baseline already scores {self.zero:g}, the same as the {self.one_is}; "
                "the utility cannot be normalised (choose another normalisation)"
            )

    def __call__(self, score: float) -> float:
        return (score - self.zero) / (self.one - self.zero)


class SolutionRunner:
    """Runs solution programs on a split, each in a fresh folder with a private copy of the data."""

    def __init__(self, work_root: Path, limits: Limits) -> None:
        self.work_root = work_root
        self.limits = limits

    def grade(self, program: str, split: EvaluationSplit, scale: Scale | None) -> Evaluation:
        sha = program_sha256(program)
        self.work_root.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="solution-", dir=self.work_root))
        try:
            (workdir / SOLUTION_FILE).write_text(program, encoding="utf-8")
            shutil.copytree(split.visible, workdir / "data")
            run = run_python(SOLUTION_FILE, workdir, self.limits, log_dir=workdir.with_name(f"{workdir.name}.logs"))
            evaluation = self._evaluation(sha, split, run, workdir / SUBMISSION_FILE, scale)
            if evaluation.error is not None:  # the log must not depend on where the run happened
                evaluation = replace(evaluation, error=evaluation.error.replace(str(workdir), "."))
            return evaluation
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(workdir.with_name(f"{workdir.name}.logs"), ignore_errors=True)

    def raw_score(self, submission: Path, split: EvaluationSplit) -> tuple[float | None, str | None]:
        """(score, None) for a valid submission, (None, what is wrong) otherwise."""
        report = grade_submission(submission, split.competition, split.answers, None, leaderboard_note="STOP utility")
        if not report.valid_submission or report.raw_score is None:
            return None, report.error or "invalid submission"
        return report.raw_score, None

    def _evaluation(
        self, sha: str, split: EvaluationSplit, run: ProgramRun, submission: Path, scale: Scale | None
    ) -> Evaluation:
        def result(status: Status, error: str | None, raw: float | None = None, utility: float = 0.0) -> Evaluation:
            competition = split.competition.id
            return Evaluation(sha, split.name, competition, status, utility, raw, error, run.denied_actions)

        if run.timed_out:
            return result("timed-out", f"ran over its {self.limits.timeout:g}s time limit and was killed")
        if run.returncode != 0:
            return result("failed", f"exited with code {run.returncode}: {_last_line(run.stderr)}")
        score, error = self.raw_score(submission, split)
        if score is None:
            return result("invalid", error)
        return result("scored", None, score, scale(score) if scale is not None else score)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no error output"


@dataclass
class EvaluationCache:
    """Evaluations by (split key, program sha256), shared by every utility of a run."""

    results: dict[tuple[str, str], Evaluation] = field(default_factory=dict)

    def get(self, split: EvaluationSplit, sha: str) -> Evaluation | None:
        return self.results.get((split.key, sha))

    def put(self, split: EvaluationSplit, evaluation: Evaluation) -> None:
        self.results[(split.key, evaluation.program_sha256)] = evaluation


class CompetitionUtility:
    """`utility(program) -> float` over one competition split, as an improver is given it.

    `evaluate` is the runtime's own uncharged scoring; `__call__` is an improver's, charged
    to `budget` on a cache miss. `on_evaluation` sees every fresh evaluation (for the run log).
    """

    def __init__(
        self,
        split: EvaluationSplit,
        scale: Scale,
        runner: SolutionRunner,
        description: str,
        *,
        keep_input: bool = True,
        cache: EvaluationCache | None = None,
        on_evaluation: Callable[[Evaluation], None] | None = None,
    ) -> None:
        self.split = split
        self.keep_input = keep_input
        self.scale = scale
        self.runner = runner
        self.description = description
        self.cache = cache if cache is not None else EvaluationCache()
        self.on_evaluation = on_evaluation

    def evaluate(self, program: str) -> Evaluation:
        cached = self.cache.get(self.split, program_sha256(program))
        if cached is not None:
            return cached
        evaluation = self.runner.grade(program, self.split, self.scale)
        self.cache.put(self.split, evaluation)
        if self.on_evaluation is not None:
            self.on_evaluation(evaluation)
        return evaluation

    def value(self, program: str) -> float:
        return self.evaluate(program).utility

    def charged(self, program: str, budget: CallBudget) -> float:
        """An improver's call: a cache hit is free, a miss is charged before the program runs."""
        if self.cache.get(self.split, program_sha256(program)) is None:
            budget.charge()
        return self.evaluate(program).utility
