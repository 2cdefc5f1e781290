"""Resolved specs: what a compiled package carries and the runtime executes.

A resolved spec has every reference followed (the grader's metric, direction and version
are inlined into the competition), the description inlined as text, and units turned
into numbers. Its sha256 over canonical JSON identifies exactly what ran.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field

from podium.runtime.spec.parts import (
    Complexity,
    Direction,
    Identifier,
    InputKind,
    KnownIssue,
    LeaderboardRef,
    Limits,
    Modality,
    Part,
    Prepare,
    Source,
)


class ResolvedGrader(Part):
    id: Identifier
    implementation: str = Field(description="a registry metric name or 'module:function'")
    direction: Direction
    inputs: list[InputKind]
    params: dict[str, Any] = Field(default_factory=dict)
    version: str

    @property
    def is_lower_better(self) -> bool:
        return self.direction == "minimize"


class ResolvedCompetition(Part):
    id: Identifier
    name: str
    modality: Modality
    complexity: Complexity
    description: str
    source: Source
    prepare: Prepare
    grader: ResolvedGrader
    leaderboard: LeaderboardRef
    limits: Limits
    known_issues: list[KnownIssue] = Field(default_factory=list)


def canonical_json(model: BaseModel) -> str:
    """Sorted keys, no whitespace, aliases as authored: the same spec always hashes the same."""
    data = model.model_dump(mode="json", by_alias=True)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def spec_sha256(model: BaseModel) -> str:
    return hashlib.sha256(canonical_json(model).encode()).hexdigest()
