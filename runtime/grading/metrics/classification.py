"""Classification metrics: AUC family, accuracy, log losses, F1 family, agreement, lwlrap, KL.

Every metric reads its columns from `params["targets"]` unless a param below says otherwise.

Name (direction): MLE-bench competitions it serves; extra params.

- auc (max): aerial-cactus-identification, detecting-insults-in-social-commentary,
  histopathologic-cancer-detection, invasive-species-monitoring, mlsp-2013-birds,
  random-acts-of-pizza, rsna-miccai-brain-tumor-radiogenomic-classification,
  seti-breakthrough-listen, siim-isic-melanoma-classification,
  tabular-playground-series-may-2022, the-icml-2013-whale-challenge-right-whale-redux.
- mean-column-auc (max): jigsaw-toxic-comment-classification-challenge,
  plant-pathology-2020-fgvc7, playground-series-s3e18,
  ranzcr-clip-catheter-line-classification; `ignore_label`.
- weighted-auc (max): alaska2-image-steganalysis; `tpr_thresholds`, `weights`.
- jigsaw-bias-auc (max): jigsaw-unintended-bias-in-toxicity-classification;
  `identity_columns`, `prediction_column`, `power`, `weight`.
- accuracy (max), also multi-class accuracy: cassava-leaf-disease-classification,
  cdiscount-image-classification-challenge, iwildcam-2020-fgvc7, ml2021spring-hw2,
  movie-review-sentiment-analysis-kernels-only, paddy-disease-classification,
  spaceship-titanic, tabular-playground-series-dec-2021,
  tensorflow-speech-recognition-challenge.
- top1-error (min): inaturalist-2019-fgvc6.
- log-loss (min): dogs-vs-cats-redux-kernels-edition, statoil-iceberg-classifier-challenge.
- multiclass-log-loss (min): dog-breed-identification, leaf-classification,
  lmsys-chatbot-arena, spooky-author-identification; `classes`, `label_column`.
- weighted-multilabel-log-loss (min): rsna-2022-cervical-spine-fracture-detection;
  `columns`, `weights`, `positive_weights`, `melted_separator`.
- f1-micro (max): facebook-recruiting-iii-keyword-extraction, imet-2020-fgvc7,
  plant-pathology-2021-fgvc8, plant-seedlings-classification; `multilabel`.
- f1-macro (max): herbarium-2020-fgvc7, herbarium-2021-fgvc8, herbarium-2022-fgvc9,
  iwildcam-2019-fgvc6; `multilabel`.
- f1 (max): plain binary F1 of labels; `pos_label`.
- probabilistic-f1 (max): rsna-breast-cancer-detection.
- quadratic-weighted-kappa (max): aptos2019-blindness-detection,
  learning-agency-lab-automated-essay-scoring-2.
- matthews-corrcoef (max): nfl-player-contact-detection.
- lwlrap (max): freesound-audio-tagging-2019.
- kl-divergence (min): hms-harmful-brain-activity-classification.

Conventions chosen where the competitions leave a case undefined (tiny splits hit them):

- ROC AUC with a single class in the answers raises `MetricInputError` (no ranking to judge).
  AUC scores may be any finite numbers: AUC depends on their order only.
- Kappa and MCC that are undefined (both sides constant) score 0.0, sklearn's MCC convention.
- Probabilities must lie in [0, 1]; log losses clip them to [1e-15, 1 - 1e-15] as Kaggle does.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from podium.runtime.grading.metrics.lazy import scipy_special, scipy_stats, sklearn_metrics, sklearn_preprocessing
from podium.runtime.grading.registry import MetricInputError, metric

# Kaggle's clipping for log losses and KL divergence.
EPS = 1e-15

# ---------------------------------------------------------------------------------------------
# Input helpers shared with the other metric families.
# ---------------------------------------------------------------------------------------------


def single_target(params: dict[str, Any]) -> str:
    """The one target column of a single-target metric; a spec error otherwise."""
    targets = params["targets"]
    if len(targets) != 1:
        raise ValueError(f"this metric scores exactly one target column, got {targets!r}")
    return str(targets[0])


def shown(value: Any) -> str:
    """A cell as a user wrote it: numpy scalars print as plain Python values."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def row_label(frame: pd.DataFrame, position: int, params: dict[str, Any]) -> str:
    """How an error message points at a row: by its id when the frame has one."""
    id_column = params.get("id_column")
    if id_column in frame.columns:
        return f"{id_column}={shown(frame[id_column].iloc[position])}"
    return f"row {position}"


