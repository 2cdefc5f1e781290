"""Regression metrics: squared, log and absolute errors, correlations, and domain errors.

Every metric reads its columns from `params["targets"]` unless a param below says otherwise.
`mask_column` (optional; all but log-mae-by-group, mean-angular-error and haversine-p50-p95):
an answer column; only rows where it equals `mask_equals` (default true) are scored. It serves
stanford-covid-vaccine (`keep`) and ventilator-pressure-prediction (`u_out` equal to 0: the
inspiratory phase). OSIC finds its scored rows itself (`last_measured`), as MLE-bench's grader
does, so MLE-bench's answers, which carry no such column, grade unchanged.

Name (direction): MLE-bench competitions it serves; extra params.

- rmse (min): denoising-dirty-documents, new-york-city-taxi-fare-prediction,
  petfinder-pawpularity-score.
- rmsle (min): a single column, or all targets pooled.
- mean-column-rmsle (min): nomad2018-predict-transparent-conductors.
- mcrmse (min): stanford-covid-vaccine; `mask_column`.
- mae (min): predict-volcanic-eruptions-ingv-oe, ventilator-pressure-prediction (with the mask).
- log-mae-by-group (min): champs-scalar-coupling; `group_column`.
- spearman (max): google-quest-challenge.
- pearson (max): us-patent-phrase-to-phrase-matching.
- laplace-log-likelihood (max): osic-pulmonary-fibrosis-progression; `confidence_column`,
  `last_measured` (or `mask_column`).
- mean-angular-error (min): icecube-neutrinos-in-deep-ice; `azimuth_column`, `zenith_column`.
- haversine-p50-p95 (min): smartphone-decimeter-2022; `group_column`, `latitude_column`,
  `longitude_column`.

A correlation with a constant column (either side) is undefined; it counts as 0, "no
information", so a constant baseline gets a score instead of an invalid report.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from podium.runtime.grading.metrics.classification import numeric_values, single_target
from podium.runtime.grading.metrics.lazy import scipy_stats
from podium.runtime.grading.registry import MetricInputError, metric

# CHAMPS floors each group's MAE so that a perfect group does not score log(0).
MAE_FLOOR = 1e-9
# smartphone-decimeter-2022 measures on a sphere of this radius, in metres.
EARTH_RADIUS_M = 6_371_000.0


def _scored_rows(truth: pd.DataFrame, params: dict[str, Any]) -> np.ndarray:
    if "mask_column" not in params:
        return np.ones(len(truth), dtype=bool)
    return (truth[params["mask_column"]] == params.get("mask_equals", True)).to_numpy(dtype=bool)


def _target_values(truth: pd.DataFrame, pred: pd.DataFrame, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Answers and predictions of the targets as float matrices, scored rows only."""
    targets = list(params["targets"])
    y_pred = numeric_values(pred, targets, params)
    y_true = truth[targets].to_numpy(dtype=float)
    rows = _scored_rows(truth, params)
    return y_true[rows], y_pred[rows]


def _mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> Any:
    """Per column for matrices, one number for vectors (numpy: no scikit-learn import to pay for)."""
    return np.mean((y_true - y_pred) ** 2, axis=0)


