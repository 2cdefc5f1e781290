"""Prepare plant-pathology-2020-fgvc7 as MLE-bench splits it.

train.csv split 90/10 (random_state 0); images are renamed Train_<n> and Test_<n> in split
order so that an id says nothing about the original order.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

CLASSES = ["healthy", "multiple_diseases", "rust", "scab"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    leaves = recipes.read_csv(raw / "train.csv")
    train, answers = recipes.split(leaves, 0.1, 0)
    new_names = {old: f"Train_{n}" for n, old in enumerate(train["image_id"].unique())}
    new_names |= {old: f"Test_{n}" for n, old in enumerate(answers["image_id"].unique())}
    train = train.assign(image_id=train["image_id"].map(new_names))
    answers = answers.assign(image_id=answers["image_id"].map(new_names))
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers[["image_id"]], public / "test.csv")
    recipes.write_csv(answers[["image_id"]].assign(**dict.fromkeys(CLASSES, 0.25)), public / "sample_submission.csv")
    recipes.copy_renamed(
        (raw / "images" / f"{old}.jpg", public / "images" / f"{new}.jpg") for old, new in new_names.items()
    )
