"""A competition made ready for STOP: prepared data, both splits, their scales, utilities, description.

`CompetitionTask.build` prepares the competition (idempotent), writes the validation split,
fixes the two ends of each split's scale (the sample submission's score, and the human
threshold or the reference solution's score) and describes the utility in words for the model:
metric, direction, the program's I/O contract and limits — never the scorer's code or answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from podium.runtime.data.prepare import prepare_competition
from podium.runtime.data.sources import DataError
from podium.runtime.grading import load_leaderboard, thresholds
from podium.runtime.spec import ResolvedCompetition
from podium.runtime.spec.units import format_duration, format_size
from podium.runtime.stop.config import Normalisation, StopConfig
from podium.runtime.stop.splits import EvaluationSplit, held_out_split, validation_split
from podium.runtime.stop.utility import CompetitionUtility, EvaluationCache, Scale, SolutionRunner


class TaskError(Exception):
    """A competition cannot serve as a STOP utility; the message says what to do."""


@dataclass(frozen=True)
class CompetitionTask:
    competition: ResolvedCompetition
    seed_solution: str
    validation: CompetitionUtility  # what improvers are given
    held_out: CompetitionUtility  # for the record only

    @property
    def id(self) -> str:
        return self.competition.id

    @classmethod
    def build(
        cls,
        competition: ResolvedCompetition,
        config: StopConfig,
        *,
        spec_dir: Path | None,
        data_dir: Path | None,
        work_root: Path,
        cache: EvaluationCache,
    ) -> CompetitionTask:
        result = prepare_competition(competition, data_dir, spec_dir=spec_dir)
        params = config.params
        validation = validation_split(
            competition, result.prepared_dir, fraction=params.validation.fraction,
            random_state=params.validation.random_state,
        )  # fmt: skip
        held_out = held_out_split(competition, result.prepared_dir)
        runner = SolutionRunner(work_root / competition.id, params.solution_limits.limits())
        scaler = _Scaler(competition, params.normalisation, runner, spec_dir)
        utilities = []
        for split in (validation, held_out):
            scale = scaler.scale(split)
            description = describe_utility(competition, scale, config)
            utilities.append(
                CompetitionUtility(split, scale, runner, description, keep_input=params.keep_input, cache=cache)
            )
        seed = config.program_file(params.seed_solution, "seed_solution.py")
        return cls(competition, seed, utilities[0], utilities[1])


class _Scaler:
    """Fixes both ends of a split's scale, as the normalisation settings say."""

    def __init__(
        self,
        competition: ResolvedCompetition,
        normalisation: Normalisation,
        runner: SolutionRunner,
        spec_dir: Path | None,
    ) -> None:
        self.competition = competition
        self.normalisation = normalisation
        self.runner = runner
        self.spec_dir = spec_dir

    def scale(self, split: EvaluationSplit) -> Scale:
        zero = self._baseline(split)
        mode = self._mode()
        if mode == "human":
            one, label = self._human_threshold()
        elif mode == "reference":
            one, label = self._reference_score(split)
        else:
            direction = -1.0 if self.competition.grader.is_lower_better else 1.0
            one, label = zero + direction, "one metric unit better than the sample submission"
        try:
            return Scale(zero=zero, one=one, one_is=label)
        except ValueError as error:
            raise TaskError(f"{self.competition.id} ({split.name} split): {error}") from None

    def _baseline(self, split: EvaluationSplit) -> float:
        score, error = self.runner.raw_score(split.sample_submission, split)
        if score is None:
            raise TaskError(
                f"{self.competition.id}: the sample submission of the {split.name} split is invalid: {error}"
            )
        return score

    def _mode(self) -> str:
        mode = self.normalisation.mode
        if mode != "auto":
            return mode
        if self.competition.leaderboard.human and self._leaderboard() is not None:
            return "human"
        if self._reference_path() is not None:
            return "reference"
        raise TaskError(
            f"{self.competition.id} has no human leaderboard at hand and no {self.normalisation.reference} beside "
            f"its spec, so its utility cannot be normalised: fetch the leaderboard (`podium leaderboard fetch "
            f"{self.competition.id}`), add a reference solution, or use the raw normalisation (--normalisation raw)"
        )

    def _leaderboard(self) -> tuple[float, ...] | None:
        spec = self.competition.leaderboard
        if spec.sha256 is None:
            return None
        board = load_leaderboard(self.competition.id, pin=spec.sha256, direction=self.competition.grader.direction)
        return None if board is None else board.scores

    def _human_threshold(self) -> tuple[float, str]:
        scores = self._leaderboard() if self.competition.leaderboard.human else None
        if scores is None:
            raise TaskError(
                f"{self.competition.id}: the normalisation asks for the human leaderboard, but none is at hand; "
                f"run `podium leaderboard fetch {self.competition.id}` or choose another normalisation"
            )
        limits = thresholds(scores)
        which = self.normalisation.human
        return (limits.median if which == "median" else limits.bronze), f"the human {which} on Kaggle's leaderboard"

    def _reference_path(self) -> Path | None:
        if self.spec_dir is None:
            return None
        path = self.spec_dir / self.normalisation.reference
        return path if path.is_file() else None

    def _reference_score(self, split: EvaluationSplit) -> tuple[float, str]:
        path = self._reference_path()
        if path is None:
            raise TaskError(
                f"{self.competition.id}: no reference solution {self.normalisation.reference} beside its spec"
            )
        evaluation = self.runner.grade(path.read_text(encoding="utf-8"), split, None)
        if evaluation.raw_score is None:
            raise TaskError(f"{self.competition.id}: its reference solution {path} failed: {evaluation.error}")
        return evaluation.raw_score, f"the score of the competition's reference solution ({path.name})"


