"""Text metrics: exact match, edit distances, word overlap, and cell-order correlation.

Each metric compares the single target column of answers and submission as strings; an
empty cell is the empty string (pandas reads "" as NaN).

Name (direction): MLE-bench competitions it serves.

- token-accuracy (max): text-normalization-challenge-english-language,
  text-normalization-challenge-russian-language.
- levenshtein (min): billion-word-imputation, bms-molecular-translation.
- normalized-levenshtein (min): mean of distance / length of the longer string.
- sequence-edit-rate (min): multi-modal-gesture-recognition.
- word-jaccard (max): tweet-sentiment-extraction, chaii-hindi-and-tamil-question-answering.
- kendall-tau-cell-order (max): AI4Code.
- tf2qa-f1 (max): tensorflow2-question-answering.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz.distance import Levenshtein

from podium.runtime.grading.metrics.classification import row_label, single_target
from podium.runtime.grading.metrics.lazy import scipy_stats, sklearn_metrics, sklearn_preprocessing
from podium.runtime.grading.registry import MetricInputError, metric


def _texts(frame: pd.DataFrame, column: str) -> list[str]:
    return [str(value) for value in frame[column].fillna("")]


def _paired_texts(truth: pd.DataFrame, pred: pd.DataFrame, params: dict[str, Any]) -> tuple[list[str], list[str]]:
    column = single_target(params)
    return _texts(truth, column), _texts(pred, column)


@metric("token-accuracy", "maximize", "fraction of rows whose text equals the answer exactly")
def token_accuracy(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Text normalization: a row counts only if its normalized text is exactly the answer."""
    expected, predicted = _paired_texts(truth, pred, params)
    return float(np.mean(np.array(expected, dtype=object) == np.array(predicted, dtype=object)))


