"""Prepare plant-pathology-2021-fgvc8 as MLE-bench splits it.

train.csv split 80/20 (random_state 0).
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    leaves = recipes.read_csv(raw / "train.csv")
    train, answers = recipes.split(leaves, 0.2, 0)
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(answers.assign(labels="healthy"), public / "sample_submission.csv")
    for folder, rows in (("train_images", train), ("test_images", answers)):
        recipes.copy_files(rows["image"], raw / "train_images", public / folder)
