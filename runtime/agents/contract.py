"""The agent container contract as an agent sees it: its folders, the task card, the sample submission.

Paths come from command-line options, else MLE-bench's environment variables (`DATA_DIR`,
`SUBMISSION_DIR`, `LOGS_DIR`, `CODE_DIR`, `AGENT_DIR`), else the container defaults under
`/home`, so the same agent runs in a sandbox, in an image, and on a host folder in a test.

The task card (`<data>/task.json`) says what a competition's description says in prose: the id
column, the targets, the metric and its direction, the limits. A folder prepared by MLE-bench
has no card; then the sample submission's first column is the id and the others the targets,
and the metric is unknown (`None`), which an agent must handle.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

TASK_CARD = "task.json"
SAMPLE_SUBMISSION = "sample_submission.csv"
SUBMISSION = "submission.csv"
DESCRIPTION = "description.md"
SEED_ENV = "PODIUM_SEED"
# Environment variable, command-line option, container default.
FOLDERS = {
    "data": ("DATA_DIR", "/home/data"),
    "submission": ("SUBMISSION_DIR", "/home/submission"),
    "logs": ("LOGS_DIR", "/home/logs"),
    "code": ("CODE_DIR", "/home/code"),
    "agent": ("AGENT_DIR", "/home/agent"),
}


class ContractError(Exception):
    """The mounted folders do not hold what the contract promises; the message says what is missing."""


@dataclass(frozen=True)
class AgentPaths:
    data: Path
    submission: Path
    logs: Path
    code: Path
    agent: Path

    @property
    def submission_file(self) -> Path:
        return self.submission / SUBMISSION

    @property
    def sample_submission(self) -> Path:
        return self.data / SAMPLE_SUBMISSION

    @classmethod
    def from_arguments(cls, arguments: argparse.Namespace) -> AgentPaths:
        chosen = {}
        for name, (variable, default) in FOLDERS.items():
            explicit = getattr(arguments, f"{name}_dir", None)
            chosen[name] = Path(explicit or os.environ.get(variable) or default)
        return cls(**chosen)


class TaskCard(BaseModel):
    """What the runtime tells an agent about its competition; unknown keys are kept out, not refused."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    competition_id: str | None = None
    id_column: str
    targets: list[str] = Field(min_length=1)
    metric: str | None = Field(None, description="grader id, e.g. accuracy or rmse-log")
    direction: str | None = Field(None, description="maximize or minimize")
    inputs: list[str] = Field(default_factory=list, description="grader input kinds (labels, probabilities, …)")
    train: str = "train.csv"
    test: str = "test.csv"
    limits: dict[str, Any] = Field(default_factory=dict)

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "minimize"


def add_contract_options(parser: argparse.ArgumentParser) -> None:
    """--data-dir … --agent-dir and --seed, each defaulting to the contract's variable."""
    for name, (variable, default) in FOLDERS.items():
        parser.add_argument(f"--{name}-dir", type=Path, help=f"default: ${variable}, else {default}")
    parser.add_argument(
        "--seed", type=int, default=None, help=f"random seed; default: ${SEED_ENV}, else 0 (same seed, same run)"
    )


def chosen_seed(arguments: argparse.Namespace) -> int:
    if arguments.seed is not None:
        return int(arguments.seed)
    raw = os.environ.get(SEED_ENV, "0")
    try:
        return int(raw)
    except ValueError:
        raise ContractError(f"${SEED_ENV} is {raw!r}; set it to a whole number such as 0") from None


def read_task_card(paths: AgentPaths) -> TaskCard:
    """The task card, or one inferred from the sample submission when the folder has none."""
    card_path = paths.data / TASK_CARD
    if card_path.is_file():
        try:
            data = json.loads(card_path.read_text(encoding="utf-8"))
            card = TaskCard.model_validate(_flatten_card(data))
        except (json.JSONDecodeError, ValidationError, UnicodeDecodeError) as error:
            raise ContractError(f"the task card {card_path} is not valid: {_first_line(error)}") from None
        return card
    return _card_from_sample(paths)


def _flatten_card(data: Any) -> Any:
    """Accept the grader nested (`{"grader": {"metric": …, "direction": …}}`) as well as flat keys."""
    if not isinstance(data, dict):
        return data
    flat = dict(data)
    grader = flat.pop("grader", None)
    if isinstance(grader, dict):
        flat.setdefault("metric", grader.get("metric") or grader.get("id"))
        flat.setdefault("direction", grader.get("direction"))
        flat.setdefault("inputs", grader.get("inputs") or [])
    flat.setdefault("competition_id", os.environ.get("COMPETITION_ID"))
    return flat


