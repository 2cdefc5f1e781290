"""`podium report`: reads the run store, prints a table or JSON, writes report.json / report.html."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from podium.cli import app
from podium.runtime.grading.report import GradingReport
from podium.runtime.store import RunRecord, RunStore, run_id_for

runner = CliRunner()
# A 10-team leaderboard, best first: gold >= 0.95, silver >= 0.9, bronze >= 0.8, median 0.725.
BOARD_CSV = "teamId,score\n" + "".join(f"{i},{0.95 - 0.05 * i:.2f}\n" for i in range(10))


def record(competition: str, seed: int, score: float | None, *, suite: str = "quickstart", **report: Any) -> RunRecord:
    fields: dict[str, Any] = {
        "competition_id": competition,
        "score": score,
        "submission_exists": score is not None,
        "valid_submission": score is not None,
        "submission_path": "submission.csv",
        "outcome": "scored" if score is not None else "invalid",
        "metric": "accuracy",
        "is_lower_better": False,
    }
    return RunRecord(
        run_id=run_id_for(suite, competition, "dummy", seed),
        suite=suite,
        competition_id=competition,
        scaffold_id="dummy",
        seed=seed,
        status="succeeded" if score is not None else "invalid",
        competition_sha256="a" * 64,
        scaffold_sha256="b" * 64,
        created_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
        report=GradingReport(**(fields | report)).to_json_dict(),
    )


RECORDS = [
    record("spaceship-titanic", 0, 0.81, gold_medal=True, any_medal=True, above_median=True),
    record("spaceship-titanic", 1, None),
    record("toy-comp", 0, 0.85, suite="other"),
]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as runs:
        runs.add(RECORDS)
    return path


def test_table_reads_the_store_and_splits_by_the_specs_complexity(store: Path) -> None:
    result = runner.invoke(app, ["report", "--store", str(store), "--suite", "quickstart"])
    assert result.exit_code == 0, result.output
    assert "spaceship-titanic" in result.output and "toy-comp" not in result.output
    assert "quickstart · dummy · low" in result.output  # spaceship-titanic's spec says complexity: low
    assert "1 gold" in result.output


def test_json_prints_mlebench_totals_and_the_aggregates(store: Path) -> None:
    result = runner.invoke(app, ["report", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["total_runs"], report["total_valid_submissions"], report["total_gold_medals"]) == (3, 2, 1)
    assert {entry["run_id"] for entry in report["competition_reports"]} == {r.run_id for r in RECORDS}
    assert {(s["suite"], s["split"]) for s in report["aggregate"]["splits"]} == {
        ("quickstart", "all"), ("quickstart", "low"), ("other", "all")}  # fmt: skip


def test_out_writes_both_files_with_the_table(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = runner.invoke(app, ["report", "--store", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "report.json").read_text())["total_runs"] == 3
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "wrote" in result.output and "report.html" in result.output.replace("\n", "")


def test_html_places_scores_on_a_leaderboard_found_the_usual_way(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boards = tmp_path / "boards"
    (boards / "toy-comp").mkdir(parents=True)
    (boards / "toy-comp" / "leaderboard.csv").write_text(BOARD_CSV)
    monkeypatch.setenv("PODIUM_LEADERBOARDS", str(boards))
    result = runner.invoke(app, ["report", "--store", str(store), "--format", "html", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "o" / "report.html").read_text()
    assert "10 human teams" in page  # toy-comp: not in the specs, so pin and direction come from its reports
    assert "no leaderboard found for spaceship-titanic" in page
    assert not (tmp_path / "o" / "report.json").exists()


def test_the_default_store_is_podium_store(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODIUM_STORE", str(store))
    result = runner.invoke(app, ["report", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total_runs"] == 3


def test_html_needs_out(store: Path) -> None:
    result = runner.invoke(app, ["report", "--store", str(store), "--format", "html"])
    assert result.exit_code == 2
    assert "--format html writes a file: add --out DIR" in result.output


def test_no_runs_says_to_run_quickstart_first(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.sqlite"
    result = runner.invoke(app, ["report", "--store", str(missing)])
    assert result.exit_code == 1
    assert "no runs in the run store" in result.output and "podium run --suite quickstart" in result.output
    assert not missing.exists()  # reporting never creates a store


def test_a_suite_without_runs_names_the_suites_that_have_some(store: Path) -> None:
    result = runner.invoke(app, ["report", "--store", str(store), "--suite", "offline"])
    assert result.exit_code == 1
    assert "no runs of suite 'offline'" in result.output and "Suites with runs: other, quickstart" in result.output
    result = runner.invoke(app, ["report", "--store", str(store), "--suite", "quickstrat"])
    assert "did you mean 'quickstart'?" in result.output


def test_an_unreadable_store_is_one_clear_error(tmp_path: Path) -> None:
    garbage = tmp_path / "runs.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(app, ["report", "--store", str(garbage)])
    assert result.exit_code == 1
    assert "cannot read the run store" in result.output and "Traceback" not in result.output


def test_a_report_from_another_podium_version_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    odd = RECORDS[0].model_copy(update={"report": {**(RECORDS[0].report or {}), "new_field": 1}})
    monkeypatch.setattr("podium.cli.report._load_records", lambda path, suite: [odd])
    result = runner.invoke(app, ["report", "--format", "json"])
    assert result.exit_code == 1
    assert "does not match this podium's GradingReport" in result.output and "Traceback" not in result.output


def test_the_suite_option_reaches_the_loader(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[tuple[Path, str | None]] = []

    def load(path: Path, suite: str | None) -> list[RunRecord]:
        calls.append((path, suite))
        return [r for r in RECORDS if suite is None or r.suite == suite]

    monkeypatch.setattr("podium.cli.report._load_records", load)
    result = runner.invoke(app, ["report", "--suite", "other", "--store", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 0, result.output
    assert calls == [(tmp_path / "s.sqlite", "other")]
    assert "toy-comp" in result.output and "spaceship-titanic" not in result.output
