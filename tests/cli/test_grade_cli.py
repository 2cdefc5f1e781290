"""`podium grade` and `podium leaderboard`: the JSON field names and exit codes are a contract."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from toy_competition import toy_competition
from typer.testing import CliRunner

from podium.cli import app, context
from podium.runtime.spec import ResolvedCompetition

runner = CliRunner()
REPORT_FIELDS = [
    "competition_id", "score", "gold_threshold", "silver_threshold", "bronze_threshold",
    "median_threshold", "any_medal", "gold_medal", "silver_medal", "bronze_medal", "above_median",
    "submission_exists", "valid_submission", "is_lower_better", "created_at", "submission_path",
]  # fmt: skip
PODIUM_FIELDS = [
    "metric", "error", "leaderboard_sha256", "rank", "percentile", "n_teams", "grader_version",
    "grading_seconds", "leaderboard_note",
]  # fmt: skip
THRESHOLD_FIELDS = ["n_teams", "gold_threshold", "silver_threshold", "bronze_threshold", "median_threshold"]
PLACE_FIELDS = [
    "medal",
    "rank",
    "percentile",
    "n_teams",
    "gold_medal",
    "silver_medal",
    "bronze_medal",
    "above_median",
]
IDS = [f"{n:04d}_01" for n in range(1, 11)]
# 10 teams: gold row 1 (0.95), silver row 2 (0.9), bronze row 4 (0.8), median 0.725.
BOARD = [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5]


def competition(competition_id: str, pin: str | None) -> ResolvedCompetition:
    return toy_competition(competition_id, pin=pin, name="Toy")


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Competitions `toy` (prepared, pinned leaderboard), `unprepared`, `wrong-pin`; returns tmp."""
    for prepared in ("toy", "wrong-pin"):
        private = tmp_path / "data" / prepared / "prepared" / "private"
        private.mkdir(parents=True)
        (private / "test.csv").write_text("PassengerId,Transported\n" + "".join(f"{i},True\n" for i in IDS))
    boards = tmp_path / "boards"
    for competition_id in ("toy", "wrong-pin"):
        (boards / competition_id).mkdir(parents=True)
        (boards / competition_id / "leaderboard.csv").write_text("score\n" + "\n".join(map(str, BOARD)) + "\n")
    pin = hashlib.sha256((boards / "toy" / "leaderboard.csv").read_bytes()).hexdigest()
    specs = {
        "toy": competition("toy", pin),
        "unprepared": competition("unprepared", None),
        "wrong-pin": competition("wrong-pin", "0" * 64),
    }

    def resolve(competition_id: str) -> ResolvedCompetition:
        if competition_id not in specs:
            context.fail(f"no competition {competition_id!r}; `podium list competitions` shows the ids.")
        return specs[competition_id]

    monkeypatch.setattr(context, "resolve_competition", resolve)
    monkeypatch.setenv("PODIUM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PODIUM_LEADERBOARDS", str(boards))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def submission(folder: Path, correct: int, name: str = "submission.csv") -> Path:
    path = folder / name
    rows = "".join(f"{i},{'True' if n < correct else 'False'}\n" for n, i in enumerate(IDS))
    path.write_text("PassengerId,Transported\n" + rows)
    return path


def run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def run_json(*args: str) -> dict[str, Any]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --- podium grade ------------------------------------------------------------------------------


def test_grade_json_contract(toy: Path) -> None:
    report = run_json("grade", str(submission(toy, 8)), "--competition", "toy")
    assert list(report)[: len(REPORT_FIELDS)] == REPORT_FIELDS
    assert set(PODIUM_FIELDS) <= set(report)
    assert report["score"] == 0.8 and report["bronze_medal"] is True and report["any_medal"] is True
    assert (report["rank"], report["percentile"], report["n_teams"]) == (4, 0.6, 10)
    assert report["metric"] == "accuracy" and report["valid_submission"] is True and report["error"] is None


def test_grade_human_output(toy: Path) -> None:
    result = run("grade", str(submission(toy, 10)), "-c", "toy")
    assert result.exit_code == 0
    for text in ("score", "1.0", "gold", "rank", "1 of 10"):
        assert text in result.output


def test_invalid_submission_exits_zero(toy: Path) -> None:
    (toy / "submission.csv").write_text("PassengerId,Transported\n0001_01,True\n")
    report = run_json("grade", str(toy / "submission.csv"), "-c", "toy")
    assert report["valid_submission"] is False and "missing 9 ids" in report["error"]


def test_explicit_answers_leaderboard_and_data_dir(toy: Path) -> None:
    answers = toy / "data" / "toy" / "prepared" / "private" / "test.csv"
    board = toy / "boards" / "toy" / "leaderboard.csv"
    args = [
        "grade",
        str(submission(toy, 10)),
        "-c",
        "toy",
        "--answers",
        str(answers),
        "--leaderboard",
        str(board),
    ]
    assert run_json(*args)["gold_medal"] is True
    moved = toy / "elsewhere"
    (toy / "data").rename(moved)
    assert run_json("grade", str(submission(toy, 10)), "-c", "toy", "--data-dir", str(moved))["score"] == 1.0


