"""Prepare detecting-insults-in-social-commentary as MLE-bench splits it.

No split: Kaggle released the test labels, so its labelled test set, copied byte for byte, is the
answers and the public test drops Insult and Usage. MLE-bench names the sample submission
sample_submission_null.csv and also writes private/gold_submission.csv, which grading never reads.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.copy_files(["train.csv"], raw, public)
    recipes.copy_renamed([(raw / "test_with_solutions.csv", private / "test.csv")])
    answers = recipes.read_csv(raw / "test_with_solutions.csv")
    comments = answers[["Insult", "Date", "Comment"]]
    recipes.write_csv(comments.drop(columns=["Insult"]), public / "test.csv")
    recipes.write_csv(comments.assign(Insult=0), public / "sample_submission.csv")
