"""map-3d-iou (Lyft 3-D detection) and tf2qa-f1 (TensorFlow 2.0 QA): hand-computed scores, edge cases."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon
from sklearn.metrics import f1_score
from toy_competition import toy_competition

from podium.runtime.grading.grade import grade_submission
from podium.runtime.grading.metrics.detection3d import iou_matrix, parse_boxes
from podium.runtime.grading.registry import MetricInputError, get_metric
from podium.runtime.spec import ResolvedCompetition

COLUMN = "PredictionString"


def score(name: str, truth: dict[str, str], pred: dict[str, str], **params: Any) -> float:
    """Grade {id: cell} dicts (same ids, same order) with the registered metric `name`."""
    truth_frame = pd.DataFrame({"Id": list(truth), COLUMN: list(truth.values())})
    pred_frame = pd.DataFrame({"Id": list(pred), COLUMN: list(pred.values())})
    return get_metric(name)(truth_frame, pred_frame, id_column="Id", targets=[COLUMN], **params)


@pytest.mark.parametrize("name", ["map-3d-iou", "tf2qa-f1"])
def test_registered_as_higher_is_better(name: str) -> None:
    assert get_metric(name).direction == "maximize"


# --- map-3d-iou ------------------------------------------------------------------------------


def box(x: float = 0.0, y: float = 0.0, z: float = 0.0, size: float = 2.0, yaw: float = 0.0, name: str = "car") -> str:
    """An answer box: a cube of side `size` (8 tokens, Kaggle's train.csv layout)."""
    return f"{x} {y} {z} {size} {size} {size} {yaw} {name}"


def guess(confidence: float, answer_box: str) -> str:
    return f"{confidence} {answer_box}"


def lyft(truth: dict[str, str], pred: dict[str, str], **params: Any) -> float:
    return score("map-3d-iou", truth, pred, **params)


def test_lyft_perfect_prediction_scores_one() -> None:
    truth = {
        "s1": " ".join([box(name="car"), box(x=10, yaw=0.3, name="pedestrian"), box(y=20, size=1.5, name="car")]),
        "s2": box(x=-5, z=1, yaw=2.0, name="truck"),
    }
    pred = {sample: " ".join(guess(0.9, b) for b in _boxes_of(cell)) for sample, cell in truth.items()}
    assert lyft(truth, pred) == pytest.approx(1.0)


def _boxes_of(cell: str) -> list[str]:
    tokens = cell.split()
    return [" ".join(tokens[i : i + 8]) for i in range(0, len(tokens), 8)]


def test_empty_predictions_score_zero() -> None:
    truth = {"s1": box(), "s2": " ".join([box(), box(x=5)])}
    assert lyft(truth, {"s1": "", "s2": ""}) == 0.0
    assert lyft(truth, {"s1": None, "s2": float("nan")}) == 0.0  # type: ignore[dict-item]  # pandas' empty cells


def test_vertical_offset_hand_computed() -> None:
    # Cubes of side 2, one raised by 0.5: overlap 2 * 2 * 1.5 = 6, union 8 + 8 - 6 = 10, IoU 0.6.
    # IoU must be above the threshold: a hit at 0.5 and 0.55 only, so mAP = 2 / 10.
    truth, pred = {"s": box()}, {"s": guess(1.0, box(z=0.5))}
    assert iou_matrix(
        parse_boxes(pred["s"], from_answers=False).numbers, parse_boxes(truth["s"], from_answers=True).numbers
    )[0, 0] == pytest.approx(0.6)
    assert lyft(truth, pred) == pytest.approx(0.2)
    assert lyft(truth, pred, iou_thresholds=[0.5]) == pytest.approx(1.0)


def test_rotated_footprint_hand_computed() -> None:
    # A 2x2 square turned 45 degrees over itself overlaps in an octagon of area 8 (sqrt 2 - 1):
    # IoU = a / (8 - a) = 1 / sqrt 2 = 0.707, a hit at 0.5 ... 0.7, five thresholds of ten.
    truth, pred = {"s": box()}, {"s": guess(1.0, box(yaw=math.pi / 4))}
    ious = iou_matrix(
        parse_boxes(pred["s"], from_answers=False).numbers, parse_boxes(truth["s"], from_answers=True).numbers
    )
    assert ious[0, 0] == pytest.approx(1 / math.sqrt(2))
    assert lyft(truth, pred) == pytest.approx(0.5)
    # A quarter turn of a square is the same footprint.
    assert lyft(truth, {"s": guess(1.0, box(yaw=math.pi / 2))}) == pytest.approx(1.0)


def test_length_lies_along_the_heading() -> None:
    # Width 1, length 4 heading along x, against the same box heading along y: the footprints
    # cross in a 1x1 square, IoU = 1 * 2 / (8 + 8 - 2) = 1 / 7.
    along_x = "0 0 0 1 4 2 0 car"
    along_y = f"1.0 0 0 0 1 4 2 {math.pi / 2} car"
    ious = iou_matrix(parse_boxes(along_y, from_answers=False).numbers, parse_boxes(along_x, from_answers=True).numbers)
    assert ious[0, 0] == pytest.approx(1 / 7)


def test_confidence_order_decides_precision() -> None:
    truth = {"s": box()}
    miss = box(x=100)
    # Most confident first: hit then miss -> precision 1 at recall 1 -> AP 1.
    assert lyft(truth, {"s": f"{guess(0.9, box())} {guess(0.8, miss)}"}) == pytest.approx(1.0)
    # Miss first: precision 1/2 at recall 1 -> AP 0.5.
    assert lyft(truth, {"s": f"{guess(0.8, box())} {guess(0.9, miss)}"}) == pytest.approx(0.5)


def test_a_taken_best_box_is_a_miss_even_if_another_box_is_free() -> None:
    # True A at x=0, B at x=0.2. P1 = A (IoU 1). P2 at x=0.05 overlaps A best (0.951) and B by
    # 0.860, but A is taken: the Lyft SDK counts P2 a false positive and never tries B.
    # Hit, miss of two truths: recall 1/2 at precision 1 -> AP 0.5 at every threshold.
    truth = {"s": f"{box()} {box(x=0.2)}"}
    pred = {"s": f"{guess(0.9, box())} {guess(0.8, box(x=0.05))}"}
    assert lyft(truth, pred) == pytest.approx(0.5)


def test_classes_average_within_a_sample_and_unknown_classes_are_ignored() -> None:
    truth = {"s": f"{box(name='car')} {box(x=10, name='pedestrian')}"}
    only_car = guess(1.0, box(name="car"))
    assert lyft(truth, {"s": only_car}) == pytest.approx(0.5)  # car AP 1, pedestrian AP 0
    assert lyft(truth, {"s": f"{only_car} {guess(1.0, box(x=50, name='bus'))}"}) == pytest.approx(0.5)
    # The right place with the wrong class finds nothing.
    assert lyft({"s": box(name="car")}, {"s": guess(1.0, box(name="truck"))}) == 0.0


def test_samples_are_averaged_not_pooled() -> None:
    # s1 perfect (1.0); s2 has three boxes and no prediction (0.0): mean 0.5. Pooling all
    # boxes into one AP would give recall 1/4 at precision 1, i.e. 0.25.
    truth = {"s1": box(), "s2": " ".join(box(x=5 * k) for k in range(3))}
    assert lyft(truth, {"s1": guess(1.0, box()), "s2": ""}) == pytest.approx(0.5)


def test_samples_without_true_boxes_are_left_out() -> None:
    truth = {"s1": box(), "s2": ""}
    assert lyft(truth, {"s1": guess(1.0, box()), "s2": guess(1.0, box())}) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no true box"):
        lyft({"s1": "", "s2": ""}, {"s1": guess(1.0, box()), "s2": ""})


def test_answers_with_mle_bench_confidences_read_the_same() -> None:
    # MLE-bench's private test.csv prefixes every true box with a confidence of 1.0.
    eight = {"s": f"{box()} {box(x=0.2, name='bus')}"}
    nine = {"s": " ".join(guess(1.0, b) for b in _boxes_of(eight["s"]))}
    pred = {"s": f"{guess(0.9, box())} {guess(0.8, box(x=0.3, name='bus'))}"}
    assert lyft(nine, pred) == pytest.approx(lyft(eight, pred))
    assert lyft(nine, pred) < 1.0


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("1.0 0 0 0 2 2 2 0", "not a whole number"),  # confidence missing the class name
        (box(), "not a whole number"),  # an answer-style box without a confidence
        ("1.0 0 0 zero 2 2 2 0 car", "word where a number"),
        ("1.0 0 0 0 2 nan 2 0 car", "not finite"),
        ("1.0 0 0 0 2 0 2 0 car", "not positive"),
        ("1.0 0 0 0 2 -2 2 0 car", "not positive"),
    ],
)
def test_malformed_prediction_string_is_an_input_error(cell: str, problem: str) -> None:
    with pytest.raises(MetricInputError, match=f"id 's'.*{problem}"):
        lyft({"s": box()}, {"s": cell})


