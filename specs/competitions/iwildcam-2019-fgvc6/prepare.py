"""Prepare iwildcam-2019-fgvc6 as MLE-bench splits it.

Camera locations of train.csv split 90/10 (random_state 8, the seed MLE-bench chose to land
near Kaggle's test share); every image of a location falls on one side. The image zips hold
their files at the archive's root, as Kaggle's train_images.zip does. MLE-bench's sample
submission also carries the frame's index as a first, unnamed column; podium's leaves it out.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    images = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split_by(images, "location", 0.1, 8)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.drop(columns=["category_id"]), public / "test.csv")
    recipes.write_csv(test, private / "test.csv")
    answers = test[["id", "category_id"]].rename(columns={"id": "Id", "category_id": "Category"})
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers.assign(Category=0), public / "sample_submission.csv")
    pictures = recipes.extract(raw / "train_images.zip", raw / "train_images")
    for folder, rows in (("train_images", train), ("test_images", test)):
        recipes.copy_files([f"{i}.jpg" for i in rows["id"]], pictures, public / folder)
        recipes.zip_folder(public / folder, public / f"{folder}.zip", at_root=True)
