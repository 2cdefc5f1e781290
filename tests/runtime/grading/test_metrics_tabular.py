"""Tabular, text and ranking metrics: hand-computed cases, library references, edge cases."""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rapidfuzz.distance import Levenshtein
from scipy.stats import entropy, pearsonr, spearmanr
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    f1_score,
    log_loss,
    matthews_corrcoef,
    mean_absolute_error,
    mean_squared_error,
    mean_squared_log_error,
    roc_auc_score,
    roc_curve,
)
from sklearn.metrics.pairwise import haversine_distances

from podium.runtime.grading.registry import MetricInputError, get_metric

ID = "id"


def score(name: str, truth: dict[str, Any], pred: dict[str, Any], **params: Any) -> float:
    """Grade column dicts (an id column is added) with the registered metric `name`."""
    truth_frame, pred_frame = pd.DataFrame(truth), pd.DataFrame(pred)
    truth_frame.insert(0, ID, range(len(truth_frame)))
    pred_frame.insert(0, ID, range(len(pred_frame)))
    params.setdefault("targets", [c for c in pred if c in truth][:1] or list(truth)[:1])
    value = get_metric(name)(truth_frame, pred_frame, id_column=ID, **params)
    assert math.isfinite(value)
    return value


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# --- registry ---------------------------------------------------------------------------------

DIRECTIONS = {
    "auc": "maximize",
    "mean-column-auc": "maximize",
    "weighted-auc": "maximize",
    "jigsaw-bias-auc": "maximize",
    "accuracy": "maximize",
    "top1-error": "minimize",
    "log-loss": "minimize",
    "multiclass-log-loss": "minimize",
    "weighted-multilabel-log-loss": "minimize",
    "f1-micro": "maximize",
    "f1-macro": "maximize",
    "f1": "maximize",
    "probabilistic-f1": "maximize",
    "quadratic-weighted-kappa": "maximize",
    "matthews-corrcoef": "maximize",
    "lwlrap": "maximize",
    "kl-divergence": "minimize",
    "rmse": "minimize",
    "rmsle": "minimize",
    "mean-column-rmsle": "minimize",
    "mcrmse": "minimize",
    "mae": "minimize",
    "log-mae-by-group": "minimize",
    "spearman": "maximize",
    "pearson": "maximize",
    "laplace-log-likelihood": "maximize",
    "mean-angular-error": "minimize",
    "haversine-p50-p95": "minimize",
    "token-accuracy": "maximize",
    "levenshtein": "minimize",
    "normalized-levenshtein": "minimize",
    "sequence-edit-rate": "minimize",
    "word-jaccard": "maximize",
    "kendall-tau-cell-order": "maximize",
    "map-at-k": "maximize",
}


@pytest.mark.parametrize(("name", "direction"), sorted(DIRECTIONS.items()))
def test_registered_with_direction(name: str, direction: str) -> None:
    assert get_metric(name).direction == direction


# --- ROC AUC family -----------------------------------------------------------------------------


def test_auc_hand_computed() -> None:
    # Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ordered right.
    assert score("auc", {"y": [0, 0, 1, 1]}, {"y": [0.1, 0.4, 0.35, 0.8]}) == pytest.approx(0.75)


def test_auc_matches_sklearn(rng: np.random.Generator) -> None:
    y, s = rng.integers(0, 2, 300), rng.random(300)
    assert score("auc", {"y": y}, {"y": s}) == pytest.approx(roc_auc_score(y, s))


def test_auc_identical_predictions_score_half() -> None:
    assert score("auc", {"y": [0, 1, 0, 1]}, {"y": [0.3] * 4}) == pytest.approx(0.5)


def test_auc_single_class_in_answers_is_an_input_error() -> None:
    with pytest.raises(MetricInputError, match="single class"):
        score("auc", {"y": [1, 1, 1]}, {"y": [0.1, 0.5, 0.9]})


@pytest.mark.parametrize("bad", ["high", None, float("inf")])
def test_auc_refuses_non_numeric_or_missing_scores(bad: Any) -> None:
    with pytest.raises(MetricInputError, match="id=1"):
        score("auc", {"y": [0, 1, 1]}, {"y": [0.1, bad, 0.9]})


def test_mean_column_auc_matches_sklearn_macro(rng: np.random.Generator) -> None:
    y, s = rng.integers(0, 2, (200, 3)), rng.random((200, 3))
    cols = ["a", "b", "c"]
    truth, pred = dict(zip(cols, y.T, strict=True)), dict(zip(cols, s.T, strict=True))
    expected = roc_auc_score(y, s, average="macro")
    assert score("mean-column-auc", truth, pred, targets=cols) == pytest.approx(expected)


