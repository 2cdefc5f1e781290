"""STOP's competitions: generated from their seed, consistent instances, no human leaderboard, a reference."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

SPECS = Path(__file__).resolve().parents[3] / "specs" / "competitions"
GENERATED = ["stop-parity-noise", "stop-parity", "stop-3sat", "stop-max-cut", "stop-quadratic-assignment",
             "stop-string-grid-distance"]  # fmt: skip


def generator(competition_id: str):
    spec = importlib.util.spec_from_file_location(f"gen_{competition_id}", SPECS / competition_id / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


@pytest.mark.parametrize("competition_id", GENERATED)
def test_generation_is_deterministic_in_its_seed(competition_id: str, tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder, seed in ((first, 1), (second, 1), (other, 2)):
        folder.mkdir()
        generator(competition_id)(folder, seed, rows=20)
    assert (first / "instances.csv").read_bytes() == (second / "instances.csv").read_bytes()
    assert (first / "instances.csv").read_bytes() != (other / "instances.csv").read_bytes()


def test_planted_3sat_formulas_are_satisfied_by_their_answer(tmp_path: Path) -> None:
    from podium.runtime.grading.metrics.stop_tasks import parse_clauses, satisfies

    generator("stop-3sat")(tmp_path, 0, rows=30)
    table = pd.read_csv(tmp_path / "instances.csv")
    for clauses, assignment in zip(table["clauses"], table["assignment"], strict=True):
        assert satisfies([letter == "T" for letter in assignment], parse_clauses(clauses))


def test_string_grid_distance_of_one_neighbour_swap_is_one() -> None:
    module_path = SPECS / "stop-string-grid-distance" / "generate.py"
    spec = importlib.util.spec_from_file_location("grid", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.grid_distance("AB" + "B" * 14, "BA" + "B" * 14, 4) == 1
    assert module.grid_distance("A" + "B" * 15, "B" * 15 + "A", 4) == 6  # corner to corner: 3 + 3


@pytest.mark.parametrize("competition_id", [*GENERATED, "sklearn-wine"])
def test_specs_say_no_human_leaderboard_exists_and_ship_a_reference(competition_id: str) -> None:
    text = (SPECS / competition_id / "spec.yaml").read_text()
    assert "human: false" in text and "no human leaderboard exists" in text
    assert (SPECS / competition_id / "reference.py").is_file()
