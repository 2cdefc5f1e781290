"""`podium import mlebench PATH`: specs for the competitions of an MLE-bench checkout.

MLE-bench describes each competition in `mlebench/competitions/<id>/config.yaml`: its name,
the answers and sample submission paths, the grader's name and its prepare function. For each
competition the catalog lacks, this writes `specs/competitions/<id>/spec.yaml` whose prepare
hook calls that function from the user's own MLE-bench install (`pip install -e` of the
checkout), and copies the checkout's description for the agent. What config.yaml does not say
(the id column and targets) is marked for the user to fill in; `podium validate` then checks
the rest. Nothing here runs MLE-bench code.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ruamel.yaml import YAML, YAMLError

from podium.generator.catalog import Catalog

# MLE-bench grader names -> podium grader ids, where the metric is the same.
GRADER_NAMES = {
    "accuracy": "accuracy",
    "auc-roc": "auc",
    "log-loss": "log-loss",
    "multi-class-log-loss": "multiclass-log-loss",
    "root-mean-squared-error": "rmse",
    "root_mean_squared_error": "rmse",
    "mean-absolute-error": "mae",
    "quadratic-weighted-kappa": "quadratic-weighted-kappa",
    "micro-f1-score": "f1-micro",
    "macro-f1-score": "f1-macro",
    "levenshtein-distance": "levenshtein",
    "pearson-correlation-coefficient": "pearson",
    "column-wise-spearman": "spearman",
    "mean-column-wise-roc-auc": "mean-column-auc",
    "matthews-correlation-coefficient": "matthews-corrcoef",
    "map-at-5": "map-at-k",
    "MAP@5": "map-at-k",
}
LFS_POINTER = b"version https://git-lfs.github.com/spec/"
COMPLEXITY_SPLITS = ("low", "medium", "high")


class CheckoutError(Exception):
    """The checkout cannot be read; the message says what to fix."""


@dataclass(frozen=True)
class Imported:
    competition_id: str
    spec: Path
    todo: list[str]  # what the user must still check or fill in


def competitions_folder(checkout: Path) -> Path:
    """`<checkout>/mlebench/competitions`, or the folder itself when it holds competition configs."""
    for candidate in (checkout / "mlebench" / "competitions", checkout):
        if candidate.is_dir() and any(candidate.glob("*/config.yaml")):
            return candidate
    raise CheckoutError(
        f"no MLE-bench competitions under {checkout}: expected mlebench/competitions/<id>/config.yaml "
        "(the root of an MLE-bench checkout) or <id>/config.yaml"
    )


def import_mlebench(checkout: Path, catalog: Catalog, *, dry_run: bool = False) -> list[Imported]:
    """Write a spec for every competition of the checkout the catalog lacks; what was (or would be) written."""
    folder = competitions_folder(checkout)
    complexity = _complexities(checkout)
    imported = []
    for config_path in sorted(folder.glob("*/config.yaml")):
        competition_id = config_path.parent.name
        if competition_id in catalog.competitions:
            continue
        config = _read_config(config_path)
        target = catalog.root / "competitions" / competition_id
        spec, todo = _spec_text(competition_id, config, config_path.parent, complexity.get(competition_id, "medium"))
        if not dry_run:
            target.mkdir(parents=True, exist_ok=True)
            (target / "spec.yaml").write_text(spec, encoding="utf-8")
            _copy_description(config_path.parent, target)
        imported.append(Imported(competition_id, target / "spec.yaml", todo))
    return imported


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as error:
        raise CheckoutError(f"cannot read {path}: {error}") from None
    if not isinstance(data, dict) or "id" not in data:
        raise CheckoutError(f"{path} is not an MLE-bench competition config (no `id` key)")
    return data


def _complexities(checkout: Path) -> dict[str, str]:
    splits = checkout / "experiments" / "splits"
    found: dict[str, str] = {}
    for level in COMPLEXITY_SPLITS:
        path = splits / f"{level}.txt"
        if path.is_file():
            found.update(dict.fromkeys(path.read_text(encoding="utf-8").split(), level))
    return found


def _spec_text(competition_id: str, config: dict[str, Any], folder: Path, complexity: str) -> tuple[str, list[str]]:
    dataset = config.get("dataset") or {}
    answers = PurePosixPath(str(dataset.get("answers", "test.csv"))).name
    grader_name = str((config.get("grader") or {}).get("name", ""))
    metric = GRADER_NAMES.get(grader_name, grader_name or "accuracy")
    preparer = str(config.get("preparer") or f"mlebench.competitions.{competition_id}.prepare:prepare")
    todo = ["prepare.id_column and prepare.targets (the sample submission's header)", "modality"]
    if grader_name not in GRADER_NAMES:
        todo.append(f"grader.metric: MLE-bench's grader {grader_name!r} has no podium equivalent by name")
    lines = [
        "# yaml-language-server: $schema=../../../schemas/competition.schema.json",
        f"# Imported by `podium import mlebench`; still to check: {'; '.join(todo)}.",
        "spec_version: 1",
        f"id: {competition_id}",
        f"name: {json.dumps(str(config.get('name', competition_id)).strip())}",
        "modality: tabular",
        f"complexity: {complexity}",
        "description: description.md",
        "source:",
        "  kind: kaggle",
        "prepare:",
        f"  hook: {preparer}",
        "  id_column: id",
        "  targets: [target]",
        f"  answers: {json.dumps(answers)}",
        "  answers_columns: all",
        "grader:",
        f"  metric: {metric}",
        "leaderboard:",
        "  source: mlebench",
        *_pin(folder),
        "known_issues: []",
    ]
    return "\n".join(lines) + "\n", todo


def _pin(folder: Path) -> list[str]:
    board = folder / "leaderboard.csv"
    if not board.is_file():
        return ["  note: the checkout has no leaderboard.csv for this competition"]
    data = board.read_bytes()
    if data.startswith(LFS_POINTER):
        oid = re.search(r"^oid sha256:([0-9a-f]{64})$", data.decode(errors="replace"), re.MULTILINE)
        return [f"  sha256: {oid.group(1)}"] if oid else []
    return [f"  sha256: {hashlib.sha256(data).hexdigest()}"]


def _copy_description(source: Path, target: Path) -> None:
    description = source / "description.md"
    if description.is_file():
        shutil.copyfile(description, target / "description.md")
    else:
        (target / "description.md").write_text(f"# {source.name}\n\nDescribe the task here.\n", encoding="utf-8")
