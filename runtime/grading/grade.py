"""Grade one submission: check it, score it, place it against the human leaderboard.

    answers ──read──▶ submission checks ──aligned frames──▶ metric ──score──▶ placement ──▶ report

A bad submission is a result (`valid_submission: false` with an `error` sentence), never an
exception. Only failures that make grading impossible raise, all listed in GRADING_FAILURES:
unreadable answers (`AnswersError`), an unknown or unimportable grader (`GraderError`) and a
leaderboard that fails its pin or direction check (`LeaderboardError`, raised while loading).
"""

from __future__ import annotations

import difflib
import importlib
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.runtime.grading.leaderboard import (
    Leaderboard,
    LeaderboardError,
    missing_leaderboard_note,
    place,
    round_score,
    thresholds,
)
from podium.runtime.grading.report import GradingReport
from podium.runtime.grading.submission import (
    Aligned,
    AnswersError,
    Invalid,
    SubmissionRules,
    check_submission,
    read_answers,
)

if TYPE_CHECKING:
    from podium.runtime.spec import ResolvedCompetition

MetricCallable = Callable[..., float]


class GraderError(Exception):
    """The competition's grader implementation cannot be found or imported."""


GRADING_FAILURES = (AnswersError, GraderError, LeaderboardError)


def grade_submission(
    submission_path: Path,
    competition: ResolvedCompetition,
    answers_path: Path,
    leaderboard: Leaderboard | None,
    *,
    leaderboard_note: str | None = None,
) -> GradingReport:
    """Grade `submission_path` against `answers_path`; place the score on `leaderboard` if given.

    `leaderboard` is assumed already checked (pin and direction: see `load_leaderboard`). When it
    is None the report's placement fields are null and `leaderboard_note` (or a default saying
    where podium looked) explains why.
    """
    metric = resolve_metric(competition.grader.implementation)  # imports: not timed as grading
    started = time.perf_counter()
    rules = SubmissionRules.for_competition(competition)
    answers = read_answers(Path(answers_path), rules)
    checked = check_submission(Path(submission_path), answers, rules)
    outcome = _score(metric, checked, competition) if isinstance(checked, Aligned) else checked
    fields = _placement_fields(outcome, competition, leaderboard, leaderboard_note)
    return GradingReport(
        competition_id=competition.id,
        score=None if isinstance(outcome, Invalid) else round_score(outcome),
        raw_score=None if isinstance(outcome, Invalid) else outcome,
        submission_exists=checked.submission_exists if isinstance(checked, Invalid) else True,
        valid_submission=not isinstance(outcome, Invalid),
        is_lower_better=competition.grader.is_lower_better,
        submission_path=str(submission_path),
        outcome="invalid" if isinstance(outcome, Invalid) else "scored",
        metric=competition.grader.id,
        error=outcome.error if isinstance(outcome, Invalid) else None,
        grader_version=competition.grader.version,
        grading_seconds=round(time.perf_counter() - started, 6),
        **fields,
    )


def resolve_metric(implementation: str) -> MetricCallable:
    """A registry metric by name, or `package.module:function` for a custom grader."""
    if ":" in implementation:
        return _import_function(implementation)
    from podium.runtime.grading.registry import get_metric, metric_names

    try:
        return get_metric(implementation)
    except KeyError:
        close = difflib.get_close_matches(implementation, metric_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "; `module:function` names a custom one"
        raise GraderError(f"no metric named {implementation!r} in the registry{hint}") from None


def _import_function(reference: str) -> MetricCallable:
    module_name, _, function_name = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise GraderError(f"cannot import grader module {module_name!r}: {error}") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise GraderError(f"grader module {module_name!r} has no function {function_name!r}")
    return function


def metric_params(competition: ResolvedCompetition) -> dict[str, Any]:
    """What every metric receives: the grader's params plus the id column and target names."""
    prepare = competition.prepare
    return {
        **competition.grader.params,
        "id_column": prepare.id_column,
        "targets": list(prepare.targets),
    }


def _score(metric: MetricCallable, aligned: Aligned, competition: ResolvedCompetition) -> float | Invalid:
    from podium.runtime.grading.registry import MetricInputError

    name = competition.grader.id
    try:
        value = float(metric(aligned.truth, aligned.pred, **metric_params(competition)))
    except MetricInputError as error:
        return Invalid(str(error))
    except Exception as error:  # a metric crashing on a submission makes it invalid, as in MLE-bench
        return Invalid(f"grader {name!r} could not score this submission: {type(error).__name__}: {error}")
    if not math.isfinite(value):
        return Invalid(f"grader {name!r} returned {value} for this submission, which is not a score")
    return value


def _placement_fields(
    outcome: float | Invalid,
    competition: ResolvedCompetition,
    leaderboard: Leaderboard | None,
    note: str | None,
) -> dict[str, Any]:
    if leaderboard is None:
        return {"leaderboard_note": note or _no_leaderboard_note(competition)}
    common = {
        "leaderboard_sha256": leaderboard.sha256,
        "n_teams": leaderboard.n_teams,
        "leaderboard_note": note,
    }
    if isinstance(outcome, Invalid):
        # MLE-bench reports the thresholds and no medal for an invalid submission.
        limits = thresholds(leaderboard.scores)
        medals = dict.fromkeys(("any_medal", "gold_medal", "silver_medal", "bronze_medal", "above_median"), False)
        return {**common, **limits.medal_fields(), **medals}
    placement = place(outcome, leaderboard.scores, competition.grader.direction)
    return {
        **common,
        **placement.thresholds.medal_fields(),
        **placement.medal_fields(),
    }


def _no_leaderboard_note(competition: ResolvedCompetition) -> str:
    spec = competition.leaderboard
    if spec.sha256 is None:
        reason = f"competition {competition.id} declares no leaderboard"
        return f"{reason}: {spec.note}" if spec.note else reason
    return missing_leaderboard_note(competition.id)
