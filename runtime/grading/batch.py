"""Batch grading: a JSONL file of `{competition_id, submission_path}` lines, one report per line.

Each line is graded on its own: a line that cannot be graded (bad JSON, unknown competition,
missing answers, a leaderboard failing its pin) becomes a `failed` report and the batch goes
on. Output, in `out_dir`:

    reports.jsonl         one GradingReport per input line, in input order
    grading_report.json   MLE-bench's totals plus every report (`competition_reports`)

Lines that are blank or start with `#` or `//` are skipped. A relative `submission_path` is
taken relative to the working directory, as MLE-bench does.

The caller passes `resolve(competition_id)`, so the runtime never imports the generator.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.runtime.grading.report import GradingReport, aggregate, failed_report

if TYPE_CHECKING:
    from podium.runtime.spec import ResolvedCompetition

Resolve = Callable[[str], "ResolvedCompetition"]
REPORTS_FILE = "reports.jsonl"
SUMMARY_FILE = "grading_report.json"


@dataclass(frozen=True)
class BatchLine:
    number: int
    competition_id: str | None
    submission_path: str
    problem: str | None = None  # why the line itself is unusable


@dataclass(frozen=True)
class BatchResult:
    reports: list[GradingReport]
    summary: dict[str, Any]
    reports_path: Path
    summary_path: Path


def grade_batch(
    runs_path: Path,
    out_dir: Path,
    resolve: Resolve,
    *,
    data_dir: Path | None = None,
) -> BatchResult:
    """Grade every line of `runs_path`, write the reports and the summary, return both."""
    runs_path, out_dir = Path(runs_path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    reports_path = out_dir / REPORTS_FILE
    reports = []
    with reports_path.open("w", encoding="utf-8") as stream:
        for line in read_batch_lines(runs_path):
            report = grade_line(line, resolve, data_dir, runs_path.name)
            stream.write(report.model_dump_json() + "\n")
            stream.flush()  # a crash mid-batch keeps the reports written so far
            reports.append(report)
    summary = aggregate(reports)
    summary_path = out_dir / SUMMARY_FILE
    summary_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return BatchResult(reports, summary, reports_path, summary_path)


def read_batch_lines(path: Path) -> Iterator[BatchLine]:
    with Path(path).open(encoding="utf-8-sig") as stream:
        for number, text in enumerate(stream, start=1):
            text = text.strip()
            if text and not text.startswith(("#", "//")):
                yield parse_batch_line(number, text, Path(path).name)


def parse_batch_line(number: int, text: str, source: str = "runs.jsonl") -> BatchLine:
    where = f"{source} line {number}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return BatchLine(number, None, "", f"{where} is not JSON ({error.msg})")
    if not isinstance(data, dict):
        return BatchLine(number, None, "", f"{where} is not a JSON object")
    competition_id, submission_path = data.get("competition_id"), data.get("submission_path")
    if not isinstance(competition_id, str) or not competition_id:
        problem = f"{where} has no competition_id"
        return BatchLine(number, None, str(submission_path or ""), problem)
    if not isinstance(submission_path, str) or not submission_path:
        return BatchLine(number, competition_id, "", f"{where} has no submission_path")
    return BatchLine(number, competition_id, submission_path)


def grade_line(line: BatchLine, resolve: Resolve, data_dir: Path | None, source: str) -> GradingReport:
    """One line's report; every failure becomes a `failed` report naming the line."""
    started = time.perf_counter()
    if line.problem is not None or line.competition_id is None:
        return failed_report(line.competition_id, line.submission_path, line.problem or "unusable line")
    try:
        return _grade(line.competition_id, Path(line.submission_path), resolve, data_dir)
    except Exception as error:  # isolate every line: one failure never stops the batch
        seconds = time.perf_counter() - started
        message = f"{source} line {line.number}: {_describe(error, line.competition_id)}"
        return failed_report(line.competition_id, line.submission_path, message, seconds)


def _grade(competition_id: str, submission: Path, resolve: Resolve, data_dir: Path | None) -> GradingReport:
    from podium.runtime.data.paths import data_dir as default_data_dir
    from podium.runtime.data.paths import private_dir
    from podium.runtime.grading.grade import grade_submission
    from podium.runtime.grading.leaderboard import load_leaderboard

    competition = resolve(competition_id)
    answers = private_dir(competition.id, default_data_dir(data_dir)) / competition.prepare.answers
    leaderboard = load_leaderboard(
        competition.id, pin=competition.leaderboard.sha256, direction=competition.grader.direction
    )
    return grade_submission(submission, competition, answers, leaderboard)


def _describe(error: Exception, competition_id: str) -> str:
    from podium.runtime.grading.grade import GRADING_FAILURES
    from podium.runtime.grading.submission import AnswersError

    if isinstance(error, AnswersError):
        return f"{error}; run `podium prepare {competition_id}` first"
    if isinstance(error, GRADING_FAILURES):
        return str(error)
    if isinstance(error, LookupError) and error.args:
        return str(error.args[0])  # an unknown competition: the resolver's own sentence
    return f"{type(error).__name__}: {error}"
