"""grade_submission and its report: MLE-bench's fields, podium's additions, typed outcomes."""

from __future__ import annotations

import json
import math
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from toy_competition import toy_competition

from podium.runtime.grading.grade import GraderError, grade_submission, metric_params
from podium.runtime.grading.leaderboard import Leaderboard, place
from podium.runtime.grading.report import GradingReport, aggregate, failed_report
from podium.runtime.grading.submission import AnswersError
from podium.runtime.spec import ResolvedCompetition

MLEBENCH_FIELDS = [
    "competition_id", "score", "gold_threshold", "silver_threshold", "bronze_threshold",
    "median_threshold", "any_medal", "gold_medal", "silver_medal", "bronze_medal", "above_median",
    "submission_exists", "valid_submission", "is_lower_better", "created_at", "submission_path",
]  # fmt: skip
PODIUM_FIELDS = [
    "metric", "error", "leaderboard_sha256", "rank", "percentile", "n_teams", "grader_version",
    "grading_seconds", "leaderboard_note",
]  # fmt: skip
IDS = [f"{n:04d}_01" for n in range(1, 11)]
TRUTH = ["True", "False"] * 5
# 10 teams: gold at row 1 (0.95), silver at row 2 (0.9), bronze at row 4 (0.8), median 0.725.
BOARD = [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5]


def competition(pin: str | None = None, **grader: Any) -> ResolvedCompetition:
    return toy_competition("toy-titanic", pin=pin, grader={"version": "3", **grader}, name="Toy Titanic")


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    path = tmp_path / "test.csv"
    rows = "".join(f"{i},Earth,{y}\n" for i, y in zip(IDS, TRUTH, strict=True))
    path.write_text("PassengerId,HomePlanet,Transported\n" + rows)
    return path


def submission(tmp_path: Path, correct: int) -> Path:
    """A submission with the first `correct` rows right and the rest wrong (accuracy correct/10)."""
    flip = {"True": "False", "False": "True"}
    labels = [y if n < correct else flip[y] for n, y in enumerate(TRUTH)]
    path = tmp_path / "submission.csv"
    path.write_text("PassengerId,Transported\n" + "".join(f"{i},{y}\n" for i, y in zip(IDS, labels, strict=True)))
    return path


@pytest.fixture
def board(tmp_path: Path) -> Leaderboard:
    path = tmp_path / "leaderboard.csv"
    path.write_text("teamId,score\n" + "".join(f"{n},{s}\n" for n, s in enumerate(BOARD)))
    return Leaderboard.from_csv(path)


