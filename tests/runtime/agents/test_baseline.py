"""The baseline agent: generic features, model choice by cross-validation, the sample's format."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from podium.runtime.agents import baseline
from podium.runtime.agents.contract import AgentPaths
from podium.runtime.agents.tabular import engineer_features, split_on_common_separator

ANCHORS = Path(__file__).resolve().parents[3].parent / "shared" / "anchors" / "mle-bench"


def run_baseline(paths: AgentPaths, argv_for: Callable[[AgentPaths], list[str]], *extra: str) -> int:
    return baseline.main([*argv_for(paths), "--seed", "0", *extra])


def graded(paths: AgentPaths) -> pd.DataFrame:
    submission = pd.read_csv(paths.submission_file, dtype={"Id": str})
    answers = pd.read_csv(paths.data.parent / "answers.csv", dtype={"Id": str})
    return submission.merge(answers, on="Id", suffixes=("", "_true"))


def test_classification_writes_the_samples_format_and_learns(
    contract: AgentPaths, argv_for: Callable[[AgentPaths], list[str]]
) -> None:
    assert run_baseline(contract, argv_for) == 0
    submission = pd.read_csv(contract.submission_file, dtype={"Id": str})
    sample = pd.read_csv(contract.sample_submission, dtype={"Id": str})
    assert list(submission.columns) == ["Id", "Target"]
    assert submission["Id"].tolist() == sample["Id"].tolist()  # the sample's order, not test.csv's
    assert set(contract.submission_file.read_text().splitlines()[1:]) <= {
        f"{i},{v}" for i in sample["Id"] for v in ("True", "False")
    }
    rows = graded(contract)
    assert (rows["Target"] == rows["Target_true"]).mean() > 0.8
    summary = json.loads((contract.logs / "baseline.json").read_text())
    assert summary["targets"][0]["kind"] == "classification"
    assert len(summary["targets"][0]["scores"]) >= 2


def test_same_seed_same_submission_and_other_seeds_run(
    contract_factory: Callable[..., AgentPaths], argv_for: Callable[[AgentPaths], list[str]]
) -> None:
    first, second = contract_factory(), contract_factory()
    assert run_baseline(first, argv_for) == 0
    assert run_baseline(second, argv_for) == 0
    assert first.submission_file.read_bytes() == second.submission_file.read_bytes()
    assert baseline.main([*argv_for(second), "--seed", "1"]) == 0


def test_log_metric_regression_trains_on_logs_and_predicts_positive_numbers(
    contract_factory: Callable[..., AgentPaths], argv_for: Callable[[AgentPaths], list[str]]
) -> None:
    paths = contract_factory(task="regression")
    assert run_baseline(paths, argv_for) == 0
    rows = graded(paths)
    assert (rows["Target"] > 0).all()
    log_rmse = float(np.sqrt(np.mean((np.log(rows["Target"]) - np.log(rows["Target_true"])) ** 2)))
    constant = float(np.sqrt(np.mean((np.log(1000) - np.log(rows["Target_true"])) ** 2)))
    assert log_rmse < constant / 3
    summary = json.loads((paths.logs / "baseline.json").read_text())
    assert summary["targets"][0]["kind"] == "regression"


def test_folds_come_from_the_scaffold_params(
    contract: AgentPaths, argv_for: Callable[[AgentPaths], list[str]], tmp_path: Path
) -> None:
    spec = tmp_path / "scaffold.json"
    spec.write_text(json.dumps({"id": "baseline", "agent": "baseline", "params": {"folds": 3}}))
    assert run_baseline(contract, argv_for, "--scaffold", str(spec)) == 0
    assert json.loads((contract.logs / "baseline.json").read_text())["folds"] == 3


@pytest.mark.parametrize("folds", [1, "five", True])
def test_bad_folds_are_refused_with_a_sentence(
    contract: AgentPaths,
    argv_for: Callable[[AgentPaths], list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    folds: object,
) -> None:
    spec = tmp_path / "scaffold.json"
    spec.write_text(json.dumps({"params": {"folds": folds}}))
    assert run_baseline(contract, argv_for, "--scaffold", str(spec)) == 1
    assert "params.folds" in capsys.readouterr().err


def test_columns_missing_from_the_test_table_are_not_features(
    contract_factory: Callable[..., AgentPaths], argv_for: Callable[[AgentPaths], list[str]]
) -> None:
    plain, leaky = contract_factory(), contract_factory()
    train = pd.read_csv(leaky.data / "train.csv")
    train["leak"] = train["Target"]  # known in train only: a model using it would be useless on test
    train.to_csv(leaky.data / "train.csv", index=False)
    assert run_baseline(plain, argv_for) == 0
    assert run_baseline(leaky, argv_for) == 0
    assert leaky.submission_file.read_bytes() == plain.submission_file.read_bytes()


def test_missing_training_file_fails_with_a_sentence(
    contract: AgentPaths, argv_for: Callable[[AgentPaths], list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    (contract.data / "train.csv").unlink()
    assert run_baseline(contract, argv_for) == 1
    error = capsys.readouterr().err
    assert "train.csv does not exist" in error and "Traceback" not in error
    assert "train.csv does not exist" in (contract.logs / "baseline.log").read_text()


def test_without_a_task_card_the_sample_names_id_and_targets(
    contract: AgentPaths, argv_for: Callable[[AgentPaths], list[str]]
) -> None:
    (contract.data / "task.json").unlink()  # a folder prepared by MLE-bench has no card
    assert run_baseline(contract, argv_for) == 0
    assert pd.read_csv(contract.submission_file)["Target"].dtype == bool


def test_compound_strings_split_into_parts_and_group_counts() -> None:
    cabins = [f"{'ABC'[n % 3]}/{n}/{'PS'[n % 2]}" for n in range(60)]  # too many values for codes
    train = pd.DataFrame({"Id": [f"{n // 2:04d}_{n % 2 + 1:02d}" for n in range(59)], "Cabin": cabins[:59]})
    test = pd.DataFrame({"Id": ["0100_01"], "Cabin": [None]})
    features, test_features = engineer_features(train, test, "Id")
    assert list(features.columns) == list(test_features.columns)
    assert "Id" not in features  # an id is never a feature itself …
    assert features["Id.part0"].tolist()[:3] == [0.0, 0.0, 1.0]  # … but its parts are
    assert features["Cabin.part1"].tolist()[:3] == [0.0, 1.0, 2.0]  # the number inside "A/0/P"
    assert features["Cabin.part2"].nunique() == 2  # the side, as codes
    assert features["Cabin.count"].iloc[0] == 1.0 and np.isnan(test_features["Cabin.count"].iloc[0])
    parts = split_on_common_separator(pd.Series(["a b", "c d", None], dtype="string"))
    assert parts is not None and parts.iloc[1].tolist() == ["c", "d"]
    assert split_on_common_separator(pd.Series(["a b", "c d", "e"], dtype="string")) is None  # not consistent
    assert split_on_common_separator(pd.Series(["plain", "words", "only"], dtype="string")) is None


def test_classification_or_regression_from_metric_then_values() -> None:
    card = baseline.TaskCard(id_column="Id", targets=["y"], metric="rmse", direction="minimize")
    assert baseline.describe_problem(card, "y", pd.Series([0, 1, 0, 1])).kind == "regression"
    unknown = baseline.TaskCard(id_column="Id", targets=["y"])
    assert baseline.describe_problem(unknown, "y", pd.Series([0, 1, 2, 1])).kind == "classification"
    assert baseline.describe_problem(unknown, "y", pd.Series(np.linspace(0, 1, 50))).kind == "regression"
    logs = baseline.TaskCard(id_column="Id", targets=["y"], metric="rmse-log", direction="minimize")
    assert baseline.describe_problem(logs, "y", pd.Series([1.0, 2.0])).transform is not None
    assert baseline.describe_problem(logs, "y", pd.Series([0.0, 2.0])).transform is None  # log(0) undefined


@pytest.mark.integration
@pytest.mark.slow
def test_beats_the_human_median_on_spaceship_titanic(tmp_path: Path) -> None:
    """Real data (prepared from PyPI), the runtime's own task card, graded against MLE-bench's leaderboard."""
    import shutil

    from podium.cli.context import catalog, resolve_competition
    from podium.runtime.data.prepare import prepare_competition
    from podium.runtime.execute.contract import task_card
    from podium.runtime.grading import grade_submission, load_leaderboard

    leaderboard_csv = ANCHORS / "spaceship-titanic" / "leaderboard.csv"
    if not leaderboard_csv.is_file():
        pytest.skip(f"MLE-bench anchors not found at {ANCHORS} (they live in ../shared beside the repo)")
    catalog.cache_clear()
    competition = resolve_competition("spaceship-titanic")
    prepared = prepare_competition(
        competition, tmp_path / "prepared", spec_dir=catalog().competitions["spaceship-titanic"].folder
    ).prepared_dir
    data = tmp_path / "run" / "data"
    shutil.copytree(prepared / "public", data)
    (data / "task.json").write_text(json.dumps(task_card(competition, data, seed=0)))
    paths = AgentPaths(data, *(tmp_path / "run" / name for name in ("submission", "logs", "code", "agent")))
    argv = ["--data-dir", str(data), "--submission-dir", str(paths.submission), "--logs-dir", str(paths.logs)]
    assert baseline.main([*argv, "--seed", "0"]) == 0
    leaderboard = load_leaderboard(
        competition.id,
        pin=competition.leaderboard.sha256,
        direction=competition.grader.direction,
        explicit=leaderboard_csv,
    )
    report = grade_submission(paths.submission_file, competition, prepared / "private" / "test.csv", leaderboard)
    assert report.valid_submission, report.error
    assert report.above_median, f"score {report.score} is not above the median {report.median_threshold}"
