"""Ranking metrics: mean average precision at k of ranked label lists.

- map-at-k (max): whale-categorization-playground (k=5), hotel-id-2021-fgvc8 (k=5),
  h-and-m-personalized-fashion-recommendations (k=12); `k`.

The detection mAPs (3d-object-detection-for-autonomous-vehicles, siim-covid19-detection,
vinbigdata-chest-xray-abnormalities-detection) score boxes, not label lists, and live with
the detection metrics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from podium.runtime.grading.metrics.classification import label_strings, single_target
from podium.runtime.grading.registry import metric


def _label_lists(series: pd.Series) -> list[list[str]]:
    # label_strings keeps integer labels (hotel ids) comparable with their text form; an
    # empty cell is an empty list.
    present = series.dropna()
    texts = pd.Series(label_strings(present), index=present.index).reindex(series.index)
    return [text.split() if isinstance(text, str) else [] for text in texts]


def average_precision_at_k(relevant: set[str], ranked: list[str], k: int) -> float:
    """Kaggle's AP@k: precision at each rank that finds a new relevant label, summed, divided
    by min(#relevant, k). A repeated label earns nothing; empty truth or ranking scores 0.
    """
    if not relevant:
        return 0.0
    hits, total, seen = 0, 0.0, set()
    for rank, label in enumerate(ranked[:k], start=1):
        if label in relevant and label not in seen:
            hits += 1
            total += hits / rank
        seen.add(label)
    return total / min(len(relevant), k)


@metric("map-at-k", "maximize", "mean average precision at k of ranked label lists")
def map_at_k(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """MAP@k: each submitted row is a space-separated ranked list, each answer row one label or
    a space-separated set of labels. `k` (required) is the cut-off, 5 for MAP@5, 12 for MAP@12.
    No library offers Kaggle's AP@k over label lists, so it is written out above.
    """
    k = int(params["k"])
    if k < 1:
        raise ValueError(f"map-at-k needs k >= 1, got {k}")
    column = single_target(params)
    relevant = [set(labels) for labels in _label_lists(truth[column])]
    ranked = _label_lists(pred[column])
    return float(np.mean([average_precision_at_k(r, p, k) for r, p in zip(relevant, ranked, strict=True)]))