def test_mean_column_auc_skips_ignored_rows() -> None:
    truth = {"a": [0, 1, -1, 0, 1], "b": [1, 0, -1, 0, 1]}
    pred = {"a": [0.1, 0.9, 0.99, 0.2, 0.8], "b": [0.9, 0.1, 0.0, 0.85, 0.8]}
    # Without row 2 (and its third class), "a" is perfect and "b" orders 3 of 4 pairs.
    value = score("mean-column-auc", truth, pred, targets=["a", "b"], ignore_label=-1)
    assert value == pytest.approx((1.0 + 0.75) / 2)


def test_mean_column_auc_single_class_column_names_it() -> None:
    with pytest.raises(MetricInputError, match="'b'"):
        score(
            "mean-column-auc",
            {"a": [0, 1], "b": [1, 1]},
            {"a": [0, 1], "b": [0, 1]},
            targets=["a", "b"],
        )


def _banded_auc_by_grid(y: np.ndarray, s: np.ndarray, levels: list[float], weights: list[float]) -> float:
    """Independent reference: integrate the clipped ROC curve on a fine FPR grid."""
    fpr, tpr, _ = roc_curve(y, s)
    grid = np.linspace(0, 1, 400_001)
    curve = np.interp(grid, fpr, tpr)
    bands = list(zip(levels[:-1], levels[1:], weights, strict=True))
    area = sum(w * np.mean(np.clip(curve, lo, hi) - lo) for lo, hi, w in bands)
    return float(area / sum(w * (hi - lo) for lo, hi, w in bands))


def test_weighted_auc_hand_computed() -> None:
    # ROC: (0, .5) -> (.5, .5) -> (.5, 1) -> (1, 1). Band [0, .4] is full: area .4, weight 2.
    # Band [.4, 1]: .1 over FPR [0, .5] plus .6 over [.5, 1] = .35. (0.8 + 0.35) / 1.4.
    value = score("weighted-auc", {"y": [1, 0, 1, 0]}, {"y": [0.9, 0.8, 0.3, 0.2]})
    assert value == pytest.approx(1.15 / 1.4)


def test_weighted_auc_matches_grid_reference_and_plain_auc(rng: np.random.Generator) -> None:
    y, s = rng.integers(0, 2, 400), np.round(rng.random(400), 2)  # rounding makes ties
    expected = _banded_auc_by_grid(y, s, [0.0, 0.4, 1.0], [2.0, 1.0])
    assert score("weighted-auc", {"y": y}, {"y": s}) == pytest.approx(expected, abs=1e-4)
    equal = score("weighted-auc", {"y": y}, {"y": s}, weights=[1, 1])
    assert equal == pytest.approx(roc_auc_score(y, s))


def test_weighted_auc_extremes() -> None:
    y = [0, 0, 1, 1]
    assert score("weighted-auc", {"y": y}, {"y": [0.1, 0.2, 0.8, 0.9]}) == pytest.approx(1.0)
    assert score("weighted-auc", {"y": y}, {"y": [0.9, 0.8, 0.2, 0.1]}) == pytest.approx(0.0)
    # All ties give the diagonal, which fills 80% of the heavy low-TPR band: not 0.5.
    diagonal = (2 * (0.4**2 / 2 + 0.4 * 0.6) + 0.6**2 / 2) / 1.4
    assert score("weighted-auc", {"y": y}, {"y": [0.5] * 4}) == pytest.approx(diagonal)


def _jigsaw_reference(truth: pd.DataFrame, scores: np.ndarray, identities: list[str]) -> float:
    toxic = truth["toxicity"].to_numpy() >= 0.5
    means = []
    for kind in range(3):
        aucs = []
        for name in identities:
            group = truth[name].fillna(0).to_numpy() >= 0.5
            rows = [
                group,
                (group & ~toxic) | (~group & toxic),
                (group & toxic) | (~group & ~toxic),
            ][kind]
            aucs.append(roc_auc_score(toxic[rows], scores[rows]))
        means.append(np.mean(np.power(aucs, -5.0)) ** (-1 / 5))
    return 0.25 * roc_auc_score(toxic, scores) + 0.25 * sum(means)


def test_jigsaw_bias_auc_matches_formula(rng: np.random.Generator) -> None:
    n = 600
    truth = {
        "toxicity": rng.random(n),
        "male": np.where(rng.random(n) < 0.3, rng.random(n), np.nan),  # unlabelled rows are NaN
        "female": rng.random(n),
    }
    scores = np.clip(truth["toxicity"] + rng.normal(0, 0.3, n), 0, 1)
    value = score(
        "jigsaw-bias-auc",
        truth,
        {"prediction": scores},
        targets=["toxicity"],
        prediction_column="prediction",
        identity_columns=["male", "female"],
    )
    assert value == pytest.approx(_jigsaw_reference(pd.DataFrame(truth), scores, ["male", "female"]))


