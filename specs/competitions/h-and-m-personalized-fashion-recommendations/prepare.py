"""Prepare h-and-m-personalized-fashion-recommendations as MLE-bench splits it.

Transactions of the last seven days up to the final date are the test period. The answers list,
for each customer who bought in it, the articles bought; the sample submission covers those
customers only, where MLE-bench's lists every customer.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

# Kaggle's sample submission predicts these twelve articles for every customer.
TOP_SELLERS = (
    "0706016001 0706016002 0372860001 0610776002 0759871002 0464297007 "
    "0372860002 0610776001 0399223001 0706016003 0720125001 0156231001"
)


def prepare(raw: Path, public: Path, private: Path) -> None:
    transactions = recipes.read_csv(raw / "transactions_train.csv")
    dates = pd.to_datetime(transactions["t_dat"])
    in_test = dates >= dates.max() - pd.Timedelta(days=7)
    recipes.write_csv(transactions[~in_test], public / "transactions_train.csv")
    bought = transactions[in_test].groupby("customer_id")["article_id"].apply(lambda a: " ".join(a.astype(str)))
    answers = bought.reset_index().rename(columns={"article_id": "prediction"})
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers.assign(prediction=TOP_SELLERS), public / "sample_submission.csv")
    recipes.copy_files(["articles.csv", "customers.csv", "images"], raw, public)
