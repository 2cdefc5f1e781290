"""Prepare imet-2020-fgvc7 as MLE-bench splits it.

train.csv split 85/15 (random_state 0).
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    artworks = recipes.read_csv(raw / "train.csv")
    train, answers = recipes.split(artworks, 0.15, 0)
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(answers.assign(attribute_ids="0 1 2"), public / "sample_submission.csv")
    recipes.copy_files(["labels.csv"], raw, public)
    for folder, rows in (("train", train), ("test", answers)):
        recipes.copy_files([f"{i}.png" for i in rows["id"]], raw / "train", public / folder)