def numeric_values(frame: pd.DataFrame, columns: Sequence[str], params: dict[str, Any]) -> np.ndarray:
    """`columns` as a float matrix; `MetricInputError` names the first non-finite cell."""
    values = frame[list(columns)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raw = frame[columns[col]].iloc[row]
        raise MetricInputError(
            f"Column {columns[col]!r} must hold a finite number on every row; "
            f"found {shown(raw)} at {row_label(frame, row, params)}."
        )
    return values


def probability_values(frame: pd.DataFrame, columns: Sequence[str], params: dict[str, Any]) -> np.ndarray:
    """`columns` as a float matrix of probabilities; values outside [0, 1] are refused."""
    values = numeric_values(frame, columns, params)
    outside = (values < 0) | (values > 1)
    if outside.any():
        row, col = np.argwhere(outside)[0]
        raise MetricInputError(
            f"Column {columns[col]!r} must hold probabilities in [0, 1]; "
            f"found {shown(values[row, col])} at {row_label(frame, row, params)}."
        )
    return values


def label_strings(series: pd.Series) -> np.ndarray:
    """Labels as strings, so that 3, 3.0 and "3" compare equal across truth and submission."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype(str).to_numpy()
    if pd.api.types.is_numeric_dtype(series):
        values = series.to_numpy(dtype=float)
        if np.all(np.isfinite(values)) and np.all(values == np.round(values)):
            return values.astype(np.int64).astype(str)
    return series.astype(str).to_numpy()


def predicted_labels(pred: pd.DataFrame, column: str, params: dict[str, Any]) -> np.ndarray:
    """Submitted labels as strings; a missing label cannot be scored."""
    missing = pred[column].isna().to_numpy()
    if missing.any():
        position = int(np.argmax(missing))
        raise MetricInputError(
            f"Column {column!r} must hold a label on every row; it is empty at {row_label(pred, position, params)}."
        )
    return label_strings(pred[column])


@contextmanager
def library_errors_as_input_errors(what: str) -> Iterator[None]:
    """Library checks that still fire after ours become a grading error, not a traceback."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except (ValueError, TypeError) as error:
        raise MetricInputError(f"The submission cannot be scored with {what}: {error}") from None


# ---------------------------------------------------------------------------------------------
# ROC AUC family.
# ---------------------------------------------------------------------------------------------


def _require_two_classes(y_true: np.ndarray, what: str) -> None:
    if np.unique(y_true).size < 2:
        raise MetricInputError(
            f"The answers for {what} hold a single class, so ROC AUC is undefined; "
            "grade on a split that contains both classes."
        )


def _binary_auc(y_true: np.ndarray, y_score: np.ndarray, what: str) -> float:
    _require_two_classes(y_true, what)
    return float(sklearn_metrics.roc_auc_score(y_true, y_score))


@metric("auc", "maximize", "ROC AUC of one binary target")
def roc_auc(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """ROC AUC of the single target; scores may be probabilities or any ranking score."""
    column = single_target(params)
    scores = numeric_values(pred, [column], params)[:, 0]
    return _binary_auc(truth[column].to_numpy(), scores, repr(column))


@metric("mean-column-auc", "maximize", "mean of per-column ROC AUC over the targets")
def mean_column_auc(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Column-wise ROC AUC averaged over targets.

    `ignore_label` (optional): answer rows holding this value in any target are not scored
    (jigsaw-toxic-comment-classification-challenge marks unscored rows with -1).
    """
    targets = list(params["targets"])
    scored = np.ones(len(truth), dtype=bool)
    if "ignore_label" in params:
        scored = ~(truth[targets] == params["ignore_label"]).any(axis=1).to_numpy()
    scores = numeric_values(pred, targets, params)[scored]
    labels = truth[targets].to_numpy()[scored]
    aucs = [_binary_auc(labels[:, i], scores[:, i], repr(c)) for i, c in enumerate(targets)]
    return float(np.mean(aucs))


def _with_tpr_points(fpr: np.ndarray, tpr: np.ndarray, levels: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Add ROC points where the curve crosses each TPR level, so bands integrate exactly."""
    new = [level for level in levels if level not in tpr]
    # The ROC curve is monotone, so FPR is a function of TPR along the rising parts.
    new_fpr = np.interp(new, tpr, fpr)
    all_fpr, all_tpr = np.concatenate([fpr, new_fpr]), np.concatenate([tpr, new])
    order = np.lexsort((all_tpr, all_fpr))
    return all_fpr[order], all_tpr[order]


@metric("weighted-auc", "maximize", "ROC AUC with TPR bands weighted (ALASKA2)")
def weighted_auc(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """ALASKA2's weighted AUC: the area under the ROC curve, cut into horizontal TPR bands.

    `tpr_thresholds` (default [0, 0.4, 1]) and `weights` (default [2, 1]): band k spans
    TPR in [t_k, t_k+1] and counts `weights[k]` times; the total is normalised to [0, 1].
    """
    column = single_target(params)
    levels = list(params.get("tpr_thresholds", [0.0, 0.4, 1.0]))
    weights = list(params.get("weights", [2.0, 1.0]))
    y_true = truth[column].to_numpy()
    _require_two_classes(y_true, repr(column))
    scores = numeric_values(pred, [column], params)[:, 0]
    fpr, tpr, _ = sklearn_metrics.roc_curve(y_true, scores)
    fpr, tpr = _with_tpr_points(fpr, tpr, levels)
    bands = list(zip(levels[:-1], levels[1:], weights, strict=True))
    # Clipping TPR to a band leaves the area of the curve that lies inside that band.
    areas = [w * sklearn_metrics.auc(fpr, np.clip(tpr, lo, hi) - lo) for lo, hi, w in bands]
    perfect = sum(w * (hi - lo) for lo, hi, w in bands)
    return float(sum(areas) / perfect)


def _jigsaw_subset_aucs(toxic: np.ndarray, in_group: np.ndarray, scores: np.ndarray) -> list[float | None]:
    """Subgroup, BPSN and BNSP AUC for one identity; None where a subset has one class."""
    subsets = [
        in_group,
        (in_group & ~toxic) | (~in_group & toxic),  # background positive, subgroup negative
        (in_group & toxic) | (~in_group & ~toxic),  # background negative, subgroup positive
    ]
    return [
        float(sklearn_metrics.roc_auc_score(toxic[rows], scores[rows])) if np.unique(toxic[rows]).size == 2 else None
        for rows in subsets
    ]


@metric("jigsaw-bias-auc", "maximize", "Jigsaw unintended-bias AUC blend")
def jigsaw_bias_auc(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Jigsaw unintended bias: w * overall AUC + w * sum of three power means of bias AUCs.

    The target (answers) and `identity_columns` (answers) are thresholded at 0.5; the
    prediction (column `prediction_column`, default the target) is used as a raw score.
    For each of subgroup, BPSN and BNSP AUC the generalized mean with `power` (default -5)
    is taken over identities; `weight` defaults to 0.25. An identity whose subset holds a
    single class is left out of that mean (Kaggle's test set never has one).
    """
    column = single_target(params)
    scores = numeric_values(pred, [params.get("prediction_column", column)], params)[:, 0]
    toxic = truth[column].to_numpy(dtype=float) >= 0.5
    overall = _binary_auc(toxic, scores, repr(column))
    per_identity = [
        _jigsaw_subset_aucs(toxic, truth[name].fillna(0).to_numpy(dtype=float) >= 0.5, scores)
        for name in params["identity_columns"]
    ]
    power, weight = params.get("power", -5), params.get("weight", 0.25)
    bias_means = []
    for kind in range(3):
        defined = [aucs[kind] for aucs in per_identity if aucs[kind] is not None]
        if not defined:
            raise MetricInputError(
                "No identity subgroup holds both classes, so the bias AUCs are undefined; grade on a larger split."
            )
        with np.errstate(divide="ignore"):  # an AUC of 0 gives a power mean of 0
            bias_means.append(float(scipy_stats.pmean(defined, power)))
    return float(weight * overall + weight * sum(bias_means))


# ---------------------------------------------------------------------------------------------
# Accuracy.
# ---------------------------------------------------------------------------------------------


def _row_keys(frame_labels: list[np.ndarray]) -> np.ndarray:
    if len(frame_labels) == 1:
        return frame_labels[0]
    # Joining the target columns turns "every target matches" into one label comparison.
    return np.array(["\x1f".join(parts) for parts in zip(*frame_labels, strict=True)])


@metric("accuracy", "maximize", "fraction of rows whose target columns all match exactly")
def accuracy(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Exact-match accuracy over all target columns (also multi-class accuracy)."""
    targets = list(params["targets"])
    y_true = _row_keys([label_strings(truth[c]) for c in targets])
    y_pred = _row_keys([predicted_labels(pred, c, params) for c in targets])
    return float(np.mean(y_true == y_pred))


@metric("top1-error", "minimize", "1 - accuracy of the first predicted label")
def top1_error(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Top-1 classification error; a space-separated ranked prediction counts its first label."""
    column = single_target(params)
    labels = pd.Series(predicted_labels(pred, column, params)).str.split().str[0]
    first = pd.DataFrame({column: labels.fillna("")})
    return 1.0 - accuracy(truth, first, **params)


# ---------------------------------------------------------------------------------------------
# Log losses.
# ---------------------------------------------------------------------------------------------


def _binary_truth(truth: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    labels = truth[list(columns)].to_numpy(dtype=float)
    if not np.isin(labels, [0.0, 1.0]).all():
        raise ValueError(f"answers in {list(columns)!r} must be 0/1 labels")
    return labels


@metric("log-loss", "minimize", "binary log loss of one probability column")
def binary_log_loss(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Binary log loss; the target holds P(label = 1), clipped to [1e-15, 1 - 1e-15]."""
    column = single_target(params)
    y_true = _binary_truth(truth, [column])[:, 0]
    proba = np.clip(probability_values(pred, [column], params)[:, 0], EPS, 1 - EPS)
    return float(sklearn_metrics.log_loss(y_true, proba, labels=[0.0, 1.0]))


def _class_indices(truth: pd.DataFrame, classes: list[str], params: dict[str, Any]) -> np.ndarray:
    """Index of each row's true class, from a label column or from one-hot columns."""
    if "label_column" in params:
        names = label_strings(truth[params["label_column"]])
        position = {name: i for i, name in enumerate(label_strings(pd.Series(classes)))}
        unknown = sorted(set(names) - set(position))
        if unknown:
            raise ValueError(f"answer labels {unknown[:5]!r} are not among the classes")
        return np.array([position[name] for name in names])
    one_hot = truth[classes].to_numpy(dtype=float)
    if not (np.isin(one_hot, [0.0, 1.0]).all() and (one_hot.sum(axis=1) == 1).all()):
        raise ValueError(f"answers in {classes!r} must be one-hot rows")
    return one_hot.argmax(axis=1)


@metric("multiclass-log-loss", "minimize", "multi-class log loss over class columns")
def multiclass_log_loss(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Multi-class log loss as Kaggle computes it: each row is divided by its sum, then clipped.

    `classes` (default the targets): the probability columns of the submission, one per class.
    `label_column` (optional): answer column holding the class name of each row; without it
    the answers hold the same one-hot class columns as the submission.
    """
    classes = list(params.get("classes", params["targets"]))
    proba = probability_values(pred, classes, params)
    row_sums = proba.sum(axis=1, keepdims=True)
    if (row_sums == 0).any():
        position = int(np.argmax(row_sums[:, 0] == 0))
        raise MetricInputError(
            "Each row needs a positive probability for at least one class; "
            f"all are 0 at {row_label(pred, position, params)}."
        )
    proba = np.clip(proba / row_sums, EPS, 1 - EPS)
    y_true = _class_indices(truth, classes, params)
    return float(sklearn_metrics.log_loss(y_true, proba, labels=list(range(len(classes)))))


def _unmelt(frame: pd.DataFrame, id_column: str, value: str, separator: str) -> pd.DataFrame:
    """`<group><sep><column>` rows with one value column -> one row per group, one column each."""
    parts = frame[id_column].astype(str).str.split(separator, n=1, expand=True)
    long = pd.DataFrame({"group": parts[0], "column": parts[1], "value": frame[value]})
    return long.pivot(index="group", columns="column", values="value")


@metric("weighted-multilabel-log-loss", "minimize", "weighted mean of per-label binary log loss")
def weighted_multilabel_log_loss(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Binary log loss per label column, weighted per row and averaged (RSNA 2022 fractures).

    Each row scores sum_c w_c * loss_c / sum_c w_c and rows are averaged; with weights that do
    not depend on the label this is the weighted mean of the per-column log losses.
    `columns` (default the targets): label columns. `weights`: {column: weight} for negative
    labels (default 1). `positive_weights`: {column: weight} for positive labels (default
    `weights`). `melted_separator` (optional): truth and submission are long, with ids
    "<study><separator><column>" and the single target holding the value.
    """
    columns = list(params.get("columns", params["targets"]))
    if "melted_separator" in params:
        value, sep = single_target(params), params["melted_separator"]
        probability_values(pred, [value], params)  # report bad cells with their original ids
        truth = _unmelt(truth, params["id_column"], value, sep)
        pred = _unmelt(pred, params["id_column"], value, sep).reindex(truth.index)
    y_true = _binary_truth(truth, columns)
    proba = np.clip(probability_values(pred, columns, params), EPS, 1 - EPS)
    negative = np.array([params.get("weights", {}).get(c, 1.0) for c in columns], dtype=float)
    positive_map = params.get("positive_weights", params.get("weights", {}))
    positive = np.array([positive_map.get(c, 1.0) for c in columns], dtype=float)
    weights = np.where(y_true == 1, positive, negative)
    # Normalising each row's weights to sum 1 turns sklearn's weighted mean into the row mean.
    sample_weight = weights / weights.sum(axis=1, keepdims=True)
    return float(
        sklearn_metrics.log_loss(y_true.ravel(), proba.ravel(), sample_weight=sample_weight.ravel(), labels=[0.0, 1.0])
    )


# ---------------------------------------------------------------------------------------------
# F1 family.
# ---------------------------------------------------------------------------------------------


def _label_sets(values: np.ndarray) -> list[list[str]]:
    return [value.split() for value in values]


def _f1(truth: pd.DataFrame, pred: pd.DataFrame, average: str, params: dict[str, Any]) -> float:
    column = single_target(params)
    if params.get("multilabel", False):
        # Space-separated label sets; empty cells are empty sets.
        true_sets = _label_sets(truth[column].fillna("").astype(str).to_numpy())
        pred_sets = _label_sets(pred[column].fillna("").astype(str).to_numpy())
        # Classes from both sides, so that labels only the submission names count as false
        # positives (MLE-bench keeps the answers' classes only and drops those).
        binarizer = sklearn_preprocessing.MultiLabelBinarizer(sparse_output=True).fit(true_sets + pred_sets)
        y_true, y_pred = binarizer.transform(true_sets), binarizer.transform(pred_sets)
    else:
        y_true = label_strings(truth[column])
        y_pred = predicted_labels(pred, column, params)
    with library_errors_as_input_errors(f"{average} F1"):
        return float(sklearn_metrics.f1_score(y_true, y_pred, average=average, zero_division=0))


@metric("f1-micro", "maximize", "micro-averaged F1 of labels or label sets")
def f1_micro(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Micro F1; `multilabel: true` reads space-separated label sets per row."""
    return _f1(truth, pred, "micro", params)


@metric("f1-macro", "maximize", "macro-averaged F1 of labels or label sets")
def f1_macro(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Macro F1 over the classes present in answers or submission; `multilabel` as f1-micro."""
    return _f1(truth, pred, "macro", params)


@metric("f1", "maximize", "binary F1 of predicted labels")
def binary_f1(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Binary F1; `pos_label` (default 1, or True for boolean answers) is the positive class."""
    column = single_target(params)
    y_true = label_strings(truth[column])
    default = True if pd.api.types.is_bool_dtype(truth[column]) else 1
    positive = label_strings(pd.Series([params.get("pos_label", default)]))[0]
    y_pred = predicted_labels(pred, column, params)
    with library_errors_as_input_errors("binary F1"):
        return float(sklearn_metrics.f1_score(y_true, y_pred, pos_label=positive, zero_division=0))


@metric("probabilistic-f1", "maximize", "probabilistic F1 (pF1, beta=1) of probabilities")
def probabilistic_f1(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """RSNA breast cancer's pF1: precision and recall with probabilities as soft counts.

    No library implements it. All-zero predictions score 0 (precision is undefined there).
    """
    column = single_target(params)
    positive = _binary_truth(truth, [column])[:, 0] == 1
    proba = probability_values(pred, [column], params)[:, 0]
    if not positive.any():
        raise MetricInputError(
            "The answers hold no positive case, so probabilistic F1 is undefined; grade on a split that contains one."
        )
    soft_true_positives = proba[positive].sum()
    if soft_true_positives == 0:
        return 0.0
    precision = soft_true_positives / proba.sum()
    recall = soft_true_positives / positive.sum()
    return float(2 * precision * recall / (precision + recall))


# ---------------------------------------------------------------------------------------------
# Agreement, ranking of labels, distributions.
# ---------------------------------------------------------------------------------------------


def _integer_labels(frame: pd.DataFrame, column: str, params: dict[str, Any]) -> np.ndarray:
    values = numeric_values(frame, [column], params)[:, 0]
    fractional = values != np.round(values)
    if fractional.any():
        position = int(np.argmax(fractional))
        raise MetricInputError(
            f"Column {column!r} must hold integer grades; round {shown(values[position])} "
            f"at {row_label(frame, position, params)}."
        )
    return values.astype(np.int64)


@metric("quadratic-weighted-kappa", "maximize", "Cohen's kappa with quadratic weights")
def quadratic_weighted_kappa(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Quadratic weighted kappa of integer grades; undefined (both constant) scores 0."""
    column = single_target(params)
    y_true = _integer_labels(truth, column, params)
    y_pred = _integer_labels(pred, column, params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kappa = float(sklearn_metrics.cohen_kappa_score(y_true, y_pred, weights="quadratic"))
    return kappa if np.isfinite(kappa) else 0.0


@metric("matthews-corrcoef", "maximize", "Matthews correlation coefficient of labels")
def matthews_correlation(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Matthews correlation (binary or multi-class labels); undefined scores 0 as in sklearn."""
    column = single_target(params)
    y_pred = predicted_labels(pred, column, params)
    with library_errors_as_input_errors("Matthews correlation"):
        return float(sklearn_metrics.matthews_corrcoef(label_strings(truth[column]), y_pred))


@metric("lwlrap", "maximize", "label-weighted label-ranking average precision")
def lwlrap(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Freesound's lwlrap: every true (row, label) pair counts once, so rows weigh by labels.

    That is sklearn's LRAP with sample weight = number of true labels of the row; rows with
    no true label carry no weight and are left out (sklearn would score them 1).
    Targets are the class columns: 0/1 in the answers, any finite scores in the submission.
    """
    classes = list(params["targets"])
    y_true = _binary_truth(truth, classes)
    scores = numeric_values(pred, classes, params)
    labels_per_row = y_true.sum(axis=1)
    rows = labels_per_row > 0
    if not rows.any():
        raise ValueError("lwlrap needs at least one answer row with a true label")
    return float(
        sklearn_metrics.label_ranking_average_precision_score(
            y_true[rows], scores[rows], sample_weight=labels_per_row[rows]
        )
    )


@metric("kl-divergence", "minimize", "mean over rows of KL(truth || prediction)")
def kl_divergence(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """HMS brain activity: mean over rows of sum p * log(p / q), q clipped to [1e-15, 1 - 1e-15].

    Targets are the class columns. Answer rows (expert vote counts) are divided by their sum;
    submission rows must be probabilities that sum to 1 (within 1e-5).
    """
    classes = list(params["targets"])
    votes = truth[classes].to_numpy(dtype=float)
    if (votes.sum(axis=1) <= 0).any():
        raise ValueError(f"every answer row needs a positive total over {classes!r}")
    expected = votes / votes.sum(axis=1, keepdims=True)
    proba = probability_values(pred, classes, params)
    off = np.abs(proba.sum(axis=1) - 1) > 1e-5
    if off.any():
        position = int(np.argmax(off))
        raise MetricInputError(
            f"Each row's probabilities must sum to 1; they sum to {proba[position].sum():.6g} "
            f"at {row_label(pred, position, params)}."
        )
    # rel_entr is 0 where the answer probability is 0, the convention Kaggle's metric uses.
    per_row = scipy_special.rel_entr(expected, np.clip(proba, EPS, 1 - EPS)).sum(axis=1)
    return float(per_row.mean())
