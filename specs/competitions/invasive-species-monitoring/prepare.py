"""Prepare invasive-species-monitoring as MLE-bench splits it.

train_labels.csv split 80/20 (random_state 0); images re-packed as train.7z and test.7z as
Kaggle ships them.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.extract(raw / "train.7z", raw)
    recipes.extract(raw / "train_labels.csv.zip", raw)
    labels = recipes.read_csv(raw / "train_labels.csv")
    train, answers = recipes.split(labels, 0.2, 0)
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(train, public / "train_labels.csv")
    recipes.write_csv(answers.assign(invasive=0.5), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", answers)):
        recipes.copy_files([f"{name}.jpg" for name in rows["name"]], raw / "train", public / folder)
