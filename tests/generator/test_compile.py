"""`podium build`: packages from specs, incremental and deterministic, safe against hostile strings."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from dockerfile_syntax import build_args, exec_form, instructions, labels
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from podium.cli import app
from podium.generator import compile as compiler
from podium.generator.catalog import Catalog, load_catalog
from podium.generator.filters import single_line
from podium.runtime.spec import KnownIssue

runner = CliRunner()
LEADERBOARD_CSV = "teamName,score\n" + "".join(f"team{i},{1 - i / 100:.2f}\n" for i in range(40))


@pytest.fixture(autouse=True)
def no_leaderboards_at_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide where leaderboards are: not the developer's $PODIUM_LEADERBOARDS or cache."""
    monkeypatch.delenv("PODIUM_LEADERBOARDS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def catalog_of(specs: Path) -> Catalog:
    catalog = load_catalog(specs)
    assert not catalog.errors, catalog.errors
    return catalog


def statuses(outcomes: list[compiler.Outcome]) -> dict[str, str]:
    return {outcome.key: outcome.status for outcome in outcomes}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


# ── incremental and deterministic ───────────────────────────────────────────────────────────


def test_second_build_skips_everything_and_trees_are_byte_identical(specs_tree: Path, tmp_path: Path) -> None:
    catalog = catalog_of(specs_tree)
    first = compiler.build(catalog, tmp_path / "a")
    assert set(statuses(first).values()) == {"built"}
    assert {"competitions/spaceship-titanic", "scaffolds/dummy"} <= set(statuses(first))
    assert set(statuses(compiler.build(catalog, tmp_path / "a")).values()) == {"unchanged"}
    compiler.build(catalog, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")  # manifest included: no timestamps anywhere


def test_manifest_records_hashes_and_version(specs_tree: Path, tmp_path: Path) -> None:
    compiler.build(catalog_of(specs_tree), tmp_path)
    entry = json.loads((tmp_path / "manifest.json").read_text())["packages"]["competitions/titanic"]
    spec_json = tmp_path / "competitions/titanic/podium_pkg_titanic/spec.json"
    assert entry["spec_sha256"] == hashlib.sha256(spec_json.read_bytes()).hexdigest()
    assert entry["template_sha256"] == compiler.template_sha256("competition")
    assert entry["podium_version"] == compiler.PODIUM_VERSION
    assert entry["tree_sha256"] == compiler.tree_sha256(tmp_path / "competitions/titanic")


def test_check_is_green_then_red_after_a_spec_edit(specs_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    compiler.build(catalog_of(specs_tree), out)
    assert compiler.check(catalog_of(specs_tree), out) == []
    assert run("build", "--check", "--out", str(out))[0] == 0
    edit(specs_tree / "competitions/titanic/spec.yaml", "complexity: low", "complexity: medium")
    stale = compiler.check(catalog_of(specs_tree), out)
    assert stale == [compiler.Stale("competitions/titanic", ("spec changed",))]
    code, output = run("build", "--check", "--out", str(out))
    assert code == 1
    assert "competitions/titanic: spec changed" in output
    assert statuses(compiler.build(catalog_of(specs_tree), out))["competitions/titanic"] == "built"
    assert compiler.check(catalog_of(specs_tree), out) == []


def test_hand_edits_and_removed_specs_are_stale(specs_tree: Path, tmp_path: Path) -> None:
    shutil.copy(specs_tree / "scaffolds/dummy.yaml", specs_tree / "scaffolds/extra.yaml")
    edit(specs_tree / "scaffolds/extra.yaml", "id: dummy", "id: extra")
    compiler.build(catalog_of(specs_tree), tmp_path)
    (tmp_path / "competitions/titanic/README.md").write_text("edited\n")
    (specs_tree / "scaffolds/extra.yaml").unlink()
    stale = {s.key: s.reasons for s in compiler.check(catalog_of(specs_tree), tmp_path)}
    assert stale == {
        "competitions/titanic": ("files edited by hand",),
        "scaffolds/extra": ("its spec is gone",),
    }
    outcomes = statuses(compiler.build(catalog_of(specs_tree), tmp_path))
    assert outcomes["scaffolds/extra"] == "removed"
    assert not (tmp_path / "scaffolds/extra").exists()
    assert compiler.check(catalog_of(specs_tree), tmp_path) == []


def test_pip_leftovers_and_docker_inputs_do_not_make_a_package_stale(specs_tree: Path, tmp_path: Path) -> None:
    compiler.build(catalog_of(specs_tree), tmp_path)
    package = tmp_path / "competitions/titanic"
    for leftover in (
        "build/lib/x.py",
        "podium_pkg_titanic.egg-info/PKG-INFO",
        "wheels/podium-0.1.0-py3-none-any.whl",
    ):
        (package / leftover).parent.mkdir(parents=True, exist_ok=True)
        (package / leftover).write_text("x")
    assert compiler.check(catalog_of(specs_tree), tmp_path) == []
    compiler.build(catalog_of(specs_tree), tmp_path, force=True)
    assert (package / "wheels/podium-0.1.0-py3-none-any.whl").read_text() == "x"  # carried over


def test_one_competition_brings_the_scaffolds_of_its_suites(specs_tree: Path) -> None:
    chosen = compiler.select(catalog_of(specs_tree), ["spaceship-titanic"])
    assert chosen == [("competition", "spaceship-titanic"), ("scaffold", "baseline"), ("scaffold", "dummy")]


def test_unknown_id_suggests_a_near_one(specs_tree: Path) -> None:
    with pytest.raises(compiler.BuildError, match="did you mean 'spaceship-titanic'"):
        compiler.select(catalog_of(specs_tree), ["spaceship-titanik"])


def test_unpinned_scaffold_requirement_is_refused(specs_tree: Path) -> None:
    edit(specs_tree / "scaffolds/baseline.yaml", "pandas==2.2.3", "pandas>=2")
    with pytest.raises(compiler.BuildError, match=r"baseline.yaml: image.requirements\[1\]: 'pandas>=2' is not pinned"):
        compiler.plan(catalog_of(specs_tree), "scaffold", "baseline")


# ── failures ─────────────────────────────────────────────────────────────────────────────────


def broken_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(compiler.TEMPLATES, templates)
    dockerfile = templates / "competition/{{cookiecutter.id}}/Dockerfile"
    edit(dockerfile, "cookiecutter._spec.name | docker_str", "cookiecutter._spec.title | docker_str")
    monkeypatch.setattr(compiler, "TEMPLATES", templates)
    return dockerfile


def test_failed_build_names_spec_and_template_line_and_keeps_the_old_package(
    specs_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "generated"
    compiler.build(catalog_of(specs_tree), out)
    before = tree(out)
    dockerfile = broken_templates(tmp_path, monkeypatch)
    line = next(i for i, text in enumerate(dockerfile.read_text().splitlines(), 1) if "_spec.title" in text)
    with pytest.raises(compiler.BuildError) as caught:
        compiler.build(catalog_of(specs_tree), out, ["titanic"])
    message = str(caught.value)
    assert "competitions/titanic/spec.yaml: building competition 'titanic'" in message
    assert f"Dockerfile:{line}: " in message and "'title'" in message
    assert tree(out) == before  # old package and manifest untouched, no scratch folder left
    assert not list(out.glob("*/.building-*"))


def test_template_syntax_error_is_located(specs_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dockerfile = broken_templates(tmp_path, monkeypatch)
    dockerfile.write_text("FROM scratch\nLABEL a={{ cookiecutter.id | docker_str }\n")
    with pytest.raises(compiler.BuildError, match=r"Dockerfile:2: unexpected '}'"):
        compiler.build(catalog_of(specs_tree), tmp_path / "out", ["titanic"])


def test_spec_errors_stop_the_build_with_their_location(specs_tree: Path, tmp_path: Path) -> None:
    edit(specs_tree / "competitions/titanic/spec.yaml", "modality: tabular", "modality: tabular\ncolour: red")
    with pytest.raises(compiler.BuildError, match=r"titanic/spec.yaml:\d+:\d+: colour"):
        compiler.build(load_catalog(specs_tree), tmp_path)


# ── leaderboard thresholds and hooks ─────────────────────────────────────────────────────────


def pin_synthetic_leaderboard(specs: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "leaderboards"
    (folder / "spaceship-titanic").mkdir(parents=True)
    (folder / "spaceship-titanic/leaderboard.csv").write_text(LEADERBOARD_CSV)
    spec = specs / "competitions/spaceship-titanic/spec.yaml"
    old_pin = spec.read_text().split("sha256: ")[-1].split()[0]
    edit(spec, old_pin, hashlib.sha256(LEADERBOARD_CSV.encode()).hexdigest())
    return folder


def test_thresholds_come_from_the_pinned_leaderboard_when_at_hand(specs_tree: Path, tmp_path: Path) -> None:
    leaderboards = pin_synthetic_leaderboard(specs_tree, tmp_path)
    out = tmp_path / "out"
    package = out / "competitions/spaceship-titanic/podium_pkg_spaceship_titanic"
    compiler.build(catalog_of(specs_tree), out, ["spaceship-titanic"])
    assert not (package / "thresholds.json").exists()
    assert "not available at build time" in (package.parent / "README.md").read_text()
    stale = compiler.check(catalog_of(specs_tree), out, ["spaceship-titanic"], leaderboards)
    assert stale[0].reasons == ("the pinned leaderboard is now available for thresholds",)
    compiler.build(catalog_of(specs_tree), out, ["spaceship-titanic"], leaderboards=leaderboards)
    thresholds = json.loads((package / "thresholds.json").read_text())
    # 40 teams: gold/silver/bronze at positions 4/8/16 (10/20/40% of N, floored).
    assert (thresholds["gold_position"], thresholds["silver_position"], thresholds["bronze_position"]) == (
        4,
        8,
        16,
    )
    assert thresholds["gold_threshold"] == 0.97 and thresholds["n_teams"] == 40
    # Built with the leaderboard, the package stays fresh where the leaderboard is not at hand.
    assert compiler.check(catalog_of(specs_tree), out, ["spaceship-titanic"]) == []


def test_hook_files_are_copied_and_tracked(specs_tree: Path, tmp_path: Path) -> None:
    spec = specs_tree / "competitions/titanic/spec.yaml"
    edit(
        spec,
        "  split: {from: train.csv, test_size: 0.2, random_state: 0, stratify: Survived}\n",
        "  hook: code/prep.py:prepare\n",
    )
    (specs_tree / "competitions/titanic/code").mkdir()
    hook = specs_tree / "competitions/titanic/code/prep.py"
    hook.write_text("def prepare(raw, public, private):\n    pass\n")
    compiler.build(catalog_of(specs_tree), tmp_path, ["titanic"])
    copied = tmp_path / "competitions/titanic/podium_pkg_titanic/hooks/code/prep.py"
    assert copied.read_text() == hook.read_text()
    hook.write_text("def prepare(raw, public, private):\n    return None\n")
    assert compiler.check(catalog_of(specs_tree), tmp_path, ["titanic"])[0].reasons == ("hook files changed",)


# ── hostile strings ──────────────────────────────────────────────────────────────────────────

FRAGMENTS = ['"', "'", '"""', "\\", "\n", "\r\n", "{{ cookiecutter.id }}", "{% if 1 %}", "{#", "$(id)", "`id`",
             "${HOME}", "$PATH", "é", "名前", "\u2028", "\x00", "\x7f", "#", "\\\n", "]]", "=", " "]  # fmt: skip
hostile_text = (
    st.lists(
        st.sampled_from(FRAGMENTS) | st.text(st.characters(exclude_categories=["Cs"]), max_size=4),
        min_size=1,
        max_size=8,
    )
    .map("".join)
    .filter(bool)
)


@pytest.fixture(scope="module")
def shipped_catalog() -> Catalog:
    return catalog_of(Path(__file__).resolve().parents[2] / "specs")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile_text, description=hostile_text, summary=hostile_text)
def test_hostile_competition_strings_stay_strings(
    shipped_catalog: Catalog,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    description: str,
    summary: str,
) -> None:
    package = compiler.plan(shipped_catalog, "competition", "titanic")
    issue = KnownIssue(kind="note", summary=summary)
    spec = package.spec.model_copy(update={"name": name, "description": description, "known_issues": [issue]})
    folder = render(dataclasses.replace(package, spec=spec), tmp_path_factory)
    frozen = json.loads((folder / "podium_pkg_titanic/spec.json").read_text(encoding="utf-8"))
    assert (frozen["name"], frozen["description"], frozen["known_issues"][0]["summary"]) == (
        name,
        description,
        summary,
    )
    assert_python_compiles(folder)
    dockerfile = (folder / "Dockerfile").read_text(encoding="utf-8")
    assert labels(dockerfile)["org.opencontainers.image.title"] == single_line(name)
    assert exec_form(dockerfile, "ENTRYPOINT") == ["podium-titanic"]
    project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["description"] == single_line(f"podium competition package: {name}")
    assert (folder / "README.md").read_bytes().decode().endswith(description + "\n")  # bytes: keep \r


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile_text, summary=hostile_text, base=hostile_text)
def test_hostile_scaffold_strings_stay_strings(
    shipped_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory, name: str, summary: str, base: str
) -> None:
    package = compiler.plan(shipped_catalog, "scaffold", "baseline")
    image = package.spec.image.model_copy(update={"base": base})  # type: ignore[attr-defined]
    spec = package.spec.model_copy(update={"name": name, "summary": summary, "image": image})
    folder = render(dataclasses.replace(package, spec=spec), tmp_path_factory)
    assert json.loads((folder / "agent/scaffold.json").read_text(encoding="utf-8"))["name"] == name
    assert_python_compiles(folder)
    dockerfile = (folder / "Dockerfile").read_text(encoding="utf-8")
    assert labels(dockerfile)["org.opencontainers.image.title"] == single_line(name)
    assert build_args(dockerfile)["BASE_IMAGE"] == single_line(base)
    assert [name for name, _ in instructions(dockerfile)].count("FROM") == 2


def render(package: compiler.PackagePlan, factory: pytest.TempPathFactory) -> Path:
    folder = factory.mktemp("hostile") / package.id
    compiler.render_package(package, folder)
    return folder


def assert_python_compiles(folder: Path) -> None:
    for path in folder.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


# ── the generated code runs ──────────────────────────────────────────────────────────────────


def test_dummy_agent_copies_the_sample_submission(specs_tree: Path, tmp_path: Path) -> None:
    compiler.build(catalog_of(specs_tree), tmp_path / "out", ["dummy", "baseline"])
    data, submission, logs = (tmp_path / name for name in ("data", "submission", "logs"))
    for folder in (data, submission, logs):
        folder.mkdir()
    (data / "sample_submission.csv").write_text("PassengerId,Transported\n0001_01,False\n")
    env = {**os.environ, "DATA_DIR": str(data), "SUBMISSION_DIR": str(submission), "LOGS_DIR": str(logs)}
    start = tmp_path / "out/scaffolds/dummy/agent/start.py"
    assert subprocess.run([sys.executable, str(start)], env=env, check=False).returncode == 0
    assert (submission / "submission.csv").read_bytes() == (data / "sample_submission.csv").read_bytes()
    assert "copied" in (logs / "agent.log").read_text()
    baseline = subprocess.run(
        [sys.executable, str(tmp_path / "out/scaffolds/baseline/agent/start.py")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert baseline.returncode == 1  # the real agent runs and says what its data lacks
    assert "train.csv does not exist" in baseline.stderr


def run(*args: str) -> tuple[int, str]:
    from podium.cli.context import catalog

    catalog.cache_clear()  # each command reads the specs afresh, as a new process would
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_cli_build_then_check(specs_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    code, output = run("build", "spaceship-titanic", "--out", str(out))
    assert code == 0, output
    assert "competitions/spaceship-titanic" in output and "built" in output
    assert (out / "scaffolds/dummy/Dockerfile").is_file() and not (out / "competitions/titanic").exists()
    assert run("build", "--out", str(out))[0] == 2  # neither ids nor --all


def wheel_builds_offline() -> bool:
    """--no-build-isolation needs a setuptools that builds wheels by itself (>= 70.1) or `wheel`."""
    import setuptools

    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.mark.integration
@pytest.mark.slow
def test_generated_package_installs_and_runs(specs_tree: Path, tmp_path: Path) -> None:
    compiler.build(catalog_of(specs_tree), tmp_path / "out", ["titanic"])
    source = tmp_path / "source"
    shutil.copytree(tmp_path / "out/competitions/titanic", source)  # pip leaves build/ in its source
    isolation = ["--no-build-isolation"] if wheel_builds_offline() else []
    target = tmp_path / "target"
    pip = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        *isolation,
        "--target",
        str(target),
        str(source),
    ]
    subprocess.run(pip, check=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    info = subprocess.run(
        [str(target / "bin/podium-titanic"), "info", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    facts = json.loads(info.stdout)
    assert facts["competition_id"] == "titanic"
    assert (
        facts["spec_sha256"]
        == json.loads((tmp_path / "out/manifest.json").read_text())["packages"]["competitions/titanic"]["spec_sha256"]
    )
