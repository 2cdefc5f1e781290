"""Prepare kuzushiji-recognition as MLE-bench splits it.

train.csv split 90/10 (random_state 0); the page images are re-zipped as train_images.zip and
test_images.zip.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    pages = recipes.extract(raw / "train_images.zip", raw / "train")
    labels = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(labels, 0.1, 0)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.assign(labels="U+003F 1 1 U+FF2F 2 2"), public / "sample_submission.csv")
    recipes.copy_files(["unicode_translation.csv"], raw, public)
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files([f"{i}.jpg" for i in rows["image_id"]], pages, public / folder)
        recipes.zip_folder(public / folder, public / f"{folder}_images.zip")
