"""One small resolved competition for the tests of grading and preparation.

Labels graded by accuracy, a local source and a declarative 10% split: each test names only what
it varies (ids, target, pin, grader fields, prepare fields) instead of spelling the whole spec.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from podium.runtime.spec import ResolvedCompetition


def toy_competition(
    competition_id: str = "toy",
    *,
    id_column: str = "PassengerId",
    targets: Sequence[str] = ("Transported",),
    pin: str | None = None,
    prepare: Mapping[str, Any] | None = None,
    grader: Mapping[str, Any] | None = None,
    **fields: Any,
) -> ResolvedCompetition:
    """`fields` replace top-level keys (name, modality, description, source, ...)."""
    return ResolvedCompetition.model_validate(
        {
            "id": competition_id,
            "name": competition_id,
            "modality": "tabular",
            "complexity": "low",
            "description": "toy",
            "source": {"kind": "local", "path": "/nowhere"},
            "prepare": {
                "split": {"from": "train.csv", "test_size": 0.1},
                "id_column": id_column,
                "targets": list(targets),
                **(prepare or {}),
            },
            "grader": {
                "id": "accuracy",
                "implementation": "accuracy",
                "direction": "maximize",
                "inputs": ["labels"],
                "version": "1",
                **(grader or {}),
            },
            "leaderboard": {"sha256": pin},
            "limits": {},
            **fields,
        }
    )