def test_malformed_answers_are_a_data_error_not_the_submission() -> None:
    with pytest.raises(ValueError, match="answers for id 's'") as raised:
        lyft({"s": "0 0 0 2 2"}, {"s": guess(1.0, box())})
    assert not isinstance(raised.value, MetricInputError)


def footprint(b: np.ndarray) -> Polygon:
    """Corners written out one by one: length along the heading, width across it."""
    x, y, _, width, length, _, yaw = b
    ahead = np.array([math.cos(yaw), math.sin(yaw)]) * length / 2
    side = np.array([-math.sin(yaw), math.cos(yaw)]) * width / 2
    center = np.array([x, y])
    return Polygon([center + ahead + side, center - ahead + side, center - ahead - side, center + ahead - side])


def test_many_boxes_agree_with_every_pair_computed_one_by_one() -> None:
    # The vectorised IoU skips pairs whose circumscribed circles are apart; none may be lost.
    rng = np.random.default_rng(0)
    truth = np.column_stack([rng.uniform(0, 10, (40, 3)), rng.uniform(0.5, 4, (40, 3)), rng.uniform(-3, 3, 40)])
    pred = truth + rng.normal(0, 0.7, truth.shape) * [1, 1, 0.3, 0.1, 0.1, 0.1, 1]
    pred[:, 3:6] = np.abs(pred[:, 3:6])
    fast = iou_matrix(pred, truth)
    assert np.count_nonzero(fast) > 40  # the boxes do overlap in many pairs
    for i, p in enumerate(pred):
        for j, t in enumerate(truth):
            height = max(min(p[2] + p[5] / 2, t[2] + t[5] / 2) - max(p[2] - p[5] / 2, t[2] - t[5] / 2), 0)
            inter = footprint(p).intersection(footprint(t)).area * height
            union = np.prod(p[3:6]) + np.prod(t[3:6]) - inter
            assert fast[i, j] == pytest.approx(inter / union, abs=1e-12)


