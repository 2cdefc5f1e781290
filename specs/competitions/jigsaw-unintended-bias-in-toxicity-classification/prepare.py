"""Prepare jigsaw-unintended-bias-in-toxicity-classification as MLE-bench splits it.

No split: Kaggle's expanded private test set, with toxicity and identity labels, is the
answers. The sample submission names the prediction column `prediction`, as MLE-bench's does
(the spec's `submission_columns`).
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train.csv", "test_private_expanded.csv")
    answers = recipes.read_csv(raw / "test_private_expanded.csv")
    recipes.copy_files(["train.csv"], raw, public)
    recipes.copy_renamed([(raw / "test_private_expanded.csv", private / "test.csv")])
    recipes.write_csv(answers[["id", "comment_text"]], public / "test.csv")
    recipes.write_csv(answers[["id"]].assign(prediction=0.0), public / "sample_submission.csv")
