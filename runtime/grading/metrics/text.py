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
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz.distance import Levenshtein
from scipy.stats import kendalltau
from sklearn.metrics import accuracy_score, jaccard_score
from sklearn.preprocessing import MultiLabelBinarizer

from podium.runtime.grading.metrics.classification import row_label, single_target
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
    return float(accuracy_score(np.array(expected, dtype=object), np.array(predicted, dtype=object)))


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
    binarizer = MultiLabelBinarizer(sparse_output=True).fit(expected_words + predicted_words)
    return float(
        jaccard_score(
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
    tau = float(kendalltau(np.arange(offset), shifted_ranks).statistic)
    all_pairs = offset * (offset - 1) / 2
    inversions = (1 - tau) * all_pairs / 2  # tau = (concordant - discordant) / all pairs
    return float(1 - 4 * inversions / pair_weight)
