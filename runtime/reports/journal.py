"""An AIDE-style search journal (`<run_dir>/logs/journal.json`), read as a tree of nodes.

The journal is the agent's own output, so it is read defensively: it may be `{"nodes": [...]}`
or a bare list; a node may carry `id`, `parent_id` (or AIDE's `parent`, or the journal-level
`node2parent` map AIDE writes), `metric` (a number or `{"value": ...}`), `is_buggy` and `plan`,
and may lack any of them. A node whose parent is unknown, or whose parents loop, becomes a root.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podium.runtime.store.records import RunRecord

JOURNAL_FILE = "journal.json"
MAX_JOURNAL_BYTES = 64 * 2**20  # a journal larger than this is not rendered


class JournalError(Exception):
    """A journal.json exists but cannot be read as a journal."""


@dataclass(frozen=True)
class JournalNode:
    id: str
    parent_id: str | None
    metric: float | None
    is_buggy: bool | None
    plan: str


@dataclass
class SearchTree:
    nodes: list[JournalNode]
    children: dict[str, list[JournalNode]] = field(default_factory=dict)
    roots: list[JournalNode] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[int, JournalNode]]:
        """(depth, node) in depth-first order, iteratively: a deep chain cannot hit the recursion limit."""
        stack = [(0, root) for root in reversed(self.roots)]
        while stack:
            depth, node = stack.pop()
            yield depth, node
            stack += [(depth + 1, child) for child in reversed(self.children.get(node.id, []))]


def journal_path(run: RunRecord) -> Path | None:
    if not run.run_dir:
        return None
    path = Path(run.run_dir) / "logs" / JOURNAL_FILE
    return path if path.is_file() else None


def read_journal(path: Path) -> SearchTree:
    try:
        if path.stat().st_size > MAX_JOURNAL_BYTES:
            raise JournalError(f"{path} is larger than {MAX_JOURNAL_BYTES // 2**20} MiB; not rendered")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise JournalError(f"cannot read {path}: {error}") from None
    raw_nodes = data.get("nodes") if isinstance(data, dict) else data
    if not isinstance(raw_nodes, list):
        raise JournalError(f"{path} has no list of nodes (expected a list or {{'nodes': [...]}})")
    links = data.get("node2parent") if isinstance(data, dict) else None
    nodes = [_node(raw, index, links) for index, raw in enumerate(raw_nodes) if isinstance(raw, dict)]
    return build_tree(nodes)


def _node(raw: Mapping[str, Any], index: int, links: Any) -> JournalNode:
    node_id = str(raw.get("id", index))
    parent = raw.get("parent_id", raw.get("parent"))
    if parent is None and isinstance(links, dict):
        parent = links.get(node_id)
    if isinstance(parent, dict):  # a serialised parent node instead of its id
        parent = parent.get("id")
    buggy, plan = raw.get("is_buggy"), raw.get("plan")
    return JournalNode(
        id=node_id,
        parent_id=None if parent is None else str(parent),
        metric=_metric(raw.get("metric")),
        is_buggy=buggy if isinstance(buggy, bool) else None,
        plan=plan if isinstance(plan, str) else "",
    )


def _metric(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def build_tree(nodes: list[JournalNode]) -> SearchTree:
    by_id = {node.id: node for node in nodes}
    looped = _loop_members(by_id)
    tree = SearchTree(nodes=nodes)
    for node in nodes:
        if node.parent_id is not None and node.parent_id in by_id and node.id not in looped:
            tree.children.setdefault(node.parent_id, []).append(node)
        else:
            tree.roots.append(node)
    return tree


def _loop_members(by_id: Mapping[str, JournalNode]) -> set[str]:
    """Ids on a parent loop (a corrupt journal); they become roots. One pass up each chain: O(n)."""
    looped: set[str] = set()
    done: set[str] = set()
    for start in by_id:
        path: dict[str, int] = {}  # the chain walked from `start`, in order
        current: str | None = start
        while current is not None and current in by_id and current not in done and current not in path:
            path[current] = len(path)
            current = by_id[current].parent_id
        if current in path:  # the walk came back onto itself: the loop is the path from there on
            looped.update(list(path)[path[current] :])
        done.update(path)
    return looped


def best_node(tree: SearchTree, lower_is_better: bool) -> JournalNode | None:
    scored = [node for node in tree.nodes if node.metric is not None and not node.is_buggy]
    if not scored:
        return None
    return (min if lower_is_better else max)(scored, key=lambda node: node.metric or 0.0)
