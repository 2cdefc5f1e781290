"""Prepare histopathologic-cancer-detection as MLE-bench splits it.

The ids of train_labels.csv split with Kaggle's test share, n_test / (n_train + n_test)
(random_state 0), so the raw test/ folder must be there to count.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    labels = recipes.read_csv(raw / "train_labels.csv")
    recipes.require(raw, "test")
    kaggle_test = len(list((raw / "test").glob("*.tif")))
    if not kaggle_test:
        raise recipes.DataError(f"{raw / 'test'} holds no .tif images, whose count sets the test share; download again")
    _, test_ids = recipes.split(labels["id"], kaggle_test / (len(labels) + kaggle_test), 0)
    in_test = labels["id"].isin(set(test_ids))
    train, test = labels[~in_test], labels[in_test]
    recipes.write_csv(train, public / "train_labels.csv")
    recipes.write_csv(test, private / "answers.csv")
    recipes.write_csv(test.assign(label=0), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files([f"{i}.tif" for i in rows["id"]], raw / "train", public / folder)