# --- tf2qa-f1 --------------------------------------------------------------------------------


def qa(truth: dict[str, str], pred: dict[str, str]) -> float:
    return score("tf2qa-f1", truth, pred)


ANSWERS = {
    "1_long": "10:20",
    "1_short": "12:14 15:16",  # two acceptable short spans
    "2_long": "",  # no answer
    "2_short": "YES",
    "3_long": "30:40",
    "3_short": "",
}


def test_hand_computed_and_equal_to_mle_bench_micro_f1() -> None:
    pred = {
        "1_long": "10:20",  # right
        "1_short": "15:16",  # right: the second acceptable span
        "2_long": "",  # right: nothing to find
        "2_short": "NO",  # wrong
        "3_long": "",  # wrong: an answer exists
        "3_short": "31:32",  # wrong: nothing to find
    }
    assert qa(ANSWERS, pred) == pytest.approx(3 / 6)
    # MLE-bench's labels: prediction given -> y_pred 1, y_true = acceptable; none -> y_true = an answer exists.
    y_true, y_pred = [1, 1, 0, 0, 1, 0], [1, 1, 0, 1, 0, 1]
    assert qa(ANSWERS, pred) == pytest.approx(f1_score(y_true, y_pred, average="micro"))


def test_qa_perfect_prediction_scores_one() -> None:
    gold = {row: cell.split()[0] if cell else "" for row, cell in ANSWERS.items()}
    assert qa(ANSWERS, gold) == 1.0


