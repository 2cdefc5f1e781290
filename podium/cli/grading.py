"""Grading commands: `podium grade` and `podium leaderboard thresholds|place`.

Exit codes: 0 when grading happened (a valid or an invalid submission: invalid is a result),
1 when it could not (unknown competition, missing answers, a leaderboard failing its pin),
2 for usage errors. The grading runtime is imported inside the commands so that
`podium --help` never pays for pandas or pyarrow.
"""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from podium.cli import context
from podium.cli.app import app
from podium.cli.context import console, fail

if TYPE_CHECKING:
    from podium.runtime.grading.leaderboard import Direction, Leaderboard, Placement
    from podium.runtime.grading.report import GradingReport
    from podium.runtime.spec import ResolvedCompetition

leaderboard_app = typer.Typer(
    help="Human leaderboards: medal thresholds, and where a score would have placed.",
    no_args_is_help=True,
)
app.add_typer(leaderboard_app, name="leaderboard")


class DirectionChoice(str, enum.Enum):
    maximize = "maximize"
    minimize = "minimize"


@app.command()
def grade(
    submission: Path | None = typer.Argument(None, metavar="SUBMISSION.csv", help="The submission to grade."),
    competition_id: str | None = typer.Option(None, "--competition", "-c", help="Competition id."),
    answers: Path | None = typer.Option(None, "--answers", help="Answers CSV; default: the prepared data's."),
    leaderboard: Path | None = typer.Option(None, "--leaderboard", help="Leaderboard CSV; default: looked up."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Prepared data folder; default: $PODIUM_DATA_DIR."),
    batch: Path | None = typer.Option(None, "--batch", help="JSONL of {competition_id, submission_path} lines."),
    out: Path | None = typer.Option(None, "--out", help="Folder for the batch's reports (with --batch)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON only."),
) -> None:
    """Grade a submission and place it against the human leaderboard (or a batch of them)."""
    if batch is not None:
        reports_dir = _check_batch_usage(submission, competition_id, answers, leaderboard, out)
        _grade_batch(batch, reports_dir, data_dir, as_json)
        return
    if submission is None or competition_id is None:
        fail("give a submission and its competition: `podium grade SUBMISSION.csv --competition ID` "
             "(or `podium grade --batch runs.jsonl --out reports/`)", code=2)  # fmt: skip
    report = _grade_one(submission, competition_id, answers, leaderboard, data_dir)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print_report(report)


def _check_batch_usage(
    submission: Path | None,
    competition_id: str | None,
    answers: Path | None,
    leaderboard: Path | None,
    out: Path | None,
) -> Path:
    """The batch's output folder, once the flags make sense together."""
    if submission is not None or competition_id or answers or leaderboard:
        fail("--batch takes the competitions and submissions from its lines; drop SUBMISSION.csv, "
             "--competition, --answers and --leaderboard", code=2)  # fmt: skip
    if out is None:
        fail("--batch needs --out DIR, the folder for reports.jsonl and grading_report.json", code=2)
    return out


def _grade_one(
    submission: Path,
    competition_id: str,
    answers: Path | None,
    leaderboard: Path | None,
    data_dir: Path | None,
) -> GradingReport:
    from podium.runtime.grading.grade import GRADING_FAILURES, grade_submission

    competition = context.resolve_competition(competition_id)
    answers_path = _answers_path(competition, answers, data_dir)
    board = _load_leaderboard(competition, leaderboard)
    try:
        return grade_submission(submission, competition, answers_path, board)
    except GRADING_FAILURES as error:
        fail(str(error))


def _answers_path(competition: ResolvedCompetition, explicit: Path | None, data_dir: Path | None) -> Path:
    from podium.runtime.data import paths

    if explicit is not None:
        if not explicit.is_file():
            fail(f"no answers file at {explicit}; pass the private answers CSV of {competition.id}.")
        return explicit
    folder = paths.private_dir(competition.id, paths.data_dir(data_dir))
    answers = folder / competition.prepare.answers
    if not answers.is_file():
        fail(f"no answers for {competition.id} at {answers}: its data is not prepared there. "
             f"Run `podium prepare {competition.id}` first, point --data-dir (or "
             f"{paths.DATA_DIR_ENV}) at the folder holding {competition.id}/prepared/, "
             "or pass --answers FILE.")  # fmt: skip
    return answers


def _load_leaderboard(competition: ResolvedCompetition, explicit: Path | None) -> Leaderboard | None:
    from podium.runtime.grading.leaderboard import LeaderboardError, load_leaderboard

    try:
        return load_leaderboard(
            competition.id,
            pin=competition.leaderboard.sha256,
            direction=competition.grader.direction,
            explicit=explicit,
        )
    except LeaderboardError as error:
        fail(str(error))


def _grade_batch(batch: Path, out: Path, data_dir: Path | None, as_json: bool) -> None:
    from podium.runtime.grading.batch import grade_batch
    from podium.runtime.grading.report import TOTAL_FIELDS

    if not batch.is_file():
        fail(f"no batch file at {batch}; write one JSON line per run: "
             '{"competition_id": "...", "submission_path": "..."}')  # fmt: skip
    result = grade_batch(batch, out, _resolve_for_batch, data_dir=data_dir)
    totals = {field: result.summary[field] for field in (*TOTAL_FIELDS, "total_failed")}
    if as_json:
        paths = {"reports_path": str(result.reports_path), "summary_path": str(result.summary_path)}
        typer.echo(json.dumps({**totals, **paths}, indent=2))
        return
    _print_pairs(f"graded {batch}", [(name, str(value)) for name, value in totals.items()])
    console.print(f"reports: {result.reports_path}\nsummary: {result.summary_path}", highlight=False)


def _resolve_for_batch(competition_id: str) -> ResolvedCompetition:
    """`context.resolve_competition`, raising instead of exiting so one bad line stays one line."""
    with context.err_console.capture() as captured:
        try:
            return context.resolve_competition(competition_id)
        except typer.Exit:
            pass
    message = captured.get().strip().removeprefix("error:").strip()
    raise LookupError(message or f"cannot resolve competition {competition_id!r}")


@leaderboard_app.command("thresholds")
def leaderboard_thresholds(
    leaderboard: Path = typer.Argument(..., metavar="LEADERBOARD.csv", help="A Kaggle leaderboard CSV."),
    direction: DirectionChoice = typer.Option(..., "--direction", help="The metric's direction."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Medal thresholds of a leaderboard by Kaggle's rules (as MLE-bench applies them)."""
    from podium.runtime.grading.leaderboard import Leaderboard, LeaderboardError, thresholds

    try:
        board = Leaderboard.from_csv(leaderboard)
        board.check_direction(direction.value)
    except LeaderboardError as error:
        fail(str(error))
    result = {
        "leaderboard": str(leaderboard),
        "leaderboard_sha256": board.sha256,
        "direction": direction.value,
        **thresholds(board.scores).fields(),
    }
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        _print_pairs(f"thresholds of {leaderboard}", [(k, str(v)) for k, v in result.items()])


@leaderboard_app.command("place")
def leaderboard_place(
    score: float = typer.Argument(..., metavar="SCORE", help="The score to place (`--` before a negative one)."),
    competition_id: str | None = typer.Option(None, "--competition", "-c", help="Competition id."),
    leaderboard: Path | None = typer.Option(None, "--leaderboard", help="Leaderboard CSV; default: looked up."),
    direction: DirectionChoice | None = typer.Option(None, "--direction", help="Needed without --competition."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Where a score would have placed among the human teams: medal, rank, percentile."""
    from podium.runtime.grading.leaderboard import place

    if not math.isfinite(score):
        fail(f"{score} is not a score; give a finite number", code=2)
    board, chosen, competition = _board_for_place(competition_id, leaderboard, direction)
    placement = place(score, board.scores, chosen)
    result = _placement_dict(placement, competition, board, chosen)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        _print_pairs(f"placement of {score}", [(k, str(v)) for k, v in result.items()])


def _board_for_place(
    competition_id: str | None, explicit: Path | None, direction: DirectionChoice | None
) -> tuple[Leaderboard, Direction, str | None]:
    from podium.runtime.grading.leaderboard import Leaderboard, LeaderboardError, missing_leaderboard_note

    if competition_id is None:
        if explicit is None or direction is None:
            fail("give --competition ID, or --leaderboard FILE with --direction maximize|minimize", code=2)
        try:
            board = Leaderboard.from_csv(explicit)
            board.check_direction(direction.value)
        except LeaderboardError as error:
            fail(str(error))
        return board, direction.value, None
    competition = context.resolve_competition(competition_id)
    declared = competition.grader.direction
    if direction is not None and direction.value != declared:
        fail(f"{competition_id}'s grader declares direction {declared!r}; drop --direction", code=2)
    found = _load_leaderboard(competition, explicit)
    if found is None:
        fail(missing_leaderboard_note(competition.id))
    return found, declared, competition.id


def _placement_dict(
    placement: Placement, competition_id: str | None, board: Leaderboard, direction: Direction
) -> dict[str, Any]:
    return {
        "competition_id": competition_id,
        "score": placement.score,
        "medal": placement.medal,
        **placement.medal_fields(),
        "is_lower_better": direction == "minimize",
        "leaderboard_sha256": board.sha256,
        **placement.thresholds.fields(),
    }


def _print_report(report: GradingReport) -> None:
    rows = [("competition", report.competition_id or "?"), ("metric", report.metric or "?")]
    if report.valid_submission:
        rows.append(("score", f"{report.score}"))
    else:
        rows.append(("valid", f"no: {report.error}"))
    rows += _placement_rows(report)
    rows.append(("graded in", f"{report.grading_seconds:.3f}s"))
    _print_pairs(f"grade of {report.submission_path}", rows)


def _placement_rows(report: GradingReport) -> list[tuple[str, str]]:
    if report.n_teams is None:
        return [("leaderboard", report.leaderboard_note or "none")]
    rows = [("medal", report.medal or "none"), ("above median", "yes" if report.above_median else "no")]
    if report.rank is not None and report.percentile is not None:
        rows.append(("rank", f"{report.rank} of {report.n_teams} (beats {report.percentile:.1%} of teams)"))
    limits = (
        report.gold_threshold,
        report.silver_threshold,
        report.bronze_threshold,
        report.median_threshold,
    )
    rows.append(("gold / silver / bronze / median", " / ".join(str(value) for value in limits)))
    return rows


def _print_pairs(title: str, rows: list[tuple[str, str]]) -> None:
    from rich.table import Table

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
