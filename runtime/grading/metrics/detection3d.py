"""3-D object detection: mean average precision of rotated boxes over IoU thresholds (Lyft).

Name (direction): MLE-bench competition it serves; params in the metric's docstring.

- map-3d-iou (max): 3d-object-detection-for-autonomous-vehicles.

A box is `center_x center_y center_z width length height yaw class_name`: the yaw turns the
box about the vertical axis, with `length` along the heading and `width` across it. A
prediction string lists boxes one after another, each led by its confidence (9 tokens a box).
Answers list boxes with a confidence (MLE-bench's private test.csv, where every confidence is
1.0) or without one (8 tokens, Kaggle's train.csv); which layout an answer cell uses is read
from where its first class name sits, and answer confidences are ignored.

The overlap of two boxes is the area where their footprints (the rotated rectangles seen from
above) intersect times the overlap of their height ranges; IoU is that volume over the union
volume. This is the Lyft SDK's 3-D IoU, which MLE-bench grades with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from podium.runtime.grading.metrics.cells import blamed_on, cell_text
from podium.runtime.grading.metrics.lazy import shapely
from podium.runtime.grading.registry import MetricInputError, metric

LYFT_IOU_THRESHOLDS = tuple(round(0.5 + 0.05 * step, 2) for step in range(10))  # 0.5, 0.55, ..., 0.95
BOX_FIELDS = "center_x center_y center_z width length height yaw class_name"
PREDICTION_FIELDS = f"confidence {BOX_FIELDS}"
BOX_NUMBERS = 7  # center x, y, z, width, length, height, yaw


@dataclass(frozen=True)
class Boxes:
    """One sample's boxes: class names, confidences (1 for answers) and the 7 numbers of each."""

    names: np.ndarray
    scores: np.ndarray
    numbers: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


# --- parsing ---------------------------------------------------------------------------------


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _answer_width(tokens: list[str]) -> int:
    """8 or 9 tokens a box: the first class name ends the first box."""
    first_name = next((i for i, token in enumerate(tokens) if not _is_number(token)), None)
    if first_name not in (7, 8):
        raise MetricInputError(f"an answer box must be '{BOX_FIELDS}', optionally led by a confidence")
    return first_name + 1


def parse_boxes(text: str, *, from_answers: bool) -> Boxes:
    """The boxes of one prediction-string cell."""
    tokens = text.split()
    if not tokens:
        return Boxes(np.array([], dtype=object), np.zeros(0), np.zeros((0, BOX_NUMBERS)))
    width = _answer_width(tokens) if from_answers else 9
    fields = PREDICTION_FIELDS if width == 9 else BOX_FIELDS
    if len(tokens) % width:
        raise MetricInputError(f"{len(tokens)} tokens is not a whole number of {width}-token boxes '{fields}'")
    table = np.array(tokens, dtype=object).reshape(-1, width)
    try:
        values = table[:, :-1].astype(float)
    except ValueError:
        raise MetricInputError(f"a box holds a word where a number belongs; each box is '{fields}'") from None
    if not np.isfinite(values).all():
        raise MetricInputError("a box holds a number that is not finite")
    numbers = values[:, -BOX_NUMBERS:]
    if (numbers[:, 3:6] <= 0).any():
        raise MetricInputError("a box has a width, length or height that is not positive")
    scores = np.ones(len(table)) if from_answers else values[:, 0]
    return Boxes(table[:, -1].astype(str).astype(object), scores, numbers)


def _column_boxes(frame: pd.DataFrame, column: str, id_column: str, *, from_answers: bool) -> list[Boxes]:
    parsed = []
    for row_id, cell in zip(frame[id_column].tolist(), frame[column].tolist(), strict=True):
        with blamed_on(row_id, from_answers=from_answers):
            parsed.append(parse_boxes(cell_text(cell), from_answers=from_answers))
    return parsed


# --- IoU of rotated boxes --------------------------------------------------------------------


def _footprints(numbers: np.ndarray) -> Any:
    """Each box seen from above: a rectangle of length x width turned by yaw (shapely polygons)."""
    center, width, length, yaw = numbers[:, 0:2], numbers[:, 3], numbers[:, 4], numbers[:, 6]
    along = np.column_stack([np.cos(yaw), np.sin(yaw)]) * (length / 2)[:, None]
    across = np.column_stack([np.sin(yaw), -np.cos(yaw)]) * (width / 2)[:, None]
    corners = np.stack(
        [center + along + across, center + along - across, center - along - across, center - along + across], axis=1
    )
    return shapely.polygons(corners)


