"""Prepare google-quest-challenge as MLE-bench splits it.

train.csv split 90/10 (random_state 0). When question_type_spelling is constant in the test
rows, the first test row trades places with the first training row where it is not, so that no
answer column is constant. Sample predictions rise from 0 to 1 down each column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from podium.runtime.data import recipes

SPELLING = "question_type_spelling"


def prepare(raw: Path, public: Path, private: Path) -> None:
    pairs = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(pairs, 0.1, 0)
    if test[SPELLING].nunique() == 1:
        train, test = swap_first_rows(train, test)
    ratings = list(pairs.columns[11:])  # qa_id and ten text columns, then the 30 ratings
    answers = test[["qa_id", *ratings]]
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.drop(columns=ratings), public / "test.csv")
    recipes.write_csv(answers, private / "test.csv")
    rising = np.tile(np.linspace(0, 1, len(answers))[:, None], (1, len(ratings)))
    recipes.write_csv(
        answers.assign(**{c: rising[:, i] for i, c in enumerate(ratings)}), public / "sample_submission.csv"
    )


def swap_first_rows(train: pd.DataFrame, test: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    donor = train.index[train[SPELLING] != 0][0]
    train, test = train.copy(), test.copy()
    first_test = test.iloc[0].copy()
    test.iloc[0] = train.loc[donor]
    train.loc[donor] = first_test
    return train, test
