"""`podium run` and `podium runs list|show|resume|clean`: usage errors, ad-hoc runs recorded in the
store, attempts, cleaning, and the quickstart suite end to end on real data (integration)."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from podium.cli import app
from podium.cli.context import catalog

# The runtime tests' small world (a tiny iris competition, the dummy and fault scaffolds, compiled
# and prepared) is shared with them rather than written twice.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime" / "execute"))
from runtime_world import World, build_world

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed; `apt-get install bubblewrap`")
    return build_world(tmp_path_factory.mktemp("cli-world"))


@pytest.fixture
def in_world(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Run from the world's folder (its specs/); the options every command of a test shares."""
    monkeypatch.chdir(world.root)
    catalog.cache_clear()
    yield [
        "--data-dir",
        str(world.data),
        "--runs-dir",
        str(tmp_path / "runs"),
        "--store",
        str(tmp_path / "runs.sqlite"),
    ]
    catalog.cache_clear()


def podium(*arguments: str) -> Any:
    return runner.invoke(app, list(arguments))


def as_records(output: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(output)
    return records


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ([], "name a suite"),
        (["--suite", "slwo"], "did you mean 'slow'"),
        (["--suite", "slow", "--scaffold", "dummy"], "--scaffold and --seeds go with --competition"),
        (["--competition", "tiny-iris"], "--competition needs --scaffold"),
        (["--competition", "tiny-iriss", "--scaffold", "dummy"], "did you mean 'tiny-iris'"),
        (["--competition", "tiny-iris", "--scaffold", "dumy"], "did you mean 'dummy'"),
        (["--suite", "slow", "--competition", "tiny-iris"], "name a suite"),
    ],
)
def test_usage_errors_exit_2_with_a_sentence(in_world: list[str], arguments: list[str], expected: str) -> None:
    result = podium("run", *arguments, *in_world)
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split())


def test_an_adhoc_run_is_recorded_and_not_repeated_without_rerun(in_world: list[str], world: World) -> None:
    packages = ["--packages", str(world.packages)]
    first = podium(
        "run", "--competition", "tiny-iris", "--scaffold", "dummy", "--seeds", "2", "--json", *packages, *in_world
    )
    assert first.exit_code == 0, first.output
    records = as_records(first.stdout)
    assert [(r["run_id"], r["status"]) for r in records] == [
        ("adhoc/tiny-iris/dummy/0/0", "succeeded"),
        ("adhoc/tiny-iris/dummy/1/0", "succeeded"),
    ]
    assert records[0]["report"]["valid_submission"] is True and records[0]["sandbox"] == "bwrap"
    assert Path(records[0]["run_dir"], "submission", "submission.csv").is_file()

    again = podium(
        "run", "--competition", "tiny-iris", "--scaffold", "dummy", "--seeds", "2", "--json", *packages, *in_world
    )
    assert [r["finished_at"] for r in as_records(again.stdout)] == [r["finished_at"] for r in records]

    rerun = podium("run", "-c", "tiny-iris", "--scaffold", "dummy", "--rerun", "--json", *packages, *in_world)
    assert [(r["run_id"], r["attempt"], r["status"]) for r in as_records(rerun.stdout)] == [
        ("adhoc/tiny-iris/dummy/0/1", 1, "succeeded")
    ]
    listed = as_records(podium("runs", "list", "--json", *in_world).stdout)
    assert sorted(r["run_id"] for r in listed) == [
        "adhoc/tiny-iris/dummy/0/0", "adhoc/tiny-iris/dummy/0/1", "adhoc/tiny-iris/dummy/1/0",
    ]  # fmt: skip


def test_list_show_and_the_table(in_world: list[str], world: World) -> None:
    result = podium("run", "-c", "tiny-iris", "--scaffold", "crash", "--packages", str(world.packages), *in_world)
    assert result.exit_code == 0, result.output  # a crashed agent is a result, not a runtime failure
    assert "failed" in result.stdout and "error" in result.stdout  # the table grows an error column
    failed = as_records(podium("runs", "list", "--status", "failed", "--json", *in_world).stdout)
    assert [r["scaffold_id"] for r in failed] == ["crash"]
    assert failed[0]["error"] == "the agent exited with code 1: RuntimeError: the fault agent crashed on purpose"
    assert as_records(podium("runs", "list", "--status", "succeeded", "--json", *in_world).stdout) == []

    shown = podium("runs", "show", "adhoc/tiny-iris/crash/0/0", *in_world)
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.split())
    assert "status: failed" in text and "exit code: 1" in text and "logs: " in text and "sandbox: bwrap" in text
    as_json = json.loads(podium("runs", "show", "adhoc/tiny-iris/crash/0/0", "--json", *in_world).stdout)
    assert as_json == failed[0]


