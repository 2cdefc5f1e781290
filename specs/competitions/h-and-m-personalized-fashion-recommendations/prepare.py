"""Prepare h-and-m-personalized-fashion-recommendations as MLE-bench splits it.

Transactions of the last seven days up to the final date are the test period. The answers list,
for each customer who bought in it, the articles bought. The sample submission is Kaggle's own,
for every customer, so it does not tell who bought in the test period; grading ignores the
customers without answers (the spec's `extra_ids: ignore`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "transactions_train.csv", "sample_submission.csv", "articles.csv", "customers.csv", "images")
    transactions = recipes.read_csv(raw / "transactions_train.csv")
    dates = pd.to_datetime(transactions["t_dat"])
    in_test = dates >= dates.max() - pd.Timedelta(days=7)
    recipes.write_csv(transactions[~in_test], public / "transactions_train.csv")
    bought = transactions[in_test].groupby("customer_id")["article_id"].apply(lambda a: " ".join(a.astype(str)))
    answers = bought.reset_index().rename(columns={"article_id": "prediction"})
    recipes.write_csv(answers, private / "answers.csv")
    recipes.copy_files(["sample_submission.csv", "articles.csv", "customers.csv", "images"], raw, public)
