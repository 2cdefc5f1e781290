"""`podium report`: the runs in the store as a terminal table, MLE-bench's JSON, or one HTML page.

Exit codes: 0 when a report was made, 1 when there is nothing to report (no store, no runs) or a
stored run cannot be read, 2 for usage errors. The store, the reports and the leaderboards are
imported inside the command so that `podium --help` stays fast.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from podium.cli import context
from podium.cli.app import app
from podium.cli.context import console, fail

if TYPE_CHECKING:
    from podium.generator.catalog import Catalog
    from podium.runtime.grading.leaderboard import Direction, Leaderboard
    from podium.runtime.store.records import RunRecord

JSON_FILE = "report.json"
HTML_FILE = "report.html"
FIRST_RUN = "podium run --suite quickstart"


class ReportFormat(str, enum.Enum):
    table = "table"
    json = "json"
    html = "html"


@app.command()
def report(
    suite: str | None = typer.Option(None, "--suite", "-s", help="Only the runs of this suite."),
    output_format: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="table, json or html."),
    out: Path | None = typer.Option(None, "--out", help=f"Folder to write {JSON_FILE} / {HTML_FILE} into."),
    store: Path | None = typer.Option(
        None, "--store", help="Run store; default: $PODIUM_STORE, else runs/runs.sqlite."
    ),
    runs_dir: Path | None = typer.Option(None, "--runs-dir", help="The --runs-dir `podium run` used."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="The --data-dir `podium run` used."),
    self_improvement: str | None = typer.Option(
        None, "--self-improvement", help="Report a STOP run instead: meta-utility, transfer, escape rates."
    ),
) -> None:
    """Report the stored runs: medals, rates across seeds (mean ± SEM, 95% CI), pass@k, cost.

    table (the default) prints to the terminal; with --out it also writes report.json and report.html.

    json prints MLE-bench's grading report plus podium's aggregates; with --out it writes report.json.

    html writes report.html, one self-contained page, and needs --out.
    """
    if self_improvement is not None:
        from podium.cli.stop import stop_report_command

        stop_report_command(self_improvement, runs_dir=None, as_json=output_format is ReportFormat.json)
        return
    if output_format is ReportFormat.html and out is None:
        fail("--format html writes a file: add --out DIR (report.html goes there)", code=2)
    store_path = _store_path(store, runs_dir, data_dir)
    records = _load_records(store_path, suite)
    if not records:
        fail(_no_runs_message(store_path, suite))
    complexity = _complexity(records)
    if output_format is ReportFormat.table:
        _print_table(records, complexity)
    if output_format is ReportFormat.json and out is None:
        typer.echo(json.dumps(_json(records, complexity), indent=2))
    if out is not None:
        _write_files(out, records, complexity, output_format)


def _load_records(store_path: Path, suite: str | None) -> list[RunRecord]:
    """The store's records (of `suite`); [] when there is no store there yet. Tests replace this."""
    import sqlite3

    from podium.runtime.store import RunStore, StoreError

    if not store_path.is_file():
        return []  # opening would create an empty store; there is simply nothing to report
    try:
        with RunStore(store_path) as store:
            return store.list(suite=suite)
    except (StoreError, sqlite3.Error, ValueError) as error:
        fail(f"cannot read the run store {store_path}: {error}. Pass --store PATH to read another one.")


def _store_path(explicit: Path | None, runs_dir: Path | None, data_dir: Path | None) -> Path:
    """Where `podium run` with the same options keeps its store."""
    from podium.runtime.store import default_store_path

    return explicit or default_store_path(runs_dir=runs_dir, data_dir=data_dir)


def _no_runs_message(store_path: Path, suite: str | None) -> str:
    where = f"the run store {store_path}"
    if suite is None:
        return f"no runs in {where} yet: run `{FIRST_RUN}` first, then `podium report`."
    from podium.generator.errors import did_you_mean

    suites_with_runs = sorted({record.suite for record in _load_records(store_path, None)})
    known = f" Suites with runs: {', '.join(suites_with_runs)}." if suites_with_runs else ""
    specs = context.catalog()
    if suite not in specs.suites and suite not in suites_with_runs:
        hint = did_you_mean(suite, [*specs.suites, *suites_with_runs])
        return f"no suite {suite!r} in {specs.root} and no runs of it in {where}{hint}.{known}"
    return f"no runs of suite {suite!r} in {where}.{known} Run `podium run --suite {suite}` first."


def _complexity(records: Iterable[RunRecord]) -> dict[str, str]:
    """Competition id -> low/medium/high from the specs; competitions without a spec get no split."""
    specs = context.catalog()
    ids = {record.competition_id for record in records}
    return {cid: specs.competition(cid).complexity for cid in ids if cid in specs.competitions}


def _json(records: Sequence[RunRecord], complexity: dict[str, str]) -> dict[str, object]:
    from podium.runtime.reports.json_report import ReportError, json_report

    try:
        return json_report(records, complexity)
    except ReportError as error:
        fail(str(error))


def _print_table(records: Sequence[RunRecord], complexity: dict[str, str]) -> None:
    from podium.runtime.reports.table import report_table

    console.print(report_table(records, complexity), highlight=False)


def _write_files(
    out: Path, records: Sequence[RunRecord], complexity: dict[str, str], output_format: ReportFormat
) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"cannot create the output folder {out}: {error.strerror or error}")
    written = []
    if output_format in (ReportFormat.json, ReportFormat.table):
        written.append(_write(out / JSON_FILE, json.dumps(_json(records, complexity), indent=2) + "\n"))
    if output_format in (ReportFormat.html, ReportFormat.table):
        written.append(_write(out / HTML_FILE, _html(records, complexity)))
    console.print("wrote " + ", ".join(str(path) for path in written), highlight=False)


def _write(path: Path, text: str) -> Path:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}")
    return path


def _html(records: Sequence[RunRecord], complexity: dict[str, str]) -> str:
    from podium.runtime.reports.html import html_report

    boards, notes = _leaderboards(records)
    return html_report(records, boards, complexity, notes)


def _leaderboards(records: Sequence[RunRecord]) -> tuple[dict[str, Leaderboard | None], dict[str, str]]:
    """Each competition's leaderboard, checked against the spec's pin, or a note saying why not."""
    from podium.runtime.grading.leaderboard import LeaderboardError, load_leaderboard, missing_leaderboard_note

    specs = context.catalog()
    boards: dict[str, Leaderboard | None] = {}
    notes: dict[str, str] = {}
    for competition_id in sorted({record.competition_id for record in records}):
        pin, direction = _pin_and_direction(competition_id, records, specs)
        boards[competition_id] = None
        try:
            boards[competition_id] = load_leaderboard(competition_id, pin=pin, direction=direction)
        except LeaderboardError as error:
            notes[competition_id] = str(error)
            continue
        if boards[competition_id] is None:
            notes[competition_id] = missing_leaderboard_note(competition_id)
    return boards, notes


def _pin_and_direction(
    competition_id: str, records: Sequence[RunRecord], specs: Catalog
) -> tuple[str | None, Direction]:
    """From the spec when it is in the catalog, else from what the grading reports recorded."""
    if (
        competition_id in specs.competitions
        and (spec := specs.competition(competition_id)).grader.metric in specs.graders
    ):
        return spec.leaderboard.sha256, specs.grader(spec.grader.metric).direction
    reports = [record.report for record in records if record.competition_id == competition_id and record.report]
    pin = next((report["leaderboard_sha256"] for report in reports if report.get("leaderboard_sha256")), None)
    lower = any(report.get("is_lower_better") for report in reports)
    return pin, "minimize" if lower else "maximize"
