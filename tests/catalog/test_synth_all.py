"""Every MLE-bench spec end to end on synthetic data: synth, the dummy agent's copy of the
sample submission, grading. A spec whose declared schema, fill values or grader params do
not fit together fails here with the grader's own sentence."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from mlebench_catalog import SPECS, mlebench_ids
from typer.testing import CliRunner

from podium.cli import app
from podium.generator.catalog import load_catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.checksums import DoneMarker, verify
from podium.runtime.data.prepare import data_spec_sha256
from podium.runtime.data.sources import DataError
from podium.runtime.data.synth import MIN_ROWS, is_synthetic, synthesize
from podium.runtime.grading import grade_submission

ROWS = 12
CATALOG = load_catalog(SPECS, check_metrics=False)
IDS = mlebench_ids(CATALOG)


def test_the_catalog_holds_every_mlebench_competition() -> None:
    assert len(IDS) == 82
    assert {
        "spaceship-titanic",
        "aerial-cactus-identification",
        "vinbigdata-chest-xray-abnormalities-detection",
    } <= set(IDS)


@pytest.mark.parametrize("competition_id", IDS)
def test_dummy_copy_of_the_sample_submission_grades_valid(competition_id: str, tmp_path: Path) -> None:
    competition = resolve_competition(CATALOG, competition_id)
    result = synthesize(competition, tmp_path / "data", rows=ROWS)
    submission = tmp_path / "submission.csv"
    shutil.copyfile(result.sample_submission, submission)  # what the dummy agent does

    report = grade_submission(submission, competition, result.answers, None)

    assert report.valid_submission, report.error
    assert report.score is not None and math.isfinite(report.score)
    assert result.answers.name == competition.prepare.answers


def test_a_broken_copy_grades_invalid(tmp_path: Path) -> None:
    """The end-to-end check can fail: a sample submission missing a row is refused."""
    competition = resolve_competition(CATALOG, "aerial-cactus-identification")
    result = synthesize(competition, tmp_path, rows=ROWS)
    lines = result.sample_submission.read_text().splitlines()
    submission = tmp_path / "submission.csv"
    submission.write_text("\n".join(lines[:-1]) + "\n")

    report = grade_submission(submission, competition, result.answers, None)

    assert not report.valid_submission
    assert "missing 1 id" in (report.error or "")


def test_synthetic_data_has_a_verifiable_marker_that_prepare_never_reuses(tmp_path: Path) -> None:
    competition = resolve_competition(CATALOG, "spooky-author-identification")
    result = synthesize(competition, tmp_path, rows=ROWS)
    marker = DoneMarker.read(result.prepared_dir)

    assert marker is not None and verify(result.prepared_dir) == []
    assert marker.data_sha256 != data_spec_sha256(competition, None)
    assert is_synthetic(result.prepared_dir)
    assert {"public/sample_submission.csv", "public/description.md", "private/test.csv"} <= set(marker.files)


def test_synthesis_is_repeatable_and_replaces_earlier_synthetic_data(tmp_path: Path) -> None:
    competition = resolve_competition(CATALOG, "tabular-playground-series-dec-2021")
    first = synthesize(competition, tmp_path, rows=ROWS).answers.read_bytes()
    second = synthesize(competition, tmp_path, rows=ROWS)

    assert second.answers.read_bytes() == first
    assert second.rows == ROWS


def test_real_prepared_data_is_not_overwritten_without_force(tmp_path: Path) -> None:
    competition = resolve_competition(CATALOG, "aerial-cactus-identification")
    prepared = tmp_path / competition.id / "prepared"
    (prepared / "public").mkdir(parents=True)
    (prepared / "public" / "description.md").write_text("# the real thing\n")

    with pytest.raises(DataError, match="--force"):
        synthesize(competition, tmp_path, rows=ROWS)
    assert is_synthetic(synthesize(competition, tmp_path, rows=ROWS, force=True).prepared_dir)


def test_too_few_rows_is_a_clear_error(tmp_path: Path) -> None:
    competition = resolve_competition(CATALOG, "aerial-cactus-identification")
    with pytest.raises(DataError, match=f"at least {MIN_ROWS} rows"):
        synthesize(competition, tmp_path, rows=MIN_ROWS - 1)


def test_melted_ids_cover_every_label_of_a_study(tmp_path: Path) -> None:
    competition = resolve_competition(CATALOG, "rsna-2022-cervical-spine-fracture-detection")
    result = synthesize(competition, tmp_path, rows=16)
    ids = [line.split(",")[0] for line in result.answers.read_text().splitlines()[1:]]

    assert len(ids) == 16 and {i.split("_", 1)[1] for i in ids} == set(competition.grader.params["columns"])


def test_cli_synth_then_grade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODIUM_SPECS", str(SPECS))
    from podium.cli.context import catalog

    catalog.cache_clear()
    runner = CliRunner()
    data = tmp_path / "data"

    made = runner.invoke(app, ["synth", "leaf-classification", "--data-dir", str(data), "--rows", "10"])
    sample = data / "leaf-classification" / "prepared" / "public" / "sample_submission.csv"
    graded = runner.invoke(
        app, ["grade", str(sample), "--competition", "leaf-classification", "--data-dir", str(data), "--json"]
    )

    assert made.exit_code == 0, made.output
    assert "10 answer rows" in made.output
    assert graded.exit_code == 0, graded.output
    assert '"valid_submission": true' in graded.output


def test_cli_synth_refuses_too_few_rows_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODIUM_SPECS", str(SPECS))
    from podium.cli.context import catalog

    catalog.cache_clear()
    result = CliRunner().invoke(app, ["synth", "leaf-classification", "--data-dir", str(tmp_path), "--rows", "2"])

    assert result.exit_code == 1
    assert "Traceback" not in result.output and f"at least {MIN_ROWS} rows" in result.output
