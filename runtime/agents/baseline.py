"""The baseline agent: a cross-validated gradient-boosting model for a tabular competition, no LLM.

It reads the public data and the task card, engineers features generically
(`podium.runtime.agents.tabular`), scores two or three model configurations by k-fold
cross-validation on the training split with the competition's own metric (podium's metric
registry, the same code that grades), refits the best on all training rows and writes the
submission in the sample submission's ids, columns, order and value types. Classification or
regression follows the metric, then the target's values; metrics on logarithms train on the
logarithm of the target. The same seed gives the same submission.

    python -m podium.runtime.agents.baseline [--data-dir DIR] [--submission-dir DIR] [--seed N]

Scaffold params: `folds` (default 5). Exit codes: 0 submission written, 1 failed (the log says why).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold
from threadpoolctl import threadpool_limits

from podium.runtime.agents.contract import (
    AgentLog,
    AgentPaths,
    ContractError,
    TaskCard,
    chosen_seed,
    parse_contract_arguments,
    read_task_card,
    scaffold_settings,
    submission_problem,
)
from podium.runtime.agents.tabular import engineer_features

EXIT_OK, EXIT_FAILED = 0, 1
DEFAULT_FOLDS = 5
Kind = Literal["classification", "regression"]

CLASSIFICATION_METRICS = frozenset(
    {
        "accuracy",
        "auc",
        "log-loss",
        "multiclass-log-loss",
        "f1",
        "f1-micro",
        "f1-macro",
        "matthews-corrcoef",
        "quadratic-weighted-kappa",
        "top1-error",
        "mean-column-auc",
        "weighted-auc",
        "probabilistic-f1",
    }
)
PROBABILITY_METRICS = frozenset({"auc", "log-loss", "mean-column-auc", "weighted-auc", "probabilistic-f1"})
REGRESSION_METRICS = frozenset(
    {"rmse", "rmse-log", "rmsle", "mean-column-rmsle", "mae", "mcrmse", "spearman", "pearson"}
)
# Metrics on logarithms: train on the transformed target so that the loss matches the metric.
LOG_TARGETS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "rmse-log": (np.log, np.exp),
    "rmsle": (np.log1p, np.expm1),
    "mean-column-rmsle": (np.log1p, np.expm1),
}
MAX_CLASSES_FROM_INTEGERS = 20
PARALLEL_FROM_ROWS = 100_000  # an integer target with at most this many values is taken as labels


class BaselineError(Exception):
    """The data does not fit what the baseline can model; the message says why."""


@dataclass(frozen=True)
class Problem:
    """How one target is modelled and scored."""

    target: str
    kind: Kind
    probabilities: bool
    metric: str | None
    lower_is_better: bool
    transform: tuple[Callable[[Any], Any], Callable[[Any], Any]] | None = None


@dataclass
class TargetResult:
    target: str
    kind: Kind
    scores: dict[str, float] = field(default_factory=dict)
    chosen: str = ""


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_contract_arguments("baseline", "podium's tabular baseline agent", argv)
    paths = AgentPaths.from_arguments(arguments)
    log = AgentLog(paths.logs, "baseline")
    try:
        settings = scaffold_settings(arguments.scaffold)
        run_baseline(paths, chosen_seed(arguments), _folds(settings), log)
    except (ContractError, BaselineError) as error:
        log(f"failed: {error}")
        return EXIT_FAILED
    except (ValueError, TypeError, KeyError, MemoryError) as error:  # pandas or scikit-learn refused the data
        log(f"failed: the baseline cannot model this data: {type(error).__name__}: {error}")
        return EXIT_FAILED
    return EXIT_OK


def _folds(settings: dict[str, Any]) -> int:
    folds = (settings.get("params") or {}).get("folds", DEFAULT_FOLDS)
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ContractError(f"the baseline's params.folds is {folds!r}; give a whole number of folds, at least 2")
    return folds


def run_baseline(paths: AgentPaths, seed: int, folds: int, log: Callable[[str], None]) -> list[TargetResult]:
    """Fit, choose and predict every target; write the submission and a JSON summary in the logs."""
    started = time.monotonic()
    card = read_task_card(paths)
    train, test, sample = load_tables(paths, card)
    shared = [column for column in train.columns if column in test.columns and column not in card.targets]
    features_train, features_test = engineer_features(train[shared], test[shared], card.id_column)
    log(f"{len(train)} training rows, {len(test)} test rows, {features_train.shape[1]} features, seed {seed}")
    predictions: dict[str, np.ndarray] = {}
    results = []
    for target in card.targets:
        problem = describe_problem(card, target, train[target])
        result, predictions[target] = fit_target(problem, features_train, train[target], features_test, folds, seed)
        log(f"{target}: {problem.kind}, cross-validated {result.scores}, chose {result.chosen}")
        results.append(result)
    write_submission(paths, card, sample, test[card.id_column], predictions)
    _write_summary(paths, card, seed, folds, results, time.monotonic() - started)
    log(f"wrote {paths.submission_file} in {time.monotonic() - started:.1f}s")
    return results


def load_tables(paths: AgentPaths, card: TaskCard) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    tables = []
    for name in (card.train, card.test, paths.sample_submission.name):
        path = paths.data / name
        if not path.is_file():
            raise BaselineError(f"{path} does not exist; the baseline needs {card.train}, {card.test} and the sample")
        tables.append(pd.read_csv(path, dtype={card.id_column: str}, low_memory=False))
    train, test, sample = tables
    for table, name in ((train, card.train), (test, card.test), (sample, paths.sample_submission.name)):
        if card.id_column not in table:
            raise BaselineError(f"{name} has no id column {card.id_column!r}; the task card names it")
    missing = [t for t in card.targets if t not in train]
    if missing:
        raise BaselineError(f"{card.train} has no target column {missing[0]!r}; it is not a single training table")
    if train[card.targets].isna().any().any():
        train = train.dropna(subset=card.targets).reset_index(drop=True)
    return train, test, sample


def describe_problem(card: TaskCard, target: str, values: pd.Series) -> Problem:
    metric = card.metric
    kind: Kind
    if metric in CLASSIFICATION_METRICS or "labels" in card.inputs or "probabilities" in card.inputs:
        kind = "classification"
    elif metric in REGRESSION_METRICS or "numbers" in card.inputs:
        kind = "regression"
    else:
        kind = _kind_from_values(values)
    probabilities = metric in PROBABILITY_METRICS or "probabilities" in card.inputs
    lower = card.lower_is_better if card.direction else _registry_direction(metric, kind) == "minimize"
    transform = LOG_TARGETS.get(metric or "") if kind == "regression" else None
    if transform is not None and (values <= (0 if metric == "rmse-log" else -1)).any():
        transform = None  # the logarithm is undefined on these targets; train on the raw values
    return Problem(target, kind, probabilities, metric, lower, transform)


def _kind_from_values(values: pd.Series) -> Kind:
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    whole = np.allclose(values, np.round(values))
    return "classification" if whole and values.nunique() <= MAX_CLASSES_FROM_INTEGERS else "regression"


def _registry_direction(metric: str | None, kind: Kind) -> str:
    from podium.runtime.grading.registry import get_metric

    try:
        return get_metric(metric).direction if metric else _fallback_direction(kind)
    except KeyError:
        return _fallback_direction(kind)


def _fallback_direction(kind: Kind) -> str:
    return "maximize" if kind == "classification" else "minimize"


# ── models ───────────────────────────────────────────────────────────────────────────────────


def candidate_models(kind: Kind, seed: int, threads: int) -> dict[str, BaseEstimator]:
    """Two or three configurations: LightGBM's when it is installed, scikit-learn's otherwise."""
    hist = HistGradientBoostingClassifier if kind == "classification" else HistGradientBoostingRegressor
    shared = {"random_state": seed, "early_stopping": False}
    candidates: dict[str, BaseEstimator] = {
        "hist-gb": hist(max_iter=300, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0, **shared),
    }
    lightgbm = _lightgbm()
    if lightgbm is None:
        candidates["hist-gb-deep"] = hist(max_iter=600, learning_rate=0.03, max_leaf_nodes=31, **shared)
        return candidates
    model = lightgbm.LGBMClassifier if kind == "classification" else lightgbm.LGBMRegressor
    common = {
        "random_state": seed,
        "n_jobs": threads,
        "deterministic": True,
        "force_row_wise": True,
        "verbose": -1,
        "subsample_freq": 1,
    }
    candidates["lgbm-small"] = model(
        n_estimators=300,
        learning_rate=0.05,
        num_leaves=15,
        subsample=0.8,
        colsample_bytree=0.8,
        reg_lambda=1.0,
        **common,
    )
    candidates["lgbm-large"] = model(
        n_estimators=800,
        learning_rate=0.02,
        num_leaves=31,
        min_child_samples=10,
        subsample=0.8,
        colsample_bytree=0.6,
        reg_lambda=2.0,
        **common,
    )
    return candidates


def _lightgbm() -> Any:
    try:
        import lightgbm
    except ImportError:
        return None
    return lightgbm


def fit_target(
    problem: Problem, features: pd.DataFrame, target: pd.Series, test: pd.DataFrame, folds: int, seed: int
) -> tuple[TargetResult, np.ndarray]:
    """Cross-validate each candidate, refit the best on every row, predict the test rows."""
    folds = max(2, min(folds, len(features) // 2))  # a tiny table still gets two folds
    threads = _threads(len(features))
    candidates = candidate_models(problem.kind, seed, threads)
    encoded, classes = _encode_target(problem, target)
    result = TargetResult(problem.target, problem.kind)
    with threadpool_limits(limits=threads):  # scikit-learn's OpenMP pool, like LightGBM's n_jobs
        for name, model in candidates.items():
            result.scores[name] = cross_validated_score(problem, model, features, encoded, classes, folds, seed)
        pick = min if problem.lower_is_better else max
        result.chosen = pick(result.scores, key=lambda name: _comparable(result.scores[name], problem))
        final = clone(candidates[result.chosen]).fit(features, encoded)
        return result, _predict(problem, final, test, classes)


def _comparable(score: float, problem: Problem) -> float:
    worst = np.inf if problem.lower_is_better else -np.inf
    return score if np.isfinite(score) else worst


def _threads(rows: int) -> int:
    """One thread for small tables: thread start-up and contention cost more than the trees."""
    if rows < PARALLEL_FROM_ROWS:
        return 1
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, available)


def _encode_target(problem: Problem, target: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    if problem.kind == "classification":
        classes, codes = np.unique(target.to_numpy(), return_inverse=True)
        if len(classes) < 2:
            raise BaselineError(f"target {problem.target!r} has one value only; there is nothing to learn")
        return codes, classes
    values = target.to_numpy(dtype=float)
    return (problem.transform[0](values) if problem.transform else values), None


def cross_validated_score(
    problem: Problem,
    model: BaseEstimator,
    features: pd.DataFrame,
    encoded: np.ndarray,
    classes: np.ndarray | None,
    folds: int,
    seed: int,
) -> float:
    """Mean metric over k folds, scored on the original target values as grading would score them."""
    if problem.kind == "classification":
        splitter: KFold | StratifiedKFold = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = []
    for fit_rows, held_rows in splitter.split(features, encoded):
        fitted = clone(model).fit(features.iloc[fit_rows], encoded[fit_rows])
        predicted = _predict(problem, fitted, features.iloc[held_rows], classes)
        truth = classes[encoded[held_rows]] if classes is not None else _original(problem, encoded[held_rows])
        scores.append(score_predictions(problem, truth, predicted))
    return float(np.mean(scores))


def _original(problem: Problem, values: np.ndarray) -> np.ndarray:
    return problem.transform[1](values) if problem.transform else values


def _predict(problem: Problem, model: Any, features: pd.DataFrame, classes: np.ndarray | None) -> np.ndarray:
    if classes is None:
        return _original(problem, model.predict(features))
    if problem.probabilities and len(classes) == 2:
        return model.predict_proba(features)[:, 1]
    return classes[model.predict(features).astype(int)]


def score_predictions(problem: Problem, truth: np.ndarray, predicted: np.ndarray) -> float:
    """The competition's metric from podium's registry; a plain accuracy or RMSE when it has none."""
    from podium.runtime.grading.registry import MetricInputError, get_metric

    ids = np.arange(len(truth)).astype(str)
    frames = (pd.DataFrame({"id": ids, problem.target: values}) for values in (truth, predicted))
    truth_frame, pred_frame = frames
    if problem.metric:
        try:
            metric = get_metric(problem.metric)
            return metric(truth_frame, pred_frame, id_column="id", targets=[problem.target])
        except (KeyError, MetricInputError, ValueError, TypeError):
            pass  # a metric that needs more than one column or other inputs: fall back below
    if problem.kind == "classification" and not problem.probabilities:
        return float(accuracy_score(truth.astype(str), predicted.astype(str)))
    return float(np.sqrt(mean_squared_error(truth.astype(float), predicted.astype(float))))


# ── submission ───────────────────────────────────────────────────────────────────────────────


def write_submission(
    paths: AgentPaths, card: TaskCard, sample: pd.DataFrame, test_ids: pd.Series, predictions: dict[str, np.ndarray]
) -> None:
    """The sample submission with its target columns replaced, row for row by id, in its value types."""
    position = pd.Series(np.arange(len(test_ids)), index=test_ids.to_numpy())
    if position.index.has_duplicates:
        raise BaselineError(f"{card.test} repeats ids in {card.id_column!r}; cannot map predictions to rows")
    rows = position.reindex(sample[card.id_column].to_numpy())
    if rows.isna().any():
        missing = sample[card.id_column][rows.isna().to_numpy()].iloc[0]
        raise BaselineError(f"the sample submission's id {missing!r} is not in {card.test}")
    submission = sample.copy()
    for target, values in predictions.items():
        submission[target] = _like_sample(values[rows.to_numpy(dtype=int)], sample[target])
    paths.submission.mkdir(parents=True, exist_ok=True)
    partial = paths.submission_file.with_suffix(".partial")
    submission.to_csv(partial, index=False)
    os.replace(partial, paths.submission_file)
    problem = submission_problem(paths.submission_file, paths, card)
    if problem is not None:
        raise BaselineError(f"the written submission does not pass the submission checks: {problem}")


def _like_sample(values: np.ndarray, sample_column: pd.Series) -> np.ndarray:
    """Labels in the sample's type (True/False, 0/1); numbers stay as they are."""
    if pd.api.types.is_bool_dtype(sample_column) and values.dtype.kind in "biu":
        return values.astype(bool)
    if pd.api.types.is_integer_dtype(sample_column) and values.dtype.kind in "biu":
        return values.astype(np.int64)
    return values


def _write_summary(
    paths: AgentPaths, card: TaskCard, seed: int, folds: int, results: list[TargetResult], seconds: float
) -> None:
    summary = {
        "competition_id": card.competition_id,
        "metric": card.metric,
        "seed": seed,
        "folds": folds,
        "seconds": round(seconds, 2),
        "targets": [result.__dict__ for result in results],
    }
    try:
        paths.logs.mkdir(parents=True, exist_ok=True)
        (paths.logs / "baseline.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    except OSError:
        pass  # the summary is for people; a read-only logs folder must not fail the run


if __name__ == "__main__":
    raise SystemExit(main())
