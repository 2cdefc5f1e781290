"""Prepare detecting-insults-in-social-commentary as MLE-bench splits it.

No split: Kaggle released the test labels, so its labelled test set is the answers and the
public test drops Insult and Usage.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.copy_files(["train.csv"], raw, public)
    answers = recipes.read_csv(raw / "test_with_solutions.csv")
    recipes.write_csv(answers, private / "test.csv")
    comments = answers[["Insult", "Date", "Comment"]]
    recipes.write_csv(comments.drop(columns=["Insult"]), public / "test.csv")
    recipes.write_csv(comments.assign(Insult=0), public / "sample_submission.csv")
