"""Prepare spooky-author-identification as MLE-bench splits it.

train.csv (inside train.zip) split 90/10 (random_state 0); the answers are one-hot over the
three authors.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

AUTHORS = ["EAP", "HPL", "MWS"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.extract(raw / "train.zip", raw)
    excerpts = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(excerpts, 0.1, 0)
    answers = recipes.one_hot(test, "id", "author", AUTHORS)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.drop(columns=["author"]), public / "test.csv")
    recipes.write_csv(answers, private / "test.csv")
    guesses = {"EAP": 0.403493538995863, "HPL": 0.287808366106543, "MWS": 0.308698094897594}
    recipes.write_csv(answers.assign(**guesses), public / "sample_submission.csv")