def test_empty_predictions_score_the_rows_without_an_answer() -> None:
    assert qa(ANSWERS, dict.fromkeys(ANSWERS, "")) == pytest.approx(2 / 6)


def test_spans_compare_as_numbers_and_yes_on_a_long_row_is_wrong() -> None:
    assert qa({"1_short": "12:14"}, {"1_short": " 12:014 "}) == 1.0
    assert qa({"1_long": "10:20"}, {"1_long": "YES"}) == 0.0


@pytest.mark.parametrize("cell", ["abc", "yes", "1:2:3", "a:b", "12:14 15:16", "12"])
def test_malformed_prediction_is_an_input_error(cell: str) -> None:
    with pytest.raises(MetricInputError, match=r"id '1_short'.*not an answer"):
        qa({"1_short": "12:14"}, {"1_short": cell})


def test_malformed_answers_are_a_data_error() -> None:
    with pytest.raises(ValueError, match="answers for id '1_short'") as raised:
        qa({"1_short": "maybe"}, {"1_short": "12:14"})
    assert not isinstance(raised.value, MetricInputError)


# --- through grade_submission: the CSVs as pyarrow reads them ------------------------------------


def competition(metric: str, id_column: str) -> ResolvedCompetition:
    return toy_competition(
        f"toy-{metric}",
        id_column=id_column,
        targets=[COLUMN],
        grader={"id": metric, "implementation": metric, "inputs": ["strings"]},
        name="toy",
        modality="text",
        complexity="high",
    )


def write(path: Path, id_column: str, rows: dict[str, str]) -> Path:
    frame = pd.DataFrame({id_column: list(rows), COLUMN: list(rows.values())})
    frame.to_csv(path, index=False)
    return path


def test_tf2qa_grades_csv_files(tmp_path: Path) -> None:
    answers = write(tmp_path / "answers.csv", "example_id", ANSWERS)
    pred = {**ANSWERS, "1_short": "12:14", "3_long": ""}  # one right alternative, one miss
    report = grade_submission(
        write(tmp_path / "submission.csv", "example_id", pred), competition("tf2qa-f1", "example_id"), answers, None
    )
    assert report.valid_submission and report.score == pytest.approx(5 / 6, abs=1e-5)
    bad = write(tmp_path / "bad.csv", "example_id", {**pred, "2_short": "maybe"})
    invalid = grade_submission(bad, competition("tf2qa-f1", "example_id"), answers, None)
    assert not invalid.valid_submission and "'2_short'" in (invalid.error or "")


def test_lyft_grades_csv_files(tmp_path: Path) -> None:
    answers = write(tmp_path / "answers.csv", "Id", {"s1": guess(1.0, box()), "s2": guess(1.0, box(x=5))})
    submission = write(tmp_path / "submission.csv", "Id", {"s1": guess(0.5, box()), "s2": ""})
    report = grade_submission(submission, competition("map-3d-iou", "Id"), answers, None)
    assert report.valid_submission and report.score == pytest.approx(0.5)
