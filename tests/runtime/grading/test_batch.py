"""Batch grading: one report per line, MLE-bench's totals, and failing lines isolated."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from toy_competition import toy_competition

from podium.runtime.grading.batch import parse_batch_line
from podium.runtime.grading.leaderboard import LEADERBOARDS_ENV
from podium.runtime.spec import ResolvedCompetition

IDS = ["a1", "a2", "a3", "a4"]


def competition(competition_id: str, pin: str | None) -> ResolvedCompetition:
    return toy_competition(competition_id, id_column="id", targets=["label"], pin=pin)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Two prepared competitions (`good`, `unprepared`), leaderboards under $PODIUM_LEADERBOARDS."""
    data = tmp_path / "data"
    private = data / "good" / "prepared" / "private"
    private.mkdir(parents=True)
    (private / "test.csv").write_text("id,label\n" + "".join(f"{i},yes\n" for i in IDS))
    boards = tmp_path / "boards"
    for competition_id in ("good", "pinned-wrong"):
        (boards / competition_id).mkdir(parents=True)
        (boards / competition_id / "leaderboard.csv").write_text("score\n1.0\n0.9\n0.6\n0.5\n0.4\n")
    monkeypatch.setenv(LEADERBOARDS_ENV, str(boards))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pin = hashlib.sha256((boards / "good" / "leaderboard.csv").read_bytes()).hexdigest()
    specs = {
        "good": competition("good", pin),
        "unprepared": competition("unprepared", None),
        "pinned-wrong": competition("pinned-wrong", "0" * 64),
    }

    def resolve(competition_id: str) -> ResolvedCompetition:
        if competition_id not in specs:
            raise LookupError(f"no competition {competition_id!r}")
        return specs[competition_id]

    return {"data": data, "resolve": resolve, "tmp": tmp_path}


def write_submission(folder: Path, name: str, labels: list[str]) -> str:
    path = folder / name
    path.write_text("id,label\n" + "".join(f"{i},{y}\n" for i, y in zip(IDS, labels, strict=True)))
    return str(path)


def run_batch(world: dict[str, Any], lines: list[str]) -> Any:
    from podium.runtime.grading.batch import grade_batch

    runs = world["tmp"] / "runs.jsonl"
    runs.write_text("\n".join(lines) + "\n")
    return grade_batch(runs, world["tmp"] / "out", world["resolve"], data_dir=world["data"])


def line(competition_id: str, submission_path: str) -> str:
    return json.dumps({"competition_id": competition_id, "submission_path": submission_path})


def test_batch_isolates_failing_lines(world: dict[str, Any]) -> None:
    tmp = world["tmp"]
    perfect = write_submission(tmp, "perfect.csv", ["yes"] * 4)
    half = write_submission(tmp, "half.csv", ["yes", "yes", "no", "no"])
    lines = [
        "# a comment line is skipped",
        line("good", perfect),
        line("good", str(tmp / "missing.csv")),
        line("nope", perfect),
        "{not json",
        line("unprepared", perfect),
        json.dumps({"submission_path": perfect}),
        line("pinned-wrong", perfect),
        "",
        line("good", half),
    ]
    result = run_batch(world, lines)
    reports = result.reports
    assert [r.outcome for r in reports] == [
        "scored",
        "invalid",
        "failed",
        "failed",
        "failed",
        "failed",
        "failed",
        "scored",
    ]
    assert reports[0].gold_medal and reports[0].score == 1.0
    assert reports[1].error.startswith("no submission at") and not reports[1].submission_exists
    assert reports[2].error == "runs.jsonl line 4: no competition 'nope'"
    assert reports[3].error.startswith("runs.jsonl line 5 is not JSON") and reports[3].competition_id is None
    assert "answers file" in reports[4].error and "run `podium prepare unprepared` first" in reports[4].error
    assert reports[5].error == "runs.jsonl line 7 has no competition_id"
    assert "pins " + "0" * 64 in reports[6].error
    assert reports[7].score == 0.5 and reports[7].rank == 4


def test_batch_writes_reports_and_mlebench_summary(world: dict[str, Any]) -> None:
    tmp = world["tmp"]
    perfect = write_submission(tmp, "perfect.csv", ["yes"] * 4)
    result = run_batch(world, [line("good", perfect), line("nope", perfect), line("good", str(tmp / "x.csv"))])
    written = [json.loads(text) for text in result.reports_path.read_text().splitlines()]
    assert [entry["outcome"] for entry in written] == ["scored", "failed", "invalid"]
    summary = json.loads(result.summary_path.read_text())
    assert result.reports_path.name == "reports.jsonl" and result.summary_path.name == "grading_report.json"
    assert {key: summary[key] for key in summary if key != "competition_reports"} == {
        "total_runs": 3,
        "total_runs_with_submissions": 1,
        "total_valid_submissions": 1,
        "total_medals": 1,
        "total_gold_medals": 1,
        "total_silver_medals": 0,
        "total_bronze_medals": 0,
        "total_above_median": 1,
        "total_failed": 1,
    }
    assert summary["competition_reports"] == written


def test_unexpected_resolver_errors_are_isolated_too(world: dict[str, Any]) -> None:
    def broken(competition_id: str) -> ResolvedCompetition:
        raise RuntimeError("catalog exploded")

    from podium.runtime.grading.batch import grade_batch

    runs = world["tmp"] / "runs.jsonl"
    runs.write_text(line("good", "s.csv") + "\n" + line("good", "t.csv") + "\n")
    result = grade_batch(runs, world["tmp"] / "out", broken)
    assert [r.error for r in result.reports] == [
        "runs.jsonl line 1: RuntimeError: catalog exploded",
        "runs.jsonl line 2: RuntimeError: catalog exploded",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[1, 2]", "runs.jsonl line 3 is not a JSON object"),
        ('{"competition_id": "", "submission_path": "s.csv"}', "runs.jsonl line 3 has no competition_id"),
        ('{"competition_id": "good"}', "runs.jsonl line 3 has no submission_path"),
        ('{"competition_id": "good", "submission_path": "s.csv"}', None),
    ],
)
def test_parse_batch_line(text: str, problem: str | None) -> None:
    assert parse_batch_line(3, text).problem == problem