def _non_negative(y_pred: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    if (y_pred < 0).any():
        raise MetricInputError(
            f"RMSLE needs predictions >= 0 in {list(params['targets'])!r}; "
            f"found {y_pred.min()!r}, so clip predictions at 0."
        )
    return y_pred


@metric("rmse", "minimize", "root mean squared error")
def rmse(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """RMSE over every target value (several targets are pooled; see `mcrmse`)."""
    y_true, y_pred = _target_values(truth, pred, params)
    return float(np.sqrt(_mean_squared_error(y_true.ravel(), y_pred.ravel())))


@metric("rmse-log", "minimize", "root mean squared error between natural logs")
def rmse_log(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """RMSE of log(pred) against log(truth), as House Prices scores; predictions must be > 0.

    Unlike RMSLE there is no +1: Kaggle's House Prices takes the plain logarithm.
    """
    y_true, y_pred = _target_values(truth, pred, params)
    if (y_pred <= 0).any():
        raise MetricInputError(
            f"RMSE of logs needs predictions > 0 in {list(params['targets'])!r}; "
            f"found {y_pred.min()!r}, so predict positive values."
        )
    return float(np.sqrt(_mean_squared_error(np.log(y_true.ravel()), np.log(y_pred.ravel()))))


@metric("rmsle", "minimize", "root mean squared logarithmic error")
def rmsle(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """RMSLE over every target value; predictions must be >= 0."""
    y_true, y_pred = _target_values(truth, pred, params)
    y_pred = _non_negative(y_pred, params)
    return float(np.sqrt(_mean_squared_error(np.log1p(y_true.ravel()), np.log1p(y_pred.ravel()))))


@metric("mean-column-rmsle", "minimize", "mean over targets of per-column RMSLE")
def mean_column_rmsle(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """RMSLE per target column, averaged (nomad2018: formation and bandgap energies)."""
    y_true, y_pred = _target_values(truth, pred, params)
    y_pred = _non_negative(y_pred, params)
    errors = _mean_squared_error(np.log1p(y_true), np.log1p(y_pred))
    return float(np.mean(np.sqrt(errors)))


@metric("mcrmse", "minimize", "mean column-wise root mean squared error")
def mcrmse(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """RMSE per target column, averaged (stanford-covid-vaccine masks unscored positions)."""
    y_true, y_pred = _target_values(truth, pred, params)
    errors = _mean_squared_error(y_true, y_pred)
    return float(np.mean(np.sqrt(errors)))


@metric("mae", "minimize", "mean absolute error")
def mae(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """MAE over every target value."""
    y_true, y_pred = _target_values(truth, pred, params)
    return float(np.mean(np.abs(y_true - y_pred)))


@metric("log-mae-by-group", "minimize", "mean over groups of log(MAE)")
def log_mae_by_group(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """CHAMPS: log of each group's MAE (floored at 1e-9), averaged over groups.

    `group_column`: the answer column naming each row's group (the coupling `type`).
    """
    column = single_target(params)
    errors = np.abs(truth[column].to_numpy(dtype=float) - numeric_values(pred, [column], params)[:, 0])
    group_mae = pd.Series(errors).groupby(truth[params["group_column"]].to_numpy()).mean()
    return float(np.mean(np.log(np.maximum(group_mae.to_numpy(), MAE_FLOOR))))


def _mean_correlation(
    truth: pd.DataFrame,
    pred: pd.DataFrame,
    params: dict[str, Any],
    correlation: Callable[[np.ndarray, np.ndarray], Any],
) -> float:
    y_true, y_pred = _target_values(truth, pred, params)
    scores = []
    for i in range(y_true.shape[1]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy warns on constant input and returns nan
            value = float(correlation(y_true[:, i], y_pred[:, i])[0])
        scores.append(value if np.isfinite(value) else 0.0)
    return float(np.mean(scores))


@metric("spearman", "maximize", "Spearman rank correlation, mean over targets")
def spearman(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Spearman correlation per target column, averaged; constant columns count 0."""
    return _mean_correlation(truth, pred, params, scipy_stats.spearmanr)


@metric("pearson", "maximize", "Pearson correlation, mean over targets")
def pearson(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Pearson correlation per target column, averaged; constant columns count 0."""
    return _mean_correlation(truth, pred, params, scipy_stats.pearsonr)


def _last_measured_rows(truth: pd.DataFrame, column: str, params: dict[str, Any]) -> np.ndarray:
    """Each patient's last `last_measured` weeks that have a true value, as MLE-bench's grader picks them.

    The id is `<Patient>_<Weeks>` ("ID00007637202177411956430_-4"): the week is the number after
    the last "_", the patient what comes before it. Unmeasured weeks (no true value) are never
    scored.
    """
    patient, _, week = truth[params["id_column"]].astype(str).str.rpartition("_").T.to_numpy()
    try:
        weeks = pd.Series(week).astype(int)
    except ValueError as error:
        raise ValueError(f"last_measured needs ids '<patient>_<week>' with an integer week: {error}") from None
    rows = pd.DataFrame({"patient": patient, "week": weeks.to_numpy()})[truth[column].notna().to_numpy()]
    chosen = rows.sort_values("week", kind="stable").groupby("patient").tail(int(params["last_measured"])).index
    return np.isin(np.arange(len(truth)), chosen)


@metric("laplace-log-likelihood", "maximize", "OSIC modified Laplace log likelihood")
def laplace_log_likelihood(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """OSIC: mean of -sqrt(2) * delta / sigma - ln(sqrt(2) * sigma).

    sigma = max(Confidence, 70) and delta = min(|FVC - predicted FVC|, 1000). The target is
    the FVC column; `confidence_column` (default "Confidence") is read from the submission,
    and an empty confidence counts as the 70 floor, as MLE-bench grades it. `last_measured: 3`
    scores only each patient's three last measured weeks (see `_last_measured_rows`);
    otherwise `mask_column` picks the rows, or every row is scored.
    """
    column = single_target(params)
    confidence_column = params.get("confidence_column", "Confidence")
    rows = _last_measured_rows(truth, column, params) if "last_measured" in params else _scored_rows(truth, params)
    predicted = numeric_values(pred, [column], params)[rows, 0]
    confidence = pred.assign(**{confidence_column: pred[confidence_column].fillna(0)})
    sigma = np.maximum(numeric_values(confidence, [confidence_column], params)[rows, 0], 70)
    delta = np.minimum(np.abs(truth[column].to_numpy(dtype=float)[rows] - predicted), 1000)
    return float(np.mean(-np.sqrt(2) * delta / sigma - np.log(np.sqrt(2) * sigma)))


def _unit_vectors(azimuth: np.ndarray, zenith: np.ndarray) -> np.ndarray:
    return np.stack(
        [np.sin(zenith) * np.cos(azimuth), np.sin(zenith) * np.sin(azimuth), np.cos(zenith)],
        axis=1,
    )


@metric("mean-angular-error", "minimize", "mean angle between true and predicted directions")
def mean_angular_error(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """IceCube: directions (radians) to unit vectors, mean arccos of their dot product.

    `azimuth_column` and `zenith_column` default to "azimuth" and "zenith".
    """
    columns = [params.get("azimuth_column", "azimuth"), params.get("zenith_column", "zenith")]
    predicted = numeric_values(pred, columns, params)
    actual = truth[columns].to_numpy(dtype=float)
    dots = np.sum(_unit_vectors(*actual.T) * _unit_vectors(*predicted.T), axis=1)
    # Rounding can push a dot product of unit vectors just past +-1.
    return float(np.mean(np.arccos(np.clip(dots, -1.0, 1.0))))


def _haversine_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> Any:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@metric("haversine-p50-p95", "minimize", "mean over phones of (p50 + p95) / 2 haversine error")
def haversine_p50_p95(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """smartphone-decimeter-2022: per group, the mean of the 50th and 95th percentile
    haversine distance in metres; averaged over groups.

    `group_column` (default "tripId", the phone's trip), `latitude_column` (default
    "LatitudeDegrees") and `longitude_column` (default "LongitudeDegrees").
    """
    lat = params.get("latitude_column", "LatitudeDegrees")
    lon = params.get("longitude_column", "LongitudeDegrees")
    predicted = numeric_values(pred, [lat, lon], params)
    if (np.abs(predicted[:, 0]) > 90).any():
        raise MetricInputError(f"Column {lat!r} must hold latitudes in [-90, 90] degrees.")
    actual = truth[[lat, lon]].to_numpy(dtype=float)
    distances = pd.Series(_haversine_m(actual[:, 0], actual[:, 1], *predicted.T))
    by_group = distances.groupby(truth[params.get("group_column", "tripId")].to_numpy())
    per_group = (by_group.quantile(0.5) + by_group.quantile(0.95)) / 2
    return float(per_group.mean())
