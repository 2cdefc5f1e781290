"""Segmentation and detection metrics: the RLE codec, hand-computed scores, bad input."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from podium.runtime.grading.metrics.segmentation import rle_decode, rle_encode
from podium.runtime.grading.registry import MetricInputError, get_metric

MASK_METRICS = ["rle-dice", "dice", "global-dice", "rle-f05", "iou-mean-precision"]
BOX_METRICS = ["dice-hausdorff", "coco-map", "map-at-iou", "point-in-box-f1"]


def score(name: str, truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    return get_metric(name)(truth, pred, **params)


def masks(truth: Sequence[object], pred: Sequence[object]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """4x4 images with RLE columns `rle`, one row per image."""
    ids = [f"img{i}" for i in range(len(truth))]
    answers = pd.DataFrame({"id": ids, "rle": truth, "height": 4, "width": 4})
    return answers, pd.DataFrame({"id": ids, "rle": pred})


def mask_score(name: str, truth: Sequence[object], pred: Sequence[object], **params: Any) -> float:
    return score(name, *masks(truth, pred), id_column="id", targets=["rle"], **params)


# --- registry --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MASK_METRICS + BOX_METRICS)
def test_metric_is_registered_as_higher_is_better(name: str) -> None:
    assert get_metric(name).direction == "maximize"


# --- RLE codec -------------------------------------------------------------------------------


@given(
    mask=arrays(bool, array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8)),
    order=st.sampled_from(["column", "row"]),
)
def test_rle_round_trip(mask: np.ndarray, order: str) -> None:
    text = rle_encode(mask, order)
    assert len(text.split()) % 2 == 0
    decoded = rle_decode(text, *mask.shape, order)
    assert decoded.shape == mask.shape
    assert np.array_equal(decoded, mask)


def test_rle_numbers_pixels_down_columns_by_default_and_along_rows_on_request() -> None:
    column = rle_decode("1 3", 4, 4)
    row = rle_decode("1 3", 4, 4, "row")
    assert column[:3, 0].all() and column.sum() == 3
    assert row[0, :3].all() and row.sum() == 3


def test_touching_runs_decode_as_one_and_an_empty_mask_encodes_empty() -> None:
    assert np.array_equal(rle_decode("1 2 3 2", 4, 4), rle_decode("1 4", 4, 4))
    assert rle_encode(np.zeros((3, 5), dtype=bool)) == ""


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("1 2 3", "odd number"),
        ("1 x", "whole number"),
        ("1.5 2", "whole number"),
        ("0 2", "1-indexed"),
        ("3 0", "at least 1"),
        ("9 2 1 2", "sorted"),
        ("1 4 3 2", "overlap"),
        ("15 5", "only 16 pixels"),
    ],
)
def test_malformed_rle_is_a_metric_input_error_naming_the_id(bad: str, says: str) -> None:
    with pytest.raises(MetricInputError, match=says) as caught:
        mask_score("rle-dice", ["1 4"], [bad])
    assert "img0" in str(caught.value)


def test_a_malformed_answer_is_our_bug_not_the_submissions() -> None:
    with pytest.raises(ValueError, match="answers") as caught:
        mask_score("rle-dice", ["1 2 3"], ["1 4"])
    assert not isinstance(caught.value, MetricInputError)


# --- Dice ------------------------------------------------------------------------------------

# On a 4x4 image "1 4" is column 0 and "3 4" is rows 2-3 of column 0 plus rows 0-1 of
# column 1: they share 2 pixels, so Dice = 2 * 2 / (4 + 4) = 0.5.


def test_rle_dice_averages_images_and_scores_both_empty_as_one() -> None:
    assert mask_score("rle-dice", ["1 4"], ["3 4"]) == pytest.approx(0.5)
    assert mask_score("rle-dice", ["1 4", ""], ["3 4", float("nan")]) == pytest.approx(0.75)
    assert mask_score("rle-dice", [""], [""]) == 1.0


def test_rle_dice_is_zero_when_one_side_is_empty() -> None:
    assert mask_score("rle-dice", ["1 4"], [""]) == 0.0
    assert mask_score("rle-dice", [""], ["1 4"]) == 0.0


def test_global_dice_pools_pixels_over_images() -> None:
    # intersection 2 + 0, truth 4 + 0, prediction 4 + 2: 2 * 2 / (4 + 6) = 0.4
    assert mask_score("global-dice", ["1 4", "-"], ["3 4", "1 2"]) == pytest.approx(0.4)
    assert mask_score("global-dice", ["-", ""], ["-", "-"]) == 1.0


def test_dice_on_binary_columns_per_row_and_per_group() -> None:
    truth = pd.DataFrame({"id": [1, 2], "a": [1, 0], "b": [1, 0], "c": [0, 0]})
    pred = pd.DataFrame({"id": [1, 2], "a": [1, 0], "b": [0, 0], "c": [1, 0]})
    # row 1: 2 * 1 / (2 + 2) = 0.5; row 2: both empty = 1
    assert score("dice", truth, pred, id_column="id", targets=["a", "b", "c"]) == 0.75

    pixels = pd.DataFrame({"id": ["i_0", "i_1", "j_0"], "image": ["i", "i", "j"], "v": [1, 1, 0]})
    guess = pixels.assign(v=[1, 0, 0])
    # image i: 2 * 1 / (2 + 1) = 2/3; image j: both empty = 1
    got = score("dice", pixels, guess, id_column="id", targets=["v"], group_column="image")
    assert got == pytest.approx((2 / 3 + 1) / 2)


def test_dice_rejects_values_that_are_not_zero_or_one() -> None:
    truth = pd.DataFrame({"id": [1], "v": [1]})
    with pytest.raises(MetricInputError, match="0 or 1"):
        score("dice", truth, truth.assign(v=[0.5]), id_column="id", targets=["v"])


# --- F0.5 ------------------------------------------------------------------------------------


def test_rle_f05_weighs_precision_over_recall() -> None:
    # tp 2, fp 0, fn 2: precision 1, recall 0.5, F0.5 = 1.25 * 0.5 / (0.25 + 0.5) = 5/6
    assert mask_score("rle-f05", ["1 4"], ["1 2"]) == pytest.approx(5 / 6)
    # tp 2, fp 2, fn 0: precision 0.5, recall 1, F0.5 = 1.25 * 0.5 / (0.125 + 1) = 5/9
    assert mask_score("rle-f05", ["1 2"], ["1 4"]) == pytest.approx(5 / 9)
    assert mask_score("rle-f05", ["1 4", ""], ["1 4", ""], rle_order="row") == 1.0
    assert mask_score("rle-f05", ["1 4"], [""]) == 0.0


# --- mean precision over IoU thresholds --------------------------------------------------------


def test_iou_mean_precision_counts_thresholds_below_the_iou() -> None:
    # IoU 3/4 is above 0.5, 0.55, 0.6, 0.65, 0.7 and not above 0.75 ... 0.95: 5 of 10
    assert mask_score("iou-mean-precision", ["1 4"], ["1 3"], height=4, width=4) == 0.5
    assert mask_score("iou-mean-precision", ["1 4"], ["1 4"]) == 1.0


def test_iou_mean_precision_empty_images_follow_tgs() -> None:
    assert mask_score("iou-mean-precision", [""], [""]) == 1.0
    assert mask_score("iou-mean-precision", [""], ["1 1"]) == 0.0
    # A truth covering 3/4 of the image predicted empty misses: 0 (not 3/4 IoU with nothing).
    assert mask_score("iou-mean-precision", ["1 12"], [""]) == 0.0


def test_iou_mean_precision_matches_several_objects_per_image() -> None:
    truth = pd.DataFrame({"id": ["a", "a"], "rle": ["1 4", "9 4"], "height": 4, "width": 4})
    pred = pd.DataFrame({"id": ["a"], "rle": ["1 4"]})
    # one of two objects found at every threshold: tp 1 / (tp 1 + fp 0 + fn 1)
    assert score("iou-mean-precision", truth, pred, id_column="id", targets=["rle"]) == 0.5


# --- Dice + Hausdorff ------------------------------------------------------------------------


def gi_tract(truth: Sequence[str], pred: Sequence[str]) -> float:
    ids = ["case1_day1_slice_0001", "case1_day1_slice_0001"][: len(truth)]
    answers = pd.DataFrame({"id": ids, "class": ["stomach", "large_bowel"][: len(truth)], "predicted": truth})
    answers = answers.assign(image_height=4, image_width=4)
    submission = pd.DataFrame({"id": ids, "predicted": pred})
    return score(
        "dice-hausdorff",
        answers,
        submission,
        id_column="id",
        targets=["predicted"],
        height_column="image_height",
        width_column="image_width",
    )


def test_dice_hausdorff_is_one_for_a_perfect_or_all_empty_prediction() -> None:
    assert gi_tract(["1 3", "9 2"], ["1 3", "9 2"]) == pytest.approx(1.0)
    assert gi_tract(["", ""], ["", ""]) == 1.0


def test_dice_hausdorff_hand_computed() -> None:
    # truth pixel (0, 0); predicted (0, 0) and (3, 3) (column-major pixel 16).
    # Dice 2 * 1 / (1 + 2) = 2/3. In the unit cube (shape 1 x 4 x 4) the stray pixel sits at
    # (0, 0.75, 0.75): Hausdorff 0.75 * sqrt(2), normalised by sqrt(3).
    expected = 0.4 * 2 / 3 + 0.6 * (1 - 0.75 * math.sqrt(2) / math.sqrt(3))
    assert gi_tract(["1 1"], ["1 1 16 1"]) == pytest.approx(expected)
    # A second class empty in both leaves Dice and the OR-ed volume unchanged.
    assert gi_tract(["1 1", ""], ["1 1 16 1", ""]) == pytest.approx(expected)


def test_dice_hausdorff_missing_everything_scores_zero() -> None:
    assert gi_tract(["1 1"], [""]) == 0.0


# --- box mAP ---------------------------------------------------------------------------------


def boxes(truth: Sequence[object], pred: Sequence[object]) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"img{i}" for i in range(len(truth))]
    return (
        pd.DataFrame({"id": ids, "PredictionString": truth}),
        pd.DataFrame({"id": ids, "PredictionString": pred}),
    )


def box_score(name: str, truth: Sequence[object], pred: Sequence[object], **params: Any) -> float:
    return score(name, *boxes(truth, pred), id_column="id", targets=["PredictionString"], **params)


@pytest.mark.parametrize("name", ["coco-map", "map-at-iou"])
def test_a_perfect_detection_scores_one(name: str) -> None:
    truth = ["opacity 1 0 0 10 10 opacity 1 20 20 40 30", "none 1 0 0 1 1"]
    pred = ["opacity 0.8 20 20 40 30 opacity 0.9 0 0 10 10", "none 0.7 0 0 1 1"]
    assert box_score(name, truth, pred) == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["coco-map", "map-at-iou"])
def test_a_confident_false_positive_halves_the_average_precision(name: str) -> None:
    # Ranked: false positive (0.9), then the true box (0.5): precision 1/2 at recall 1.
    truth = ["a 1 0 0 10 10"]
    assert box_score(name, truth, ["a 0.9 20 20 30 30 a 0.5 0 0 10 10"]) == pytest.approx(0.5)
    # Ranked below the true box it costs nothing.
    assert box_score(name, truth, ["a 0.5 20 20 30 30 a 0.9 0 0 10 10"]) == pytest.approx(1.0)


def test_map_averages_classes_and_ignores_classes_absent_from_the_answers() -> None:
    truth = ["a 1 0 0 10 10 b 1 20 20 30 30"]
    pred = ["a 0.9 0 0 10 10 c 0.9 20 20 30 30"]
    assert box_score("map-at-iou", truth, pred) == pytest.approx(0.5)
    assert box_score("coco-map", truth, pred) == pytest.approx(0.5)


def test_map_at_iou_uses_its_threshold() -> None:
    # IoU (10 x 4.5) / (10 x 10) = 0.45: a match above 0.4, not above 0.5.
    truth, pred = ["a 1 0 0 10 10"], ["a 0.9 0 0 10 4.5"]
    assert box_score("map-at-iou", truth, pred, iou_threshold=0.4) == 1.0
    assert box_score("map-at-iou", truth, pred, iou_threshold=0.5) == 0.0
    assert box_score("coco-map", truth, pred, iou_thresholds=[0.4]) == pytest.approx(1.0)


def test_format_params_read_corner_and_size_boxes() -> None:
    # The same 10 x 10 box at (5, 5), as "x y w h" in the answers and as corners predicted.
    truth, pred = ["a 5 5 10 10"], ["a 0.9 5 5 15 15"]
    assert box_score("coco-map", truth, pred, truth_format="label x y w h") == pytest.approx(1)
    # Read as corners the true box is 5 x 5: IoU 1/4, below every COCO threshold.
    assert box_score("coco-map", truth, pred, truth_format="label x1 y1 x2 y2") == 0.0
    both = ["a 1 5 5 10 10"], ["a 0.9 5 5 10 10"]
    xywh = box_score("coco-map", *both, box_format="label conf x y w h")
    assert xywh == pytest.approx(1)


def test_one_box_per_row_answers_vinbigdata_style() -> None:
    answers = pd.DataFrame(
        {
            "image_id": ["a", "a", "b"],
            "class_id": [3, 0, 14],
            "x_min": [10.0, 50.0, 0.0],
            "y_min": [10.0, 50.0, 0.0],
            "x_max": [40.0, 90.0, 1.0],
            "y_max": [40.0, 80.0, 1.0],
        }
    )
    submission = pd.DataFrame({"image_id": ["a", "b"], "PredictionString": ["3 0.9 10 10 40 40", "14.0 1 0 0 1 1"]})
    params = {
        "id_column": "image_id",
        "targets": ["PredictionString"],
        "truth_box_columns": {
            "label": "class_id",
            "x1": "x_min",
            "y1": "y_min",
            "x2": "x_max",
            "y2": "y_max",
        },
    }
    # classes 3 and 14 found, class 0 missed: (1 + 1 + 0) / 3
    vinbigdata = score("map-at-iou", answers, submission, iou_threshold=0.4, **params)
    assert vinbigdata == pytest.approx(2 / 3)
    coco = score("coco-map", answers, submission, iou_thresholds=[0.4], **params)
    assert coco == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("a 0.9 0 0 10", "whole number"),
        ("a high 0 0 10 10", "'conf' value is not a number"),
        ("a 0.9 0 0 nan 10", "not finite"),
        ("a 0.9 10 0 0 10", "x2 < x1"),
    ],
)
@pytest.mark.parametrize("name", ["coco-map", "map-at-iou"])
def test_malformed_boxes_are_metric_input_errors(name: str, bad: str, says: str) -> None:
    with pytest.raises(MetricInputError, match=says) as caught:
        box_score(name, ["a 1 0 0 10 10"], [bad])
    assert "img0" in str(caught.value)


def test_empty_prediction_strings_score_zero_not_crash() -> None:
    assert box_score("coco-map", ["a 1 0 0 10 10"], [""]) == 0.0
    assert box_score("map-at-iou", ["a 1 0 0 10 10"], [float("nan")]) == 0.0


# --- point-in-box F1 -------------------------------------------------------------------------


def kuzushiji(truth: Sequence[object], pred: Sequence[object]) -> float:
    ids = [f"page{i}" for i in range(len(truth))]
    answers = pd.DataFrame({"image_id": ids, "labels": truth})
    submission = pd.DataFrame({"image_id": ids, "labels": pred})
    return score("point-in-box-f1", answers, submission, id_column="image_id", targets=["labels"])


def test_point_in_box_f1_hand_computed() -> None:
    # U+1 box (0..10, 0..10) takes point (5, 5); U+2 box (20..25) finds no U+2 inside;
    # points U+2 (1, 1) and the second U+1 (6, 6) are spare. tp 1, fp 2, fn 1:
    # precision 1/3, recall 1/2, F1 = 2 * (1/6) / (5/6) = 0.4.
    truth = ["U+1 0 0 10 10 U+2 20 20 5 5"]
    pred = ["U+1 5 5 U+2 1 1 U+1 6 6"]
    assert kuzushiji(truth, pred) == pytest.approx(0.4)


def test_point_in_box_f1_edges_labels_and_empty_pages() -> None:
    assert kuzushiji(["U+1 0 0 10 10"], ["U+1 10 5"]) == 0.0  # on the edge is outside
    assert kuzushiji(["U+1 0 0 10 10"], ["U+9 5 5"]) == 0.0  # wrong label
    assert kuzushiji(["U+1 0 0 10 10", float("nan")], ["U+1 5 5", float("nan")]) == 1.0
    assert kuzushiji([float("nan")], [float("nan")]) == 0.0  # Kaggle: nothing found is 0


@pytest.mark.parametrize(("bad", "says"), [("U+1 5", "whole number"), ("U+1 five 5", "'x'")])
def test_malformed_points_are_metric_input_errors(bad: str, says: str) -> None:
    with pytest.raises(MetricInputError, match=says):
        kuzushiji(["U+1 0 0 10 10"], [bad])
