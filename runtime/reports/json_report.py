"""The JSON report: MLE-bench's grading report of the counted runs, plus podium's aggregates.

The top level is what MLE-bench's `grade` writes (`total_runs`, ..., `total_above_median`,
`competition_reports`), computed by `podium.runtime.grading.report.aggregate`, so tools that read
MLE-bench's grading reports (its `aggregate_grading_reports.py` among them) read this file. Each
entry of `competition_reports` is the run's GradingReport with MLE-bench's field names, plus the
run it belongs to (`run_id, suite, scaffold_id, seed, attempt, status`). A run that ended before
grading appears as a `failed` report without a submission, as MLE-bench counts it. The
`aggregate` block is podium's: `Summary` from aggregate.py (rates, pass@k, percentiles, usage).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from podium import __version__
from podium.runtime.grading.report import GradingReport, aggregate, failed_report
from podium.runtime.reports.aggregate import counted_runs, summarize
from podium.runtime.store.records import RunRecord

RUN_FIELDS = ("run_id", "suite", "scaffold_id", "seed", "attempt", "status")


class ReportError(Exception):
    """A stored run carries a grading report this version of podium cannot read."""


def json_report(records: Iterable[RunRecord], complexity: Mapping[str, str] | None = None) -> dict[str, Any]:
    records = list(records)
    runs = counted_runs(records)
    report = aggregate(grading_report_of(run) for run in runs)
    for entry, run in zip(report["competition_reports"], runs, strict=True):
        entry.update({field: getattr(run, field) for field in RUN_FIELDS})
    report["aggregate"] = summarize(records, complexity).model_dump(mode="json")
    report["generated_at"] = datetime.now(timezone.utc).isoformat()
    report["podium_version"] = __version__
    return report


def grading_report_of(run: RunRecord) -> GradingReport:
    """The run's GradingReport; a `failed` one, without a submission, if it ended before grading."""
    if run.report is None:
        reason = run.error or f"the run ended {run.status} before its submission was graded"
        return failed_report(run.competition_id, _submission_path(run), reason)
    try:
        return GradingReport.model_validate(run.report)
    except ValidationError as error:
        raise ReportError(
            f"run {run.run_id} holds a grading report that does not match this podium's "
            f"GradingReport ({error.error_count()} problems, first: {_first_problem(error)}); "
            "it was probably written by another podium version: regrade the run or upgrade podium"
        ) from None


def _submission_path(run: RunRecord) -> str:
    return f"{run.run_dir}/submission/submission.csv" if run.run_dir else ""


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "report"
    return f"{location}: {first['msg']}"
