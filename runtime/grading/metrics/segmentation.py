"""Segmentation metrics over run-length-encoded (RLE) masks.

Kaggle's RLE is a string of space-separated `start length` pairs, starts 1-indexed, pixels
numbered top-to-bottom then left-to-right (column-major) unless a competition numbers them
row by row (Vesuvius). Runs must be sorted, must not overlap and must stay inside the image.
A cell that is empty, NaN or "-" (the contrails sample submission's marker) is an empty mask.

Masks are held as pycocotools RLE objects, so areas and intersections are computed on runs
without decoding 50-megapixel Vesuvius fragments; only the Hausdorff term needs pixels.

Params shared by the RLE metrics (besides `id_column` and `targets`):

- `truth_column`, `pred_column`: the RLE columns (default `targets[0]` for both).
- `height`, `width`: one image size for every row (TGS: 101 x 101); otherwise
  `height_column`, `width_column` name per-row size columns of the answers
  (default `height`, `width`).
- `rle_order`: `column` (default, Kaggle's usual numbering) or `row`.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from pycocotools import mask as mask_utils

from podium.runtime.grading.metrics.cells import cell_text
from podium.runtime.grading.metrics.lazy import scipy_ndimage, scipy_optimize, scipy_spatial_distance
from podium.runtime.grading.registry import MetricInputError, metric

RleOrder = Literal["column", "row"]
CocoRle = dict[str, Any]
Shape = tuple[int, int]

EMPTY_MARKERS = frozenset({"", "-"})
# Rounded so that a threshold is exactly 0.6, not np.arange's 0.6000000000000001.
IOU_THRESHOLDS = np.round(np.arange(0.5, 1.0, 0.05), 2)
UNIT_CUBE_DIAGONAL = math.sqrt(3)


# --- the codec -------------------------------------------------------------------------------


def parse_rle(text: str, n_pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """0-based run `(starts, ends)` of a Kaggle RLE string, validated, touching runs merged."""
    tokens = text.split()
    if len(tokens) % 2:
        raise MetricInputError(f"the RLE has an odd number of tokens ({len(tokens)}); write 'start length' pairs")
    try:
        runs = np.array(tokens, dtype=np.int64).reshape(-1, 2)
    except (ValueError, OverflowError):
        raise MetricInputError(
            "the RLE holds a token that is not a whole number; write 'start length' integer pairs"
        ) from None
    starts, lengths = runs[:, 0] - 1, runs[:, 1]
    if (starts < 0).any() or (lengths < 1).any():
        raise MetricInputError("RLE starts are 1-indexed and lengths must be at least 1")
    ends = starts + lengths
    if (starts[1:] < ends[:-1]).any():
        raise MetricInputError("RLE runs must be sorted by start and must not overlap")
    if len(ends) and ends[-1] > n_pixels:
        raise MetricInputError(f"an RLE run ends at pixel {ends[-1]} but the image has only {n_pixels} pixels")
    return _merge_touching_runs(starts, ends)


def _merge_touching_runs(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # "1 2 3 2" is one run of 4; merging keeps zero-length gaps out of the COCO counts.
    if not len(starts):
        return starts, ends
    separate = starts[1:] != ends[:-1]
    return starts[np.r_[True, separate]], ends[np.r_[separate, True]]


def to_coco_rle(text: str, height: int, width: int, order: RleOrder = "column") -> CocoRle:
    """A pycocotools RLE object for a Kaggle RLE string."""
    starts, ends = parse_rle(text, height * width)
    # pycocotools numbers pixels column-major like Kaggle; a row-major RLE is the column-major
    # RLE of the transposed image, so only the size changes.
    size = [height, width] if order == "column" else [width, height]
    gaps = starts - np.r_[0, ends[:-1]]
    counts = np.column_stack([gaps, ends - starts]).ravel()
    # pycocotools leaves pixels past the last count uninitialised: spell out the background.
    tail = height * width - (int(ends[-1]) if len(ends) else 0)
    return mask_utils.frPyObjects({"size": size, "counts": [*counts.tolist(), tail]}, *size)


def coco_to_mask(rle: CocoRle, order: RleOrder = "column") -> np.ndarray:
    """The boolean `(height, width)` mask of a pycocotools RLE made by `to_coco_rle`."""
    with warnings.catch_warnings():
        # pycocotools' decode predates numpy 2's `copy` keyword; the warning is about its code.
        warnings.filterwarnings("ignore", "__array__ implementation", DeprecationWarning)
        mask = mask_utils.decode(rle).astype(bool)
    return mask if order == "column" else mask.T


def rle_decode(text: str, height: int, width: int, order: RleOrder = "column") -> np.ndarray:
    """The boolean `(height, width)` mask of a Kaggle RLE string."""
    return coco_to_mask(to_coco_rle(text, height, width, order), order)


def rle_encode(mask: np.ndarray, order: RleOrder = "column") -> str:
    """Kaggle's RLE string for a 2-D mask (empty string for an empty mask)."""
    flat = np.asarray(mask, dtype=bool).ravel(order="F" if order == "column" else "C")
    edges = np.flatnonzero(np.diff(np.r_[False, flat, False].astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    return " ".join(f"{start + 1} {end - start}" for start, end in zip(starts, ends, strict=True))


# --- reading masks out of the frames ---------------------------------------------------------


def _mask_text(cell: object) -> str:
    text = cell_text(cell).strip()
    return "" if text in EMPTY_MARKERS else text


def _rle_order(params: dict[str, Any]) -> RleOrder:
    order = params.get("rle_order", "column")
    if order not in ("column", "row"):
        raise ValueError(f"rle_order must be 'column' or 'row', not {order!r}")
    return order


def _rle_columns(params: dict[str, Any]) -> tuple[str, str]:
    default = params["targets"][0]
    return params.get("truth_column", default), params.get("pred_column", default)


def _image_shapes(truth: pd.DataFrame, params: dict[str, Any]) -> list[Shape]:
    if "height" in params and "width" in params:
        return [(int(params["height"]), int(params["width"]))] * len(truth)
    height_column = params.get("height_column", "height")
    width_column = params.get("width_column", "width")
    missing = {height_column, width_column} - set(truth.columns)
    if missing:
        raise ValueError(f"the answers lack the image size column(s) {sorted(missing)}")
    heights, widths = truth[height_column].astype(int), truth[width_column].astype(int)
    return list(zip(heights.tolist(), widths.tolist(), strict=True))


def _read_masks(
    cells: Iterable[object],
    shapes: Sequence[Shape],
    ids: Sequence[Hashable],
    order: RleOrder,
    *,
    from_answers: bool,
) -> list[CocoRle]:
    masks = []
    for cell, (height, width), row_id in zip(cells, shapes, ids, strict=True):
        try:
            masks.append(to_coco_rle(_mask_text(cell), height, width, order))
        except MetricInputError as error:
            if from_answers:  # the answers are ours: a bad one is a bug, not a bad submission
                raise ValueError(f"answers for id {row_id!r}: {error}") from error
            raise MetricInputError(f"id {row_id!r}: {error}.") from error
    return masks


def _mask_pairs(truth: pd.DataFrame, pred: pd.DataFrame, params: dict[str, Any]) -> list[tuple[CocoRle, CocoRle]]:
    """(truth, prediction) masks row by row; the frames are aligned by the grader."""
    truth_column, pred_column = _rle_columns(params)
    shapes, order = _image_shapes(truth, params), _rle_order(params)
    ids = truth[params["id_column"]].tolist()
    truths = _read_masks(truth[truth_column], shapes, ids, order, from_answers=True)
    preds = _read_masks(pred[pred_column], shapes, ids, order, from_answers=False)
    return list(zip(truths, preds, strict=True))


def _overlap(truth: CocoRle, pred: CocoRle) -> tuple[int, int, int]:
    """(|truth ∩ pred|, |truth|, |pred|) in pixels."""
    both = mask_utils.merge([truth, pred], intersect=True)
    return int(mask_utils.area(both)), int(mask_utils.area(truth)), int(mask_utils.area(pred))


def _dice(intersection: int, n_truth: int, n_pred: int, both_empty: float) -> float:
    total = n_truth + n_pred
    return both_empty if total == 0 else 2 * intersection / total


def _mean_or(values: Sequence[float], default: float) -> float:
    """Mean of the defined (non-NaN) values; `default` when none is defined."""
    defined = [value for value in values if not math.isnan(value)]
    return float(np.mean(defined)) if defined else default


# --- Dice ------------------------------------------------------------------------------------


@metric("rle-dice", "maximize", "mean per-image Dice of RLE masks; both empty scores 1")
def rle_dice(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Mean per-image Dice of RLE masks; an image empty in both scores 1.

    MLE-bench: hubmap-kidney-segmentation (truth_column `encoding`, pred_column `predicted`,
    height_column `height_pixels`, width_column `width_pixels`, column-major).
    """
    scores = [_dice(*_overlap(t, p), both_empty=1.0) for t, p in _mask_pairs(truth, pred, params)]
    return _mean_or(scores, default=1.0)


@metric("global-dice", "maximize", "Dice over the pixels of all RLE masks pooled together")
def global_dice(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Dice of all predicted pixels against all true pixels, pooled over images.

    MLE-bench: google-research-identify-contrails-reduce-global-warming (targets
    `[encoded_pixels]`, size columns `height`, `width`, "-" for an empty mask).
    """
    counts = np.array([_overlap(t, p) for t, p in _mask_pairs(truth, pred, params)])
    intersection, n_truth, n_pred = counts.sum(axis=0) if len(counts) else (0, 0, 0)
    return _dice(int(intersection), int(n_truth), int(n_pred), both_empty=1.0)


def _binary_values(frame: pd.DataFrame, source: str) -> np.ndarray:
    try:
        values = frame.to_numpy().astype(float)
    except (TypeError, ValueError):
        values = np.full(frame.shape, np.nan)
    if not np.isin(values, (0.0, 1.0)).all():
        raise MetricInputError(f"every {source} value in {list(frame.columns)} must be 0 or 1.")
    return values.astype(bool)


@metric("dice", "maximize", "mean per-sample Dice of binary (0/1) target columns")
def dice(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Mean Dice of binary (0/1) target columns; a sample empty in both scores 1.

    Each row is a sample and each target column one pixel or label, or, with `group_column`,
    rows that share that answers column form one sample (one pixel per row). No MLE-bench
    competition uses it: their masks are RLE (see `rle-dice`); it serves specs whose
    submissions list mask values directly.
    """
    targets = params["targets"]
    truth_bits = _binary_values(truth[targets], "answers")
    pred_bits = _binary_values(pred[targets], "submission")
    counts = pd.DataFrame(
        {
            "intersection": (truth_bits & pred_bits).sum(axis=1),
            "total": truth_bits.sum(axis=1) + pred_bits.sum(axis=1),
        }
    )
    if params.get("group_column"):
        counts = counts.groupby(truth[params["group_column"]].to_numpy()).sum()
    total = counts["total"].to_numpy()
    scores = np.where(total == 0, 1.0, 2 * counts["intersection"].to_numpy() / np.maximum(total, 1))
    return float(scores.mean()) if len(scores) else 1.0


# --- F-beta ----------------------------------------------------------------------------------


def _fbeta(intersection: int, n_truth: int, n_pred: int, beta: float) -> float:
    if n_truth == 0 and n_pred == 0:
        return 1.0
    # (1+b²)tp / ((1+b²)tp + b²fn + fp), with tp+fn = |truth| and tp+fp = |pred|.
    beta2 = beta**2
    return (1 + beta2) * intersection / (beta2 * n_truth + n_pred)


@metric("rle-f05", "maximize", "mean per-image pixel F-beta (beta 0.5) of RLE masks")
def rle_f05(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Mean per-image pixel-level F-beta of RLE masks (`beta`, default 0.5: precision-heavy).

    MLE-bench: vesuvius-challenge-ink-detection (targets `[Predicted]`, size columns
    `height`, `width`, rle_order `row`). An image empty in both scores 1 (scikit-learn, which
    MLE-bench calls, says 0; no Vesuvius fragment is free of ink, so scores agree).
    """
    beta = float(params.get("beta", 0.5))
    pairs = _mask_pairs(truth, pred, params)
    return _mean_or([_fbeta(*_overlap(t, p), beta=beta) for t, p in pairs], default=1.0)


# --- mean precision over IoU thresholds --------------------------------------------------------


def _objects_by_id(
    frame: pd.DataFrame,
    column: str,
    id_column: str,
    shape_of: dict[Hashable, Shape],
    order: RleOrder,
    *,
    from_answers: bool,
) -> dict[Hashable, list[CocoRle]]:
    """Non-empty masks grouped by image id: one row is one object (TGS has one per image)."""
    ids = frame[id_column].tolist()
    shapes = [shape_of[image_id] for image_id in ids]
    masks = _read_masks(frame[column], shapes, ids, order, from_answers=from_answers)
    objects: dict[Hashable, list[CocoRle]] = defaultdict(list)
    for image_id, mask in zip(ids, masks, strict=True):
        if mask_utils.area(mask) > 0:
            objects[image_id].append(mask)
    return objects


def _precision_at(matches: np.ndarray) -> float:
    # One-to-one matching of the most pairs; at IoU > 0.5 non-overlapping masks match at most once.
    rows, columns = scipy_optimize.linear_sum_assignment(matches, maximize=True)
    true_positives = int(matches[rows, columns].sum())
    n_pred, n_truth = matches.shape
    return true_positives / (n_pred + n_truth - true_positives)  # tp / (tp + fp + fn)


def _image_mean_precision(truths: list[CocoRle], preds: list[CocoRle]) -> float:
    if not truths or not preds:  # TGS: nothing to find and nothing found scores 1, else 0
        return 1.0 if not truths and not preds else 0.0
    ious = np.asarray(mask_utils.iou(preds, truths, [0] * len(truths)))
    return float(np.mean([_precision_at(ious > threshold) for threshold in IOU_THRESHOLDS]))


@metric("iou-mean-precision", "maximize", "mean precision over IoU thresholds 0.5:0.95 per image")
def iou_mean_precision(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Per image, the mean over IoU thresholds 0.5, 0.55, ..., 0.95 of TP / (TP + FP + FN),
    averaged over images; a match needs IoU above the threshold.

    Rows sharing an id are that image's objects (Data Science Bowl 2018 style); one row per
    id with one mask is TGS. An image with no true and no predicted object scores 1; one
    with only one of the two scores 0, as TGS defines it.
    MLE-bench: tgs-salt-identification-challenge (targets `[rle_mask]`, height 101, width 101).
    """
    truth_column, pred_column = _rle_columns(params)
    id_column, order = params["id_column"], _rle_order(params)
    shape_of = dict(zip(truth[id_column].tolist(), _image_shapes(truth, params), strict=True))
    truths = _objects_by_id(truth, truth_column, id_column, shape_of, order, from_answers=True)
    preds = _objects_by_id(pred, pred_column, id_column, shape_of, order, from_answers=False)
    scores = [_image_mean_precision(truths[i], preds[i]) for i in shape_of]
    return _mean_or(scores, default=1.0)


# --- Dice + Hausdorff (UW-Madison GI tract) ----------------------------------------------------


def _volume_slices(truth: pd.DataFrame, params: dict[str, Any]) -> dict[Hashable, dict[str, list[int]]]:
    """Row indices by 3-D volume, then by slice id, slices in id order.

    The volume is the id before `slice_separator` (default "_slice_": "case1_day2_slice_0042"
    lies in "case1_day2"); with `class_column` each class gets its own volume.
    """
    separator = params.get("slice_separator", "_slice_")
    class_column = params.get("class_column")
    slice_ids = truth[params["id_column"]].astype(str).tolist()
    classes = truth[class_column].tolist() if class_column else [None] * len(truth)
    volumes: dict[Hashable, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row, (slice_id, label) in enumerate(zip(slice_ids, classes, strict=True)):
        volumes[(slice_id.split(separator)[0], label)][slice_id].append(row)
    return {key: dict(sorted(slices.items())) for key, slices in volumes.items()}


def _stack_volume(masks: list[CocoRle], slices: dict[str, list[int]], order: RleOrder) -> np.ndarray:
    # Masks of one slice (one per class) are OR-ed, as MLE-bench does, then stacked in id order.
    layers = [mask_utils.merge([masks[row] for row in rows]) for rows in slices.values()]
    return np.stack([coco_to_mask(layer, order) for layer in layers])


def _hausdorff(truth: np.ndarray, pred: np.ndarray, size_ratio_cap: float | None) -> float:
    """Symmetric Hausdorff distance in the unit cube, over its diagonal: 0 (same) to 1."""
    n_truth, n_pred = int(truth.sum()), int(pred.sum())
    if n_truth == 0 and n_pred == 0:
        return math.nan  # nothing to compare: left out of the mean, like an empty Dice pair
    if n_truth == 0 or n_pred == 0:
        return 1.0
    if np.array_equal(truth, pred):
        return 0.0
    if size_ratio_cap is not None and n_pred > size_ratio_cap * n_truth:
        return 1.0  # MLE-bench's bound on the cost of a wildly over-segmented prediction
    scale = np.array(truth.shape, dtype=float)
    distance = max(_directed_hausdorff(truth, pred, scale), _directed_hausdorff(pred, truth, scale))
    return distance / UNIT_CUBE_DIAGONAL


def _directed_hausdorff(source: np.ndarray, target: np.ndarray, scale: np.ndarray) -> float:
    """Largest distance from a `source` voxel to `target`, in coordinates divided by `scale`.

    Exactly scipy's directed_hausdorff over all voxels, on fewer points: source voxels inside
    the target are at distance 0, and the target voxel nearest to any outside point lies on
    the target's surface (a deeper one has a neighbour closer to that point).
    """
    outside = source & ~target
    if not outside.any():
        return 0.0
    surface = target & ~scipy_ndimage.binary_erosion(target)
    return float(
        scipy_spatial_distance.directed_hausdorff(np.argwhere(outside) / scale, np.argwhere(surface) / scale)[0]
    )


@metric("dice-hausdorff", "maximize", "0.4 * slice Dice + 0.6 * (1 - 3-D Hausdorff distance)")
def dice_hausdorff(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """`dice_weight` (0.4) * mean 2-D Dice + (1 - `dice_weight`) * (1 - mean 3-D Hausdorff).

    MLE-bench: uw-madison-gi-tract-image-segmentation (targets `[predicted]`, id column `id`,
    size columns `image_height`, `image_width`). Rows are (slice, class) masks. Dice is per
    row, leaving out rows empty in both. The Hausdorff distance is per volume (the slices of
    one case-day, classes OR-ed per slice unless `class_column` is set), on pixel coordinates
    scaled into the unit cube and divided by its diagonal; a volume empty in both is left
    out. Following MLE-bench, not Kaggle's hidden scorer: slices are stacked in id order with
    unit spacing (no voxel spacing), and a prediction larger than `hausdorff_size_ratio_cap`
    (10) times the truth counts as distance 1 instead of being computed. A term with nothing
    defined (everything empty in both) counts as perfect.
    """
    order, pairs = _rle_order(params), _mask_pairs(truth, pred, params)
    dice_score = _mean_or([_dice(*_overlap(t, p), both_empty=math.nan) for t, p in pairs], 1.0)
    truths, preds = [t for t, _ in pairs], [p for _, p in pairs]
    cap = params.get("hausdorff_size_ratio_cap", 10)
    distances = [
        _hausdorff(_stack_volume(truths, slices, order), _stack_volume(preds, slices, order), cap)
        for slices in _volume_slices(truth, params).values()
    ]
    dice_weight = float(params.get("dice_weight", 0.4))
    return dice_weight * dice_score + (1 - dice_weight) * (1 - _mean_or(distances, default=0.0))