def _card_from_sample(paths: AgentPaths) -> TaskCard:
    sample = paths.sample_submission
    if not sample.is_file():
        raise ContractError(
            f"neither {TASK_CARD} nor {SAMPLE_SUBMISSION} is in {paths.data}; mount the prepared public "
            "data there (or pass --data-dir DIR)"
        )
    header = sample.read_text(encoding="utf-8").splitlines()[0].split(",")
    if len(header) < 2:
        raise ContractError(f"{sample} has fewer than two columns; it needs an id column and a target column")
    return TaskCard(competition_id=os.environ.get("COMPETITION_ID"), id_column=header[0], targets=header[1:])


def _first_line(error: Exception) -> str:
    return " ".join(str(error).split("\n")[:3])


def data_listing(data_dir: Path, limit: int = 60) -> list[str]:
    """Relative paths and sizes of the public files, for prompts and logs (folders first, then files)."""
    entries = []
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            entries.append(f"{path.relative_to(data_dir)} ({path.stat().st_size:,} bytes)")
        if len(entries) >= limit:
            entries.append("…")
            break
    return entries


class AgentLog:
    """Lines to stderr and to `<logs>/<name>.log`; a read-only logs folder never stops the agent."""

    def __init__(self, logs: Path, name: str):
        self.path = logs / f"{name}.log"
        self.name = name

    def __call__(self, message: str) -> None:
        print(f"{self.name}: {message}", file=sys.stderr, flush=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(message + "\n")
        except OSError:
            pass


def parse_contract_arguments(
    prog: str, description: str, argv: Sequence[str] | None, extra: argparse.ArgumentParser | None = None
) -> argparse.Namespace:
    parser = extra or argparse.ArgumentParser(prog=prog, description=description)
    add_contract_options(parser)
    parser.add_argument("--scaffold", type=Path, help="the scaffold spec as JSON (scaffold.json); default: none")
    return parser.parse_args(argv)


def scaffold_settings(path: Path | None) -> dict[str, Any]:
    """The frozen scaffold spec (`agent/scaffold.json`), or {} when the agent runs without one."""
    if path is None:
        return {}
    try:
        settings = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ContractError(f"cannot read the scaffold spec {path}: {_first_line(error)}") from None
    if not isinstance(settings, dict):
        raise ContractError(f"the scaffold spec {path} is not a JSON object")
    return settings


def submission_problem(submission: Path, paths: AgentPaths, card: TaskCard) -> str | None:
    """Why `submission` would be invalid, checked as grading checks it but against the sample
    submission's ids and columns (an agent has no answers); None when it passes."""
    from podium.runtime.grading.submission import (
        AnswersError,
        Invalid,
        check_submission,
        read_answers,
    )

    rules = _rules_for(card, paths.sample_submission)
    try:
        sample = read_answers(paths.sample_submission, rules)
    except AnswersError as error:
        raise ContractError(f"the sample submission cannot serve as the reference: {error}") from None
    checked = check_submission(submission, sample, rules)
    if isinstance(checked, Invalid):
        return checked.error
    for target in card.targets:
        empty = int(checked.pred[target].isna().sum())
        if empty:
            return f"{submission.name} column {target!r} has {empty} empty or NaN values; every row needs a value"
    return None


def _rules_for(card: TaskCard, sample: Path) -> Any:
    from podium.runtime.grading.submission import NUMERIC_INPUTS, TEXT_INPUTS, SubmissionRules

    inputs = set(card.inputs) or _inputs_from_sample(sample, card)
    return SubmissionRules(
        id_column=card.id_column,
        targets=tuple(card.targets),
        numeric=bool(inputs & NUMERIC_INPUTS) and not inputs & TEXT_INPUTS,
        probabilities="probabilities" in inputs and not inputs & TEXT_INPUTS,
        text=bool(inputs & TEXT_INPUTS),
        public_test=card.test,
    )


def _inputs_from_sample(sample: Path, card: TaskCard) -> set[str]:
    """Without a card's grader inputs, numbers in every sample target column mean a numeric submission."""
    import pandas as pd

    try:
        head = pd.read_csv(sample, nrows=200, dtype={card.id_column: str})
    except (OSError, ValueError):
        return {"labels"}
    targets = [head[t] for t in card.targets if t in head]
    numeric = targets and all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in targets)
    return {"numbers"} if numeric else {"labels"}
