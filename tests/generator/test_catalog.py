"""Catalog checks: what no single file can tell — ids, references, files the specs name."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.generator.catalog import load_catalog
from podium.generator.resolve import resolve_competition

SPACESHIP = Path("competitions/spaceship-titanic/spec.yaml")


def messages(root: Path) -> list[str]:
    return [str(e) for e in load_catalog(root).errors]


def edit(root: Path, relative: Path | str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_repository_specs_are_valid(specs_tree: Path) -> None:
    catalog = load_catalog(specs_tree)
    assert catalog.errors == []
    assert {"spaceship-titanic", "titanic", "house-prices"} <= set(catalog.competitions)
    assert {"quickstart", "offline"} <= set(catalog.suites)


def test_unknown_grader_reference_suggests_the_near_miss(specs_tree: Path) -> None:
    edit(specs_tree, SPACESHIP, "metric: accuracy", "metric: acuracy")
    [error] = messages(specs_tree)
    assert ":27:3: grader.metric: no grader named 'acuracy'; " in error
    assert "(did you mean 'accuracy'?)" in error


def test_id_must_equal_the_file_name(specs_tree: Path) -> None:
    edit(specs_tree, "graders/accuracy.yaml", "id: accuracy", "id: accuracy2")
    errors = messages(specs_tree)
    assert any(
        "graders/accuracy.yaml:3:1: id: id 'accuracy2' differs from the file name; id: accuracy" in e for e in errors
    )


def test_duplicate_ids_are_reported(specs_tree: Path) -> None:
    (specs_tree / "graders" / "accuracy.yml").write_text((specs_tree / "graders" / "accuracy.yaml").read_text())
    assert any("id 'accuracy' is taken" in e for e in messages(specs_tree))


def test_paths_escaping_the_specs_folder_are_refused(specs_tree: Path) -> None:
    edit(specs_tree, SPACESHIP, "description: description.md", "description: ../../../../etc/passwd")
    [error] = messages(specs_tree)
    assert "description: '../../../../etc/passwd' points outside the specs folder" in error


def test_missing_description_and_hook_files(specs_tree: Path) -> None:
    edit(specs_tree, SPACESHIP, "description: description.md", "description: nowhere.md")
    edit(
        specs_tree,
        SPACESHIP,
        "  split: {from: train.csv, test_size: 0.1, random_state: 0}",
        "  hook: prepare.py:prepare",
    )
    errors = messages(specs_tree)
    assert any("description: file 'nowhere.md' does not exist" in e for e in errors)
    assert any("prepare.hook: file 'prepare.py' does not exist" in e for e in errors)


def test_suite_members_must_exist(specs_tree: Path) -> None:
    edit(specs_tree, "suites/offline.yaml", "[spaceship-titanic, titanic, house-prices]", "[spaceship-titanik]")
    edit(specs_tree, "suites/offline.yaml", "scaffolds: [dummy]", "scaffolds: [dumy]")
    errors = messages(specs_tree)
    assert any(
        "competitions[0]: no competition named 'spaceship-titanik'" in e and "did you mean 'spaceship-titanic'" in e
        for e in errors
    )
    assert any("scaffolds[0]: no scaffold named 'dumy'" in e for e in errors)


def test_split_file_suites(specs_tree: Path) -> None:
    (specs_tree / "suites" / "two.txt").write_text("titanic\n# comment\nhouse-prices\nnope\n")
    (specs_tree / "suites" / "two.yaml").write_text(
        "spec_version: 1\nid: two\nsplit: {file: two.txt}\nscaffolds: [dummy]\n"
    )
    catalog = load_catalog(specs_tree)
    [error] = catalog.errors
    assert str(error).split(": ", 1)[1].startswith("split.file: no competition named 'nope'; one of ")
    assert catalog.suite_members("two") == ["titanic", "house-prices", "nope"]


def test_unknown_metric_implementation(specs_tree: Path) -> None:
    edit(specs_tree, "graders/accuracy.yaml", "implementation: accuracy", "implementation: acuracy")
    assert any("implementation: no built-in metric named 'acuracy'" in e for e in messages(specs_tree))


def test_one_bad_file_does_not_hide_the_others(specs_tree: Path) -> None:
    (specs_tree / "graders" / "broken.yaml").write_text("spec_version: [\n")
    catalog = load_catalog(specs_tree)
    assert len(catalog.errors) == 1 and "broken.yaml" in str(catalog.errors[0])
    assert "accuracy" in catalog.graders


def test_resolution_inlines_grader_and_description(specs_tree: Path) -> None:
    resolved = resolve_competition(load_catalog(specs_tree), "spaceship-titanic")
    assert resolved.grader.implementation == "accuracy"
    assert resolved.grader.direction == "maximize"
    assert resolved.description.startswith("# Spaceship Titanic")
    assert resolved.limits.time == 7200


def test_leaderboard_pin_and_direction_are_checked(
    specs_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boards = tmp_path / "leaderboards"
    for competition_id, scores in {"spaceship-titanic": "0.9\n0.8\n", "titanic": "0.7\n0.8\n0.9\n"}.items():
        (boards / competition_id).mkdir(parents=True)
        (boards / competition_id / "leaderboard.csv").write_text("score\n" + scores)
    monkeypatch.setenv("PODIUM_LEADERBOARDS", str(boards))
    errors = messages(specs_tree)
    assert any(
        "spaceship-titanic/spec.yaml:28:1: leaderboard:" in e and "competition pins e071aca0" in e for e in errors
    )
    assert any("titanic/spec.yaml" in e and "not sorted for direction 'maximize'" in e for e in errors)