def test_jigsaw_bias_auc_perfect_and_undefined_identity() -> None:
    truth = {
        "toxicity": [0.0, 0.9, 0.1, 0.7, 0.2, 0.8],
        "muslim": [1, 1, 0, 0, 1, 0],
        "jewish": [0] * 6,
    }
    # "jewish" has no member, so its subgroup AUC is undefined and left out of the means.
    value = score(
        "jigsaw-bias-auc",
        truth,
        {"toxicity": [0.1, 0.9, 0.2, 0.8, 0.3, 0.7]},
        targets=["toxicity"],
        identity_columns=["muslim", "jewish"],
    )
    assert value == pytest.approx(1.0)


# --- accuracy ---------------------------------------------------------------------------------


def test_accuracy_hand_computed_and_types_compare_as_labels() -> None:
    assert score("accuracy", {"y": ["a", "b", "c"]}, {"y": ["a", "b", "d"]}) == pytest.approx(2 / 3)
    assert score("accuracy", {"y": [3, 1, 2]}, {"y": ["3", "1", "0"]}) == pytest.approx(2 / 3)
    assert score("accuracy", {"y": [True, False]}, {"y": ["True", "True"]}) == pytest.approx(0.5)


def test_accuracy_needs_every_target_to_match() -> None:
    truth = {"a": [1, 1, 0], "b": ["x", "y", "z"]}
    pred = {"a": [1, 1, 0], "b": ["x", "q", "z"]}
    assert score("accuracy", truth, pred, targets=["a", "b"]) == pytest.approx(2 / 3)


def test_accuracy_matches_sklearn(rng: np.random.Generator) -> None:
    y, p = rng.integers(0, 5, 500), rng.integers(0, 5, 500)
    assert score("accuracy", {"y": y}, {"y": p}) == pytest.approx(accuracy_score(y, p))


def test_accuracy_missing_label_is_an_input_error() -> None:
    with pytest.raises(MetricInputError, match="empty at id=1"):
        score("accuracy", {"y": ["a", "b"]}, {"y": ["a", None]})


def test_top1_error_reads_first_ranked_label() -> None:
    truth, pred = {"y": [3, 5, 7, 9]}, {"y": ["3 1 2", "1 5", "7", ""]}
    assert score("top1-error", truth, pred) == pytest.approx(0.5)
    assert score("top1-error", {"y": [1, 2]}, {"y": [1, 2]}) == pytest.approx(0.0)


# --- log losses -------------------------------------------------------------------------------


def test_log_loss_hand_computed_and_clipped() -> None:
    expected = -(math.log(0.8) + math.log(0.7)) / 2
    assert score("log-loss", {"y": [1, 0]}, {"y": [0.8, 0.3]}) == pytest.approx(expected)
    assert score("log-loss", {"y": [1, 0]}, {"y": [0.0, 0.0]}) == pytest.approx(-math.log(1e-15) / 2)
    assert score("log-loss", {"y": [1, 0]}, {"y": [0.5, 0.5]}) == pytest.approx(math.log(2))


def test_log_loss_matches_sklearn(rng: np.random.Generator) -> None:
    y, p = rng.integers(0, 2, 300), rng.uniform(0.01, 0.99, 300)
    assert score("log-loss", {"y": y}, {"y": p}) == pytest.approx(log_loss(y, p))


@pytest.mark.parametrize("name", ["log-loss", "probabilistic-f1"])
@pytest.mark.parametrize("bad", [1.2, -0.1])
def test_probability_out_of_range_is_an_input_error(name: str, bad: float) -> None:
    with pytest.raises(MetricInputError, match=r"\[0, 1\]"):
        score(name, {"y": [1, 0]}, {"y": [0.5, bad]})


def test_multiclass_log_loss_label_and_one_hot_answers_agree(rng: np.random.Generator) -> None:
    classes = ["cat", "dog", "fox"]
    proba = rng.dirichlet(np.ones(3), 200)
    labels = rng.integers(0, 3, 200)
    pred = dict(zip(classes, proba.T, strict=True))
    one_hot = dict(zip(classes, np.eye(3, dtype=int)[labels].T, strict=True))
    by_label = {"breed": np.array(classes)[labels]}
    expected = log_loss(labels, proba, labels=[0, 1, 2])
    assert score("multiclass-log-loss", one_hot, pred, targets=classes) == pytest.approx(expected)
    value = score(
        "multiclass-log-loss",
        by_label,
        pred,
        classes=classes,
        label_column="breed",
        targets=["breed"],
    )
    assert value == pytest.approx(expected)


def test_multiclass_log_loss_normalises_rows_then_clips() -> None:
    truth = {"a": [1, 0], "b": [0, 1]}
    # Row 0 sums to 0.4 and becomes (0.5, 0.5); row 1 gives the true class 0 and is clipped.
    value = score("multiclass-log-loss", truth, {"a": [0.2, 1.0], "b": [0.2, 0.0]}, targets=["a", "b"])
    assert value == pytest.approx((math.log(2) - math.log(1e-15)) / 2)