def test_show_and_list_refuse_what_does_not_exist(in_world: list[str]) -> None:
    from podium.runtime.store import RunStore

    RunStore(Path(in_world[5])).close()  # an empty store
    assert as_records(podium("runs", "list", "--json", *in_world).stdout) == []
    missing = podium("runs", "show", "adhoc/tiny-iris/nope/0/0", *in_world)
    assert missing.exit_code == 1 and "no run 'adhoc/tiny-iris/nope/0/0'" in missing.output
    bad_status = podium("runs", "list", "--status", "done", *in_world)
    assert bad_status.exit_code == 2 and "unknown status 'done'" in bad_status.output


def test_docker_backend_without_a_daemon_fails_before_planning(
    in_world: list[str], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    result = podium(
        "run",
        "-c",
        "tiny-iris",
        "--scaffold",
        "dummy",
        "--backend",
        "docker",
        "--packages",
        str(world.packages),
        *in_world,
    )
    assert result.exit_code == 1
    assert "no docker daemon reachable at unix:///nonexistent/docker.sock" in " ".join(result.output.split())
    assert not Path(in_world[5]).exists()  # nothing was planned


def test_runs_commands_never_create_a_store(in_world: list[str]) -> None:
    for command in (["list"], ["show", "a/b/c/0/0"], ["resume"], ["clean"]):
        result = podium("runs", *command, *in_world)
        assert result.exit_code == 1 and "no run store at" in " ".join(result.output.split())
    assert not Path(in_world[5]).exists()


def test_resume_with_nothing_pending_says_so(in_world: list[str], world: World) -> None:
    assert (
        podium("run", "-c", "tiny-iris", "--scaffold", "dummy", "--packages", str(world.packages), *in_world).exit_code
        == 0
    )
    result = podium("runs", "resume", *in_world)
    assert result.exit_code == 0 and "nothing to resume" in result.stdout


def test_clean_removes_unfinished_runs_and_with_all_finished_ones(in_world: list[str], world: World) -> None:
    from podium.runtime.execute import Matrix, Packages, plan_runs
    from podium.runtime.store import RunStore

    assert (
        podium("run", "-c", "tiny-iris", "--scaffold", "dummy", "--packages", str(world.packages), *in_world).exit_code
        == 0
    )
    store_path, runs_dir = Path(in_world[5]), Path(in_world[3])
    with RunStore(store_path) as store:  # a planned run nobody ran
        plan_runs(store, Matrix("later", ["tiny-iris"], ["dummy"], [7]), Packages(world.packages), runs_dir, world.data)
    assert "removed 1 run(s)" in podium("runs", "clean", *in_world).stdout
    assert [r["status"] for r in as_records(podium("runs", "list", "--json", *in_world).stdout)] == ["succeeded"]
    run_dir = runs_dir / "adhoc" / "tiny-iris" / "dummy" / "0" / "0"
    assert run_dir.is_dir()
    assert "removed 1 run(s)" in podium("runs", "clean", "--all", *in_world).stdout
    assert not run_dir.exists() and as_records(podium("runs", "list", "--json", *in_world).stdout) == []


@pytest.mark.integration
def test_quickstart_end_to_end_on_real_data(specs_tree: Path, tmp_path: Path) -> None:
    """The README's main job: the quickstart suite on the offline competitions (data from PyPI)."""
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed; `apt-get install bubblewrap`")
    result = podium("run", "--suite", "quickstart", "--data-dir", str(tmp_path / "data"), "--json")
    assert result.exit_code == 0, result.output
    records = as_records(result.stdout)
    assert {(r["competition_id"], r["scaffold_id"]) for r in records} == {
        (competition, scaffold)
        for competition in ("spaceship-titanic", "titanic", "house-prices")
        for scaffold in ("dummy", "baseline")
    }
    dummies = [r for r in records if r["scaffold_id"] == "dummy"]
    assert all(r["status"] == "succeeded" and r["report"]["score"] is not None for r in dummies)
    assert all(r["competition_sha256"] and r["scaffold_sha256"] for r in records)
    assert (specs_tree.parent / "generated" / "scaffolds" / "dummy" / "agent" / "start.py").is_file()
    assert (tmp_path / "runs" / "runs.sqlite").is_file()  # the default store: runs/ beside the data folder
