"""Fixtures for the agent tests: a small competition laid out as the agent container contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from podium.runtime.agents.contract import AgentPaths


def make_contract(root: Path, task: str = "classification", rows: int = 240, seed: int = 0) -> AgentPaths:
    """data/ (train, test, sample, description, task.json) and empty submission/, logs/, code/.

    The hidden answers are written to root/answers.csv so a test can score what an agent wrote.
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "Id": [f"{index // 3:04d}_{index % 3:02d}" for index in range(rows)],
            "size": rng.normal(0, 1, rows).round(3),
            "colour": rng.choice(["red", "green", "blue"], rows),
            "Cabin": [
                f"{rng.choice(list('ABC'))}/{rng.integers(1, 400)}/{rng.choice(['P', 'S'])}" for _ in range(rows)
            ],
        }
    )
    signal = frame["size"] + (frame["colour"] == "red") * 1.5 + frame["Cabin"].str.endswith("S") * 1.0
    fill: bool | int
    if task == "classification":
        frame["Target"] = signal > 0.8
        metric, direction, inputs, fill = "accuracy", "maximize", ["labels"], False
    else:
        frame["Target"] = np.exp(10 + signal / 2 + rng.normal(0, 0.05, rows)).round(0)
        metric, direction, inputs, fill = "rmse-log", "minimize", ["numbers"], 1000
    test_rows = rows // 4
    train, test = frame.iloc[test_rows:], frame.iloc[:test_rows]
    data = root / "data"
    data.mkdir(parents=True)
    train.to_csv(data / "train.csv", index=False)
    test.drop(columns="Target").to_csv(data / "test.csv", index=False)
    test[["Id", "Target"]].to_csv(root / "answers.csv", index=False)
    pd.DataFrame({"Id": test["Id"].iloc[::-1], "Target": fill}).to_csv(data / "sample_submission.csv", index=False)
    (data / "description.md").write_text("# Synthetic\nPredict Target for every Id of test.csv.\n")
    card = {
        "competition_id": "synthetic",
        "id_column": "Id",
        "targets": ["Target"],
        "metric": metric,
        "direction": direction,
        "inputs": inputs,
        "train": "train.csv",
        "test": "test.csv",
        "seed": 0,
        "limits": {"time_seconds": 3600, "cpus": 1},
    }
    (data / "task.json").write_text(json.dumps(card))
    folders = {name: root / name for name in ("submission", "logs", "code", "agent")}
    for folder in folders.values():
        folder.mkdir()
    return AgentPaths(data=data, **folders)


@pytest.fixture
def contract(tmp_path: Path) -> AgentPaths:
    return make_contract(tmp_path / "run")


@pytest.fixture
def contract_factory(tmp_path: Path) -> Callable[..., AgentPaths]:
    counter = iter(range(1000))
    return lambda **options: make_contract(tmp_path / f"run{next(counter)}", **options)


@pytest.fixture
def argv_for() -> Callable[[AgentPaths], list[str]]:
    """The command-line options that point an agent at a contract's folders."""
    return contract_argv


def contract_argv(paths: AgentPaths) -> list[str]:
    return [
        "--data-dir", str(paths.data),
        "--submission-dir", str(paths.submission),
        "--logs-dir", str(paths.logs),
        "--code-dir", str(paths.code),
        "--agent-dir", str(paths.agent),
    ]  # fmt: skip