def test_multiclass_log_loss_all_zero_row_is_an_input_error() -> None:
    with pytest.raises(MetricInputError, match="at least one class"):
        score(
            "multiclass-log-loss",
            {"a": [1], "b": [0]},
            {"a": [0.0], "b": [0.0]},
            targets=["a", "b"],
        )


def test_weighted_multilabel_log_loss_equal_weights_is_mean_column_log_loss(
    rng: np.random.Generator,
) -> None:
    y, p = rng.integers(0, 2, (100, 3)), rng.uniform(0.05, 0.95, (100, 3))
    cols = ["C1", "C2", "C3"]
    truth, pred = dict(zip(cols, y.T, strict=True)), dict(zip(cols, p.T, strict=True))
    expected = np.mean([log_loss(y[:, i], p[:, i]) for i in range(3)])
    assert score("weighted-multilabel-log-loss", truth, pred, targets=cols) == pytest.approx(expected)


def test_weighted_multilabel_log_loss_label_dependent_weights() -> None:
    truth, pred = {"overall": [1, 0], "C1": [0, 0]}, {"overall": [0.5, 0.5], "C1": [0.1, 0.1]}
    params = {"targets": ["overall", "C1"], "weights": {"overall": 7, "C1": 1}}
    params["positive_weights"] = {"overall": 14, "C1": 2}
    l_half, l_c1 = -math.log(0.5), -math.log(0.9)
    row0 = (14 * l_half + 1 * l_c1) / 15
    row1 = (7 * l_half + 1 * l_c1) / 8
    assert score("weighted-multilabel-log-loss", truth, pred, **params) == pytest.approx((row0 + row1) / 2)


def test_weighted_multilabel_log_loss_melted_equals_wide() -> None:
    wide_truth = {"C1": [1, 0], "C2": [0, 0]}
    wide_pred = {"C1": [0.7, 0.2], "C2": [0.1, 0.4]}
    wide = score("weighted-multilabel-log-loss", wide_truth, wide_pred, targets=["C1", "C2"])
    ids = ["s1_C1", "s1_C2", "s2_C1", "s2_C2"]
    truth = pd.DataFrame({ID: ids, "fractured": [1, 0, 0, 0]})
    pred = pd.DataFrame({ID: ids, "fractured": [0.7, 0.1, 0.2, 0.4]})
    melted = get_metric("weighted-multilabel-log-loss")(
        truth, pred, id_column=ID, targets=["fractured"], columns=["C1", "C2"], melted_separator="_"
    )
    assert melted == pytest.approx(wide)


# --- F1 family --------------------------------------------------------------------------------


@pytest.mark.parametrize("average", ["micro", "macro"])
def test_f1_averages_match_sklearn(rng: np.random.Generator, average: str) -> None:
    y, p = rng.integers(0, 6, 400), rng.integers(0, 6, 400)
    expected = f1_score(y, p, average=average)
    assert score(f"f1-{average}", {"y": y}, {"y": p}) == pytest.approx(expected)


def test_f1_micro_multilabel_counts_unknown_labels_as_false_positives() -> None:
    # TP = {a}, FP = {c}, FN = {b}: precision = recall = 1/2.
    value = score("f1-micro", {"y": ["a b"]}, {"y": ["a c"]}, multilabel=True)
    assert value == pytest.approx(0.5)


def test_f1_macro_multilabel_with_empty_cells() -> None:
    truth, pred = {"y": ["a", "b", None]}, {"y": ["a", None, "b"]}
    # a: F1 1; b: TP 0, FP 1, FN 1 -> F1 0.
    assert score("f1-macro", truth, pred, multilabel=True) == pytest.approx(0.5)


def test_binary_f1_matches_sklearn_and_reads_booleans(rng: np.random.Generator) -> None:
    y, p = rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    assert score("f1", {"y": y}, {"y": p}) == pytest.approx(f1_score(y, p))
    assert score("f1", {"y": [True, False, True]}, {"y": [True, True, True]}) == pytest.approx(0.8)


def test_probabilistic_f1_hand_computed() -> None:
    # Soft TP 1.2, soft FP 0.2: precision 1.2/1.4, recall 1.2/2.
    precision, recall = 1.2 / 1.4, 0.6
    expected = 2 * precision * recall / (precision + recall)
    value = score("probabilistic-f1", {"y": [1, 0, 1]}, {"y": [0.8, 0.2, 0.4]})
    assert value == pytest.approx(expected)


def test_probabilistic_f1_on_hard_labels_is_f1(rng: np.random.Generator) -> None:
    y, p = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    assert score("probabilistic-f1", {"y": y}, {"y": p.astype(float)}) == pytest.approx(f1_score(y, p))


def test_probabilistic_f1_edges() -> None:
    assert score("probabilistic-f1", {"y": [1, 0]}, {"y": [0.0, 0.0]}) == 0.0
    with pytest.raises(MetricInputError, match="no positive"):
        score("probabilistic-f1", {"y": [0, 0]}, {"y": [0.3, 0.3]})


