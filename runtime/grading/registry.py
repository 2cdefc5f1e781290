"""The metric registry: every metric podium can grade with, by name.

A metric is a plain function `fn(truth, pred, **params) -> float`:

- `truth`: the answers, one row per id, aligned row-for-row with `pred` (same order), with all
  answer columns (a metric may need more than the targets: weights, groups, subgroups).
- `pred`: the submission, already checked (ids match the answers, no duplicates, required
  columns present), aligned with `truth`, with all submission columns.
- `params`: the competition spec's `grader.params` plus `id_column` and `targets`
  (the list of target column names), so a metric never guesses column names.

A metric raises `MetricInputError` with a sentence a user can act on when the submission's
values cannot be scored (a malformed RLE string, a probability outside [0, 1], ...). The
grader turns that into an invalid report; it never reaches the user as a traceback.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

Direction = Literal["maximize", "minimize"]
MetricFn = Callable[..., float]


class MetricInputError(ValueError):
    """The submission's values cannot be scored; the message says what to fix."""


@dataclass(frozen=True)
class Metric:
    name: str
    fn: MetricFn
    direction: Direction
    summary: str

    def __call__(self, truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
        return float(self.fn(truth, pred, **params))


_REGISTRY: dict[str, Metric] = {}


def metric(name: str, direction: Direction, summary: str) -> Callable[[MetricFn], MetricFn]:
    """Register `fn` under `name`; the direction is declared here and in the grader spec."""

    def register(fn: MetricFn) -> MetricFn:
        if name in _REGISTRY:
            raise ValueError(f"metric {name!r} is registered twice")
        _REGISTRY[name] = Metric(name, fn, direction, summary)
        return fn

    return register


# Family modules in the order get_metric tries them: the common tabular metrics first, so a
# one-off `podium grade` imports one family, not pycocotools and scipy's spatial code.
FAMILIES = ("classification", "regression", "text", "ranking", "segmentation", "detection", "detection3d", "stop_tasks")


def _import_family(family: str) -> None:
    importlib.import_module(f"podium.runtime.grading.metrics.{family}")  # registers its metrics


def get_metric(name: str) -> Metric:
    for family in FAMILIES:
        if name in _REGISTRY:
            break
        _import_family(family)
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}") from None


def metric_names() -> list[str]:
    for family in FAMILIES:
        _import_family(family)
    return sorted(_REGISTRY)