def describe_utility(competition: ResolvedCompetition, scale: Scale, config: StopConfig) -> str:
    """The utility in words, for the model: what is measured and the contract; no code, no answers."""
    grader, prepare = competition.grader, competition.prepare
    limits = config.params.solution_limits
    better = "lower" if grader.is_lower_better else "higher"
    columns = ", ".join([prepare.id_column, *prepare.targets])
    return f"""Task: {competition.name} ({competition.id}).
Metric: {grader.id} ({better} is better), computed on validation rows whose labels the program never sees.
Utility: the metric score normalised so that 0 is the score of the sample submission (a constant guess) and 1 is
{scale.one_is}; above 1 is possible. A program that crashes, runs over its limits or writes an invalid submission
(missing or extra ids, wrong columns, empty or non-finite values) scores 0.
Program contract: a Python 3 script, run as `python solution.py` in an empty working folder, offline. It reads
data/train.csv (training rows with the targets), data/test.csv (the rows to predict, without the targets) and
data/sample_submission.csv (the exact ids and columns to write), and writes submission.csv with the columns
{columns} and one row per id of data/test.csv.
Limits per run: {format_duration(limits.timeout)} wall clock, {format_size(limits.memory)} of memory, one CPU; Python's
standard library, numpy, pandas, scipy and scikit-learn are installed.
The task, as its description states it:
{competition.description.strip()}"""


def build_tasks(
    competitions: Sequence[tuple[ResolvedCompetition, Path | None]],
    config: StopConfig,
    *,
    data_dir: Path | None,
    work_root: Path,
    cache: EvaluationCache,
) -> list[CompetitionTask]:
    """A task per (competition, its spec folder); data errors become TaskError with the id named."""
    tasks = []
    for competition, spec_dir in competitions:
        try:
            tasks.append(
                CompetitionTask.build(
                    competition, config, spec_dir=spec_dir, data_dir=data_dir, work_root=work_root, cache=cache
                )
            )
        except DataError as error:
            raise TaskError(f"{competition.id}: {error}") from None
    return tasks