# --- agreement, lwlrap, KL --------------------------------------------------------------------


def test_quadratic_weighted_kappa_matches_sklearn(rng: np.random.Generator) -> None:
    y = rng.integers(0, 5, 300)
    p = np.clip(y + rng.integers(-1, 2, 300), 0, 4)
    expected = cohen_kappa_score(y, p, weights="quadratic")
    assert score("quadratic-weighted-kappa", {"y": y}, {"y": p}) == pytest.approx(expected)


def test_quadratic_weighted_kappa_edges() -> None:
    assert score("quadratic-weighted-kappa", {"y": [0, 1, 2]}, {"y": [0.0, 1.0, 2.0]}) == pytest.approx(1.0)
    assert score("quadratic-weighted-kappa", {"y": [2, 2]}, {"y": [2, 2]}) == 0.0  # undefined
    with pytest.raises(MetricInputError, match="integer grades"):
        score("quadratic-weighted-kappa", {"y": [0, 1]}, {"y": [0.0, 1.5]})


def test_matthews_corrcoef_matches_sklearn_and_constant_is_zero(rng: np.random.Generator) -> None:
    y, p = rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    assert score("matthews-corrcoef", {"y": y}, {"y": p}) == pytest.approx(matthews_corrcoef(y, p))
    assert score("matthews-corrcoef", {"y": [0, 1, 1]}, {"y": [1, 1, 1]}) == 0.0


def _lwlrap_reference(y: np.ndarray, s: np.ndarray) -> float:
    """Per (row, true label): fraction of labels ranked at or above it that are true."""
    precisions = []
    for labels, scores in zip(y, s, strict=True):
        for j in np.flatnonzero(labels):
            at_or_above = scores >= scores[j]
            precisions.append(labels[at_or_above].sum() / at_or_above.sum())
    return float(np.mean(precisions))


def test_lwlrap_hand_computed_weights_rows_by_labels() -> None:
    truth = {"a": [1, 0, 0], "b": [0, 1, 0], "c": [1, 0, 0]}
    pred = {"a": [0.9, 0.5, 0.1], "b": [0.8, 0.4, 0.2], "c": [0.1, 0.3, 0.3]}
    # Row 0: a at rank 1 (1), c at rank 3 (2/3). Row 1: b at rank 2 (1/2). Row 2: no label.
    value = score("lwlrap", truth, pred, targets=["a", "b", "c"])
    assert value == pytest.approx((1 + 2 / 3 + 1 / 2) / 3)


def test_lwlrap_matches_per_label_reference(rng: np.random.Generator) -> None:
    y, s = (rng.random((150, 6)) < 0.25).astype(int), rng.random((150, 6))
    cols = list("abcdef")
    truth, pred = dict(zip(cols, y.T, strict=True)), dict(zip(cols, s.T, strict=True))
    assert score("lwlrap", truth, pred, targets=cols) == pytest.approx(_lwlrap_reference(y, s))


def test_kl_divergence_hand_computed_and_votes_normalised() -> None:
    truth, pred = {"a": [3], "b": [0]}, {"a": [0.5], "b": [0.5]}
    assert score("kl-divergence", truth, pred, targets=["a", "b"]) == pytest.approx(math.log(2))


def test_kl_divergence_matches_scipy_entropy(rng: np.random.Generator) -> None:
    votes, proba = (
        rng.integers(0, 5, (100, 4)) + np.eye(4, dtype=int)[rng.integers(0, 4, 100)],
        rng.dirichlet(np.ones(4), 100),
    )
    cols = list("abcd")
    expected = np.mean([entropy(v / v.sum(), q) for v, q in zip(votes, proba, strict=True)])
    truth, pred = dict(zip(cols, votes.T, strict=True)), dict(zip(cols, proba.T, strict=True))
    assert score("kl-divergence", truth, pred, targets=cols) == pytest.approx(expected)


def test_kl_divergence_refuses_rows_not_summing_to_one() -> None:
    with pytest.raises(MetricInputError, match="sum to 1"):
        score("kl-divergence", {"a": [1], "b": [1]}, {"a": [0.5], "b": [0.6]}, targets=["a", "b"])


# --- regression -------------------------------------------------------------------------------


def test_rmse_mae_hand_computed() -> None:
    truth, pred = {"y": [1.0, 2.0, 3.0]}, {"y": [1.0, 2.0, 5.0]}
    assert score("rmse", truth, pred) == pytest.approx(math.sqrt(4 / 3))
    assert score("mae", truth, pred) == pytest.approx(2 / 3)


def test_squared_and_absolute_errors_match_sklearn(rng: np.random.Generator) -> None:
    y, p = rng.random(200) * 10, rng.random(200) * 10
    assert score("rmse", {"y": y}, {"y": p}) == pytest.approx(math.sqrt(mean_squared_error(y, p)))
    assert score("mae", {"y": y}, {"y": p}) == pytest.approx(mean_absolute_error(y, p))
    assert score("rmsle", {"y": y}, {"y": p}) == pytest.approx(math.sqrt(mean_squared_log_error(y, p)))


