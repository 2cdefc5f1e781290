"""Prepare jigsaw-toxic-comment-classification-challenge as MLE-bench splits it.

No split: Kaggle's test set with its released labels is the answers; rows labelled -1 were
never scored.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    for name in ("train.csv", "test.csv", "test_labels.csv", "sample_submission.csv"):
        recipes.extract(raw / f"{name}.zip", raw)
    recipes.copy_files(["train.csv", "test.csv"], raw, public)
    recipes.write_csv(recipes.read_csv(raw / "test_labels.csv"), private / "test.csv")
    sample = recipes.read_csv(raw / "sample_submission.csv")
    recipes.write_csv(sample.assign(**dict.fromkeys(CLASSES, 0.5)), public / "sample_submission.csv")
