"""The three offline competitions end to end on real data: prepare, then grade the sample
submission and a gold submission (the answers themselves)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from podium.cli import app

ANCHORS = Path(__file__).resolve().parents[3] / "shared" / "anchors" / "mle-bench"

pytestmark = pytest.mark.integration
runner = CliRunner()
TARGETS = {"spaceship-titanic": ("PassengerId", "Transported"), "titanic": ("PassengerId", "Survived"),
           "house-prices": ("Id", "SalePrice")}  # fmt: skip


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder / "cache"))
        result = runner.invoke(app, ["prepare", "--suite", "offline", "--data-dir", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def grade(submission: Path, competition_id: str, data_dir: Path) -> dict[str, object]:
    result = runner.invoke(app, ["grade", str(submission), "-c", competition_id, "--data-dir", str(data_dir), "--json"])
    assert result.exit_code == 0, result.output
    report: dict[str, object] = json.loads(result.output)
    return report


def gold_submission(competition_id: str, data_dir: Path, out: Path) -> Path:
    id_column, target = TARGETS[competition_id]
    answers = pd.read_csv(data_dir / competition_id / "prepared/private/test.csv", dtype={id_column: str})
    answers[[id_column, target]].to_csv(out, index=False)
    return out


@pytest.mark.parametrize("competition_id", sorted(TARGETS))
def test_sample_and_gold_submissions_grade_valid(competition_id: str, data_dir: Path, tmp_path: Path) -> None:
    sample = data_dir / competition_id / "prepared/public/sample_submission.csv"
    assert grade(sample, competition_id, data_dir)["valid_submission"] is True
    gold = grade(gold_submission(competition_id, data_dir, tmp_path / "gold.csv"), competition_id, data_dir)
    assert gold["valid_submission"] is True
    assert gold["score"] == (0.0 if competition_id == "house-prices" else 1.0)


def test_gold_submission_earns_gold_against_the_real_leaderboard(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not ANCHORS.is_dir():
        pytest.skip(f"MLE-bench anchors not found at {ANCHORS}")
    monkeypatch.setenv("PODIUM_LEADERBOARDS", str(ANCHORS))
    sample = grade(data_dir / "spaceship-titanic/prepared/public/sample_submission.csv", "spaceship-titanic", data_dir)
    gold = grade(gold_submission("spaceship-titanic", data_dir, tmp_path / "gold.csv"), "spaceship-titanic", data_dir)
    assert sample["any_medal"] is False and sample["above_median"] is False
    assert gold["gold_medal"] is True and gold["rank"] == 1 and gold["n_teams"] == 2288