def test_mean_column_rmsle_and_mcrmse_average_columns(rng: np.random.Generator) -> None:
    y, p = rng.random((100, 2)) * 3, rng.random((100, 2)) * 3
    truth, pred = {"a": y[:, 0], "b": y[:, 1]}, {"a": p[:, 0], "b": p[:, 1]}
    rmsle_cols = [math.sqrt(mean_squared_log_error(y[:, i], p[:, i])) for i in range(2)]
    rmse_cols = [math.sqrt(mean_squared_error(y[:, i], p[:, i])) for i in range(2)]
    assert score("mean-column-rmsle", truth, pred, targets=["a", "b"]) == pytest.approx(np.mean(rmsle_cols))
    assert score("mcrmse", truth, pred, targets=["a", "b"]) == pytest.approx(np.mean(rmse_cols))


def test_mcrmse_scores_only_masked_rows() -> None:
    truth = {"a": [1.0, 1.0, 100.0], "b": [2.0, 2.0, 100.0], "keep": [True, True, False]}
    pred = {"a": [1.0, 3.0, 0.0], "b": [2.0, 2.0, 0.0]}
    value = score("mcrmse", truth, pred, targets=["a", "b"], mask_column="keep")
    assert value == pytest.approx((math.sqrt(2) + 0.0) / 2)


def test_mae_scores_only_rows_equal_to_mask_value() -> None:
    truth = {"pressure": [5.0, 6.0, 7.0], "u_out": [0, 1, 0]}
    value = score("mae", truth, {"pressure": [4.0, 0.0, 9.0]}, mask_column="u_out", mask_equals=0)
    assert value == pytest.approx((1 + 2) / 2)


def test_rmsle_refuses_negative_predictions() -> None:
    with pytest.raises(MetricInputError, match=">= 0"):
        score("rmsle", {"y": [1.0, 2.0]}, {"y": [1.0, -0.5]})


def test_log_mae_by_group_floors_perfect_groups() -> None:
    truth = {"y": [1.0, 1.0, 5.0], "type": ["a", "a", "b"]}
    value = score("log-mae-by-group", truth, {"y": [2.0, 4.0, 5.0]}, group_column="type")
    assert value == pytest.approx((math.log(2) + math.log(1e-9)) / 2)


@pytest.mark.parametrize(("name", "reference"), [("spearman", spearmanr), ("pearson", pearsonr)])
def test_correlations_match_scipy_column_mean(rng: np.random.Generator, name: str, reference: Any) -> None:
    y = rng.random((80, 2))
    p = y + rng.normal(0, 0.3, (80, 2))
    expected = np.mean([reference(y[:, i], p[:, i])[0] for i in range(2)])
    truth, pred = {"a": y[:, 0], "b": y[:, 1]}, {"a": p[:, 0], "b": p[:, 1]}
    assert score(name, truth, pred, targets=["a", "b"]) == pytest.approx(expected)


