"""What the model is told at each step: the task, the data, the I/O contract, and the node at hand.

Every prompt carries the competition's description, its task card, a listing and preview of the
public files and the contract a program must keep (where the data is, what to write, the final
`{"podium_metric": …}` line, the time limit). A draft also sees a short memory of earlier
nodes; an improvement sees the program to improve; a debug sees the buggy program and why it
failed.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from podium.runtime.agents.aide.journal import Journal, Node
from podium.runtime.agents.aide.runner import METRIC_KEY, PROGRAM
from podium.runtime.agents.contract import DESCRIPTION, AgentPaths, TaskCard, data_listing

DESCRIPTION_CHARS = 12_000
PREVIEW_LINE_CHARS = 300
PREVIEW_FILES = 8
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".json", ".jsonl"})
MEMORY_NODES = 8
KNOWN_PACKAGES = ("numpy", "pandas", "scipy", "sklearn", "lightgbm", "xgboost", "catboost", "torch")

SYSTEM = (
    "You are an expert machine-learning engineer competing in a Kaggle competition. You write complete, "
    "runnable Python programs that train a model on the provided data and write predictions for the test set."
)
ANSWER_FORMAT = (
    "Answer with a short plan in plain prose (3 to 6 sentences), then the complete program in a single "
    "```python fenced code block. Do not write any other code block: the largest python block is what runs."
)


@dataclass(frozen=True)
class TaskBrief:
    """The parts of every prompt that stay the same for the whole run."""

    description: str
    card: str
    data: str
    contract: str

    @classmethod
    def build(cls, paths: AgentPaths, card: TaskCard, timeout_seconds: float, preview_rows: int) -> TaskBrief:
        return cls(
            description=_description(paths.data),
            card=json.dumps(card.model_dump(mode="json"), indent=2),
            data=_data_overview(paths.data, preview_rows),
            contract=_contract(paths, card, timeout_seconds),
        )

    def common_sections(self) -> str:
        return "\n\n".join(
            [
                f"# Task description\n\n{self.description}",
                f"# Task card (machine-readable facts of this competition)\n\n```json\n{self.card}\n```",
                f"# Data\n\n{self.data}",
                f"# How your program is run\n\n{self.contract}",
            ]
        )


def draft_messages(brief: TaskBrief, journal: Journal) -> list[dict[str, str]]:
    instructions = (
        "# Instructions\n\nWrite a first, simple but sound solution. Pick a model that suits the data "
        "(gradient-boosted trees are a strong default for tables) and a validation that mirrors the metric. "
        "Do not search hyperparameters at length: the program must finish well within the time limit. "
        "Try an approach different from the earlier attempts listed under Memory.\n\n" + ANSWER_FORMAT
    )
    return _messages(brief, [_memory(journal), instructions])


def improve_messages(brief: TaskBrief, journal: Journal, parent: Node, code: str) -> list[dict[str, str]]:
    instructions = (
        "# Instructions\n\nThe program below is the best so far. Propose ONE specific, atomic change that "
        "should improve its validation score (a feature, a model setting, an ensemble, a better validation), "
        "and write the whole improved program. Keep everything else that works.\n\n" + ANSWER_FORMAT
    )
    previous = (
        f"# Program to improve (node {parent.id}, validation {parent.metric})\n\n"
        f"Its plan: {parent.plan or '(none)'}\n\n```python\n{code}\n```"
    )
    return _messages(brief, [_memory(journal), previous, instructions])


def debug_messages(brief: TaskBrief, parent: Node, code: str | None) -> list[dict[str, str]]:
    instructions = (
        "# Instructions\n\nThe previous attempt failed for the reason below. Find the cause and write the whole "
        "corrected program; keep its approach unless the approach itself is the bug.\n\n" + ANSWER_FORMAT
    )
    program = f"```python\n{code}\n```" if code else "(the previous answer held no runnable program)"
    failure = f"# Why it failed\n\n{parent.error or 'unknown'}"
    if parent.output_tail:
        failure += f"\n\nThe end of its output:\n\n```\n{parent.output_tail}\n```"
    return _messages(brief, [f"# Buggy program (node {parent.id})\n\n{program}", failure, instructions])


def _messages(brief: TaskBrief, sections: list[str]) -> list[dict[str, str]]:
    user = "\n\n".join([brief.common_sections(), *(section for section in sections if section)])
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def _memory(journal: Journal) -> str:
    if not journal.nodes:
        return ""
    lines = []
    for node in journal.nodes[-MEMORY_NODES:]:
        plan = " ".join(node.plan.split())[:300] or "(no plan)"
        outcome = f"validation {node.metric}" if not node.is_buggy else f"buggy: {(node.error or '')[:200]}"
        lines.append(f"- node {node.id} ({node.stage}): {plan} -> {outcome}")
    return "# Memory (earlier attempts)\n\n" + "\n".join(lines)


def _description(data: Path) -> str:
    path = data / DESCRIPTION
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no {DESCRIPTION} in the data folder; rely on the task card and the data)"
    return text if len(text) <= DESCRIPTION_CHARS else text[:DESCRIPTION_CHARS] + "\n…(cut)"


def _data_overview(data: Path, preview_rows: int) -> str:
    listing = "\n".join(f"- {entry}" for entry in data_listing(data)) or "(no files)"
    previews = []
    text_files = [p for p in sorted(data.rglob("*")) if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES]
    for path in text_files[:PREVIEW_FILES]:
        if path.name == DESCRIPTION:
            continue
        head = _head_lines(path, preview_rows + 1)
        previews.append(f"{path.relative_to(data)} (first lines):\n```\n{head}\n```")
    return f"Files in the data folder:\n{listing}\n\n" + "\n\n".join(previews)


def _head_lines(path: Path, count: int) -> str:
    lines = []
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for _ in range(count):
                line = handle.readline()
                if not line:
                    break
                line = line.rstrip("\n")
                lines.append(line if len(line) <= PREVIEW_LINE_CHARS else line[:PREVIEW_LINE_CHARS] + "…")
    except OSError as error:
        return f"(unreadable: {error})"
    return "\n".join(lines)


def _contract(paths: AgentPaths, card: TaskCard, timeout_seconds: float) -> str:
    targets = ", ".join(card.targets)
    metric = card.metric or "the competition's metric (see the description)"
    direction = {"maximize": "higher is better", "minimize": "lower is better"}.get(card.direction or "", "")
    return "\n".join(
        [
            f"- The program runs as `python {PROGRAM}` with an empty working folder of its own as the current "
            "directory; write any scratch files there.",
            f"- The public data is read-only in `{paths.data}` (its path is also in the environment variable "
            "DATA_DIR). There are no answers for the test rows.",
            f"- Write `submission.csv` in the current directory: one row per id of `{card.test}`, with exactly the "
            f"columns of `sample_submission.csv` ({card.id_column}, {targets}) and values in the sample's format.",
            f"- Measure {metric} ({direction}) on data held out from training (a split or cross-validation) and "
            f'print it as the last line of standard output, exactly like: {{"{METRIC_KEY}": 0.8123}}',
            f"- The program is killed after {timeout_seconds:.0f} seconds. There is no internet access.",
            f"- Installed packages you may import: {', '.join(_installed_packages())}.",
        ]
    )


def _installed_packages() -> list[str]:
    return [name for name in KNOWN_PACKAGES if importlib.util.find_spec(name) is not None]
