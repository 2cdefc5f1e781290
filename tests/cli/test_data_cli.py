"""`podium prepare`, `podium data verify` and `leaderboard fetch` as a user types them."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from podium.cli import app
from podium.cli.data import register_leaderboard_fetch

runner = CliRunner()
SPEC = """\
spec_version: 1
id: {id}
name: Toy
modality: tabular
complexity: low
description: description.md
source: {source}
prepare:
  split: {{from: train.csv, test_size: 0.25, random_state: 0}}
  id_column: id
  targets: [label]
grader:
  metric: accuracy
"""


def run(*args: str, target: typer.Typer = app) -> tuple[int, str]:
    result = runner.invoke(target, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def add_competition(specs: Path, competition_id: str, source: str) -> Path:
    folder = specs / "competitions" / competition_id
    folder.mkdir()
    (folder / "spec.yaml").write_text(SPEC.format(id=competition_id, source=source))
    (folder / "description.md").write_text("# Toy\n")
    return folder


@pytest.fixture
def toy(specs_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A specs tree with `toy` (local data next to the spec) and `kaggle-toy`; returns the data dir."""
    folder = add_competition(specs_tree, "toy", "{kind: local, path: data}")
    (folder / "data").mkdir()
    rows = "".join(f"{i},{i % 2}\n" for i in range(40))
    (folder / "data" / "train.csv").write_text("id,label\n" + rows)
    add_competition(specs_tree, "kaggle-toy", "{kind: kaggle}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PODIUM_DATA_DIR", raising=False)
    return tmp_path / "data"


def test_prepare_then_prepare_again_then_verify(toy: Path) -> None:
    code, output = run("prepare", "toy", "--data-dir", str(toy))
    assert code == 0, output
    assert re.search(r"toy │ prepared │ 30 │ 10 │", output)
    code, output = run("prepare", "toy", "--data-dir", str(toy))
    assert code == 0 and "already prepared" in output
    code, output = run("data", "verify", "toy", "--data-dir", str(toy))
    assert code == 0 and "matches its checksums" in output


def test_verify_fails_after_corruption(toy: Path) -> None:
    run("prepare", "toy", "--data-dir", str(toy))
    answers = toy / "toy" / "prepared" / "private" / "test.csv"
    answers.write_text(answers.read_text().replace(",0\n", ",1\n"))
    code, output = run("data", "verify", "toy", "--data-dir", str(toy))
    assert code == 1
    assert "error: private/test.csv: content differs: same 10 rows and 2 columns, but values changed" in output


def test_data_dir_comes_from_the_environment(toy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODIUM_DATA_DIR", str(toy))
    assert run("prepare", "toy")[0] == 0
    assert (toy / "toy" / "prepared" / ".done.json").is_file()


def test_prepare_a_suite_isolates_failures(toy: Path, specs_tree: Path) -> None:
    (specs_tree / "suites" / "mixed.yaml").write_text(
        "spec_version: 1\nid: mixed\nname: Mixed\nsummary: one local, one kaggle.\n"
        "competitions: [kaggle-toy, toy]\nscaffolds: [dummy]\nseeds: [0]\n"
    )
    code, output = run("prepare", "--suite", "mixed", "--data-dir", str(toy))
    assert code == 1
    assert "error: kaggle-toy: kaggle-toy downloads its data from Kaggle: pass --kaggle" in output
    assert "toy │ prepared" in output  # the other member was prepared all the same


def test_kaggle_flag_without_credentials_is_one_clear_error(toy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("kaggle")
    monkeypatch.setenv("HOME", str(toy.parent / "home"))
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(toy.parent / "home" / ".kaggle"))
    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code, output = run("prepare", "kaggle-toy", "--kaggle", "--data-dir", str(toy))
    assert code == 1 and "no Kaggle credentials found" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name one competition"),
        (("toy", "--suite", "offline"), "name one competition"),
        (("--suite", "ofline"), "no suite 'ofline' (did you mean 'offline'?)"),
        (("tiy",), "no competition 'tiy'"),
    ],
)
def test_prepare_usage_errors(toy: Path, args: tuple[str, ...], message: str) -> None:
    code, output = run("prepare", *args, "--data-dir", str(toy))
    assert code != 0 and message in output


def test_verify_before_prepare(toy: Path) -> None:
    code, output = run("data", "verify", "toy", "--data-dir", str(toy))
    assert code == 1 and "does not exist; run `podium prepare` first" in output


# leaderboard fetch ---------------------------------------------------------------------------


def leaderboard_app() -> typer.Typer:
    group = typer.Typer()
    register_leaderboard_fetch(group)

    @group.callback()
    def _group() -> None:
        """Keeps `fetch` a subcommand, as it is under `podium leaderboard`."""

    return group


def test_leaderboard_fetch_from_a_folder_checks_the_pin(
    specs_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anchors: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PODIUM_LEADERBOARDS", raising=False)
    code, output = run("fetch", "spaceship-titanic", "--from", str(anchors), target=leaderboard_app())
    assert code == 0, output
    assert "2288 teams" in output and "matches the spec's pin" in output
    from podium.runtime.grading.leaderboard import find_leaderboard

    found = find_leaderboard("spaceship-titanic")
    assert found is not None and found.is_relative_to(tmp_path / "cache")


def test_leaderboard_with_the_wrong_pin_is_not_cached(
    specs_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anchors: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tampered = tmp_path / "boards" / "spaceship-titanic"
    tampered.mkdir(parents=True)
    original = (anchors / "spaceship-titanic" / "leaderboard.csv").read_text()
    (tampered / "leaderboard.csv").write_text(original.replace("0.82815", "0.99999", 1))
    code, output = run("fetch", "spaceship-titanic", "--from", str(tmp_path / "boards"), target=leaderboard_app())
    assert code == 1 and "not accepted" in output and "pins e071aca0" in output
    assert not list((tmp_path / "cache").rglob("leaderboard.csv"))


def test_leaderboard_fetch_from_mlebench_offline_suggests_a_folder(
    specs_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, output = run("fetch", "spaceship-titanic", "--from", "mlebench", target=leaderboard_app())
    assert code == 1
    assert "could not download MLE-bench's leaderboard for spaceship-titanic" in output
    assert "--from DIR" in output


def test_leaderboard_fetch_of_an_lfs_pointer_says_to_pull(
    specs_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    checkout = tmp_path / "mle-bench" / "mlebench" / "competitions" / "spaceship-titanic"
    checkout.mkdir(parents=True)
    (checkout / "leaderboard.csv").write_text("version https://git-lfs.github.com/spec/v1\noid sha256:e0\nsize 1\n")
    code, output = run("fetch", "spaceship-titanic", "--from", str(tmp_path / "mle-bench"), target=leaderboard_app())
    assert code == 1 and "Git LFS pointer" in output and "git lfs pull" in output


def test_leaderboard_fetch_unknown_folder(specs_tree: Path) -> None:
    code, output = run("fetch", "spaceship-titanic", "--from", "/no/such/folder", target=leaderboard_app())
    assert code == 2 and "no such folder" in output


def test_kaggle_leaderboard_csv_is_rewritten_best_first() -> None:
    from podium.runtime.data.leaderboards import kaggle_csv_to_leaderboard

    text = "TeamId,TeamName,SubmissionDate,Score\n1,a,2024-01-01,0.5\n2,b,2024-01-02,0.9\n3,c,2024-01-03,\n"
    assert kaggle_csv_to_leaderboard(text, higher_is_better=True).decode() == (
        "TeamId,TeamName,SubmissionDate,score\n2,b,2024-01-02,0.9\n1,a,2024-01-01,0.5\n"
    )