def iou_matrix(pred: np.ndarray, truth: np.ndarray, wanted: np.ndarray | None = None) -> np.ndarray:
    """3-D IoU of every predicted box (rows) with every true box (columns), numbers as parsed.

    `wanted` (a boolean matrix of that shape) limits the work to those pairs; the others are 0.
    """
    # Footprints whose circumscribed circles are apart cannot intersect: skip shapely for them.
    radius_p, radius_t = (np.hypot(b[:, 3], b[:, 4]) / 2 for b in (pred, truth))
    gaps = np.hypot(pred[:, None, 0] - truth[None, :, 0], pred[:, None, 1] - truth[None, :, 1])
    near = gaps <= radius_p[:, None] + radius_t[None, :]
    rows, columns = np.nonzero(near if wanted is None else near & wanted)
    areas = np.zeros((len(pred), len(truth)))
    if len(rows):
        overlap = shapely.intersection(_footprints(pred)[rows], _footprints(truth)[columns])
        areas[rows, columns] = shapely.area(overlap)
    bottom_p, top_p = pred[:, 2] - pred[:, 5] / 2, pred[:, 2] + pred[:, 5] / 2
    bottom_t, top_t = truth[:, 2] - truth[:, 5] / 2, truth[:, 2] + truth[:, 5] / 2
    heights = np.minimum(top_p[:, None], top_t[None, :]) - np.maximum(bottom_p[:, None], bottom_t[None, :])
    intersection = areas * np.maximum(heights, 0.0)
    volume_p, volume_t = (np.prod(b[:, 3:6], axis=1) for b in (pred, truth))
    union = volume_p[:, None] + volume_t[None, :] - intersection
    return np.clip(intersection / union, 0.0, 1.0)


# --- average precision -----------------------------------------------------------------------


def _hits(ious: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Which predictions (rows, in confidence order) are hits at each threshold (columns).

    The Lyft SDK's greedy rule: a prediction hits when its best-overlapping true box overlaps
    by more than the threshold and no earlier prediction took that box; a taken best box makes
    a miss (the next-best box is never tried). An earlier prediction took the box at exactly
    the thresholds below its own overlap, so a prediction hits where
    (best overlap of earlier predictions with the same best box) <= threshold < its overlap.
    """
    best_truth, best_iou = ious.argmax(axis=1), ious.max(axis=1)
    order = np.arange(len(best_iou))
    earlier_same_box = (best_truth[:, None] == best_truth[None, :]) & (order[None, :] < order[:, None])
    taken_below = np.where(earlier_same_box, best_iou[None, :], -np.inf).max(axis=1, initial=-np.inf)
    return (best_iou[:, None] > thresholds[None, :]) & (taken_below[:, None] <= thresholds[None, :])


def _average_precisions(hits: np.ndarray, n_truth: int) -> np.ndarray:
    """Per column of hits: the area under the precision envelope over every recall step (VOC 2010 on)."""
    true_positives = np.cumsum(hits, axis=0)
    recall = true_positives / n_truth
    precision = true_positives / np.arange(1, len(hits) + 1)[:, None]
    envelope = np.flip(np.maximum.accumulate(np.flip(precision, axis=0), axis=0), axis=0)
    recall_steps = np.diff(recall, axis=0, prepend=0.0)
    return np.sum(recall_steps * envelope, axis=0)


def sample_map(truth: Boxes, pred: Boxes, thresholds: np.ndarray) -> float | None:
    """Mean over the sample's true classes and the thresholds of AP; None with no true box.

    A class with no prediction scores 0; predicted classes absent from the answers are not scored.
    """
    classes = sorted(set(truth.names))
    if not classes:
        return None
    same_class = pred.names[:, None] == truth.names[None, :]
    ious = iou_matrix(pred.numbers, truth.numbers, wanted=same_class)
    average_precisions = np.zeros((len(classes), len(thresholds)))
    for k, name in enumerate(classes):
        columns = np.flatnonzero(truth.names == name)
        rows = np.flatnonzero(pred.names == name)
        if len(rows):
            rows = rows[np.argsort(-pred.scores[rows], kind="stable")]  # ties keep the string's order
            hits = _hits(ious[np.ix_(rows, columns)], thresholds)
            average_precisions[k] = _average_precisions(hits, len(columns))
    return float(average_precisions.mean())


@metric("map-3d-iou", "maximize", "Lyft 3-D mAP of rotated boxes over IoU 0.5:0.95, mean over samples")
def map_3d_iou(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Lyft 3-D detection mAP, computed per sample (row) and averaged over samples, as MLE-bench does.

    For each sample, each class among its true boxes and each IoU threshold: predictions of the
    class in confidence order are matched greedily (see `_hits`; a match needs IoU strictly
    above the threshold), AP is the area under the precision envelope, and a class with no
    prediction scores 0. The sample's score is the mean over its classes and the thresholds.
    Predicted classes absent from a sample's answers are not scored.

    Params:
    - `iou_thresholds` (default 0.5, 0.55, ..., 0.95): the IoU thresholds averaged over.
    - `truth_column` / `pred_column` (default the single target, `PredictionString`): the
      answer and submission columns holding the boxes.

    Where MLE-bench is undefined, podium chooses: a sample with no true box is left out of the
    mean (MLE-bench's mean over its empty class list is NaN, which makes the whole score NaN);
    answers with no true box at all cannot be scored. An empty prediction string is no box.
    Yaw enters through cos and sin directly (the SDK builds a quaternion first), so an IoU can
    differ from the SDK's in the last bits.
    """
    id_column, default_column = params["id_column"], params["targets"][0]
    thresholds = np.asarray(params.get("iou_thresholds", LYFT_IOU_THRESHOLDS), dtype=float)
    truths = _column_boxes(truth, params.get("truth_column", default_column), id_column, from_answers=True)
    preds = _column_boxes(pred, params.get("pred_column", default_column), id_column, from_answers=False)
    scores = [sample_map(t, p, thresholds) for t, p in zip(truths, preds, strict=True)]
    defined = [score for score in scores if score is not None]
    if not defined:
        raise ValueError("the answers hold no true box, so the 3-D mAP is undefined")
    return float(np.mean(defined))
