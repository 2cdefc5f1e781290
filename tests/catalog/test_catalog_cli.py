"""The catalog as users see it: `podium list competitions --suite lite`, the committed catalog
table, the suites, and `podium import mlebench` on a small fake checkout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlebench_catalog import ANCHORS, SPECS
from typer.testing import CliRunner

from podium.cli import app
from podium.generator.catalog import Catalog
from podium.generator.catalog_table import catalog_table
from podium.runtime.grading.leaderboard import Leaderboard, thresholds

DOCS = SPECS.parent / "docs" / "catalog.md"
runner = CliRunner()


def anchors() -> Path:
    if not ANCHORS.is_dir():
        pytest.skip(f"MLE-bench anchors not found at {ANCHORS}; they live in ../shared beside the repository")
    return ANCHORS


@pytest.fixture
def repo_specs(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PODIUM_SPECS", str(SPECS))
    from podium.cli.context import catalog

    catalog.cache_clear()
    return SPECS


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_list_lite_shows_teams_and_thresholds(repo_specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODIUM_LEADERBOARDS", str(anchors()))
    code, output = run("list", "competitions", "--suite", "lite", "--json")
    rows = json.loads(output)
    lite = (anchors() / "splits" / "low.txt").read_text().split()

    assert code == 0
    assert [row["id"] for row in rows] == lite and len(rows) == 22
    for row in rows:
        limits = thresholds(Leaderboard.from_csv(anchors() / row["id"] / "leaderboard.csv").scores)
        assert row["teams"] == limits.n_teams
        assert (row["gold"], row["silver"], row["bronze"], row["median"]) == (
            limits.gold,
            limits.silver,
            limits.bronze,
            limits.median,
        )
        assert row["direction"] in ("maximize", "minimize") and row["metric"]


def test_list_lite_table_without_leaderboards_says_so(repo_specs: Path) -> None:
    code, output = run("list", "competitions", "--suite", "lite")

    assert code == 0
    assert "22 competitions in suite lite" in output
    assert "teams" in output and "—" in output


def test_committed_catalog_table_is_current(repo_catalog: Catalog) -> None:
    expected = catalog_table(repo_catalog, leaderboards=anchors())

    assert DOCS.read_text(encoding="utf-8") == expected, "run `podium catalog table --out docs/catalog.md`"
    assert expected.count("\n| ") == 83  # the header row and the 82 competitions


def test_catalog_table_check_flags_a_stale_file(repo_specs: Path, tmp_path: Path) -> None:
    stale = tmp_path / "catalog.md"
    stale.write_text("# old\n")

    code, output = run("catalog", "table", "--out", str(stale), "--check", "--leaderboards", str(anchors()))

    assert code == 1 and "out of date" in output
    assert run("catalog", "table", "--out", str(stale), "--leaderboards", str(anchors()))[0] == 0
    assert run("catalog", "table", "--out", str(stale), "--check", "--leaderboards", str(anchors()))[0] == 0


def test_unknown_suite_is_a_usage_error(repo_specs: Path) -> None:
    code, output = run("catalog", "table", "--suite", "nope")

    assert code == 2 and "no suite 'nope'" in output


def test_suites_follow_mlebench_split_files(repo_catalog: Catalog) -> None:
    sizes = {suite: len(repo_catalog.suite_members(suite)) for suite in ("lite", "low", "medium", "high", "all", "dev")}

    assert sizes == {"lite": 22, "low": 22, "medium": 38, "high": 15, "all": 75, "dev": 7}
    assert len(repo_catalog.suite_members("systemcard")) == 30
    levels = {c: level for level in ("low", "medium", "high") for c in repo_catalog.suite_members(level)}
    for competition_id, level in levels.items():
        assert repo_catalog.competition(competition_id).complexity == level, competition_id


def fake_checkout(root: Path) -> Path:
    folder = root / "mlebench" / "competitions"
    for competition_id, grader in (("shiny-new-contest", "auc-roc"), ("spaceship-titanic", "accuracy")):
        (folder / competition_id).mkdir(parents=True)
        (folder / competition_id / "config.yaml").write_text(
            f"id: {competition_id}\nname: Shiny New Contest\n"
            f"dataset:\n  answers: {competition_id}/prepared/private/answers.csv\n"
            f"grader:\n  name: {grader}\n"
            f"preparer: mlebench.competitions.{competition_id}.prepare:prepare\n"
        )
    (folder / "shiny-new-contest" / "description.md").write_text("# Shiny\n\nPredict things.\n")
    (folder / "shiny-new-contest" / "leaderboard.csv").write_text("teamName,score\na,0.9\nb,0.8\n")
    return root


def test_import_mlebench_writes_specs_for_missing_competitions(specs_tree: Path, tmp_path: Path) -> None:
    checkout = fake_checkout(tmp_path / "mle-bench")

    code, output = run("import", "mlebench", str(checkout))
    spec = specs_tree / "competitions" / "shiny-new-contest" / "spec.yaml"

    assert code == 0, output
    assert spec.is_file() and "hook: mlebench.competitions.shiny-new-contest.prepare:prepare" in spec.read_text()
    assert 'answers: "answers.csv"' in spec.read_text() and "metric: auc" in spec.read_text()
    assert (spec.parent / "description.md").read_text().startswith("# Shiny")
    assert run("validate", str(spec))[0] == 0
    from podium.cli.context import catalog

    catalog.cache_clear()  # a new process would load the catalog again
    assert run("import", "mlebench", str(checkout))[1].startswith("every competition")


def test_import_mlebench_explains_a_wrong_folder(specs_tree: Path, tmp_path: Path) -> None:
    code, output = run("import", "mlebench", str(tmp_path))

    assert code == 1 and "no MLE-bench competitions" in output
