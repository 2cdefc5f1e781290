"""Prepare dog-breed-identification as MLE-bench splits it.

labels.csv split 90/10 (random_state 0); the answers are one-hot over the 120 breeds, in name
order.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    labels = recipes.read_csv(raw / "labels.csv")
    breeds = sorted(labels["breed"].unique())
    train, test = recipes.split(labels, 0.1, 0)
    answers = recipes.one_hot(test, "id", "breed", breeds)
    recipes.write_csv(train, public / "labels.csv")
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(**dict.fromkeys(breeds, 1 / len(breeds))), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files([f"{i}.jpg" for i in rows["id"]], raw / "train", public / folder)