@pytest.fixture
def custom_metrics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module of custom graders importable as `toy_custom_metrics:<function>`."""
    (tmp_path / "toy_custom_metrics.py").write_text(
        "import math\n"
        "from podium.runtime.grading.registry import MetricInputError\n"
        "def nan(truth, pred, **params): return math.nan\n"
        "def inf(truth, pred, **params): return math.inf\n"
        "def refuse(truth, pred, **params): raise MetricInputError('row 3 has a malformed mask')\n"
        "def crash(truth, pred, **params): raise ValueError('boom')\n"
        "def echo(truth, pred, **params):\n"
        "    global SEEN\n"
        "    SEEN = params\n"
        "    return 0.123456789\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "toy_custom_metrics", raising=False)
    return "toy_custom_metrics"


def test_valid_submission_report(tmp_path: Path, answers: Path, board: Leaderboard) -> None:
    report = grade_submission(submission(tmp_path, 8), competition(), answers, board)
    assert report.outcome == "scored" and report.valid_submission and report.submission_exists
    assert report.score == 0.8 and report.error is None
    placed = place(0.8, board.scores, "maximize")
    assert report.bronze_medal and not report.silver_medal and not report.gold_medal and report.any_medal
    assert (report.rank, report.percentile, report.n_teams) == (placed.rank, placed.percentile, 10) == (4, 0.6, 10)
    assert (report.gold_threshold, report.silver_threshold, report.bronze_threshold) == (0.95, 0.9, 0.8)
    assert report.median_threshold == 0.725 and report.above_median
    assert report.leaderboard_sha256 == board.sha256 and report.leaderboard_note is None
    assert (report.metric, report.grader_version, report.is_lower_better) == ("accuracy", "3", False)
    assert report.competition_id == "toy-titanic" and report.submission_path.endswith("submission.csv")
    assert report.grading_seconds >= 0 and report.created_at.tzinfo is not None


def test_report_json_has_the_contract_fields(tmp_path: Path, answers: Path, board: Leaderboard) -> None:
    data = json.loads(grade_submission(submission(tmp_path, 10), competition(), answers, board).model_dump_json())
    assert list(data)[: len(MLEBENCH_FIELDS)] == MLEBENCH_FIELDS
    assert set(PODIUM_FIELDS) <= set(data)
    assert data["gold_medal"] is True and data["score"] == 1.0
    assert datetime.fromisoformat(data["created_at"])
    assert GradingReport.model_validate(data).score == 1.0


def test_invalid_submission_is_a_result(tmp_path: Path, answers: Path, board: Leaderboard) -> None:
    (tmp_path / "submission.csv").write_text("PassengerId,Transported\n0001_01,True\n")
    report = grade_submission(tmp_path / "submission.csv", competition(), answers, board)
    assert report.outcome == "invalid" and not report.valid_submission and report.submission_exists
    assert report.score is None and report.error is not None and "missing 9 ids" in report.error
    assert report.gold_threshold == 0.95  # MLE-bench reports thresholds and no medal
    assert report.any_medal is False and report.above_median is False
    assert report.rank is None and report.percentile is None


def test_missing_submission(tmp_path: Path, answers: Path, board: Leaderboard) -> None:
    report = grade_submission(tmp_path / "nothing.csv", competition(), answers, board)
    assert not report.submission_exists and not report.valid_submission and report.outcome == "invalid"


def test_no_leaderboard_means_null_placement_with_a_note(
    tmp_path: Path, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    report = grade_submission(submission(tmp_path, 9), competition(pin="a" * 64), answers, None)
    assert report.score == 0.9 and report.valid_submission
    for field in ("gold_threshold", "median_threshold", "gold_medal", "any_medal", "above_median", "rank"):
        assert getattr(report, field) is None, field
    assert report.leaderboard_note and "no leaderboard found for toy-titanic" in report.leaderboard_note
    declared_none = grade_submission(submission(tmp_path, 9), competition(), answers, None)
    assert declared_none.leaderboard_note == "competition toy-titanic declares no leaderboard"
    noted = grade_submission(submission(tmp_path, 9), competition(), answers, None, leaderboard_note="offline")
    assert noted.leaderboard_note == "offline"


def test_scores_are_rounded_to_five_decimals(tmp_path: Path, answers: Path, custom_metrics: str) -> None:
    report = grade_submission(
        submission(tmp_path, 1), competition(implementation=f"{custom_metrics}:echo"), answers, None
    )
    assert report.score == 0.12346 and report.raw_score == 0.123456789


def test_metric_receives_params_id_column_and_targets(tmp_path: Path, answers: Path, custom_metrics: str) -> None:
    spec = competition(implementation=f"{custom_metrics}:echo", params={"k": 5})
    grade_submission(submission(tmp_path, 1), spec, answers, None)
    seen = sys.modules[custom_metrics].SEEN
    assert seen == {"k": 5, "id_column": "PassengerId", "targets": ["Transported"]} == metric_params(spec)


@pytest.mark.parametrize(
    ("function", "error"),
    [
        ("nan", "grader 'accuracy' returned nan for this submission, which is not a score"),
        ("inf", "grader 'accuracy' returned inf for this submission, which is not a score"),
        ("refuse", "row 3 has a malformed mask"),
        ("crash", "grader 'accuracy' could not score this submission: ValueError: boom"),
    ],
)
def test_unscorable_values_make_the_submission_invalid(
    tmp_path: Path, answers: Path, board: Leaderboard, custom_metrics: str, function: str, error: str
) -> None:
    spec = competition(implementation=f"{custom_metrics}:{function}")
    report = grade_submission(submission(tmp_path, 5), spec, answers, board)
    assert (report.valid_submission, report.outcome, report.error, report.score) == (
        False,
        "invalid",
        error,
        None,
    )


def test_minimize_direction_with_rmse(tmp_path: Path) -> None:
    answers = tmp_path / "test.csv"
    answers.write_text("id,y\n1,1.0\n2,2.0\n3,3.0\n")
    (tmp_path / "submission.csv").write_text("id,y\n3,3.0\n2,2.0\n1,2.0\n")
    spec = competition(implementation="rmse", direction="minimize", inputs=["numbers"], id="rmse")
    spec = spec.model_copy(update={"prepare": spec.prepare.model_copy(update={"id_column": "id", "targets": ["y"]})})
    board_path = tmp_path / "leaderboard.csv"
    board_path.write_text("score\n0.1\n0.5\n0.6\n0.9\n")
    report = grade_submission(tmp_path / "submission.csv", spec, answers, Leaderboard.from_csv(board_path))
    assert report.is_lower_better and report.score == round(math.sqrt(1 / 3), 5)
    assert report.rank == 3 and report.percentile == 0.5 and report.gold_medal is False


def test_grading_impossible_raises(tmp_path: Path, answers: Path, custom_metrics: str) -> None:
    with pytest.raises(AnswersError):
        grade_submission(submission(tmp_path, 1), competition(), tmp_path / "absent.csv", None)
    with pytest.raises(GraderError, match="did you mean 'accuracy'"):
        grade_submission(submission(tmp_path, 1), competition(implementation="acuracy"), answers, None)
    with pytest.raises(GraderError, match="cannot import grader module"):
        grade_submission(submission(tmp_path, 1), competition(implementation="no_such_mod:f"), answers, None)
    with pytest.raises(GraderError, match="has no function 'absent'"):
        grade_submission(submission(tmp_path, 1), competition(implementation=f"{custom_metrics}:absent"), answers, None)


def test_aggregate_has_mlebench_totals(tmp_path: Path, answers: Path, board: Leaderboard) -> None:
    gold = grade_submission(submission(tmp_path, 10), competition(), answers, board)
    bronze = grade_submission(submission(tmp_path, 8), competition(), answers, board)
    unplaced = grade_submission(submission(tmp_path, 8), competition(), answers, None)
    failed = failed_report("x", "s.csv", "unknown competition")
    summary = aggregate([gold, bronze, unplaced, failed])
    assert {k: v for k, v in summary.items() if k != "competition_reports"} == {
        "total_runs": 4,
        "total_runs_with_submissions": 3,
        "total_valid_submissions": 3,
        "total_medals": 2,
        "total_gold_medals": 1,
        "total_silver_medals": 0,
        "total_bronze_medals": 1,
        "total_above_median": 2,
        "total_failed": 1,
    }
    assert len(summary["competition_reports"]) == 4
    assert pd.DataFrame(summary["competition_reports"])["outcome"].tolist() == ["scored"] * 3 + ["failed"]
