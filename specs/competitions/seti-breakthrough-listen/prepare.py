"""Prepare seti-breakthrough-listen as MLE-bench splits it.

train_labels.csv split 90/10 (random_state 0); each cadence's .npy file follows under the id's
first character; old_leaky_data/ is published as Kaggle released it.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    labels = recipes.read_csv(raw / "train_labels.csv")
    train, test = recipes.split(labels, 0.1, 0)
    recipes.write_csv(train, public / "train_labels.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.assign(target=0.5), public / "sample_submission.csv")
    recipes.copy_files(["old_leaky_data"], raw, public)
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files([f"{i[0]}/{i}.npy" for i in rows["id"]], raw / "train", public / folder)
