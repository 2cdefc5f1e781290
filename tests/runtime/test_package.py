"""podium.runtime.package: the command line every compiled competition package runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from podium.generator import compile as compiler
from podium.generator.catalog import load_catalog
from podium.runtime import package as runtime_package

ANSWERS = "PassengerId,Transported,HomePlanet\n0001_01,True,Earth\n0002_01,False,Mars\n0003_01,True,Earth\n"


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """spaceship-titanic built from the shipped specs, not installed: the shim's target file."""
    out = tmp_path_factory.mktemp("generated")
    with pytest.MonkeyPatch.context() as patch:  # module scope runs before the autouse isolation
        patch.setenv("XDG_CACHE_HOME", str(out / "cache"))
        patch.delenv("PODIUM_LEADERBOARDS", raising=False)
        catalog = load_catalog(Path(__file__).resolve().parents[2] / "specs")
        package = compiler.plan(catalog, "competition", "spaceship-titanic")
        compiler.render_package(package, out / "spaceship-titanic")
    return out / "spaceship-titanic/podium_pkg_spaceship_titanic/spec.json"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A prepared-data folder in MLE-bench's layout with three answers, set as $PODIUM_DATA_DIR."""
    private = tmp_path / "data/spaceship-titanic/prepared/private"
    private.mkdir(parents=True)
    (private / "test.csv").write_text(ANSWERS)
    monkeypatch.setenv("PODIUM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PODIUM_LEADERBOARDS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def run(spec_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = runtime_package.main(spec_path, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def submission(folder: Path, rows: str) -> Path:
    path = folder / "submission.csv"
    path.write_text("PassengerId,Transported\n" + rows)
    return path


def test_info_reports_the_frozen_spec(spec_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(spec_path, capsys, "info", "--json")
    facts: dict[str, Any] = json.loads(out)
    assert code == 0
    assert facts["competition_id"] == "spaceship-titanic" and facts["metric"] == "accuracy"
    assert facts["spec_sha256"] == (spec_path.parent / "spec.sha256").read_text().split()[0]
    assert "not available at build time" in facts["thresholds"]


def test_validate_says_valid_or_why_not_and_never_the_score(
    spec_path: Path, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = submission(data, "0001_01,False\n0002_01,False\n0003_01,True\n")
    code, out, _ = run(spec_path, capsys, "validate", str(good))
    assert (code, out.split(":")[0]) == (0, "valid")
    assert "0.6" not in out and "score" not in out
    short = submission(data, "0001_01,False\n")
    code, out, _ = run(spec_path, capsys, "validate", str(short))
    assert code == 1 and out.startswith("invalid: ")


def test_grade_prints_an_mlebench_report(spec_path: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = submission(data, "0001_01,True\n0002_01,True\n0003_01,True\n")
    code, out, _ = run(spec_path, capsys, "grade", str(path))
    report = json.loads(out)
    assert code == 0
    assert report["competition_id"] == "spaceship-titanic"
    assert report["score"] == pytest.approx(2 / 3, abs=1e-5) and report["valid_submission"] is True
    assert report["gold_medal"] is None or report["gold_medal"] is False  # no leaderboard at hand


def test_missing_answers_tell_what_to_run(spec_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = submission(tmp_path, "0001_01,True\n")
    code, _, err = run(spec_path, capsys, "grade", str(path), "--data-dir", str(tmp_path / "empty"))
    assert code == 1 and "podium-spaceship-titanic prepare" in err


def test_an_edited_spec_is_refused(spec_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "pkg"
    copy.mkdir()
    (copy / "spec.sha256").write_text((spec_path.parent / "spec.sha256").read_text())
    (copy / "spec.json").write_text(spec_path.read_text().replace("Spaceship Titanic", "Edited"))
    code, _, err = run(copy / "spec.json", capsys, "info")
    assert code == 1 and "edited after `podium build`" in err


def test_prepare_resolves_hooks_inside_the_package(
    spec_path: Path, data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from podium.runtime.data import prepare

    seen: dict[str, Any] = {}

    def fake_prepare(competition: Any, data_dir: Any, **options: Any) -> prepare.PrepareResult:
        seen.update(options, data_dir=data_dir)
        return prepare.PrepareResult(competition.id, data / "prepared", skipped=True)

    monkeypatch.setattr(prepare, "prepare_competition", fake_prepare)
    code, out, _ = run(spec_path, capsys, "prepare", "--data-dir", str(data))
    assert code == 0 and "already prepared" in out
    assert seen == {"spec_dir": spec_path.parent / "hooks", "force": False, "data_dir": data}