@metric("levenshtein", "minimize", "mean Levenshtein distance per row")
def levenshtein(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Mean character-level Levenshtein distance between answer and submitted strings."""
    expected, predicted = _paired_texts(truth, pred, params)
    return float(np.mean([Levenshtein.distance(a, b) for a, b in zip(expected, predicted, strict=True)]))


@metric("normalized-levenshtein", "minimize", "mean normalized Levenshtein distance per row")
def normalized_levenshtein(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Mean of Levenshtein distance / length of the longer string (0 for two empty strings)."""
    expected, predicted = _paired_texts(truth, pred, params)
    distances = [Levenshtein.normalized_distance(a, b) for a, b in zip(expected, predicted, strict=True)]
    return float(np.mean(distances))


@metric("sequence-edit-rate", "minimize", "token edit distance per answer token")
def sequence_edit_rate(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Multi-modal gesture recognition: the sum over rows of the Levenshtein distance between
    space-separated token sequences, divided by the number of answer tokens (may exceed 1).
    """
    expected, predicted = _paired_texts(truth, pred, params)
    expected_tokens = [text.split() for text in expected]
    total = sum(len(tokens) for tokens in expected_tokens)
    if total == 0:
        raise ValueError("the answers hold no tokens, so the edit rate is undefined")
    edits = sum(
        Levenshtein.distance(tokens, text.split()) for tokens, text in zip(expected_tokens, predicted, strict=True)
    )
    return float(edits / total)


@metric("word-jaccard", "maximize", "mean word-set Jaccard similarity per row")
def word_jaccard(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """Mean over rows of |A & B| / |A | B| for lowercase whitespace-split word sets.

    Two empty strings score 1.0 (identical, though Kaggle's reference divides by zero there).
    """
    expected, predicted = _paired_texts(truth, pred, params)
    expected_words = [set(text.lower().split()) for text in expected]
    predicted_words = [set(text.lower().split()) for text in predicted]
    # two labels no whitespace-split word can equal keep the matrix multilabel for scikit-learn,
    # which would read a single word column as binary (and none at all as unknown)
    classes = [*sorted(set().union(*expected_words, *predicted_words)), " ", "  "]
    binarizer = sklearn_preprocessing.MultiLabelBinarizer(classes=classes, sparse_output=True).fit([])
    return float(
        sklearn_metrics.jaccard_score(
            binarizer.transform(expected_words),
            binarizer.transform(predicted_words),
            average="samples",
            zero_division=1.0,
        )
    )


def _order_positions(expected: list[str], predicted: list[str]) -> list[int] | None:
    """Position in the true order of each predicted cell; None unless a permutation."""
    position = {cell: i for i, cell in enumerate(expected)}
    if len(predicted) != len(expected) or set(predicted) != set(position):
        return None
    return [position[cell] for cell in predicted]


@metric("kendall-tau-cell-order", "maximize", "AI4Code global Kendall tau of cell orders")
def kendall_tau_cell_order(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """AI4Code: 1 - 4 * (total inversions) / (sum over rows of n * (n - 1)).

    Each row is a space-separated list of cell ids; the submission must order the same ids.
    """
    expected, predicted = _paired_texts(truth, pred, params)
    shifted_ranks: list[int] = []
    pair_weight, offset = 0, 0
    for row, (true_order, pred_order) in enumerate(zip(expected, predicted, strict=True)):
        cells = true_order.split()
        ranks = _order_positions(cells, pred_order.split())
        if ranks is None:
            raise MetricInputError(
                f"The cell order at {row_label(pred, row, params)} must list each of its "
                f"{len(cells)} cell ids exactly once."
            )
        # Shifting each row past the previous ones makes every cross-row pair concordant,
        # so one scipy call over all rows counts exactly the within-row inversions.
        shifted_ranks.extend(offset + rank for rank in ranks)
        offset += len(cells)
        pair_weight += len(cells) * (len(cells) - 1)
    if pair_weight == 0:
        raise ValueError("the answers hold no notebook with two or more cells")
    tau = float(scipy_stats.kendalltau(np.arange(offset), shifted_ranks).statistic)
    all_pairs = offset * (offset - 1) / 2
    inversions = (1 - tau) * all_pairs / 2  # tau = (concordant - discordant) / all pairs
    return float(1 - 4 * inversions / pair_weight)


# --- TensorFlow 2.0 question answering ---------------------------------------------------------

QA_ANSWER_FORMS = "'START:END' token span, YES, NO, or empty"


def _qa_answer(text: str) -> tuple[int, int] | str | None:
    """One answer as MLE-bench reads it: a (start, end) span, "YES", "NO", or None for none."""
    text = text.strip()
    if text in ("YES", "NO"):
        return text
    if not text:
        return None
    start, colon, end = text.partition(":")
    if colon and ":" not in end:
        with contextlib.suppress(ValueError):
            return int(start), int(end)
    raise MetricInputError(f"{text!r} is not an answer; write a {QA_ANSWER_FORMS}")


def _qa_acceptable(text: str, row_id: object) -> set[tuple[int, int] | str]:
    """The answers a row accepts, listed space-separated in the answers file."""
    try:
        return {answer for answer in map(_qa_answer, text.split()) if answer is not None}
    except MetricInputError as error:
        raise ValueError(f"answers for id {row_id!r}: {error}") from None


@metric("tf2qa-f1", "maximize", "TensorFlow 2.0 QA micro F1 over long and short answers")
def tf2qa_f1(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    """TensorFlow 2.0 Question Answering, as MLE-bench grades it.

    Rows are `<example_id>_long` and `<example_id>_short`. A submission cell holds one answer:
    a "START:END" token span, YES, NO (short answers), or nothing. The answers file's cell of
    the same row lists every acceptable answer, space-separated, and is empty when the row has
    none. MLE-bench's prepared `private/gold_submission.csv` (one acceptable answer a row) is
    such a file; so is one derived from its `private/test.jsonl` annotations (long row: the
    long-answer span unless its start is -1; short row: every short-answer span, plus the
    yes/no answer unless NONE), which also accepts the second and later short spans.

    MLE-bench labels each row (prediction given: y_pred 1, y_true 1 when it is acceptable;
    nothing given: y_pred 0, y_true 1 when an answer exists) and takes scikit-learn's
    micro-averaged F1 over both labels, which for single-label rows equals the share of rows
    where y_true == y_pred: a right answer, or no answer where none exists. That share is the
    score. Kaggle's own F1 leaves the empty-and-right rows out, so scores are not on the scale of
    Kaggle's leaderboard; MLE-bench places them on it all the same, and so does podium.

    No params: the single target column (`PredictionString`) holds the answers on both sides;
    the grader spec should declare `inputs: [strings]` so that cells are read as text.
    A malformed submission cell (not one of the forms above) makes the submission invalid.
    """
    column = single_target(params)
    ids = truth[params["id_column"]].tolist()
    expected = [_qa_acceptable(text, row_id) for text, row_id in zip(_texts(truth, column), ids, strict=True)]
    given = []
    for text, row_id in zip(_texts(pred, column), ids, strict=True):
        try:
            given.append(_qa_answer(text))
        except MetricInputError as error:
            raise MetricInputError(f"id {row_id!r}: {error}.") from None
    y_pred = np.array([answer is not None for answer in given])
    y_true = np.array(
        [
            answer in accepted if answer is not None else bool(accepted)
            for answer, accepted in zip(given, expected, strict=True)
        ]
    )
    return float(np.mean(y_true == y_pred))
