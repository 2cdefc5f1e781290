"""Resolved, frozen spec types the runtime executes (the generator resolves into these)."""

from podium.runtime.spec.parts import (
    GraderRef,
    KnownIssue,
    LeaderboardRef,
    Limits,
    Prepare,
    Source,
    Split,
)
from podium.runtime.spec.resolved import (
    ResolvedCompetition,
    ResolvedGrader,
    canonical_json,
    spec_sha256,
)

__all__ = [
    "GraderRef",
    "KnownIssue",
    "LeaderboardRef",
    "Limits",
    "Prepare",
    "ResolvedCompetition",
    "ResolvedGrader",
    "Source",
    "Split",
    "canonical_json",
    "spec_sha256",
]
