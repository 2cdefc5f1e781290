"""The grading report: one per graded submission, a superset of MLE-bench's CompetitionReport.

The first sixteen fields are MLE-bench's, with the same names and meanings, so tools that read
MLE-bench reports read these. The rest is what MLE-bench lacks. Where MLE-bench has no answer
podium says null: with no leaderboard the thresholds, medals, rank and percentile are null and
`leaderboard_note` says why; `score` is null for an invalid submission.

`outcome` types the result (METR task standard): `scored` (a valid submission with a score),
`invalid` (the submission is the problem; `error` says what) or `failed` (grading could not
happen: unknown competition, missing answers; `error` says what to do).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["scored", "invalid", "failed"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


class GradingReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # MLE-bench's fields, in MLE-bench's order.
    competition_id: str | None = Field(description="null only when a batch line names none")
    score: float | None = Field(description="the metric's value rounded to 5 decimals")
    gold_threshold: float | None = None
    silver_threshold: float | None = None
    bronze_threshold: float | None = None
    median_threshold: float | None = None
    any_medal: bool | None = None
    gold_medal: bool | None = None
    silver_medal: bool | None = None
    bronze_medal: bool | None = None
    above_median: bool | None = None
    submission_exists: bool = Field(description="a file named *.csv exists (MLE-bench's meaning)")
    valid_submission: bool
    is_lower_better: bool | None = Field(None, description="from the grader spec's direction")
    created_at: datetime = Field(default_factory=_now)
    submission_path: str

    # What podium adds.
    outcome: Outcome
    metric: str | None = None
    error: str | None = Field(None, description="why the submission is invalid or grading failed")
    raw_score: float | None = Field(None, description="the metric's value before rounding")
    leaderboard_sha256: str | None = None
    leaderboard_note: str | None = Field(None, description="why the placement fields are null")
    rank: int | None = Field(None, description="1 + number of human teams strictly better")
    percentile: float | None = Field(None, description="fraction (0..1) of teams strictly beaten")
    n_teams: int | None = None
    grader_version: str | None = None
    grading_seconds: float = Field(0.0, description="reading, checking and scoring; imports excluded")

    @property
    def medal(self) -> str | None:
        for name in ("gold", "silver", "bronze"):
            if getattr(self, f"{name}_medal"):
                return name
        return None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def failed_report(competition_id: str | None, submission_path: str, error: str, seconds: float = 0.0) -> GradingReport:
    """A report for a submission that could not be graded at all (not the agent's fault)."""
    return GradingReport(
        competition_id=competition_id,
        score=None,
        submission_exists=False,
        valid_submission=False,
        submission_path=submission_path,
        outcome="failed",
        error=error,
        grading_seconds=seconds,
    )


TOTAL_FIELDS = (
    "total_runs",
    "total_runs_with_submissions",
    "total_valid_submissions",
    "total_medals",
    "total_gold_medals",
    "total_silver_medals",
    "total_bronze_medals",
    "total_above_median",
)


def aggregate(reports: Iterable[GradingReport]) -> dict[str, Any]:
    """MLE-bench's summary totals (null medal fields count as no medal), then the reports."""
    reports = list(reports)

    def total(field: str) -> int:
        return sum(bool(getattr(report, field)) for report in reports)

    gold, silver, bronze = total("gold_medal"), total("silver_medal"), total("bronze_medal")
    return {
        "total_runs": len(reports),
        "total_runs_with_submissions": total("submission_exists"),
        "total_valid_submissions": total("valid_submission"),
        "total_medals": gold + silver + bronze,
        "total_gold_medals": gold,
        "total_silver_medals": silver,
        "total_bronze_medals": bronze,
        "total_above_median": total("above_median"),
        "total_failed": sum(report.outcome == "failed" for report in reports),
        "competition_reports": [report.to_json_dict() for report in reports],
    }