@pytest.mark.parametrize("name", ["spearman", "pearson"])
def test_correlation_with_identical_predictions_is_zero(name: str) -> None:
    truth, pred = (
        {"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]},
        {"a": [0.5] * 3, "b": [1.0, 2.0, 3.0]},
    )
    assert score(name, truth, pred, targets=["a", "b"]) == pytest.approx(0.5)


def test_laplace_log_likelihood_hand_computed_with_clipping() -> None:
    truth = {"FVC": [2000.0, 2000.0, 2000.0]}
    pred = {"FVC": [2100.0, 2100.0, 9000.0], "Confidence": [100.0, 10.0, None]}
    rows = [
        -math.sqrt(2) * 100 / 100 - math.log(math.sqrt(2) * 100),
        -math.sqrt(2) * 100 / 70 - math.log(math.sqrt(2) * 70),  # sigma floored at 70
        -math.sqrt(2) * 1000 / 70 - math.log(math.sqrt(2) * 70),  # delta capped at 1000
    ]
    assert score("laplace-log-likelihood", truth, pred, targets=["FVC"]) == pytest.approx(np.mean(rows))


def test_mean_angular_error_hand_computed() -> None:
    truth = {"azimuth": [0.0, 0.0, 0.0], "zenith": [0.0, 0.0, math.pi / 2]}
    pred = {"azimuth": [1.0, 0.0, math.pi / 2], "zenith": [0.0, math.pi, math.pi / 2]}
    # Same pole (azimuth irrelevant), opposite poles, a quarter turn on the equator.
    assert score("mean-angular-error", truth, pred) == pytest.approx((0 + math.pi + math.pi / 2) / 3)


def test_mean_angular_error_matches_vector_angle(rng: np.random.Generator) -> None:
    az, zen = rng.uniform(0, 2 * np.pi, (2, 100)), rng.uniform(0, np.pi, (2, 100))

    def vectors(a: np.ndarray, z: np.ndarray) -> np.ndarray:
        return np.stack([np.sin(z) * np.cos(a), np.sin(z) * np.sin(a), np.cos(z)], axis=1)

    u, v = vectors(az[0], zen[0]), vectors(az[1], zen[1])
    expected = np.mean(np.arctan2(np.linalg.norm(np.cross(u, v), axis=1), np.sum(u * v, axis=1)))
    value = score(
        "mean-angular-error",
        {"azimuth": az[0], "zenith": zen[0]},
        {"azimuth": az[1], "zenith": zen[1]},
    )
    assert value == pytest.approx(expected)


def test_haversine_p50_p95_matches_sklearn_haversine(rng: np.random.Generator) -> None:
    lat, lon = rng.uniform(37, 38, 60), rng.uniform(-122, -121, 60)
    lat_p, lon_p = lat + rng.normal(0, 1e-4, 60), lon + rng.normal(0, 1e-4, 60)
    trips = np.repeat(["t1", "t2", "t3"], 20)
    true_rad, pred_rad = np.radians(np.c_[lat, lon]), np.radians(np.c_[lat_p, lon_p])
    d = np.array([haversine_distances(t[None], p[None])[0, 0] for t, p in zip(true_rad, pred_rad, strict=True)])
    d *= 6_371_000
    expected = np.mean(
        [(np.quantile(d[trips == t], 0.5) + np.quantile(d[trips == t], 0.95)) / 2 for t in ["t1", "t2", "t3"]]
    )
    truth = {"LatitudeDegrees": lat, "LongitudeDegrees": lon, "tripId": trips}
    pred = {"LatitudeDegrees": lat_p, "LongitudeDegrees": lon_p}
    assert score("haversine-p50-p95", truth, pred, group_column="tripId") == pytest.approx(expected)


def test_haversine_one_degree_of_latitude() -> None:
    truth = {"LatitudeDegrees": [0.0], "LongitudeDegrees": [0.0], "tripId": ["t"]}
    pred = {"LatitudeDegrees": [1.0], "LongitudeDegrees": [0.0]}
    assert score("haversine-p50-p95", truth, pred) == pytest.approx(6_371_000 * math.pi / 180)
    with pytest.raises(MetricInputError, match="latitudes"):
        score("haversine-p50-p95", truth, {"LatitudeDegrees": [91.0], "LongitudeDegrees": [0.0]})


# --- text -------------------------------------------------------------------------------------


def test_token_accuracy_exact_strings_and_empty_cells() -> None:
    truth, pred = {"after": ["one", "two", None]}, {"after": ["one", "Two", ""]}
    assert score("token-accuracy", truth, pred) == pytest.approx(2 / 3)


def test_levenshtein_hand_computed() -> None:
    truth, pred = {"s": ["kitten", "", "abc"]}, {"s": ["sitting", "", None]}
    assert score("levenshtein", truth, pred) == pytest.approx((3 + 0 + 3) / 3)
    assert score("normalized-levenshtein", truth, pred) == pytest.approx((3 / 7 + 0 + 1) / 3)


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def test_levenshtein_matches_dynamic_programming(rng: np.random.Generator) -> None:
    words = ["".join(rng.choice(list("abc"), rng.integers(0, 8))) for _ in range(60)]
    truth, pred = {"s": words[:30]}, {"s": words[30:]}
    expected = np.mean([_edit_distance(a, b) for a, b in zip(words[:30], words[30:], strict=True)])
    assert score("levenshtein", truth, pred) == pytest.approx(expected)
    normalized = [Levenshtein.normalized_distance(a, b) for a, b in zip(words[:30], words[30:], strict=True)]
    assert score("normalized-levenshtein", truth, pred) == pytest.approx(np.mean(normalized))


def test_sequence_edit_rate_divides_by_answer_tokens() -> None:
    truth, pred = {"Sequence": ["1 2 3", "4 5"]}, {"Sequence": ["1 3", "4 5 6 7"]}
    assert score("sequence-edit-rate", truth, pred) == pytest.approx((1 + 2) / 5)


def test_word_jaccard_hand_computed_and_empty_strings() -> None:
    truth = {"t": ["Hello world", "", "", "a b c d"]}
    pred = {"t": ["hello there", None, "x", "a b"]}
    assert score("word-jaccard", truth, pred) == pytest.approx((1 / 3 + 1.0 + 0.0 + 0.5) / 4)


@pytest.mark.parametrize(
    ("truth", "pred", "expected"),
    [(["a", "a"], ["a", ""], 0.5), (["", ""], ["", ""], 1.0), (["A a"], ["a"], 1.0)],
)
def test_word_jaccard_with_one_distinct_word_or_none(truth: list[str], pred: list[str], expected: float) -> None:
    # scikit-learn reads a one-column indicator matrix as binary; the metric must still score it
    assert score("word-jaccard", {"t": truth}, {"t": pred}) == pytest.approx(expected)


def test_word_jaccard_matches_set_formula(rng: np.random.Generator) -> None:
    vocab = np.array(["a", "B", "b", "c", "d", "e"])
    make = lambda: " ".join(rng.choice(vocab, rng.integers(1, 5)))  # noqa: E731
    truth, pred = [make() for _ in range(50)], [make() for _ in range(50)]

    def jaccard(x: str, y: str) -> float:
        a, b = set(x.lower().split()), set(y.lower().split())
        return len(a & b) / len(a | b)

    expected = np.mean([jaccard(x, y) for x, y in zip(truth, pred, strict=True)])
    assert score("word-jaccard", {"t": truth}, {"t": pred}) == pytest.approx(expected)


def test_kendall_tau_cell_order_hand_computed() -> None:
    # Row 1: one inversion over 3 cells; row 2: none over 2. 1 - 4 * 1 / (6 + 2).
    truth, pred = {"cell_order": ["a b c", "x y"]}, {"cell_order": ["a c b", "x y"]}
    assert score("kendall-tau-cell-order", truth, pred) == pytest.approx(0.5)


def test_kendall_tau_cell_order_matches_inversion_count(rng: np.random.Generator) -> None:
    truth, pred, inversions, pairs = [], [], 0, 0
    for n in rng.integers(1, 12, 40):
        cells = [f"c{i}" for i in range(n)]
        order = list(rng.permutation(n))
        truth.append(" ".join(cells))
        pred.append(" ".join(cells[i] for i in order))
        inversions += sum(1 for i, j in combinations(range(n), 2) if order[i] > order[j])
        pairs += n * (n - 1)
    expected = 1 - 4 * inversions / pairs
    assert score("kendall-tau-cell-order", {"o": truth}, {"o": pred}) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["a b", "a b b", "a b z", ""])
