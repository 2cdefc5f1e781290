"""AIDE's search policy: which node to work on next, and so whether to draft, debug or improve.

As in AIDE: draft until there are `drafts` drafts; then, with probability `debug_prob`, debug
a buggy leaf whose chain of debug steps is still shorter than `max_debug_depth`; otherwise
improve the best good node, or draft again when no node is good yet. The random draws come
from a generator seeded by (seed, step), so a resumed search draws what the first run drew.
"""

from __future__ import annotations

import random

from pydantic import BaseModel, ConfigDict, Field, field_validator

from podium.runtime.agents.aide.journal import Journal, Node, Stage
from podium.runtime.spec.units import parse_duration


class SearchParams(BaseModel):
    """The `params` of an aide scaffold spec."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: int = Field(20, gt=0, description="nodes to make in all")
    drafts: int = Field(5, ge=1, description="initial drafts before debugging or improving")
    debug_prob: float = Field(0.5, ge=0, le=1, description="chance of debugging a buggy leaf at a step")
    max_debug_depth: int = Field(3, ge=0, description="debug steps in a row allowed on one line of programs")
    step_timeout: float = Field(600.0, description="seconds a node's program may run; '10m' works too")
    temperature: float | None = Field(None, ge=0, le=2, description="default: the model endpoint's")
    max_tokens: int | None = Field(None, gt=0, description="default: the model endpoint's")
    preview_rows: int = Field(5, ge=0, description="rows of each data file shown in the prompt")

    @field_validator("step_timeout", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        return parse_duration(value)


def step_rng(seed: int, step: int) -> random.Random:
    """The step's own generator: the same (seed, step) always draws the same numbers."""
    return random.Random(f"podium-aide:{seed}:{step}")


def choose_parent(journal: Journal, params: SearchParams, rng: random.Random) -> Node | None:
    """The node to debug or improve next, or None to write a new draft."""
    if len(journal.drafts) < params.drafts:
        return None
    if rng.random() < params.debug_prob:
        debuggable = [
            node
            for node in journal.nodes
            if node.is_buggy and journal.is_leaf(node) and journal.debug_depth(node) < params.max_debug_depth
        ]
        if debuggable:
            return rng.choice(debuggable)
    return journal.best_node()


def stage_for(parent: Node | None) -> Stage:
    if parent is None:
        return "draft"
    return "debug" if parent.is_buggy else "improve"
