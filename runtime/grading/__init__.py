"""Grading: submission checks, metrics, leaderboards and placement, reports.

The public API is below; names load on first use so that importing this package (as the CLI
does for `podium --help`) costs nothing until a command grades something.

    grade_submission(submission_path, competition, answers_path, leaderboard) -> GradingReport
    grade_batch(runs_path, out_dir, resolve, data_dir=None) -> BatchResult
    check_submission(path, answers, rules) -> Aligned | Invalid
    Leaderboard.from_csv(path), load_leaderboard(...), find_leaderboard(...)
    thresholds(scores) -> Thresholds, place(score, scores, direction) -> Placement
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "grade_submission": "grade",
    "resolve_metric": "grade",
    "GraderError": "grade",
    "GRADING_FAILURES": "grade",
    "grade_batch": "batch",
    "BatchResult": "batch",
    "GradingReport": "report",
    "aggregate": "report",
    "check_submission": "submission",
    "read_answers": "submission",
    "SubmissionRules": "submission",
    "Aligned": "submission",
    "Invalid": "submission",
    "AnswersError": "submission",
    "Leaderboard": "leaderboard",
    "LeaderboardError": "leaderboard",
    "Placement": "leaderboard",
    "Thresholds": "leaderboard",
    "direction_matches": "leaderboard",
    "find_leaderboard": "leaderboard",
    "load_leaderboard": "leaderboard",
    "medal_positions": "leaderboard",
    "place": "leaderboard",
    "thresholds": "leaderboard",
}

__all__ = [
    "GRADING_FAILURES",
    "Aligned",
    "AnswersError",
    "BatchResult",
    "GraderError",
    "GradingReport",
    "Invalid",
    "Leaderboard",
    "LeaderboardError",
    "Placement",
    "SubmissionRules",
    "Thresholds",
    "aggregate",
    "check_submission",
    "direction_matches",
    "find_leaderboard",
    "grade_batch",
    "grade_submission",
    "load_leaderboard",
    "medal_positions",
    "place",
    "read_answers",
    "resolve_metric",
    "thresholds",
]

if TYPE_CHECKING:
    from podium.runtime.grading.batch import BatchResult, grade_batch
    from podium.runtime.grading.grade import (
        GRADING_FAILURES,
        GraderError,
        grade_submission,
        resolve_metric,
    )
    from podium.runtime.grading.leaderboard import (
        Leaderboard,
        LeaderboardError,
        Placement,
        Thresholds,
        direction_matches,
        find_leaderboard,
        load_leaderboard,
        medal_positions,
        place,
        thresholds,
    )
    from podium.runtime.grading.report import GradingReport, aggregate
    from podium.runtime.grading.submission import (
        Aligned,
        AnswersError,
        Invalid,
        SubmissionRules,
        check_submission,
        read_answers,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return list(__all__)
