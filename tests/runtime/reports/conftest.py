"""Run records built by hand, with grading reports made the way grading makes them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import pytest

from podium.runtime.grading.leaderboard import place, thresholds
from podium.runtime.grading.report import GradingReport
from podium.runtime.store.records import Resources, RunRecord, Usage, run_id_for

MakeRun = Callable[..., RunRecord]
# 10 teams, best first: gold at row 1 (0.95), silver row 2 (0.9), bronze row 4 (0.8), median 0.725.
BOARD = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5)


def grading_report(
    competition: str, score: float | None, board: Sequence[float] | None, lower: bool = False, **extra: Any
) -> dict[str, Any]:
    """A GradingReport as JSON: placed on `board` when there is one, invalid when `score` is None."""
    fields: dict[str, Any] = {
        "competition_id": competition,
        "score": score,
        "submission_exists": score is not None,
        "valid_submission": score is not None,
        "submission_path": f"/runs/{competition}/submission/submission.csv",
        "outcome": "scored" if score is not None else "invalid",
        "metric": "accuracy",
        "is_lower_better": lower,
    }
    if score is None:
        fields["error"] = "the submission has no column 'Transported'"
    if board is not None:
        limits = thresholds(board)
        fields |= {"gold_threshold": limits.gold, "silver_threshold": limits.silver,
                   "bronze_threshold": limits.bronze, "median_threshold": limits.median,
                   "n_teams": len(board), "leaderboard_sha256": "c" * 64}  # fmt: skip
        if score is not None:
            placement = place(score, board, "minimize" if lower else "maximize")
            fields |= {"gold_medal": placement.gold_medal, "silver_medal": placement.silver_medal,
                       "bronze_medal": placement.bronze_medal, "any_medal": placement.any_medal,
                       "above_median": placement.above_median, "rank": placement.rank,
                       "percentile": placement.percentile}  # fmt: skip
    fields |= extra
    return GradingReport(**fields).to_json_dict()


def build_run(
    competition: str = "spaceship-titanic",
    scaffold: str = "aide",
    seed: int = 0,
    *,
    score: float | None = 0.8,
    board: Sequence[float] | None = BOARD,
    suite: str = "lite",
    status: str = "succeeded",
    attempt: int = 0,
    graded: bool = True,
    lower: bool = False,
    tokens: tuple[int, int] = (0, 0),
    cost: float = 0.0,
    run_dir: str | None = None,
    error: str | None = None,
    run_id: str | None = None,
    **report_fields: Any,
) -> RunRecord:
    report = grading_report(competition, score, board, lower, **report_fields) if graded else None
    return RunRecord(
        run_id=run_id or run_id_for(suite, competition, scaffold, seed, attempt),
        suite=suite,
        competition_id=competition,
        scaffold_id=scaffold,
        seed=seed,
        attempt=attempt,
        status=status,  # type: ignore[arg-type]
        competition_sha256="a" * 64,
        scaffold_sha256="b" * 64,
        created_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
        report=report,
        error=error,
        usage=Usage(llm_calls=3, prompt_tokens=tokens[0], completion_tokens=tokens[1], cost_usd=cost),
        resources=Resources(wall_seconds=90.0),
        run_dir=run_dir,
    )


@pytest.fixture
def make_run() -> MakeRun:
    return build_run
