"""Prepare aerial-cactus-identification as MLE-bench splits it.

train.csv split with test_size 0.19 (random_state 0); the images of train.zip are re-zipped as
train.zip and test.zip. As in MLE-bench, those two archives hold the images at their root
(Kaggle's train.zip has them under train/).
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    labels = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(labels, 0.19, 0)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.assign(has_cactus=0.5), public / "sample_submission.csv")
    images = recipes.extract(raw / "train.zip", raw) / "train"
    for name, rows in (("train", train), ("test", test)):
        recipes.copy_files(rows["id"], images, public / name)
        recipes.zip_folder(public / name, public / f"{name}.zip", at_root=True)
