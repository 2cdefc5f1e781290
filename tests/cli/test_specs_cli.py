"""The authoring commands as a user types them: validate, schema, new, list, --version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podium import __version__
from podium.cli import app
from podium.generator.schema import render_schemas

runner = CliRunner()
ERROR_LINE = re.compile(r"^[^:\n]+:\d+:\d+: [^:]+: .+; .+$")


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_version() -> None:
    assert run("--version") == (0, f"podium {__version__}\n")


def test_validate_all_specs(specs_tree: Path) -> None:
    code, output = run("validate")
    assert code == 0, output
    assert "spec(s) valid" in output


def test_validate_reports_every_error_located(specs_tree: Path) -> None:
    spec = specs_tree / "competitions" / "titanic" / "spec.yaml"
    spec.write_text(
        spec.read_text()
        .replace("complexity: low", "complexity: lowish")
        .replace("metric: accuracy", "metirc: accuracy")
    )
    code, output = run("validate", str(spec))
    assert code == 1
    lines = [line for line in output.splitlines() if ERROR_LINE.match(line)]
    assert len(lines) == 3  # lowish; metirc unknown; metric missing
    assert all(line.startswith("specs/competitions/titanic/spec.yaml:") for line in lines)


def test_validate_names_only_the_requested_files(specs_tree: Path) -> None:
    (specs_tree / "graders" / "broken.yaml").write_text("spec_version: 1\nid: broken\n")
    code, _ = run("validate", str(specs_tree / "graders" / "accuracy.yaml"))
    assert code == 0
    code, output = run("validate")
    assert code == 1 and "broken.yaml" in output


def test_validate_json(specs_tree: Path) -> None:
    (specs_tree / "graders" / "broken.yaml").write_text("spec_version: 1\nid: broken\n")
    code, output = run("validate", "--json")
    errors = json.loads(output)
    assert code == 1
    assert {e["key_path"] for e in errors} >= {"name", "direction"}
    assert all(ERROR_LINE.match(e["message"]) for e in errors)


@pytest.mark.parametrize(
    "args", [("validate", "no/such/file.yaml"), ("new", "widget", "x"), ("new", "grader", "bad id;")]
)
def test_usage_errors_exit_2(specs_tree: Path, args: tuple[str, ...]) -> None:
    code, output = run(*args)
    assert code == 2, output


def test_file_outside_a_specs_folder_is_a_usage_error(tmp_path: Path, specs_tree: Path) -> None:
    stray = tmp_path / "stray.yaml"
    stray.write_text("spec_version: 1\n")
    code, output = run("validate", str(stray))
    assert code == 2 and "not inside a specs folder" in output


def test_schema_export_and_check(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    assert run("schema", "--out", str(out))[0] == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(render_schemas())
    assert run("schema", "--check", "--out", str(out))[0] == 0
    (out / "suite.schema.json").write_text("{}")
    code, output = run("schema", "--check", "--out", str(out))
    assert code == 1 and "suite.schema.json" in output


def test_committed_schemas_are_current() -> None:
    committed = Path(__file__).resolve().parents[2] / "schemas"
    assert run("schema", "--check", "--out", str(committed))[0] == 0


@pytest.mark.parametrize("kind", ["competition", "grader", "scaffold", "suite"])
def test_new_spec_from_template_validates(specs_tree: Path, kind: str) -> None:
    code, output = run("new", kind, f"my-{kind}", "--specs", str(specs_tree))
    assert code == 0, output
    created = next(specs_tree.rglob(f"my-{kind}*"))
    assert created.exists()
    if kind == "competition":  # the template's kaggle source and accuracy grader resolve as they are
        code, output = run("validate", str(created / "spec.yaml"))
        assert code == 0, output
    code, output = run("new", kind, f"my-{kind}", "--specs", str(specs_tree))
    assert code == 2 and "exists" in output


def test_list_competitions_json(specs_tree: Path) -> None:
    code, output = run("list", "competitions", "--suite", "offline", "--json")
    rows = json.loads(output)
    assert code == 0
    assert [r["id"] for r in rows] == ["spaceship-titanic", "titanic", "house-prices"]
    assert (
        rows[0] | {"metric": "accuracy", "direction": "maximize", "source": "pypi", "leaderboard": "pinned"} == rows[0]
    )


def test_list_unknown_suite(specs_tree: Path) -> None:
    code, output = run("list", "competitions", "--suite", "nope")
    assert code == 1 and "no suite 'nope'" in output