def test_no_leaderboard_is_graded_with_a_note(toy: Path) -> None:
    (toy / "boards" / "toy" / "leaderboard.csv").unlink()
    report = run_json("grade", str(submission(toy, 10)), "-c", "toy")
    assert (
        report["score"] == 1.0 and report["gold_medal"] is None and "no leaderboard found" in report["leaderboard_note"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-c", "nope"], "no competition 'nope'"),
        (["-c", "unprepared"], "podium prepare unprepared"),
        (["-c", "toy", "--answers", "/absent/test.csv"], "no answers file at /absent/test.csv"),
        (["-c", "wrong-pin"], "pins " + "0" * 64),
        (["-c", "toy", "--leaderboard", "/absent.csv"], "no leaderboard file at /absent.csv"),
    ],
)
def test_grading_impossible_exits_one(toy: Path, args: list[str], message: str) -> None:
    result = run("grade", str(submission(toy, 10)), *args)
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["grade"],
        ["grade", "s.csv"],
        ["grade", "--batch", "runs.jsonl"],
        ["grade", "--batch", "runs.jsonl", "--out", "r", "--competition", "toy"],
        ["grade", "s.csv", "-c", "toy", "--bogus"],
        ["leaderboard", "thresholds", "lb.csv", "--direction", "sideways"],
        ["leaderboard", "thresholds", "lb.csv"],
        ["leaderboard", "place", "0.5"],
        ["leaderboard", "place", "nan", "--leaderboard", "lb.csv", "--direction", "maximize"],
    ],
)
def test_usage_errors_exit_two(toy: Path, args: list[str]) -> None:
    assert run(*args).exit_code == 2


def test_unknown_competition_with_the_real_catalog(specs_tree: Path) -> None:
    (specs_tree.parent / "s.csv").write_text("id,y\n")
    result = run("grade", "s.csv", "--competition", "no-such-competition")
    assert result.exit_code == 1 and "no competition 'no-such-competition'" in result.output


# --- podium grade --batch ----------------------------------------------------------------------


def test_batch_command(toy: Path) -> None:
    runs = toy / "runs.jsonl"
    lines = [
        {"competition_id": "toy", "submission_path": str(submission(toy, 10))},
        {"competition_id": "nope", "submission_path": str(submission(toy, 10))},
        {"competition_id": "unprepared", "submission_path": str(submission(toy, 10))},
    ]
    runs.write_text("\n".join(json.dumps(line) for line in lines) + "\n{broken\n")
    totals = run_json("grade", "--batch", str(runs), "--out", str(toy / "reports"))
    assert totals["total_runs"] == 4 and totals["total_gold_medals"] == 1 and totals["total_failed"] == 3
    reports = [json.loads(text) for text in (toy / "reports" / "reports.jsonl").read_text().splitlines()]
    assert [r["outcome"] for r in reports] == ["scored", "failed", "failed", "failed"]
    assert reports[1]["error"].startswith("runs.jsonl line 2: no competition 'nope'")
    assert json.loads((toy / "reports" / "grading_report.json").read_text())["total_valid_submissions"] == 1
    human = run("grade", "--batch", str(runs), "--out", str(toy / "reports"))
    assert human.exit_code == 0 and "total_gold_medals" in human.output


def test_batch_file_missing_exits_one(toy: Path) -> None:
    result = run("grade", "--batch", str(toy / "absent.jsonl"), "--out", str(toy / "r"))
    assert result.exit_code == 1 and "no batch file" in result.output


# --- podium leaderboard ------------------------------------------------------------------------


def test_thresholds_json(toy: Path) -> None:
    board = toy / "boards" / "toy" / "leaderboard.csv"
    data = run_json("leaderboard", "thresholds", str(board), "--direction", "maximize")
    assert set(THRESHOLD_FIELDS) <= set(data)
    assert (data["gold_threshold"], data["silver_threshold"], data["bronze_threshold"]) == (0.95, 0.9, 0.8)
    assert data["median_threshold"] == 0.725 and data["n_teams"] == 10
    assert data["leaderboard_sha256"] == hashlib.sha256(board.read_bytes()).hexdigest()
    human = run("leaderboard", "thresholds", str(board), "--direction", "maximize")
    assert human.exit_code == 0 and "gold_threshold" in human.output


def test_thresholds_direction_mismatch_exits_one(toy: Path) -> None:
    result = run(
        "leaderboard",
        "thresholds",
        str(toy / "boards" / "toy" / "leaderboard.csv"),
        "--direction",
        "minimize",
    )
    assert result.exit_code == 1 and "not sorted for direction 'minimize'" in result.output


def test_place_against_a_competition(toy: Path) -> None:
    data = run_json("leaderboard", "place", "0.9", "--competition", "toy")
    assert set(PLACE_FIELDS) <= set(data)
    assert (data["medal"], data["rank"], data["percentile"], data["n_teams"]) == ("silver", 2, 0.8, 10)
    assert data["competition_id"] == "toy" and data["silver_medal"] is True and data["gold_medal"] is False


def test_place_against_a_file(toy: Path) -> None:
    board = str(toy / "boards" / "toy" / "leaderboard.csv")
    data = run_json("leaderboard", "place", "0.1", "--leaderboard", board, "--direction", "maximize")
    assert (data["medal"], data["rank"], data["percentile"], data["above_median"]) == (None, 11, 0.0, False)
    negative = run("leaderboard", "place", "--leaderboard", board, "--direction", "maximize", "--json", "--", "-3")
    assert negative.exit_code == 0 and json.loads(negative.stdout)["rank"] == 11


def test_place_errors(toy: Path) -> None:
    assert run("leaderboard", "place", "0.5", "-c", "wrong-pin").exit_code == 1
    assert run("leaderboard", "place", "0.5", "-c", "unprepared").exit_code == 1  # no leaderboard anywhere
    assert run("leaderboard", "place", "0.5", "-c", "toy", "--direction", "minimize").exit_code == 2


# --- speed: `podium --help` must not import the heavy libraries ---------------------------------


@pytest.mark.parametrize("args", [["--help"], ["grade", "--help"], ["leaderboard", "--help"]])
def test_help_does_not_import_heavy_libraries(args: list[str]) -> None:
    script = (
        "import sys\nfrom podium.cli import app\n"
        f"try:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('pandas', 'pyarrow', 'sklearn', 'scipy') if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
