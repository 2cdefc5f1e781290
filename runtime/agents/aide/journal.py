"""The search journal: every node AIDE's tree search made, saved after each step and resumed from.

A node is one program the model wrote: a draft (no parent), a debug of a buggy node, or an
improvement of a good one. `journal.json` is written atomically (a temporary file renamed over
the old one), so a run killed mid-write leaves the previous step's journal intact.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

JOURNAL_FILE = "journal.json"
JOURNAL_VERSION = 1
Stage = Literal["draft", "debug", "improve"]


class JournalError(Exception):
    """The journal on disk cannot be resumed from; the message says what to do."""


class Node(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    parent_id: int | None
    step: int
    stage: Stage
    plan: str = ""
    code_path: str | None = Field(None, description="the program, relative to the code folder; None: no code")
    metric: float | None = Field(None, description="the program's own validation score; None when buggy")
    is_buggy: bool = True
    error: str | None = Field(None, description="why the node is buggy, in one paragraph")
    output_tail: str = Field("", description="the end of the program's output, shown when debugging it")
    exec_seconds: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    submission_path: str | None = Field(None, description="the node's valid submission, relative to the code folder")


class Journal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = JOURNAL_VERSION
    competition_id: str | None = None
    seed: int = 0
    lower_is_better: bool = False
    params: dict[str, Any] = Field(default_factory=dict)
    nodes: list[Node] = Field(default_factory=list)
    stopped: str | None = Field(None, description="why the search ended early (budget, model failures)")

    def node(self, node_id: int) -> Node:
        return self.nodes[node_id]  # ids are positions: node i was made at step i

    def children(self, node: Node) -> list[Node]:
        return [child for child in self.nodes if child.parent_id == node.id]

    def is_leaf(self, node: Node) -> bool:
        return not self.children(node)

    def debug_depth(self, node: Node) -> int:
        """How many debug steps in a row led to this node (0 for a draft or an improvement)."""
        depth = 0
        while node.stage == "debug" and node.parent_id is not None:
            depth += 1
            node = self.node(node.parent_id)
        return depth

    @property
    def drafts(self) -> list[Node]:
        return [node for node in self.nodes if node.stage == "draft"]

    @property
    def good_nodes(self) -> list[Node]:
        return [node for node in self.nodes if not node.is_buggy and node.metric is not None]

    def best_node(self) -> Node | None:
        """The good node with the best metric in the journal's direction; the earliest wins a tie."""
        good = self.good_nodes
        if not good:
            return None
        sign = 1.0 if self.lower_is_better else -1.0
        return min(good, key=lambda node: (sign * float(node.metric or math.nan), node.id))

    @property
    def prompt_tokens(self) -> int:
        return sum(node.prompt_tokens for node in self.nodes)

    @property
    def completion_tokens(self) -> int:
        return sum(node.completion_tokens for node in self.nodes)


def save_journal(journal: Journal, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(journal.model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)


def load_journal(path: Path) -> Journal | None:
    """The saved journal, or None when there is none yet."""
    if not path.is_file():
        return None
    try:
        journal = Journal.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, ValidationError, UnicodeDecodeError) as error:
        raise JournalError(
            f"cannot resume from {path}: it is not a podium AIDE journal ({str(error).splitlines()[0]}); "
            "move it away to start a new search"
        ) from None
    if [node.id for node in journal.nodes] != list(range(len(journal.nodes))):
        raise JournalError(f"cannot resume from {path}: its node ids are not 0, 1, 2, …; move it away to start anew")
    return journal