def test_kendall_tau_cell_order_needs_a_permutation(bad: str) -> None:
    with pytest.raises(MetricInputError, match="exactly once"):
        score("kendall-tau-cell-order", {"o": ["a b c"]}, {"o": [bad]})


# --- ranking ----------------------------------------------------------------------------------


def test_map_at_k_hand_computed() -> None:
    truth = {"y": ["a", "a b", "a b", "a", "a"]}
    pred = {"y": ["b a c", "a c b", "a a b", "", "b c d e f a"]}
    rows = [1 / 2, (1 + 2 / 3) / 2, (1 + 2 / 3) / 2, 0.0, 0.0]  # repeats earn nothing; cut at k
    assert score("map-at-k", truth, pred, k=5) == pytest.approx(np.mean(rows))


def test_map_at_k_empty_ranked_lists_score_zero() -> None:
    assert score("map-at-k", {"y": ["a", "b"]}, {"y": [None, ""]}, k=12) == 0.0


def test_map_at_k_integer_labels_match_text() -> None:
    truth, pred = {"hotel_id": [12, 7]}, {"hotel_id": ["3 12", "7"]}
    assert score("map-at-k", truth, pred, k=5) == pytest.approx((1 / 2 + 1) / 2)


def _apk_reference(actual: set[str], predicted: list[str], k: int) -> float:
    hits, total = 0, 0.0
    for i, p in enumerate(predicted[:k]):
        if p in actual and p not in predicted[:i]:
            hits += 1
            total += hits / (i + 1)
    return total / min(len(actual), k) if actual else 0.0


def test_map_at_k_matches_reference(rng: np.random.Generator) -> None:
    labels = [f"L{i}" for i in range(15)]
    truth = [" ".join(rng.choice(labels, rng.integers(1, 4), replace=False)) for _ in range(60)]
    pred = [" ".join(rng.choice(labels, rng.integers(0, 14))) for _ in range(60)]
    expected = np.mean([_apk_reference(set(t.split()), p.split(), 12) for t, p in zip(truth, pred, strict=True)])
    assert score("map-at-k", {"y": truth}, {"y": pred}, k=12) == pytest.approx(expected)


def test_rmse_log_matches_kaggle_house_prices_definition() -> None:
    truth = pd.DataFrame({"Id": ["1", "2"], "SalePrice": [100_000.0, 200_000.0]})
    pred = pd.DataFrame({"Id": ["1", "2"], "SalePrice": [100_000.0 * np.e, 200_000.0]})
    score = get_metric("rmse-log")(truth, pred, id_column="Id", targets=["SalePrice"])
    assert score == pytest.approx(np.sqrt(0.5))  # one row off by exactly log e = 1
    with pytest.raises(MetricInputError, match="predict positive values"):
        get_metric("rmse-log")(truth, pred.assign(SalePrice=[0.0, 1.0]), id_column="Id", targets=["SalePrice"])
